package io.lokiconnect.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class EnumChoiceTest {

    enum Color implements ConfigChoice { RED, DARK_BLUE }

    enum StoreType implements ConfigChoice {
        PKCS12, JKS;

        @Override
        public String value() {
            return name();
        }
    }

    private static final EnumChoice<Color> COLOR = EnumChoice.of(Color.class);

    @Test
    void valuesAreTheLowerCaseNamesUnlessTheEnumSaysOtherwise() {
        assertThat(COLOR.validValues("color", Map.of())).containsExactly("red", "dark_blue");
        assertThat(EnumChoice.of(StoreType.class).validValues("type", Map.of())).containsExactly("PKCS12", "JKS");
        assertThat(COLOR).hasToString("[red, dark_blue]");
    }

    @Test
    void parsingIgnoresCaseAndSurroundingSpaces() {
        assertThat(COLOR.parse("color", "RED")).isEqualTo(Color.RED);
        assertThat(COLOR.parse("color", " Dark_Blue ")).isEqualTo(Color.DARK_BLUE);
        assertThat(EnumChoice.of(StoreType.class).parse("type", "pkcs12")).isEqualTo(StoreType.PKCS12);
    }

    @Test
    void anUnknownValueNamesTheKeyTheValueAndEveryAllowedOne() {
        for (String bad : new String[] {"", "gren", "red ,", "redd", "dark-blue"}) {
            assertThatThrownBy(() -> COLOR.ensureValid("color", bad)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("color").hasMessageContaining("[red, dark_blue]");
        }
        assertThatThrownBy(() -> COLOR.ensureValid("color", null)).hasMessageContaining("[red, dark_blue]");
    }

    @Test
    void aListKeyChecksEveryItem() {
        EnumChoice<Color> colors = EnumChoice.forList(Color.class);
        colors.ensureValid("colors", List.of("red", "DARK_BLUE"));
        colors.ensureValid("colors", List.of());
        assertThatThrownBy(() -> colors.ensureValid("colors", List.of("red", "green")))
                .hasMessageContaining("colors").hasMessageContaining("green");
        assertThat(colors.parseAll("colors", List.of("dark_blue", "red", "RED"))).containsExactly(Color.RED, Color.DARK_BLUE);
    }

    @Test
    void configDefValidationRecommendsTheEnumValues() {
        ConfigDef def = new ConfigDef().define("color", ConfigDef.Type.STRING, "red", COLOR,
                ConfigDef.Importance.LOW, "doc", null, -1, ConfigDef.Width.SHORT, "color", COLOR);
        List<ConfigValue> values = def.validate(Map.of("color", "blue"));
        assertThat(values.get(0).recommendedValues()).containsExactly("red", "dark_blue");
        assertThat(values.get(0).errorMessages()).singleElement().asString().contains("[red, dark_blue]");
        assertThat(def.validate(Map.of("color", "Red")).get(0).errorMessages()).isEmpty();
    }
}
