package io.lokiconnect.source.metrics;

import io.lokiconnect.common.metrics.PluginGauges;
import io.lokiconnect.source.tail.TailerStats;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * Publishes a task's {@link TailerStats} through Connect's PluginMetrics (KIP-877): they appear in JMX under
 * {@code kafka.connect:type=plugins,connector=<name>,task=<n>} with the names below. Through {@link PluginGauges}, so
 * a task restarted while its predecessor still holds the names starts anyway and publishes them later.
 */
public final class SourceTaskMetrics {

    private SourceTaskMetrics() {
    }

    /** @param metrics the task's plugin metrics, or null (a worker older than Kafka 4.1): nothing is published */
    public static PluginGauges register(PluginMetrics metrics, TailerStats stats) {
        PluginGauges gauges = new PluginGauges(metrics, "File log source task");
        add(gauges, "lines-read-total", "Lines read from files (physical lines: a multiline event counts each of its lines).", stats.linesRead);
        add(gauges, "bytes-read-total", "Bytes read from files.", stats.bytesRead);
        add(gauges, "files-tracked", "Files this task is tailing now.", stats.filesTracked);
        add(gauges, "files-with-errors-total", "Files or directories not read (unreadable, dangling link, directory, binary, a read that failed; each retried every scan.interval.ms), counted once per reason.",
                stats.fileErrors);
        add(gauges, "bytes-behind", "Bytes written to the tailed files and not yet read.", stats.bytesBehind);
        add(gauges, "buffer-bytes", "Bytes of read, line and multiline-event buffers the task holds (a long line or event's buffer is given "
                + "back once the line is emitted; closed files hold none).", stats.bufferBytes);
        add(gauges, "rotations-total", "Rotations detected (a path now names another file).", stats.rotations);
        add(gauges, "truncations-total", "Truncations detected (copytruncate, or a reused inode).", stats.truncations);
        add(gauges, "copies-recognized-total", "New files recognised as copytruncate's copy of a file already "
                + "read, resumed where that file was read to instead of shipped again.", stats.copiesRecognized);
        add(gauges, "lines-skipped-total", "Lines skipped because reading them failed "
                + "3 times in a row with an unexpected error (each logged with its file and byte offset).",
                stats.linesSkipped);
        add(gauges, "lines-split-total", "Over-long lines split in parts.", stats.linesSplit);
        add(gauges, "lines-truncated-total", "Over-long lines truncated.", stats.linesTruncated);
        add(gauges, "lines-malformed-total", "Lines holding bytes invalid in the configured encoding.",
                stats.malformedLines);
        return gauges;
    }

    private static void add(PluginGauges gauges, String name, String description, AtomicLong value) {
        gauges.add(name, description, value::get);
    }
}
