package io.lokiconnect.source.tail;

import static io.lokiconnect.source.tail.TailerHarness.append;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** start.position=end is for the first run only; buffers grown by a long line are given back. */
class StartPositionAndMemoryTest {

    @TempDir
    Path dir;

    private final TailerHarness h = new TailerHarness();

    private FileSetTailer tailer(boolean startAtEnd) {
        return h.tailer(h.watcher(dir + "/*.log"), TailerHarness.utf8(256 * 1024).startAtEnd(startAtEnd).scanIntervalMs(0).build());
    }

    private List<String> drain(FileSetTailer t) {
        return h.drain(t, 5, 0);
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
        assertThat(h.stats.bufferBytes.get()).as("one open file: its 64 KiB read buffer and a small line buffer")
                .isLessThanOrEqualTo(64 * 1024 + 256);
        t.close();
    }
}
