package io.lokiconnect.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The one parser of the transform's {@code static.labels} and the sink's {@code labels.static}. */
class StaticLabelsTest {

    @Test
    void entriesKeepTheirOrderAndLoseSurroundingSpaces() {
        assertThat(StaticLabels.parse("k", List.of(" job = kafka-logs", "env=prod", "url=a=b")))
                .containsExactly(java.util.Map.entry("job", "kafka-logs"), java.util.Map.entry("env", "prod"),
                        java.util.Map.entry("url", "a=b"));
        assertThat(StaticLabels.parse("k", List.of())).isEmpty();
        assertThat(StaticLabels.parse("k", List.of("nom=caf\u00e9 \uD83D\uDE00"))).containsEntry("nom", "caf\u00e9 \uD83D\uDE00");
    }

    @Test
    void anInvalidNameIsRefusedWithTheValidForm() {
        assertThatThrownBy(() -> StaticLabels.parse("labels.static", List.of("kubernetes.namespace=x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("labels.static")
                .hasMessageContaining("use 'kubernetes_namespace'");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("__name__=x"))).hasMessageContaining("use '_name__'");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("5xx=x"))).hasMessageContaining("use '_5xx'");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("caf\u00e9=x"))).hasMessageContaining("use 'caf_'");
    }

    @Test
    void missingNameValueOrSeparatorAndDuplicatesAreRefused() {
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("job"))).hasMessageContaining("is not name=value");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("=x"))).hasMessageContaining("is not name=value");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of(" =x"))).hasMessageContaining("is not name=value");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("job="))).hasMessageContaining("empty value");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("job= "))).hasMessageContaining("empty value");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("job=a", " job =b"))).hasMessageContaining("twice");
        assertThatThrownBy(() -> StaticLabels.parse("k", List.of("env=${env:ENV}"))).hasMessageContaining("ENV");
    }

    /** Fuzz: any entry either parses into valid names and non-empty values or fails with a ConfigException, fast. */
    @Test
    void randomEntriesEitherParseIntoValidLabelsOrFailNamingTheKey() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String alphabet = "ab_Z09=.,- \u00e9\uD83D\uDE00$\\{}\"";
        for (int round = 0; round < 5_000; round++) {
            StringBuilder entry = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                entry.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = entry.toString();
            long start = System.nanoTime();
            try {
                StaticLabels.parse("k", List.of(text)).forEach((name, value) -> {
                    assertThat(io.lokiconnect.common.loki.LabelNames.isValid(name)).as("seed %d: %s", seed, text).isTrue();
                    assertThat(value).as("seed %d: %s", seed, text).isNotBlank();
                });
            } catch (ConfigException e) {
                assertThat(e.getMessage()).as("seed %d", seed).contains("k");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("seed %d: %s", seed, text)
                    .isLessThan(Duration.ofMillis(200));
        }
    }
}
