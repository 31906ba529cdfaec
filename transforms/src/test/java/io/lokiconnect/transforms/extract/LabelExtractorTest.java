package io.lokiconnect.transforms.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.loki.CardinalityGuard;
import io.lokiconnect.transforms.labels.LabelFieldSpec;
import io.lokiconnect.transforms.RecordingPluginMetrics;
import io.lokiconnect.transforms.metrics.TransformMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extraction rules on their own, built from settings, with no Connect record or config in between. */
class LabelExtractorTest {

    private final TransformMetrics metrics = new TransformMetrics();
    /** What the metrics publish, as a user reads them. */
    private final RecordingPluginMetrics counters = new RecordingPluginMetrics();

    {
        metrics.register(counters);
    }

    private static ExtractorSettings settings(String labelFields, Map<String, String> statics, String levelDefault,
                                              String metadataFields, int valueMaxBytes, int valuesMax) {
        return new ExtractorSettings(specs(labelFields), statics, levelDefault, true, specs(metadataFields),
                "ts", "", "msg", valueMaxBytes, valuesMax, io.lokiconnect.transforms.parse.InputFormat.JSON, "");
    }

    private static List<LabelFieldSpec> specs(String list) {
        return list.isEmpty() ? List.of() : List.of(list.split(",")).stream().map(LabelFieldSpec::parse).toList();
    }

    private ExtractedEntry extract(LabelExtractor extractor, String json) throws Exception {
        return extractor.extract(extractor.parse(json));
    }

    @Test
    void labelsAreTheFieldLabelsInOrderThenTheStaticOnesTheyDoNotOverride() throws Exception {
        Map<String, String> statics = new LinkedHashMap<>();
        statics.put("job", "kafka-logs");
        statics.put("service", "unknown");
        LabelExtractor extractor = new LabelExtractor(
                settings("lvl:level,service", statics, "", "trace_id", 100, 100), metrics);
        assertThat(extractor.labelNames()).containsExactly("level", "service", "job");
        assertThat(extractor.metadataNames()).containsExactly("trace_id");

        ExtractedEntry entry = extract(extractor,
                "{\"lvl\":\"WARNING\",\"service\":\"shop\",\"trace_id\":\"t1\",\"ts\":\"1970-01-01T00:00:01Z\",\"msg\":\"hi\"}");
        assertThat(entry.labelValues()).containsExactly("warn", "shop", "kafka-logs");
        assertThat(entry.metadataValues()).containsExactly("t1");
        assertThat(entry.timestampNs()).isEqualTo(1_000_000_000L);
        assertThat(entry.message()).isEqualTo("hi");
    }

    @Test
    void anAbsentOrEmptyFieldFallsBackToTheStaticLabelAndTheLevelToLevelDefault() throws Exception {
        LabelExtractor extractor = new LabelExtractor(
                settings("level,service", Map.of("service", "unknown"), "info", "", 100, 100), metrics);
        assertThat(extract(extractor, "{\"service\":\"\"}").labelValues()).containsExactly("info", "unknown");
        // Neither a field nor a fallback: no value (the sink leaves the label out).
        LabelExtractor bare = new LabelExtractor(settings("level,service", Map.of(), "", "", 100, 100), metrics);
        assertThat(extract(bare, "{}").labelValues()).containsExactly(null, null);
    }

    @Test
    void aValueIsCutToTheByteLimitAtOneBelowAndAboveAndNeverInsideACharacter() throws Exception {
        LabelExtractor extractor = new LabelExtractor(settings("service", Map.of(), "", "", 4, 100), metrics);
        assertThat(extract(extractor, "{\"service\":\"abc\"}").labelValues()).containsExactly("abc");
        assertThat(extract(extractor, "{\"service\":\"abcd\"}").labelValues()).containsExactly("abcd");
        assertThat(counters.value("label-values-truncated-total")).isZero();
        assertThat(extract(extractor, "{\"service\":\"abcde\"}").labelValues()).containsExactly("abcd");
        // "abc" + é (2 bytes) is 5 bytes: the cut falls inside é, so é goes.
        assertThat(extract(extractor, "{\"service\":\"abcé\"}").labelValues()).containsExactly("abc");
        assertThat(counters.value("label-values-truncated-total")).isEqualTo(2);
    }

    @Test
    void valuesPastLabelValuesMaxBecomeTheOverflowValue() throws Exception {
        LabelExtractor extractor = new LabelExtractor(settings("service", Map.of(), "", "", 100, 2), metrics);
        assertThat(extract(extractor, "{\"service\":\"a\"}").labelValues()).containsExactly("a");
        assertThat(extract(extractor, "{\"service\":\"b\"}").labelValues()).containsExactly("b");
        assertThat(extract(extractor, "{\"service\":\"a\"}").labelValues()).as("a known value").containsExactly("a");
        assertThat(extract(extractor, "{\"service\":\"c\"}").labelValues())
                .containsExactly(CardinalityGuard.OVERFLOW_VALUE);
        assertThat(counters.value("label-values-overflowed-total")).isEqualTo(1);
    }

    @Test
    void anUnreadableTimestampKeepsNoTimeAndIsCounted() throws Exception {
        LabelExtractor extractor = new LabelExtractor(settings("service", Map.of(), "", "", 100, 100), metrics);
        ExtractedEntry entry = extract(extractor, "{\"ts\":\"yesterday-ish\"}");
        assertThat(entry.hasTimestamp()).isFalse();
        assertThat(counters.value("timestamp-failures-total")).isEqualTo(1);
        assertThat(extract(extractor, "{}").hasTimestamp()).as("no field is no failure").isFalse();
        assertThat(counters.value("timestamp-failures-total")).isEqualTo(1);
    }
}
