package io.lokiconnect.source.metrics;

import io.lokiconnect.source.tail.TailerStats;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * Publishes a task's {@link TailerStats} through Connect's PluginMetrics (KIP-877): they appear in JMX under
 * {@code kafka.connect:type=plugins,connector=<name>,task=<n>} with the names below.
 */
public final class SourceTaskMetrics {

    private SourceTaskMetrics() {
    }

    public static void register(PluginMetrics metrics, TailerStats stats) {
        if (metrics == null) {
            return;
        }
        add(metrics, "lines-read-total", "Lines read from files (physical lines: a multiline event counts each of its lines).", stats.linesRead);
        add(metrics, "bytes-read-total", "Bytes read from files.", stats.bytesRead);
        add(metrics, "files-tracked", "Files this task is tailing now.", stats.filesTracked);
        add(metrics, "files-with-errors-total", "Files or directories not read (unreadable, dangling link, directory, binary, a read that failed; each retried every scan.interval.ms), counted once per reason.",
                stats.fileErrors);
        add(metrics, "bytes-behind", "Bytes written to the tailed files and not yet read.", stats.bytesBehind);
        add(metrics, "buffer-bytes", "Bytes of read and line buffers the task holds (a long line's buffer is given "
                + "back once the line is emitted; closed files hold none).", stats.bufferBytes);
        add(metrics, "rotations-total", "Rotations detected (a path now names another file).", stats.rotations);
        add(metrics, "truncations-total", "Truncations detected (copytruncate, or a reused inode).", stats.truncations);
        add(metrics, "copies-recognized-total", "New files recognised as copytruncate's copy of a file already "
                + "read, resumed where that file was read to instead of shipped again.", stats.copiesRecognized);
        add(metrics, "lines-skipped-total", "Lines skipped because reading them failed "
                + "3 times in a row with an unexpected error (each logged with its file and byte offset).",
                stats.linesSkipped);
        add(metrics, "lines-split-total", "Over-long lines split in parts.", stats.linesSplit);
        add(metrics, "lines-truncated-total", "Over-long lines truncated.", stats.linesTruncated);
        add(metrics, "lines-malformed-total", "Lines holding bytes invalid in the configured encoding.",
                stats.malformedLines);
    }

    private static void add(PluginMetrics metrics, String name, String description, AtomicLong value) {
        metrics.addMetric(metrics.metricName(name, description, new LinkedHashMap<>()),
                (Gauge<Long>) (config, now) -> value.get());
    }
}
