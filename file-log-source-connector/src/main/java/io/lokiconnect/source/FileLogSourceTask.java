package io.lokiconnect.source;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.metrics.PluginGauges;
import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.metrics.SourceTaskMetrics;
import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import io.lokiconnect.source.offsets.SourceOffsets;
import io.lokiconnect.source.tail.FileSetTailer;
import io.lokiconnect.source.tail.StoredOffsets;
import io.lokiconnect.source.tail.TailerStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adapts {@link FileSetTailer} to Connect: its lines become records, their positions source offsets. */
public class FileLogSourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(FileLogSourceTask.class);

    private FileLogSourceConfig config;
    private FileSetTailer tailer;
    private String host;
    private LineRecords records;
    private final TailerStats stats = new TailerStats();
    private PluginGauges gauges;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new FileLogSourceConfig(props);
        host = config.hostName();
        records = new LineRecords(config.topic(), config.headers(), config.recordKey(), host);
        FileProblems problems = new FileProblems(stats.fileErrors);
        GlobWatcher watcher = new GlobWatcher(config.paths(), config.excludes(), config.allowedRoots(), problems);
        tailer = new FileSetTailer(watcher, new FileAssignment(config.taskIndex(), config.taskCount()),
                config.tailerSettings(), storedOffsets(), stats, problems, MONOTONIC_MILLIS);
        gauges = SourceTaskMetrics.register(pluginMetrics(), stats);
        log.info("Task {} of {} tailing {} into topic {}", config.taskIndex() + 1, config.taskCount(),
                config.paths(), config.topic());
    }

    private org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        try {
            return context.pluginMetrics();
        } catch (NoSuchMethodError | UnsupportedOperationException e) {
            return null; // worker older than Kafka 4.1 (KIP-877): the task runs without its metrics
        }
    }

    /**
     * The clock of every deadline (rotate.wait.ms, partial.line.flush.ms, multiline.flush.ms, scans, retries): a
     * monotonic one, so a step of the wall clock (NTP, a VM resumed) neither forgets rotated files early nor
     * flushes half-written lines. Record timestamps still come from the wall clock.
     */
    static final Supplier<Long> MONOTONIC_MILLIS = () -> System.nanoTime() / 1_000_000L;

    /** Connect's stored offsets, looked up in one batch per scan (and once for start.position=end). */
    private StoredOffsets storedOffsets() {
        return new StoredOffsets() {
            @Override
            public Map<FileIdentity, ResumePoint> of(Collection<FileIdentity> files) {
                return SourceOffsets.lookup(files, host, context.offsetStorageReader()::offsets);
            }

            @Override
            public boolean startPositionApplied() {
                return context.offsetStorageReader().offset(SourceOffsets.START_POSITION_PARTITION) != null;
            }
        };
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        gauges.retryPending(); // names a predecessor still held at start
        List<TailedLine> lines = tailer.poll(config.batchMaxRecords(), config.batchMaxBytes());
        boolean startApplied = tailer.takeStartPositionApplied();
        if (lines.isEmpty() && !startApplied) {
            // Nothing new anywhere: wait instead of spinning (near-zero CPU when idle).
            Thread.sleep(config.pollIntervalMs());
            return null;
        }
        long now = System.currentTimeMillis();
        List<SourceRecord> batch = new ArrayList<>(lines.size() + 1);
        if (startApplied) {
            batch.add(records.startPositionApplied());
        }
        for (TailedLine line : lines) {
            batch.add(records.toRecord(line, now));
        }
        return batch;
    }

    @Override
    public void stop() {
        if (tailer != null) {
            tailer.close();
        }
    }
}
