package io.lokiconnect.benchmarks.source;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.tail.FileSetTailer;
import io.lokiconnect.source.model.TailedLine;
import io.lokiconnect.source.tail.TailerSettings;
import io.lokiconnect.source.tail.TailerStats;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How fast the source connector's tailer reads one large file: lines/s and MB/s, the part of the source that
 * does not depend on Kafka. Writes a file of ~200-byte JSON log lines (1 GiB by default) unless it exists, then
 * reads it with the same {@link FileSetTailer} the task uses, in polls of the task's default batch limits.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.lokiconnect.benchmarks.source.TailerThroughput [file] [MiB]</pre>
 */
public final class TailerThroughput {

    private TailerThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "target/tailer-bench/app.log").toAbsolutePath();
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 1024;
        long lines = ensureFile(file, mib * 1024 * 1024);
        for (int run = 1; run <= 2; run++) {
            TailerStats stats = new TailerStats();
            FileProblems problems = new FileProblems(stats.fileErrors);
            GlobWatcher watcher = new GlobWatcher(List.of(file.toString()), List.of(), List.of(), problems);
            TailerSettings settings = new TailerSettings(256 * 1024, true, StandardCharsets.UTF_8, 1000, false,
                    60_000, 100, null, 0, 0, 512 * 1024, 10_000, 0, 0, false);
            long started = System.nanoTime();
            long count = 0;
            long bytes = 0;
            try (FileSetTailer tailer = new FileSetTailer(watcher, new FileAssignment(0, 1),
                    settings,
                    ids -> java.util.Map.of(), stats, problems, System::currentTimeMillis)) {
                while (count < lines) {
                    List<TailedLine> batch = tailer.poll(2000, 4 * 1024 * 1024);
                    count += batch.size();
                    for (TailedLine line : batch) {
                        bytes += line.text().length() + 1;
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("run %d: %,d lines, %,d MiB in %.2f s: %,.0f lines/s, %.0f MiB/s%n", run, count,
                    bytes >> 20, seconds, count / seconds, (bytes >> 20) / seconds);
        }
    }

    private static long ensureFile(Path file, long size) throws IOException {
        String line = "{\"timestamp\":\"2026-11-25T10:15:30.123456789Z\",\"level\":\"info\",\"service\":\"checkout\","
                + "\"message\":\"order %08d placed for customer 4711 with 3 items\",\"trace_id\":\"abc\"}";
        long lines = 0;
        if (Files.exists(file) && Files.size(file) >= size) {
            try (var stream = Files.lines(file)) {
                return stream.count();
            }
        }
        Files.createDirectories(file.getParent());
        long written = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (written < size) {
                String text = String.format(line, lines);
                out.write(text);
                out.write('\n');
                written += text.length() + 1;
                lines++;
            }
        }
        System.out.printf("wrote %s: %,d lines, %,d bytes%n", file, lines, written);
        return lines;
    }
}
