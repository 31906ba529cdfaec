package io.lokiconnect.it.source;

import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;

/** Shared pieces of the integration tests that run the source connector. */
public final class SourceTestSupport {

    private SourceTestSupport() {
    }

    public static Map<String, String> sourceConfig(String topic, String paths, int tasks) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.lokiconnect.source.FileLogSourceConnector");
        config.put("tasks.max", String.valueOf(tasks));
        config.put("topic", topic);
        config.put("paths", paths);
        config.put("scan.interval.ms", "300");
        config.put("poll.interval.ms", "50");
        config.put("partial.line.flush.ms", "500");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        return config;
    }

    static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String value(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Waits until the topic holds at least {@code n} records, then returns them all. */
    static List<ConsumerRecord<byte[], byte[]>> awaitRecords(ConnectClusterExtension connect, String topic, int n,
                                                            Duration timeout) {
        @SuppressWarnings("unchecked")
        List<ConsumerRecord<byte[], byte[]>>[] last = new List[1];
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = connect.consumeAll(topic, Duration.ofSeconds(30));
            return last[0].size() >= n;
        });
        return last[0];
    }

    static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(SourceTestSupport::value).collect(Collectors.toList());
    }
}
