package io.lokiconnect.sink.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSetTest {

    @Test
    void rendersSortedPrometheusText() {
        LabelSet labels = LabelSet.of(Map.of("service", "api", "level", "info", "job", "kafka-logs"));
        assertThat(labels.text()).isEqualTo("{job=\"kafka-logs\", level=\"info\", service=\"api\"}");
    }

    @Test
    void valuesWithQuotesBackslashesAndNewlinesCannotForgeOtherLabels() {
        LabelSet labels = LabelSet.of(Map.of("a", "x\", b=\"evil", "c", "back\\slash\nnext"));
        assertThat(labels.text()).isEqualTo("{a=\"x\\\", b=\\\"evil\", c=\"back\\\\slash\\nnext\"}");
        assertThat(labels.size()).isEqualTo(2);
    }

    @Test
    void equalSetsAreEqualWhateverTheInsertionOrder() {
        assertThat(LabelSet.of(Map.of("a", "1", "b", "2"))).isEqualTo(LabelSet.of(Map.of("b", "2", "a", "1")));
        assertThat(LabelSet.of(Map.of("a", "1")).with(Map.of("a", "2")).get("a")).isEqualTo("2");
    }
}
