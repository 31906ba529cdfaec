package io.lokiconnect.benchmarks.worker;

import io.lokiconnect.common.headers.FileHeaders;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The upper bounds: a plain KafkaProducer and a plain KafkaConsumer doing the connectors' Kafka work, no worker. */
final class RawClients {

    private RawClients() {
    }

    /** What a record carries besides its line. */
    enum Shape {
        /** The line only, as FileStreamSourceConnector writes it. */
        PLAIN,
        /** FileLogSourceConnector's default: the 8-hex-digit key of the path. */
        KEY,
        /** The key and the three file headers ({@code headers=path,offset,host}). */
        KEY_AND_HEADERS
    }

    /**
     * Sends every line of {@code file} to {@code topic} from one thread, reading the file as it goes, with the
     * producer settings a Connect worker gives its source tasks ({@code acks=all}, one request in flight per
     * connection, {@code linger.ms=0}) plus {@code overrides}, each line as a record of {@code shape}.
     *
     * @param window stop sending after this long (the rest of the file is not sent)
     * @return lines/s from the first send to the end of the final flush
     */
    static double produce(String bootstrap, Path file, String topic, Map<String, String> overrides,
                          Shape shape, Duration window) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putAll(overrides);
        String path = file.toString();
        byte[] pathBytes = path.getBytes(StandardCharsets.UTF_8);
        // FileLog's key (record.key=path.hash: 8 hex digits) and its optional headers=path,offset,host.
        byte[] key = String.format("%08x", path.hashCode()).getBytes(StandardCharsets.UTF_8);
        byte[] host = java.net.InetAddress.getLocalHost().getHostName().getBytes(StandardCharsets.UTF_8);
        long lines = 0;
        long offset = 0;
        long start;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
             BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            producer.partitionsFor(topic); // metadata first, as a task's producer has it before its first poll
            start = System.nanoTime();
            long stop = start + window.toNanos();
            String line;
            while ((line = in.readLine()) != null && ((lines & 1023) != 0 || System.nanoTime() < stop)) {
                byte[] value = line.getBytes(StandardCharsets.UTF_8);
                if (shape == Shape.KEY_AND_HEADERS) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(FileHeaders.FILE_PATH, pathBytes);
                    headers.add(FileHeaders.FILE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
                    headers.add(FileHeaders.HOST, host);
                    producer.send(new ProducerRecord<>(topic, null, null, key, value, headers));
                } else if (shape == Shape.KEY) {
                    producer.send(new ProducerRecord<>(topic, key, value));
                } else {
                    producer.send(new ProducerRecord<>(topic, value));
                }
                offset += value.length + 1;
                lines++;
            }
            producer.flush();
        }
        return lines / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Sends every line of every file to {@code topic} from one thread (the file order given), with the worker's
     * producer settings plus {@code overrides}, the line as value and FileLog's default key; returns the seconds
     * from the first send to the end of the final flush.
     */
    static double produceAll(String bootstrap, List<Path> files, String topic, Map<String, String> overrides)
            throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putAll(overrides);
        long start;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.partitionsFor(topic);
            start = System.nanoTime();
            for (Path file : files) {
                byte[] key = String.format("%08x", file.toString().hashCode()).getBytes(StandardCharsets.UTF_8);
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        producer.send(new ProducerRecord<>(topic, key, line.getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }
            producer.flush();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Reads {@code expected} records of {@code topic} from the beginning in one thread and discards them, with the
     * shipped sink's {@code max.poll.records}.
     *
     * @return records/s from the first non-empty poll to the last record
     */
    static double consume(String bootstrap, String topic, long expected, int maxPollRecords, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long count = 0;
            long bytes = 0;
            long first = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw consumer read " + count + " of " + expected + " records of "
                            + topic + " within " + timeout.toSeconds() + " s");
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (first == 0 && !records.isEmpty()) {
                    first = System.nanoTime();
                }
                for (var r : records) {
                    bytes += r.value().length; // touch the value, as a sink would
                }
                count += records.count();
            }
            return bytes < 0 ? 0 : count / ((System.nanoTime() - first) / 1e9);
        }
    }
}
