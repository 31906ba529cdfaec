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

    @Test
    void namesFollowLokisRule() {
        assertThat(LabelSet.isValidName("level")).isTrue();
        assertThat(LabelSet.isValidName("_x9")).isTrue();
        assertThat(LabelSet.isValidName("9x")).isFalse();
        assertThat(LabelSet.isValidName("a-b")).isFalse();
        assertThat(LabelSet.isValidName("__name__")).isFalse();
        assertThat(LabelSet.sanitizeName("k8s.namespace-name")).isEqualTo("k8s_namespace_name");
        assertThat(LabelSet.sanitizeName("1st")).isEqualTo("_1st");
    }
}
