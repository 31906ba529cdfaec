package io.lokiconnect.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.lokiconnect.common.headers.FileHeaders;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.common.loki.LabelNames;
import io.lokiconnect.sink.entry.EntryTimes;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.format.LineFormatter;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.offsets.PendingRecord;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a {@link SinkRecord} into a {@link LokiEntry}: labels from static config, {@code loki.label.*} headers and
 * optionally the topic and partition; structured metadata from {@code loki.meta.*} headers; the line from the
 * value per {@code line.format}; the time from {@code loki.timestamp.ns}, else the record timestamp.
 *
 * <p>The time never comes from the sink's clock, so a replay re-sends identical entries. Loki keeps one of two
 * entries equal in stream, time and line, so a time of millisecond precision or coarser (a whole number of
 * milliseconds: a record timestamp, or a log's second-precision time) gets a sub-millisecond part that
 * {@link EntryTimes} derives from the line's position: distinct events stay distinct, the same line sent again
 * gets the same time.
 */
final class SinkRecordMapper {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_CACHED_LABEL_SETS = 10_000;

    private final LabelSet staticLabels;
    private final String labelPrefix;
    private final String metadataPrefix;
    private final boolean topicLabel;
    private final boolean partitionLabel;
    private final LineFormatter formatter;
    private final List<String> formatHeaders;
    private final Map<String, String> sanitizedNames = new HashMap<>();
    /**
     * The last label header keys seen and their label names, compared by identity: the transform writes the same
     * key instances with every record, so most lookups end here without hashing.
     */
    private final String[] recentKeys = new String[8];
    private final String[] recentNames = new String[8];
    private int nextRecent;
    private final EntryTimes.FileShifts fileShifts = new EntryTimes.FileShifts();
    /** Label sets seen lately, by the labels a record adds: most records repeat a few streams. */
    private final Map<Map<String, String>, LabelSet> labelSets = new HashMap<>();
    /** Label sets seen lately, by the topic and label pairs of a record (as {@link #currentLabels} holds them). */
    private final Map<List<String>, LabelSet> labelSetsByPairs = new HashMap<>();
    /** The previous record's topic and label pairs and its label set; two lists swapped, none built per record. */
    private List<String> previousLabels = new ArrayList<>();
    private List<String> currentLabels = new ArrayList<>();
    private LabelSet previousLabelSet;

    SinkRecordMapper(LokiSinkConfig config) {
        this.staticLabels = config.staticLabels();
        this.labelPrefix = config.labelHeaderPrefix();
        this.metadataPrefix = config.metadataHeaderPrefix();
        this.topicLabel = config.topicLabel();
        this.partitionLabel = config.partitionLabel();
        this.formatter = LineFormatter.forFormat(config.lineFormat());
        this.formatHeaders = config.lineFormatHeaders();
    }

    /** The entry for {@code record}, or null when its value is null (a tombstone: nothing to send). */
    LokiEntry toEntry(SinkRecord record, PendingRecord pending) {
        if (record.value() == null) {
            return null;
        }
        // One pass over the headers: labels (as name, value pairs), metadata, the time and the source's position.
        List<String> labels = currentLabels;
        labels.clear();
        labels.add(record.topic()); // the stream of a record without labels depends on its topic
        Map<String, String> metadata = null;
        long timestampNanos = Long.MIN_VALUE;
        Header fileOffset = null;
        Header filePath = null;
        Header host = null;
        for (Header header : record.headers()) {
            // equals() before any hashing: most keys arrive as new strings per record (the header converter's), and
            // a switch would hash each of them
            String key = header.key();
            if (key.equals(FileHeaders.FILE_OFFSET)) {
                fileOffset = header;
            } else if (key.equals(FileHeaders.FILE_PATH)) {
                filePath = header;
            } else if (key.equals(FileHeaders.HOST)) {
                host = header;
            }
            Object value = header.value();
            if (value == null) {
                continue;
            }
            if (key.startsWith(labelPrefix)) {
                String text = value.toString();
                if (!text.isEmpty()) {
                    labels.add(labelName(key));
                    labels.add(text);
                }
            } else if (key.startsWith(metadataPrefix)) {
                if (metadata == null) {
                    metadata = new LinkedHashMap<>();
                }
                metadata.put(key.substring(metadataPrefix.length()), value.toString());
            } else if (key.equals(LokiHeaders.TIMESTAMP_NS)) {
                timestampNanos = parseNanos(value);
            }
        }
        if (topicLabel) {
            labels.add("topic");
            labels.add(record.topic());
        }
        if (partitionLabel && record.kafkaPartition() != null) {
            labels.add("partition");
            labels.add(record.kafkaPartition().toString());
        }
        LabelSet labelSet = labelSet(labels, record.topic());
        if (timestampNanos == Long.MIN_VALUE) {
            Long millis = record.timestamp();
            if (millis == null || millis < 0) {
                throw new DataException("record " + record.topic() + "-" + record.kafkaPartition() + "@"
                        + record.kafkaOffset() + " has no timestamp and no " + LokiHeaders.TIMESTAMP_NS + " header");
            }
            timestampNanos = millis * 1_000_000L;
        }
        timestampNanos = distinctTime(timestampNanos, record, fileOffset, filePath, host);
        String value = valueText(record.value());
        String line = formatter.usesFields() ? formatter.format(value, formatFields(record)) : value;
        return new LokiEntry(labelSet, timestampNanos, line, metadata, pending);
    }

    /**
     * The label set of {@code labels} (the topic, then name, value pairs). Consecutive records mostly share their
     * stream, so the previous record's pairs are compared first; only a change builds a map for the cache.
     */
    private LabelSet labelSet(List<String> labels, String topic) {
        if (previousLabelSet != null && labels.equals(previousLabels)) {
            return previousLabelSet;
        }
        // Streams that alternate: looked up by the pairs themselves, a map of them is built only for a new stream.
        LabelSet labelSet = labelSetsByPairs.get(labels);
        if (labelSet == null) {
            Map<String, String> byName = new HashMap<>();
            for (int i = 1; i < labels.size(); i += 2) {
                byName.put(labels.get(i), labels.get(i + 1)); // a later header of the same label wins
            }
            labelSet = labelSet(byName, topic);
            if (labelSetsByPairs.size() >= MAX_CACHED_LABEL_SETS) {
                labelSetsByPairs.clear(); // a label exploding in cardinality must not grow the heap
            }
            labelSetsByPairs.put(List.copyOf(labels), labelSet);
        }
        currentLabels = previousLabels;
        previousLabels = labels;
        previousLabelSet = labelSet;
        return labelSet;
    }

    private LabelSet labelSet(Map<String, String> labels, String topic) {
        LabelSet cached = labelSets.get(labels);
        if (cached != null) {
            return cached;
        }
        LabelSet labelSet = staticLabels.with(labels);
        if (labelSet.size() == 0) {
            // Loki needs at least one label per stream; not cached, it depends on the topic.
            return LabelSet.of(Map.of("job", topic));
        }
        if (labelSets.size() >= MAX_CACHED_LABEL_SETS) {
            labelSets.clear(); // a label exploding in cardinality must not grow the heap
        }
        labelSets.put(labels, labelSet);
        return labelSet;
    }

    /**
     * {@link EntryTimes#distinct} by where the line comes from: its file and byte offset (the source's headers), else
     * its partition and offset.
     */
    private long distinctTime(long nanos, SinkRecord record, Header offset, Header path, Header host) {
        if (offset != null && offset.value() != null) {
            try {
                long fileOffset = Long.parseLong(offset.value().toString().trim());
                long shift = fileShifts.shift(path == null ? null : String.valueOf(path.value()),
                        host == null ? null : String.valueOf(host.value()));
                return EntryTimes.distinct(nanos, shift, fileOffset);
            } catch (NumberFormatException notAPosition) {
                // a header of that name not written by the source: fall back to the record's own position
            }
        }
        int partition = record.kafkaPartition() == null ? 0 : record.kafkaPartition();
        return EntryTimes.distinct(nanos, EntryTimes.partitionShift(partition), record.kafkaOffset());
    }

    /** The headers of {@code line.format.headers} present on the record, in configured order. */
    private Map<String, String> formatFields(SinkRecord record) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : formatHeaders) {
            Header header = record.headers().lastWithName(name);
            if (header != null && header.value() != null) {
                fields.put(name, header.value().toString());
            }
        }
        return fields;
    }

    /**
     * Loki's label-name rule, the transform's too: {@code __x} becomes {@code _x}, {@code k8s.ns} {@code k8s_ns}.
     * Cached by the whole header key, so the prefix is not cut off per record.
     */
    private String labelName(String headerKey) {
        for (int i = 0; i < recentKeys.length; i++) {
            if (recentKeys[i] == headerKey) {
                return recentNames[i];
            }
        }
        String name = sanitizedNames.computeIfAbsent(headerKey,
                k -> LabelNames.sanitize(k.substring(labelPrefix.length())));
        recentKeys[nextRecent] = headerKey;
        recentNames[nextRecent] = name;
        nextRecent = (nextRecent + 1) % recentKeys.length;
        return name;
    }

    private static long parseNanos(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new DataException("header " + LokiHeaders.TIMESTAMP_NS + " '" + value
                    + "' is not a number of Unix nanoseconds");
        }
    }

    /** The value as text: strings as is, bytes as UTF-8, maps, lists and structs as JSON. */
    static String valueText(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof Map || value instanceof Collection || value instanceof Struct) {
            StringWriter out = new StringWriter();
            try (JsonGenerator json = JSON.createGenerator(out)) {
                writeJson(json, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString();
        }
        return String.valueOf(value);
    }

    private static void writeJson(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                json.writeFieldName(String.valueOf(e.getKey()));
                writeJson(json, e.getValue());
            }
            json.writeEndObject();
        } else if (value instanceof Struct struct) {
            json.writeStartObject();
            for (Field field : struct.schema().fields()) {
                json.writeFieldName(field.name());
                writeJson(json, struct.get(field));
            }
            json.writeEndObject();
        } else if (value instanceof Collection<?> list) {
            json.writeStartArray();
            for (Object item : list) {
                writeJson(json, item);
            }
            json.writeEndArray();
        } else if (value instanceof Number || value instanceof Boolean) {
            json.writeRawValue(value.toString());
        } else if (value instanceof byte[] bytes) {
            json.writeBinary(bytes);
        } else {
            json.writeString(value.toString());
        }
    }
}
