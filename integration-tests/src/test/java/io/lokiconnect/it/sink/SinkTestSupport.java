package io.lokiconnect.it.sink;

import io.lokiconnect.common.headers.LokiHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Shared pieces of the integration tests that run the sink connector. */
public final class SinkTestSupport {

    private SinkTestSupport() {
    }

    /** A log record as the source connector and the JsonLabels transform would leave it in the topic. */
    record LogLine(String service, String level, long timestampNanos, String line) {
        ProducerRecord<String, String> toRecord(String topic, Integer partition) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition,
                    timestampNanos / 1_000_000L, service, line);
            record.headers().add(LokiHeaders.LABEL_PREFIX + "service", service.getBytes(StandardCharsets.UTF_8));
            record.headers().add(LokiHeaders.LABEL_PREFIX + "level", level.getBytes(StandardCharsets.UTF_8));
            record.headers().add(LokiHeaders.TIMESTAMP_NS,
                    Long.toString(timestampNanos).getBytes(StandardCharsets.UTF_8));
            return record;
        }
    }

    public static Map<String, String> sinkConfig(String topic, String lokiUrl) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.lokiconnect.sink.LokiSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", topic);
        config.put("loki.url", lokiUrl);
        config.put("labels.static", "job=kafka-logs");
        config.put("batch.max.wait.ms", "200");
        config.put("retry.backoff.min.ms", "100");
        config.put("retry.backoff.max.ms", "1000");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("consumer.override.auto.offset.reset", "earliest");
        return config;
    }

    public static void produce(String bootstrapServers, List<ProducerRecord<String, String>> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
    }
}
