package io.lokiconnect.source.tail;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
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

/** What the tailer tests share: a test clock, the counters, offsets stored as Connect stores them, file helpers. */
final class TailerHarness {

    final AtomicLong clock = new AtomicLong(1_000_000);
    final TailerStats stats = new TailerStats();
    final FileProblems problems = new FileProblems(stats.fileErrors);
    /** The offsets of every line drained: what a restarted task finds. */
    final Map<FileIdentity, ResumePoint> stored = new HashMap<>();

    GlobWatcher watcher(String glob) {
        return new GlobWatcher(List.of(glob), List.of(), List.of(), problems);
    }

    FileSetTailer tailer(GlobWatcher watcher, TailerSettings settings) {
        return new FileSetTailer(watcher, new FileAssignment(0, 1), settings,
                TailerHarness.from(stored), stats, problems, clock::get);
    }

    /** The offsets of {@code stored} as a task looks them up: in batches, a file without one left out. */
    static StoredOffsets from(Map<FileIdentity, ResumePoint> stored) {
        return ids -> {
            Map<FileIdentity, ResumePoint> found = new HashMap<>();
            for (FileIdentity id : ids) {
                if (stored.containsKey(id)) {
                    found.put(id, stored.get(id));
                }
            }
            return found;
        };
    }

    /** Plain UTF-8 lines, split when longer than {@code lineMax}, a partial last line flushed after 1 s. */
    static TestSettings utf8(int lineMax) {
        return TestSettings.defaults().lineMaxBytes(lineMax).partialFlushMs(1_000);
    }

    /** Polls {@code polls} times, {@code advanceMs} apart, storing each line's offset; returns the texts. */
    List<String> drain(FileSetTailer tailer, int polls, long advanceMs) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < polls; i++) {
            for (TailedLine line : tailer.poll(1000, 1 << 20)) {
                if (line.text() != null) { // a record without a line only stores an offset
                    texts.add(line.text());
                }
                stored.put(line.identity(), SourceOffsets.parse(SourceOffsets.offset(line)).orElseThrow());
            }
            clock.addAndGet(advanceMs);
        }
        return texts;
    }

    static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<String> texts(List<TailedLine> lines) {
        return lines.stream().map(TailedLine::text).toList();
    }
}
