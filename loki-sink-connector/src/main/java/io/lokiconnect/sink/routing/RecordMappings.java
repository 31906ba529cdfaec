package io.lokiconnect.sink.routing;

import io.lokiconnect.common.loki.CardinalityGuard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rules of {@code mappings}, run on each record, with the cardinality guard on everything they make a label: a
 * label's values past {@code labels.values.max} in a task become {@code __overflow__} (the record's mapper guards the
 * tenant, whatever gave it). Structured metadata is not guarded: it is where high-cardinality values belong. Knows
 * nothing of Connect: the sink's record mapper hands it the record's parts. Used by the task thread only.
 */
public final class RecordMappings {

    private static final int MAX_CACHED_HEADER_NAMES = 10_000;
    private static final String[] NOT_READ = new String[0];

    /** Where a rule's output goes. */
    public interface Sink {
        void label(String name, String value);

        void metadata(String name, String value);

        void tenant(String tenant);
    }

    private final List<RecordMapping> keyRules = new ArrayList<>();
    private final List<RecordMapping> headerRules = new ArrayList<>();
    private final List<RecordMapping> topicRules = new ArrayList<>();
    private final List<RecordMapping> partitionRules = new ArrayList<>();
    private final CardinalityGuard guard;
    private final AtomicLong overflows;
    /** Per header name, the name each header rule gives it (null: the rule does not read it). */
    private final Map<String, String[]> headerNames = new HashMap<>();
    /** Per topic, what the topic rules give it: topics are few, their regexes run once each. */
    private final Map<String, List<Emitted>> byTopic = new HashMap<>();
    private final Map<Integer, List<Emitted>> byPartition = new HashMap<>();
    /**
     * Per header rule, the last value it read and what it gave: a header such as a team or a service repeats from
     * record to record, and its regex then runs once per change, not per record.
     */
    private final String[] lastHeaderRaw;
    private final String[] lastHeaderName;
    private final RecordMapping.Output[] lastHeaderOutput;

    private record Emitted(RecordMapping rule, RecordMapping.Output output) {
    }

    /**
     * @param guard     the task's guard of label values ({@code labels.values.max})
     * @param overflows counts the values replaced by {@code __overflow__}
     */
    public RecordMappings(List<RecordMapping> rules, CardinalityGuard guard, AtomicLong overflows) {
        for (RecordMapping rule : rules) {
            switch (rule.source()) {
                case KEY -> keyRules.add(rule);
                case HEADER -> headerRules.add(rule);
                case TOPIC -> topicRules.add(rule);
                case PARTITION -> partitionRules.add(rule);
                default -> throw new IllegalArgumentException("unknown source " + rule.source());
            }
        }
        this.guard = guard;
        this.overflows = overflows;
        this.lastHeaderRaw = new String[headerRules.size()];
        this.lastHeaderName = new String[headerRules.size()];
        this.lastHeaderOutput = new RecordMapping.Output[headerRules.size()];
    }

    public boolean isEmpty() {
        return keyRules.isEmpty() && headerRules.isEmpty() && topicRules.isEmpty() && partitionRules.isEmpty();
    }

    public boolean readsHeaders() {
        return !headerRules.isEmpty();
    }

    public boolean readsKey() {
        return !keyRules.isEmpty();
    }

    /** Runs the header rules on one header of the record. */
    public void header(String key, String value, Sink sink) {
        String[] names = headerNames.get(key);
        if (names == null) {
            names = new String[headerRules.size()];
            boolean any = false;
            for (int i = 0; i < names.length; i++) {
                names[i] = headerRules.get(i).headerName(key);
                any |= names[i] != null;
            }
            if (!any) {
                names = NOT_READ;
            }
            if (headerNames.size() >= MAX_CACHED_HEADER_NAMES) {
                headerNames.clear(); // header names exploding must not grow the heap
            }
            headerNames.put(key, names);
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null) {
                RecordMapping.Output output;
                if (value.equals(lastHeaderRaw[i]) && names[i].equals(lastHeaderName[i])) {
                    output = lastHeaderOutput[i];
                } else {
                    output = headerRules.get(i).apply(value, names[i]);
                    lastHeaderRaw[i] = value;
                    lastHeaderName[i] = names[i];
                    lastHeaderOutput[i] = output;
                }
                emit(headerRules.get(i), output, sink);
            }
        }
    }

    /** Runs the key rules on the record's key (its text). */
    public void key(String key, Sink sink) {
        for (RecordMapping rule : keyRules) {
            emit(rule, rule.apply(key, rule.source().value()), sink);
        }
    }

    /** Runs the topic rules (once per topic: their outputs are kept). */
    public void topic(String topic, Sink sink) {
        if (topicRules.isEmpty()) {
            return;
        }
        List<Emitted> emitted = byTopic.get(topic);
        if (emitted == null) {
            emitted = evaluate(topicRules, topic);
            if (byTopic.size() >= MAX_CACHED_HEADER_NAMES) {
                byTopic.clear();
            }
            byTopic.put(topic, emitted);
        }
        for (Emitted e : emitted) {
            emit(e.rule(), e.output(), sink);
        }
    }

    /** Runs the partition rules (once per partition number). */
    public void partition(int partition, Sink sink) {
        if (partitionRules.isEmpty()) {
            return;
        }
        List<Emitted> emitted = byPartition.get(partition);
        if (emitted == null) {
            emitted = evaluate(partitionRules, Integer.toString(partition));
            byPartition.put(partition, emitted);
        }
        for (Emitted e : emitted) {
            emit(e.rule(), e.output(), sink);
        }
    }

    private static List<Emitted> evaluate(List<RecordMapping> rules, String value) {
        List<Emitted> emitted = new ArrayList<>(rules.size());
        for (RecordMapping rule : rules) {
            RecordMapping.Output output = rule.apply(value, rule.source().value());
            if (output != null) {
                emitted.add(new Emitted(rule, output));
            }
        }
        return emitted;
    }

    private void emit(RecordMapping rule, RecordMapping.Output output, Sink sink) {
        if (output == null) {
            return;
        }
        switch (rule.target()) {
            case LABEL -> {
                if (guard.admits(output.name(), output.value())) {
                    sink.label(output.name(), output.value());
                } else {
                    overflows.incrementAndGet();
                    sink.label(output.name(), CardinalityGuard.OVERFLOW_VALUE);
                }
            }
            case METADATA -> sink.metadata(output.name(), output.value());
            case TENANT -> sink.tenant(output.value());
            default -> throw new IllegalStateException("unknown target " + rule.target());
        }
    }
}
