package io.lokiconnect.transforms;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.transforms.extract.ExtractedEntry;
import io.lokiconnect.transforms.extract.ExtractorSettings;
import io.lokiconnect.transforms.extract.LabelExtractor;
import io.lokiconnect.transforms.metrics.TransformMetrics;
import io.lokiconnect.transforms.parse.InputFormat;
import io.lokiconnect.transforms.parse.LineParseException;
import io.lokiconnect.transforms.parse.MapFieldReader;
import io.lokiconnect.transforms.parse.ParsedLine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connect adapter of the label extraction: reads a record value, hands it to {@link LabelExtractor} and writes
 * the result back as headers, timestamp and value. The work is done by plain classes; this one only translates.
 */
public class JsonLabels<R extends ConnectRecord<R>> implements Transformation<R>, Versioned, Monitorable {

    public static final String OVERVIEW_DOC = "Parses each record value, a JSON object or logfmt log line (string "
            + "or UTF-8 bytes; a Map or Struct value is read directly), into Loki labels, structured metadata, "
            + "entry time, message and tenant. Labels go to headers <code>" + LokiHeaders.LABEL_PREFIX + "&lt;name&gt;</code>, "
            + "metadata to <code>" + LokiHeaders.METADATA_PREFIX + "&lt;name&gt;</code>, the entry time to header <code>"
            + LokiHeaders.TIMESTAMP_NS + "</code> (ns), the tenant (tenant.field) to header <code>" + LokiHeaders.TENANT
            + "</code>, and on the sink also to the record timestamp (ms; on the "
            + "source the record keeps the time it was read: Kafka refuses record times far ahead); with "
            + "<code>line.output=message</code> the value becomes the message text. Label values are capped in "
            + "length and, per label, in distinct values.";

    public static final ConfigDef CONFIG_DEF = JsonLabelsConfig.CONFIG_DEF;

    private static final Logger LOG = LoggerFactory.getLogger(JsonLabels.class);

