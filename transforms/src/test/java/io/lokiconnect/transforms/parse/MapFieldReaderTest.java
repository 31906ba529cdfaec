package io.lokiconnect.transforms.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapFieldReaderTest {

    @Test
    void nestedPathWinsOverFlatDottedKey() throws LineParseException {
        FieldPaths fields = new FieldPaths();
        int slot = fields.add("service.name");
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("service", Map.of("name", "nested"));
        map.put("service.name", "flat");

        assertThat(MapFieldReader.read(map, fields).value(slot)).isEqualTo("nested");
    }

    @Test
    void valuesAreRenderedAsText() throws LineParseException {
        FieldPaths fields = new FieldPaths();
        int number = fields.add("n");
        int list = fields.add("l");
        int nested = fields.add("m");
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("a", 1);
        inner.put("b", null);
        Map<String, Object> map = Map.of("n", 3.5, "l", List.of(1, "x", true), "m", inner);

        ParsedLine line = MapFieldReader.read(map, fields);

        assertThat(line.value(number)).isEqualTo("3.5");
        assertThat(line.value(list)).isEqualTo("[1,\"x\",true]");
        assertThat(line.value(nested)).isEqualTo("{\"a\":1,\"b\":null}");
    }

    /** Maps nested {@code depth} levels deep: {"a":{"a":...{"a":"leaf"}}}. */
    private static Map<String, Object> nestedMaps(int depth) {
        Object value = "leaf";
        for (int i = 0; i < depth; i++) {
            value = Map.of("a", value);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return map;
    }

    @Test
    void nestingUpToTheLimitIsRendered() throws LineParseException {
        FieldPaths fields = new FieldPaths();
        int slot = fields.add("a");
        // The field value is the map under "a": JsonText.MAX_DEPTH maps deep, then one below.
        for (int depth : new int[] {JsonText.MAX_DEPTH, JsonText.MAX_DEPTH - 1}) {
            String text = MapFieldReader.read(nestedMaps(depth + 1), fields).value(slot);
            assertThat(text).startsWith("{\"a\":{").endsWith("\"leaf\"" + "}".repeat(depth));
        }
    }

    @Test
    void nestingBeyondTheLimitIsAParseErrorNotAStackOverflow() {
        FieldPaths fields = new FieldPaths();
        fields.add("a");
        for (int depth : new int[] {JsonText.MAX_DEPTH + 1, 10_000, 100_000}) {
            assertThatThrownBy(() -> MapFieldReader.read(nestedMaps(depth + 1), fields))
                    .isInstanceOf(LineParseException.class).hasMessageContaining("deeper than 1000");
        }
    }

    @Test
    void listsNestedBeyondTheLimitAndAMapHoldingItselfAreParseErrors() {
        FieldPaths fields = new FieldPaths();
        fields.add("a");
        Object list = "leaf";
        for (int i = 0; i < 10_000; i++) {
            List<Object> outer = new ArrayList<>();
            outer.add(list);
            list = outer;
        }
        Map<String, Object> lists = Map.of("a", list);
        assertThatThrownBy(() -> MapFieldReader.read(lists, fields)).isInstanceOf(LineParseException.class);

        Map<String, Object> cyclic = new HashMap<>();
        cyclic.put("a", cyclic);
        assertThatThrownBy(() -> MapFieldReader.read(cyclic, fields)).isInstanceOf(LineParseException.class);
    }
}
