package io.lokiconnect.benchmarks.sink;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.batch.Outbox;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.EncodedPush;
import io.lokiconnect.sink.push.PushEncoder;
import io.lokiconnect.sink.shaping.LokiLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sink's CPU path per entry: the outbox (entries per stream, oldest first, pushes composed by encoded size
 * within Loki's default limits; a virtual clock a second on per push, so no stream waits for its budget), then
 * encoding a push request (protobuf + snappy, or gzipped JSON) of ~150-byte lines over 15 streams. One op is one entry, so the score is entries/s per core.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar PushEncodeBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class PushEncodeBenchmark {

    private static final int ENTRIES = 5000;

    @Param({"protobuf", "json"})
    public String encoding;

    private final List<LokiEntry> entries = new ArrayList<>(ENTRIES);
    private PushEncoder encoder;

    @Setup
    public void setUp() {
        encoder = PushEncoder.create("protobuf".equals(encoding), true);
        String[] services = {"api", "billing", "checkout", "search", "auth"};
        String[] levels = {"info", "warn", "error"};
        long ts = 1_764_000_000_000_000_000L;
        for (int i = 0; i < ENTRIES; i++) {
            LabelSet labels = LabelSet.of(Map.of("job", "kafka-logs", "service", services[i % 5], "level", levels[i % 3]));
            entries.add(new LokiEntry(labels, ts + i * 1_000_000L,
                    "order " + i + " placed for customer 4711 with 3 items, total 42.50 EUR, payment accepted by provider",
                    Map.of(), null));
        }
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public int batchAndEncode() {
        Outbox outbox = new Outbox(encoder, 1_048_576, 1000, LokiLimits.defaults());
        long now = 0;
        for (LokiEntry entry : entries) {
            outbox.add(entry, now);
        }
        int bytes = 0;
        while (true) {
            now += 1_000_000_000L;
            LokiBatch batch = outbox.next(now).batch();
            if (batch == null) {
                return bytes;
            }
            bytes += encode(batch);
            outbox.completed(batch, Map.of(), now);
        }
    }

    private int encode(LokiBatch batch) {
        EncodedPush push = encoder.encode(batch);
        return push.body().length;
    }
}
