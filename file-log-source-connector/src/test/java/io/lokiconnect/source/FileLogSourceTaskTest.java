package io.lokiconnect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.offsets.SourceOffsets;
import io.lokiconnect.source.model.FileIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task's source partitions: the same on every host, and offsets of the previous format still read. */
class FileLogSourceTaskTest {

    @TempDir
    Path dir;

    /** Connect's offsets, as a map: what committed records leave behind. */
    private final Map<Map<String, ?>, Map<String, Object>> committed = new HashMap<>();

    private FileLogSourceTask start(String host, String... more) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < more.length; i += 2) {
            props.put(more[i], more[i + 1]);
        }
        props.put("topic", "logs");
        props.put("paths", dir + "/*.log");
        props.put("host.name", host);
        props.put("headers", "host");
        props.put("poll.interval.ms", "10");
        FileLogSourceTask task = new FileLogSourceTask();
        task.initialize(new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return props;
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return new OffsetStorageReader() {
                    @Override
                    public <T> Map<String, Object> offset(Map<String, T> partition) {
                        return committed.get(partition);
                    }

                    @Override
                    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                        Map<Map<String, T>, Map<String, Object>> result = new HashMap<>();
                        partitions.forEach(p -> result.put(p, committed.get(p)));
                        return result;
                    }
                };
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return null;
            }
        });
        task.start(props);
        return task;
    }

    @SuppressWarnings("unchecked")
    private List<SourceRecord> pollAll(FileLogSourceTask task) throws InterruptedException {
        List<SourceRecord> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<SourceRecord> records = task.poll();
            if (records != null) {
                all.addAll(records);
                records.forEach(r -> committed.put(r.sourcePartition(), new HashMap<>(
                        (Map<String, Object>) r.sourceOffset())));
            }
        }
        return all;
    }

    private static List<Object> values(List<SourceRecord> records) {
        return records.stream().map(SourceRecord::value).toList();
    }

    @Test
    void aTaskOnAnotherHostResumesFromTheOffsetsTheFirstOneCommitted() throws Exception {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "one\ntwo\n");
        FileLogSourceTask onHostA = start("host-a");
        List<SourceRecord> first = pollAll(onHostA);
        onHostA.stop();
        assertThat(values(first)).containsExactly("one", "two");
        assertThat(first.get(0).sourcePartition())
                .isEqualTo(Map.of("file.key", FileIdentity.of(file).sharedKey()));
        assertThat(first.get(0).headers().lastWithName("log.host").value()).isEqualTo("host-a");

        Files.writeString(file, "three\n", java.nio.file.StandardOpenOption.APPEND);
        FileLogSourceTask onHostB = start("pod-b-7f9c");
        assertThat(values(pollAll(onHostB))).containsExactly("three");
        onHostB.stop();
    }

    @Test
    void offsetsOfThePreviousPartitionFormatAreResumedFrom() throws Exception {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "one\ntwo\nthree\n");
        FileIdentity identity = FileIdentity.of(file);
        // What version 0.1 committed after "two": partition {host, file.key=(dev=..,ino=..)}, no checksum.
        Map<String, Object> legacyOffset = new HashMap<>();
        legacyOffset.put("position", 8L);
        legacyOffset.put("path", file.toString());
        committed.put(SourceOffsets.legacyPartition("web-01", identity), legacyOffset);
        FileLogSourceTask task = start("web-01");
        List<SourceRecord> records = pollAll(task);
        task.stop();
        assertThat(values(records)).containsExactly("three");
        assertThat(records.get(0).sourcePartition()).isEqualTo(SourceOffsets.partition(identity));
    }

    @Test
    void theSharedKeyLeavesOutTheDeviceSoAFileOnASharedVolumeHasOneIdentity() throws IOException {
        FileIdentity onHostA = new FileIdentity("(dev=fe00,ino=123456)", "/mnt/shared");
        FileIdentity onHostB = new FileIdentity("(dev=2f,ino=123456)", "/mnt/shared");
        assertThat(onHostA.sharedKey()).isEqualTo(onHostB.sharedKey()).isEqualTo("ino:123456@/mnt/shared");
        assertThat(SourceOffsets.partition(onHostA)).isEqualTo(SourceOffsets.partition(onHostB));
        assertThat(new FileIdentity("path:/x/y").sharedKey()).isEqualTo("path:/x/y");
    }

    @Test
    void twoVolumesOfOneHostWithTheSameInodeNumberAreTwoFiles() {
        // /var/log on the root file system and /app/logs on a volume: inode numbers repeat across file systems.
        FileIdentity varLog = new FileIdentity("(dev=fe01,ino=12)", "/");
        FileIdentity appLogs = new FileIdentity("(dev=fe02,ino=12)", "/app/logs");
        assertThat(varLog.sharedKey()).isEqualTo("ino:12");
        assertThat(appLogs.sharedKey()).isEqualTo("ino:12@/app/logs");
        assertThat(SourceOffsets.partition(varLog)).isNotEqualTo(SourceOffsets.partition(appLogs));
    }

    @Test
    void aRealFileNamesTheMountPointOfItsVolume() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "x\n");
        FileIdentity identity = FileIdentity.of(file);
        java.nio.file.FileStore store = Files.getFileStore(file);
        assertThat(store.toString()).startsWith(identity.volume() + " (");
        assertThat(Files.getFileStore(Path.of(identity.volume()))).isEqualTo(store);
        assertThat(FileIdentity.of(file)).isEqualTo(identity);
    }

    /**
     * Deadlines (rotate.wait.ms, partial.line.flush.ms, multiline.flush.ms) run on a monotonic clock: a wall clock
     * stepped by NTP or a resumed VM would forget rotated files early or flush half-written lines.
     */
    @Test
    void deadlinesRunOnTheMonotonicClockNotTheWallClock() {
        long monotonic = System.nanoTime() / 1_000_000L;
        assertThat(FileLogSourceTask.MONOTONIC_MILLIS.get()).isBetween(monotonic, monotonic + 1_000);
    }

    @Test
    void theFirstRunAtEndStoresThatItAppliedItAndTheNextRunReadsNewFilesFromTheirStart() throws Exception {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "before the first run\n");
        FileLogSourceTask first = start("web-01", "start.position", "end");
        List<SourceRecord> records = pollAll(first);
        first.stop();
        // No line; two records without a value: that "end" was applied, and where app.log starts (its end).
        assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.value()).isNull());
        assertThat(records.get(0).sourcePartition()).isEqualTo(SourceOffsets.START_POSITION_PARTITION);
        assertThat(records.get(1).sourceOffset().get("position")).isEqualTo(Files.size(file));
        // While the task was down, app.log was renamed out of the globs and a new app.log written.
        Files.move(file, dir.resolve("app.log.old"));
        Files.writeString(file, "written while the task was down\n");
        FileLogSourceTask second = start("web-01", "start.position", "end");
        assertThat(values(pollAll(second))).containsExactly("written while the task was down");
        second.stop();
    }
}
