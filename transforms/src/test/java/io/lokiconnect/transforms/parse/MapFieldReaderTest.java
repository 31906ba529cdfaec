package io.lokiconnect.transforms.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapFieldReaderTest {

    @Test
    void nestedPathWinsOverFlatDottedKey() {
        FieldPaths fields = new FieldPaths();
        int slot = fields.add("service.name");
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("service", Map.of("name", "nested"));
        map.put("service.name", "flat");

        assertThat(MapFieldReader.read(map, fields).value(slot)).isEqualTo("nested");
    }

    @Test
    void valuesAreRenderedAsText() {
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
}