    private final TransformMetrics metrics = new TransformMetrics();
    private LabelExtractor extractor;
    private String[] labelHeaders;
    private String[] metadataHeaders;
    /**
     * Whether two of the names this transform writes are the same (a label and a metadata field under equal
     * prefixes): then a later write replaces an earlier one, as it always did.
     */
    private boolean ownNamesCollide;
    private String labelPrefix;
    private String metadataPrefix;
    private boolean outputMessage;
    private boolean failOnParseError;
    private InputFormat inputFormat;
    private volatile boolean parseErrorLogged;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        JsonLabelsConfig config = new JsonLabelsConfig(configs);
        extractor = new LabelExtractor(extractorSettings(config), metrics);
        labelHeaders = headerNames(config.labelHeaderPrefix(), extractor.labelNames());
        metadataHeaders = headerNames(config.metadataHeaderPrefix(), extractor.metadataNames());
        Set<String> ownHeaders = new HashSet<>(List.of(labelHeaders));
        ownHeaders.addAll(List.of(metadataHeaders));
        ownHeaders.add(LokiHeaders.TIMESTAMP_NS);
        ownNamesCollide = ownHeaders.size() < labelHeaders.length + metadataHeaders.length + 1;
        labelPrefix = config.labelHeaderPrefix();
        metadataPrefix = config.metadataHeaderPrefix();
        outputMessage = config.lineOutput() == JsonLabelsConfig.LineOutput.MESSAGE;
        failOnParseError = config.onParseError() == JsonLabelsConfig.OnParseError.FAIL;
        inputFormat = config.inputFormat();
    }

    static ExtractorSettings extractorSettings(JsonLabelsConfig config) {
        return new ExtractorSettings(config.labelFields(), config.staticLabels(), config.levelDefault(),
                config.levelNormalize(), config.metadataFields(), config.timestampField(), config.timestampFormat(),
                config.messageField(), config.labelValueMaxLength(), config.labelValuesMax(), config.inputFormat(),
                config.tenantField());
    }

    private static String[] headerNames(String prefix, List<String> names) {
        return names.stream().map(name -> LokiHeaders.labelHeader(prefix, name)).toArray(String[]::new);
    }

    @Override
    public void withPluginMetrics(PluginMetrics pluginMetrics) {
        metrics.register(pluginMetrics);
    }

    @Override
    public R apply(R record) {
        Object value = record.value();
        if (value == null) {
            metrics.recordPassedThrough();
            return record;
        }
        ParsedLine line;
        try {
            line = parse(value);
        } catch (LineParseException e) {
            return parseError(record, e);
        }
        metrics.recordParsed();
        ExtractedEntry entry = extractor.extract(line);

        String[] labels = entry.labelValues();
        String[] metadata = entry.metadataValues();
        // One pass copies the headers but those this record writes anew (a remove() per header is a scan each).
        Headers headers = withoutRewritten(record.headers(), labels, metadata, entry.hasTimestamp(),
                entry.tenant() != null);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != null) {
                if (ownNamesCollide) {
                    headers.remove(labelHeaders[i]);
                }
                headers.addString(labelHeaders[i], labels[i]);
            }
        }
        for (int i = 0; i < metadata.length; i++) {
            if (metadata[i] != null) {
                if (ownNamesCollide) {
                    headers.remove(metadataHeaders[i]);
                }
                headers.addString(metadataHeaders[i], metadata[i]);
            }
        }
        Long timestamp = record.timestamp();
        if (entry.hasTimestamp()) {
            long millis = Math.floorDiv(entry.timestampNs(), 1_000_000L);
            // On a source record the line's time never becomes the record's: a Kafka 4 broker refuses a record more
            // than 1 h ahead of its clock (KIP-1030, log.message.timestamp.after.max.ms), failing the task again
            // after every restart, and an old line time makes time-based retention delete the record early. The
            // record keeps the time it was read; the header carries the line's for Loki. On a sink record (never
            // produced again) the record time follows the line, except before 1970, which Kafka cannot hold.
            if (millis >= 0 && !(record instanceof SourceRecord)) {
                timestamp = millis;
            }
            if (ownNamesCollide) {
                headers.remove(LokiHeaders.TIMESTAMP_NS);
            }
            headers.addString(LokiHeaders.TIMESTAMP_NS, Long.toString(entry.timestampNs()));
        }
        if (entry.tenant() != null) {
            headers.addString(LokiHeaders.TENANT, entry.tenant());
        }
        Schema valueSchema = record.valueSchema();
        Object newValue = value;
        if (outputMessage && entry.message() != null) {
            valueSchema = Schema.OPTIONAL_STRING_SCHEMA;
            newValue = entry.message();
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                valueSchema, newValue, timestamp, headers);
    }

    /** A copy of {@code original} without the headers of the names this record writes: labels, metadata, time. */
    private Headers withoutRewritten(Headers original, String[] labels, String[] metadata, boolean timestamp,
                                     boolean tenant) {
        ConnectHeaders copy = new ConnectHeaders();
        for (Header header : original) {
            if (!rewritten(header.key(), labels, metadata, timestamp)
                    && !(tenant && header.key().equals(LokiHeaders.TENANT))) {
                copy.add(header);
            }
        }
        return copy;
    }

    private boolean rewritten(String key, String[] labels, String[] metadata, boolean timestamp) {
        // Prefixes first: the other keys (the source's) are new strings per record, cheaply told apart.
        if (key.startsWith(labelPrefix)) {
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != null && labelHeaders[i].equals(key)) {
                    return true;
                }
            }
        }
        if (key.startsWith(metadataPrefix)) {
            for (int i = 0; i < metadata.length; i++) {
                if (metadata[i] != null && metadataHeaders[i].equals(key)) {
                    return true;
                }
            }
        }
        return timestamp && key.equals(LokiHeaders.TIMESTAMP_NS);
    }

    private ParsedLine parse(Object value) throws LineParseException {
        if (value instanceof String s) {
            return extractor.parse(s);
        }
        if (value instanceof byte[] bytes) {
            return extractor.parse(new String(bytes, StandardCharsets.UTF_8));
        }
        if (value instanceof ByteBuffer buffer) {
            return extractor.parse(StandardCharsets.UTF_8.decode(buffer.duplicate()).toString());
        }
        if (value instanceof Map<?, ?> map) {
            return MapFieldReader.read(map, extractor.fields());
        }
        if (value instanceof Struct struct) {
            return StructFieldReader.read(struct, extractor.fields());
        }
        throw new LineParseException("the value is a " + value.getClass().getName()
                + ", not a string, bytes, a Map or a Struct");
    }

    private R parseError(R record, LineParseException e) {
        metrics.recordParseError();
        String problem = "JsonLabels cannot read the value of a record from topic '" + record.topic()
                + "' partition " + record.kafkaPartition() + " as " + inputFormat.value() + ": " + e.getMessage();
        if (failOnParseError) {
            throw new DataException(problem + ". Set on.parse.error=passthrough to forward such records unchanged, "
                    + "or errors.tolerance=all with a dead letter queue to set them aside.", e);
        }
        metrics.recordPassedThrough();
        if (!parseErrorLogged) {
            parseErrorLogged = true;
            LOG.warn("{}. Such records pass through unchanged (counted in parse-errors-total; logged once).",
                    problem);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug(problem);
        }
        return record;
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
