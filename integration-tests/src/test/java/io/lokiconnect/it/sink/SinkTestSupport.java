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
        List<ProducerRecord<String, String>> failed = send(bootstrapServers, records);
        if (!failed.isEmpty()) {
            // A broker that has just created the topic can answer NOT_LEADER_OR_FOLLOWER, then the idempotent
            // producer OutOfOrderSequenceException: those records were not written. Send them again, once, with a
            // fresh producer (an unchecked send lost test lines that the test then missed at the receiver).
            failed = send(bootstrapServers, failed);
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("the test could not write " + failed.size() + " of its input records");
        }
    }

    /** Sends every record, waiting for the topics' leaders first; returns those whose send failed. */
    private static List<ProducerRecord<String, String>> send(String bootstrapServers,
                                                             List<ProducerRecord<String, String>> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        List<ProducerRecord<String, String>> failed = new java.util.ArrayList<>();
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            long deadline = System.currentTimeMillis() + 30_000;
            for (String topic : records.stream().map(ProducerRecord::topic).distinct().toList()) {
                while (producer.partitionsFor(topic).stream().anyMatch(p -> p.leader() == null)
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
            }
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent =
                    new java.util.ArrayList<>(records.size());
            for (ProducerRecord<String, String> record : records) {
                sent.add(producer.send(record));
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed.add(records.get(i));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return failed;
    }
}
