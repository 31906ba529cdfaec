package io.lokiconnect.source;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.metrics.PluginGauges;
import io.lokiconnect.common.headers.FileHeaders;
import io.lokiconnect.source.FileLogSourceConfig.LineOverflow;
import io.lokiconnect.source.FileLogSourceConfig.StartPosition;
import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.metrics.SourceTaskMetrics;
import io.lokiconnect.source.offsets.SourceOffsets;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.tail.FileSetTailer;
import io.lokiconnect.source.model.TailedLine;
import io.lokiconnect.source.tail.TailerSettings;
import io.lokiconnect.source.tail.TailerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        TailerSettings settings = new TailerSettings(config.lineMaxBytes(), config.lineOverflow() == LineOverflow.SPLIT,
                config.charset(), config.partialLineFlushMs());
        FileSetTailer.Options options = new FileSetTailer.Options(config.startPosition() == StartPosition.END, config.scanIntervalMs(),
                config.filesMaxOpen(), config.multilineStart(), config.multilineMaxLines(), config.multilineFlushMs(),
                config.rotateWaitMs(), config.multilineMaxBytes());
        tailer = new FileSetTailer(watcher, new FileAssignment(config.taskIndex(), config.taskCount()), settings,
                options, this::storedOffset, stats, problems, System::currentTimeMillis);
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

    private Optional<ResumePoint> storedOffset(FileIdentity identity) {
        Optional<ResumePoint> current = SourceOffsets.parse(
                context.offsetStorageReader().offset(SourceOffsets.partition(identity)));
        // Offsets written by versions whose partition held the host and device: resume from them once.
        return current.isPresent() ? current : SourceOffsets.parse(
                context.offsetStorageReader().offset(SourceOffsets.legacyPartition(host, identity)));
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        gauges.retryPending(); // names a predecessor still held at start
        List<TailedLine> lines = tailer.poll(config.batchMaxRecords(), config.batchMaxBytes());
        if (lines.isEmpty()) {
            // Nothing new anywhere: wait instead of spinning (near-zero CPU when idle).
            Thread.sleep(config.pollIntervalMs());
            return null;
        }
        long now = System.currentTimeMillis();
        List<SourceRecord> batch = new ArrayList<>(lines.size());
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
