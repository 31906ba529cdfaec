package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.offsets.SourceOffsets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** start.position=end is for the first run only; buffers grown by a long line are given back. */
class StartPositionAndMemoryTest {

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final TailerStats stats = new TailerStats();
    private final FileProblems problems = new FileProblems(stats.fileErrors);
    private final Map<FileIdentity, ResumePoint> stored = new HashMap<>();

    private FileSetTailer tailer(boolean startAtEnd) {
        return new FileSetTailer(new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), new TailerSettings(256 * 1024, true, StandardCharsets.UTF_8, 1_000),
                new FileSetTailer.Options(startAtEnd, 0, 256, null, 100, 1_000),
                id -> Optional.ofNullable(stored.get(id)), stats, problems, clock::get);
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private List<String> drain(FileSetTailer t) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            for (TailedLine line : t.poll(1000, 1 << 20)) {
                texts.add(line.text());
                stored.put(line.identity(), SourceOffsets.parse(SourceOffsets.offset(line)).orElseThrow());
            }
        }
        return texts;
    }

    @Test
    void startAtEndSkipsOnlyOnTheFirstRunAndFilesCreatedWhileTheTaskWasDownAreReadWhole() throws IOException {
        append(dir.resolve("old.log"), "before the first run\n");
        FileSetTailer first = tailer(true);
        assertThat(drain(first)).isEmpty();
        append(dir.resolve("old.log"), "during the first run\n");
        assertThat(drain(first)).containsExactly("during the first run");
        first.close();

        // Down: a new file appears, the old one grows. The restarted task has offsets, so this is no first run.
        append(dir.resolve("new.log"), "written while the task was down\n");
        append(dir.resolve("old.log"), "old file, while down\n");
        assertThat(drain(tailer(true))).containsExactlyInAnyOrder("written while the task was down",
                "old file, while down");
    }

    @Test
    void theLineBufferGrownByALongLineIsGivenBackAndClosedFilesHoldNoReadBuffer() throws IOException {
        append(dir.resolve("a.log"), "x".repeat(300 * 1024) + "\nshort\n");
        FileSetTailer t = tailer(false);
        assertThat(drain(t)).hasSize(3);
        t.poll(1000, 1 << 20); // the metric is refreshed at each scan
        assertThat(stats.bufferBytes.get()).as("one open file: its 64 KiB read buffer and a small line buffer")
                .isLessThanOrEqualTo(64 * 1024 + 256);
        t.close();
    }
}
