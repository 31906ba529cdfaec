package io.lokiconnect.transforms.extract;

import io.lokiconnect.common.loki.CardinalityGuard;
import io.lokiconnect.transforms.labels.LabelFieldSpec;
import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.transforms.level.LevelNormalizer;
import io.lokiconnect.transforms.metrics.TransformMetrics;
import io.lokiconnect.transforms.parse.FieldPaths;
import io.lokiconnect.transforms.parse.LineParseException;
import io.lokiconnect.transforms.parse.LogLineParser;
import io.lokiconnect.transforms.parse.ParsedLine;
import io.lokiconnect.transforms.time.TimestampParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a parsed line into Loki labels, structured metadata, entry time and message, as configured. Labels are
 * the {@code label.fields} (in configured order) followed by the static labels no field label overrides. A field
 * label that is absent (or empty) in the line falls back to the static label of the same name, and the
 * {@code level} label to {@code level.default}. A value read from the line is normalised (level), cut to
 * {@code label.value.max.length} bytes, then admitted by the {@link CardinalityGuard}. Knows nothing of Connect;
 * thread-safe.
 */
public final class LabelExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(LabelExtractor.class);

    private final FieldPaths fields = new FieldPaths();
    private final LogLineParser parser;
    private final String[] labelNames;
    private final int[] labelSlots;
    private final String[] labelFallbacks;
    private final int levelIndex;
    private final boolean levelNormalize;
    private final String[] metadataNames;
    private final int[] metadataSlots;
    private final int timestampSlot;
    private final int messageSlot;
    private final int tenantSlot;
    private final TimestampParser timestampParser;
    private final int labelValueMaxBytes;
    private final CardinalityGuard guard;
    private final TransformMetrics metrics;
    private volatile boolean timestampFailureLogged;

    public LabelExtractor(ExtractorSettings config, TransformMetrics metrics) {
        this.metrics = metrics;
        List<LabelFieldSpec> labelFields = config.labelFields();
        Map<String, String> statics = config.staticLabels();
        List<String> names = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        List<String> fallbacks = new ArrayList<>();
        int level = -1;
        for (LabelFieldSpec spec : labelFields) {
            String fallback = statics.get(spec.name());
            if (spec.name().equals(ExtractorSettings.LEVEL_LABEL)) {
                level = names.size();
                if (!config.levelDefault().isEmpty()) {
                    fallback = config.levelDefault();
                }
            }
            names.add(spec.name());
            slots.add(fields.add(spec.path()));
            fallbacks.add(fallback);
        }
        for (Map.Entry<String, String> label : statics.entrySet()) {
            if (!names.contains(label.getKey())) {
                names.add(label.getKey());
                slots.add(-1);
                fallbacks.add(label.getValue());
            }
        }
        this.labelNames = names.toArray(String[]::new);
        this.labelSlots = slots.stream().mapToInt(Integer::intValue).toArray();
        this.labelFallbacks = fallbacks.toArray(String[]::new);
        this.levelIndex = level;
        this.levelNormalize = config.levelNormalize();
        this.metadataNames = config.metadataFields().stream().map(LabelFieldSpec::name).toArray(String[]::new);
        this.metadataSlots = config.metadataFields().stream().mapToInt(s -> fields.add(s.path())).toArray();
        this.timestampSlot = config.timestampField().isEmpty() ? -1 : fields.add(config.timestampField());
        this.messageSlot = config.messageField().isEmpty() ? -1 : fields.add(config.messageField());
        this.tenantSlot = config.tenantField().isEmpty() ? -1 : fields.add(config.tenantField());
        this.timestampParser = new TimestampParser(config.timestampFormat());
        this.labelValueMaxBytes = config.labelValueMaxLength();
        this.guard = new CardinalityGuard(config.labelValuesMax());
        this.parser = LogLineParser.forFormat(config.inputFormat(), fields);
    }

    /** The fields read from each line; Map and Struct readers walk these. */
    public FieldPaths fields() {
        return fields;
    }

    /** Label names, aligned with {@link ExtractedEntry#labelValues()}. */
    public List<String> labelNames() {
        return List.of(labelNames);
    }

    /** Metadata names, aligned with {@link ExtractedEntry#metadataValues()}. */
    public List<String> metadataNames() {
        return List.of(metadataNames);
    }

    /** Parses a string line in the configured input format. */
    public ParsedLine parse(String line) throws LineParseException {
        return parser.parse(line);
    }

    public ExtractedEntry extract(ParsedLine line) {
        String[] labels = new String[labelNames.length];
        for (int i = 0; i < labelNames.length; i++) {
            String value = line.value(labelSlots[i]);
            if (value == null || value.isEmpty()) {
                labels[i] = labelFallbacks[i];
                continue;
            }
            if (i == levelIndex && levelNormalize) {
                value = LevelNormalizer.normalize(value);
                if (value.isEmpty()) {
                    // A blank level: an empty label value is no label in Loki, so the fallback applies.
                    labels[i] = labelFallbacks[i];
                    continue;
                }
            }
            String cut = Utf8.truncate(value, labelValueMaxBytes);
            if (cut.length() != value.length()) {
                metrics.recordLabelTruncation();
            }
            if (guard.admits(labelNames[i], cut)) {
                labels[i] = cut;
            } else {
                metrics.recordCardinalityOverflow();
                labels[i] = CardinalityGuard.OVERFLOW_VALUE;
            }
        }
        String[] metadata = new String[metadataNames.length];
        for (int i = 0; i < metadataNames.length; i++) {
            metadata[i] = line.value(metadataSlots[i]);
        }
        long timestampNs = ExtractedEntry.NO_TIMESTAMP;
        String time = line.value(timestampSlot);
        if (time != null) {
            long parsed = timestampParser.parse(time);
            if (parsed == TimestampParser.UNPARSEABLE) {
                metrics.recordTimestampFailure();
                if (!timestampFailureLogged) {
                    timestampFailureLogged = true;
                    LOG.warn("A timestamp value of {} chars is not a time JsonLabels reads; such records keep their "
                            + "record timestamp (counted in timestamp-failures-total, logged once). Set "
                            + "timestamp.format to its pattern.", time.length());
                }
            } else {
                timestampNs = parsed;
            }
        }
        String tenant = line.value(tenantSlot);
        return new ExtractedEntry(labels, metadata, timestampNs, line.value(messageSlot),
                tenant == null || tenant.isEmpty() ? null : tenant);
    }
}
