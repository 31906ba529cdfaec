package io.lokiconnect.source.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FileAssignmentTest {

    /**
     * The copy copytruncate makes and the archive compress makes can only be recognised by the task that read the
     * original (what it read is in that task's memory): a rotated name belongs to the same task as the live one.
     */
    @Test
    void everyRotatedNameOfALogBelongsToTheTaskOfItsLiveFile() {
        List<String> rotated = List.of("app.log.1", "app.log.2.gz", "app.log.10.bz2", "app.log.3.zst",
                "app.log-20260101", "app.log-20260101.gz", "app.log.2026-01-01", "APP.LOG.1.GZ", "app.log_7");
        for (int tasks = 1; tasks <= 7; tasks++) {
            for (int task = 0; task < tasks; task++) {
                FileAssignment share = new FileAssignment(task, tasks);
                boolean live = share.owns(Path.of("/var/log/app.log"));
                for (String name : rotated) {
                    assertThat(share.owns(Path.of("/var/log/old/" + name))).as("%s, task %d of %d", name, task, tasks)
                            .isEqualTo(live);
                }
            }
        }
        assertThat(FileAssignment.family(Path.of("/x/app-0.log.3"))).isEqualTo("app-0.log");
        assertThat(FileAssignment.family(Path.of("/x/2026"))).as("nothing left: the whole name").isEqualTo("2026");
    }

    @Test
    void everyFileHasExactlyOneOwnerAndDistinctLogsSpreadOverTasks() {
        int tasks = 4;
        int[] owned = new int[tasks];
        for (int f = 0; f < 400; f++) {
            Path file = Path.of("/logs/service-" + f + ".log");
            int owners = 0;
            for (int task = 0; task < tasks; task++) {
                if (new FileAssignment(task, tasks).owns(file)) {
                    owners++;
                    owned[task]++;
                }
            }
            assertThat(owners).isEqualTo(1);
        }
        assertThat(IntStream.of(owned).min().orElseThrow()).as("spread %s", java.util.Arrays.toString(owned))
                .isGreaterThan(50);
    }
}
