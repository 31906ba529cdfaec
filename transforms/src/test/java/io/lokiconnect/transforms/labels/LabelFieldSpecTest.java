package io.lokiconnect.transforms.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LabelFieldSpecTest {

    @Test
    void plainFieldIsItsOwnName() {
        assertThat(LabelFieldSpec.parse(" level ")).isEqualTo(new LabelFieldSpec("level", "level"));
    }

    @Test
    void dottedPathGivesASanitisedName() {
        assertThat(LabelFieldSpec.parse("kubernetes.namespace")).isEqualTo(
                new LabelFieldSpec("kubernetes.namespace", "kubernetes_namespace"));
    }

    @Test
    void renameAfterTheLastColon() {
        assertThat(LabelFieldSpec.parse("log:level:lvl")).isEqualTo(new LabelFieldSpec("log:level", "lvl"));
    }

    @Test
    void emptyEntryOrSegmentIsRejected() {
        assertThatThrownBy(() -> LabelFieldSpec.parse(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> LabelFieldSpec.parse(".a")).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> LabelFieldSpec.parse(":name")).hasMessageContaining("empty field path");
    }
}
