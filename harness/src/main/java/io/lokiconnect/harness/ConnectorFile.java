package io.lokiconnect.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** A connector file in the REST API's form, {@code {"name": ..., "config": {...}}}, as in {@code connect-configs/}. */
public final class ConnectorFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConnectorFile() {
    }

    /** The connector's name as written in the file. */
    public static String name(Path jsonFile) {
        return read(jsonFile).path("name").asText();
    }

    /** The config map, with {@code overrides} applied (a null value removes a key). */
    public static Map<String, String> config(Path jsonFile, Map<String, String> overrides) {
        JsonNode root = read(jsonFile);
        JsonNode configNode = root.has("config") ? root.get("config") : root;
        Map<String, String> config = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = configNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            config.put(e.getKey(), e.getValue().asText());
        }
        overrides.forEach((k, v) -> {
            if (v == null) {
                config.remove(k);
            } else {
                config.put(k, v);
            }
        });
        return config;
    }

    private static JsonNode read(Path jsonFile) {
        try {
            return JSON.readTree(Files.readString(jsonFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read connector file " + jsonFile, e);
        }
    }
}
