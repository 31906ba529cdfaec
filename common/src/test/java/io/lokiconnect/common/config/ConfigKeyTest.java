package io.lokiconnect.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {

    enum Color implements ConfigChoice { RED, DARK_BLUE }

    static final ConfigKey<String> TOPIC = ConfigKey.string("topic").withImportance(Importance.HIGH).withDoc("Topic.");
    static final ConfigKey<Integer> SIZE = ConfigKey.integer("size").withDefault(10).withValidator(Range.between(1, 100))
            .withDoc("Size.");
    static final ConfigKey<Long> WAIT = ConfigKey.longKey("wait.ms").withDefault("250").withDoc("Wait.");
    static final ConfigKey<Boolean> ON = ConfigKey.bool("on").withDefault(false).withDoc("On.");
    static final ConfigKey<Double> RATIO = ConfigKey.decimal("ratio").withDefault(0.5).withDoc("Ratio.");
    static final ConfigKey<Password> SECRET = ConfigKey.password("secret").withDefault(null).withDoc("Secret.");
    static final ConfigKey<List<String>> PATHS = ConfigKey.list("paths").withDefault("").withDoc("Paths.");
    static final ConfigKey<Color> COLOR = ConfigKey.choice("color", EnumChoice.of(Color.class)).withDefault("red")
            .withDoc("Color.");
    static final ConfigKey<Set<Color>> COLORS = ConfigKey.choices("colors", EnumChoice.forList(Color.class))
            .withDefault("").withDoc("Colors.");
    static final ConfigKey<Integer> INDEX = ConfigKey.integer("task.index").withDefault(0).internal();

    static final ConfigDef DEF = ConfigKey.defineAll(TOPIC, SIZE, WAIT, ON, RATIO, SECRET, PATHS, COLOR, COLORS, INDEX);

    @Test
    void everyKeyIsReadAsItsTypeFromTheParsedValues() {
        Map<String, ?> values = new AbstractConfig(DEF, Map.of("topic", "logs", "size", "100", "wait.ms", "1",
                "on", "true", "secret", "s3cr3t", "paths", "/a, /b", "color", "DARK_BLUE", "colors", "red,dark_blue",
                "task.index", "3")).values();
        assertThat(TOPIC.from(values)).isEqualTo("logs");
        assertThat(SIZE.from(values)).isEqualTo(100);
        assertThat(WAIT.from(values)).isEqualTo(1L);
        assertThat(ON.from(values)).isTrue();
        assertThat(RATIO.from(values)).isEqualTo(0.5);
        assertThat(SECRET.from(values).value()).isEqualTo("s3cr3t");
        assertThat(PATHS.from(values)).containsExactly("/a", "/b");
        assertThat(COLOR.from(values)).isEqualTo(Color.DARK_BLUE);
        assertThat(COLORS.from(values)).containsExactly(Color.RED, Color.DARK_BLUE);
        assertThat(INDEX.from(values)).isEqualTo(3);
    }

    @Test
    void defaultsApplyAndAKeyWithoutOneIsRequired() {
        Map<String, ?> values = new AbstractConfig(DEF, Map.of("topic", "logs")).values();
        assertThat(SIZE.from(values)).isEqualTo(10);
        assertThat(WAIT.from(values)).isEqualTo(250L);
        assertThat(COLOR.from(values)).isEqualTo(Color.RED);
        assertThat(COLORS.from(values)).isEmpty();
        assertThat(SECRET.from(values)).isNull();
        assertThatThrownBy(() -> new AbstractConfig(DEF, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topic");
    }

    @Test
    void validatorsRunAtTheLimitOneBelowAndOneAbove() {
        assertThat(SIZE.from(new AbstractConfig(DEF, Map.of("topic", "t", "size", "1")).values())).isEqualTo(1);
        assertThatThrownBy(() -> new AbstractConfig(DEF, Map.of("topic", "t", "size", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> new AbstractConfig(DEF, Map.of("topic", "t", "size", "101")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> new AbstractConfig(DEF, Map.of("topic", "t", "color", "green")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("color").hasMessageContaining("dark_blue");
        assertThatThrownBy(() -> new AbstractConfig(DEF, Map.of("topic", "t", "colors", "red,green")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("colors");
    }

    @Test
    void theDefinitionIsWhatAHandWrittenDefineWouldBe() {
        ConfigDef.ConfigKey size = DEF.configKeys().get("size");
        assertThat(size.documentation).isEqualTo("Size.");
        assertThat(size.defaultValue).isEqualTo(10);
        assertThat(size.importance).isEqualTo(Importance.LOW);
        assertThat(size.width).isEqualTo(ConfigDef.Width.NONE);
        assertThat(size.displayName).isEqualTo("size");
        assertThat(DEF.configKeys().get("color").recommender).isNotNull();
        assertThat(DEF.configKeys().get("topic").importance).isEqualTo(Importance.HIGH);
        assertThat(DEF.configKeys().get("topic").hasDefault()).isFalse();
        assertThat(DEF.configKeys().get("task.index").internalConfig).isTrue();
        assertThat(DEF.groups()).as("an internal key adds no group to validate's answer").isEmpty();
        assertThat(DEF.configKeys().keySet()).containsExactly("topic", "size", "wait.ms", "on", "ratio", "secret",
                "paths", "color", "colors", "task.index");
    }

    @Test
    void copiesLeaveTheOriginalAsItWas() {
        ConfigKey<Integer> base = ConfigKey.integer("n");
        ConfigKey<Integer> withDefault = base.withDefault(1);
        assertThat(base.defaultValue()).isEqualTo(ConfigDef.NO_DEFAULT_VALUE);
        assertThat(withDefault.defaultValue()).isEqualTo(1);
        assertThat(withDefault.name()).isEqualTo("n").isEqualTo(withDefault.toString());
    }
}
