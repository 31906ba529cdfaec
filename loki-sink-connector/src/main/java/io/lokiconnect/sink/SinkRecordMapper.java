package io.lokiconnect.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.lokiconnect.common.headers.FileHeaders;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.common.loki.CardinalityGuard;
import io.lokiconnect.common.loki.LabelNames;
import io.lokiconnect.common.loki.TenantIds;
import io.lokiconnect.sink.entry.EntryTimes;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.format.LineFormatter;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.pipeline.RecordReader;
import io.lokiconnect.sink.commit.PendingRecord;
import io.lokiconnect.sink.routing.RecordMapping;
import io.lokiconnect.sink.routing.RecordMappings;
import io.lokiconnect.sink.routing.Relabeler;
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
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a {@link SinkRecord} into a {@link LokiEntry}: labels from static config, {@code loki.label.*} headers,
 * optionally the topic, partition, file name and host, and the {@code mappings} rules (key, headers, topic,
 * partition); structured metadata from {@code loki.meta.*} headers and mappings; the tenant from a mapping, else the
 * {@code loki.tenant} header, else {@code loki.tenant.id}; then the {@code relabel.rules} on the whole label set
 * (with the tenant as {@code __tenant_id__}); the line from the value per {@code line.format}; the time from
 * {@code loki.timestamp.ns}, else the record timestamp.
 *
 * <p>The label set (tenant included) is built once per distinct set of inputs and cached, so mappings that make
 * labels of the same values and relabel rules cost a lookup per record, not a run. Without mappings and relabel
 * rules the per-record path is the one it always was, plus one comparison per header.
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
    /** Prometheus's and Promtail's reserved label for the tenant, what relabel rules read and set. */
    static final String TENANT_LABEL = "__tenant_id__";
    /** The label set standing for "dropped by a relabel rule" in the caches. */
    private static final LabelSet DROPPED_SET = LabelSet.of(Map.of("\u0000", "dropped"));

    private final LabelSet staticLabels;
    private final String labelPrefix;
    private final String metadataPrefix;
    private final boolean topicLabel;
    private final boolean partitionLabel;
    private final boolean filenameLabel;
    private final boolean hostLabel;
    private final String defaultTenant;
    /** Null when no mapping is configured. */
    private final RecordMappings mappings;
    /** Null when no relabel rule is configured. */
    private final Relabeler relabeler;
    /** Guards label values from the record (labels.values.max). */
    private final CardinalityGuard guard;
    /** Tenants are not replaced by {@code __overflow__}: a record of one tenant too many fails. */
    private final CardinalityGuard tenantGuard;
    private final int valuesMax;
    private final AtomicLong overflows;
    private final MappedOutput mapped = new MappedOutput();
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
        this(config, new AtomicLong());
    }

    /** @param overflows counts label values the cardinality guard replaced by {@code __overflow__} */
    SinkRecordMapper(LokiSinkConfig config, AtomicLong overflows) {
        this.staticLabels = config.staticLabels();
        this.labelPrefix = config.labelHeaderPrefix();
        this.metadataPrefix = config.metadataHeaderPrefix();
        this.topicLabel = config.topicLabel();
        this.partitionLabel = config.partitionLabel();
        this.formatter = LineFormatter.forFormat(config.lineFormat());
        this.formatHeaders = config.lineFormatHeaders();
        this.filenameLabel = config.filenameLabel();
        this.hostLabel = config.hostLabel();
        this.defaultTenant = config.tenantId();
        this.valuesMax = config.labelsValuesMax();
        this.overflows = overflows;
        this.guard = new CardinalityGuard(valuesMax, LokiSinkConfig.LABELS_VALUES_MAX.name(), "Map the value to "
                + "structured metadata (mapping.<name>.target=metadata) or raise labels.values.max.");
        this.tenantGuard = new CardinalityGuard(valuesMax, LokiSinkConfig.LABELS_VALUES_MAX.name(),
                "records of a further new tenant fail, handled per errors.tolerance (the dead letter queue)",
                "Raise labels.values.max if so many tenants are right.");
        List<RecordMapping> rules = config.mappings();
        this.mappings = rules.isEmpty() ? null : new RecordMappings(rules, guard, overflows);
        Relabeler rel = config.relabeler();
        this.relabeler = rel.isEmpty() ? null : rel;
    }

    /** Collects what the mapping rules give one record: label pairs into the current list, metadata, the tenant. */
    private final class MappedOutput implements RecordMappings.Sink {
        List<String> labels;
        Map<String, String> metadata;
        String tenant;

        @Override
        public void label(String name, String value) {
            labels.add(name);
            labels.add(value);
        }

        @Override
        public void metadata(String name, String value) {
            if (metadata == null) {
                metadata = new LinkedHashMap<>();
            }
            metadata.put(name, value);
        }

        @Override
        public void tenant(String value) {
            tenant = value;
        }
    }

    /**
     * The entry for {@code record}; null when its value is null (a tombstone: nothing to send), {@link
     * RecordReader#DROPPED} when a relabel rule dropped it.
     *
     * @throws DataException when it cannot become an entry (no timestamp, a bad header, a tenant Loki would refuse)
     */
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
        String tenant = null;
        RecordMappings rules = mappings;
        MappedOutput out = mapped;
        if (rules != null) {
            out.labels = labels;
            out.metadata = null;
            out.tenant = null;
        }
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
            } else if (key.equals(LokiHeaders.TENANT)) {
                tenant = valueText(value); // bytes as UTF-8, as any header value here
            }
            if (rules != null && rules.readsHeaders()) {
                rules.header(key, valueText(value), out);
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
        if (filenameLabel && filePath != null && filePath.value() != null) {
            addGuarded(labels, "filename", filePath.value().toString());
        }
        if (hostLabel && host != null && host.value() != null) {
            addGuarded(labels, "host", host.value().toString());
        }
        if (rules != null) {
            if (rules.readsKey() && record.key() != null) {
                rules.key(valueText(record.key()), out);
            }
            rules.topic(record.topic(), out);
            if (record.kafkaPartition() != null) {
                rules.partition(record.kafkaPartition(), out);
            }
            if (out.metadata != null) {
                if (metadata == null) {
                    metadata = out.metadata;
                } else {
                    metadata.putAll(out.metadata);
                }
            }
            if (out.tenant != null) {
                tenant = out.tenant;
            }
        }
        if (tenant != null && !tenant.isEmpty()) {
            labels.add(TENANT_LABEL);
            labels.add(tenant);
        }
        LabelSet labelSet = labelSet(labels, record.topic());
        if (labelSet == DROPPED_SET) {
            return RecordReader.DROPPED;
        }
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
        Map<String, String> all = new HashMap<>(staticLabels.asMap());
        all.putAll(labels);
        String tenant = all.remove(TENANT_LABEL);
        if (tenant == null) {
            tenant = defaultTenant;
        }
        if (relabeler != null) {
            if (!tenant.isEmpty()) {
                all.put(TENANT_LABEL, tenant);
            }
            all = relabeler.apply(all);
            if (all == null) {
                cache(labels, DROPPED_SET);
                return DROPPED_SET;
            }
            tenant = all.remove(TENANT_LABEL);
            tenant = tenant == null ? "" : tenant;
        }
        // Labels beginning with __ are the rules' own (Prometheus removes them after relabelling); Loki refuses them.
        all.keySet().removeIf(LabelNames::isReserved);
        if (!tenant.isEmpty()) {
            checkTenant(tenant);
        }
        if (all.isEmpty()) {
            // Loki needs at least one label per stream; not cached, it depends on the topic.
            return LabelSet.of(Map.of("job", topic)).inTenant(tenant);
        }
        LabelSet labelSet = LabelSet.of(all).inTenant(tenant);
        cache(labels, labelSet);
        return labelSet;
    }

    private void cache(Map<String, String> labels, LabelSet labelSet) {
        if (labelSets.size() >= MAX_CACHED_LABEL_SETS) {
            labelSets.clear(); // a label exploding in cardinality must not grow the heap
        }
        labelSets.put(labels, labelSet);
    }

    /**
     * Refuses (to behavior.on.rejected) a record whose tenant Loki would refuse, or one tenant past
     * {@code labels.values.max}: a push to an unintended tenant hands the lines to someone else.
     */
    private void checkTenant(String tenant) {
        String problem = TenantIds.problem(tenant);
        if (problem == null && tenant.indexOf(TenantIds.SEPARATOR) >= 0) {
            problem = "it names several tenants ('|'); a record goes to one";
        }
        if (problem != null) {
            throw new DataException("the record's tenant '" + tenant + "' is not one Loki takes: " + problem
                    + " (from its " + LokiHeaders.TENANT + " header, a mapping or a relabel rule)");
        }
        if (!tenantGuard.admits(TENANT_LABEL, tenant)) {
            throw new DataException("the record's tenant '" + tenant + "' would be tenant number " + (valuesMax + 1)
                    + " of this task, past labels.values.max=" + valuesMax + "; raise it if so many tenants are right");
        }
    }

    /** Adds a label taken from the record as it is, under the cardinality guard. */
    private void addGuarded(List<String> labels, String name, String value) {
        if (value.isEmpty()) {
            return;
        }
        labels.add(name);
        if (guard.admits(name, value)) {
            labels.add(value);
        } else {
            overflows.incrementAndGet();
            labels.add(CardinalityGuard.OVERFLOW_VALUE);
        }
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
