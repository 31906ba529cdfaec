package io.lokiconnect.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CrossKeyRulesTest {

    private static final ConfigDef DEF = new ConfigDef()
            .define("min", ConfigDef.Type.INT, 1, ConfigDef.Range.atLeast(0), ConfigDef.Importance.LOW, "min")
            .define("max", ConfigDef.Type.INT, 2, ConfigDef.Range.atLeast(0), ConfigDef.Importance.LOW, "max");

    private static final List<ConfigProblem> TWO = List.of(new ConfigProblem("min", 5, "must not exceed max (2)"),
            new ConfigProblem("max", 2, "must be at least min (5)"));

    @Test
    void theConstructorSideThrowsTheFirstProblemNamingItsKey() {
        assertThatThrownBy(() -> CrossKeyRules.enforce(TWO)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("min").hasMessageContaining("must not exceed max (2)");
        assertThatCode(() -> CrossKeyRules.enforce(List.of())).doesNotThrowAnyException();
    }

    @Test
    void validateReportsEveryProblemOnItsKey() {
        Config config = CrossKeyRules.report(new Config(DEF.validate(Map.of("min", "5"))), () -> TWO);
        assertThat(config.configValues()).allSatisfy(v -> assertThat(v.errorMessages()).singleElement());
        assertThat(config.configValues().stream().filter(v -> v.name().equals("max")).findFirst().orElseThrow()
                .errorMessages()).singleElement().asString().contains("at least min");
    }

    @Test
    void rulesAreNotRunWhileAKeyIsInvalid() {
        Config config = CrossKeyRules.report(new Config(DEF.validate(Map.of("min", "-1"))), () -> {
            throw new AssertionError("the rules read parsed values, which an invalid key does not have");
        });
        assertThat(CrossKeyRules.keysValid(config)).isFalse();
    }
}
