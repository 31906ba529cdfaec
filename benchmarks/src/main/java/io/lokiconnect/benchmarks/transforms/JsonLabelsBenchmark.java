package io.lokiconnect.benchmarks.transforms;

import io.lokiconnect.transforms.JsonLabels;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JsonLabels with its default configuration (labels level and service, RFC 3339 timestamp, message output) on
 * ~200-byte JSON log lines as SourceRecords with String values, as the file source emits them. One op is one
 * line. Run: {@code java -jar benchmarks/target/benchmarks.jar JsonLabelsBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class JsonLabelsBenchmark {

    private static final String[] LEVELS = {"INFO", "WARNING", "error", "debug"};
    private static final String[] SERVICES = {"api", "billing", "checkout", "search", "auth"};
    private static final int LINES = 1024;

    private JsonLabels<SourceRecord> transform;
    private SourceRecord[] records;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        transform = new JsonLabels<>();
        transform.configure(new HashMap<>());
        records = new SourceRecord[LINES];
        Map<String, String> partition = Map.of("file", "/var/log/app/app.log");
        for (int i = 0; i < LINES; i++) {
            String line = String.format("{\"timestamp\":\"2024-05-01T12:%02d:%02d.%09dZ\",\"level\":\"%s\","
                            + "\"service\":\"%s\",\"message\":\"GET /api/v1/orders/%06d completed in %d ms\","
                            + "\"trace_id\":\"%032x\",\"status\":200}",
                    i / 60 % 60, i % 60, i * 7919L, LEVELS[i % LEVELS.length], SERVICES[i % SERVICES.length],
                    i, 3 + i % 250, (long) i * 2654435761L);
            records[i] = new SourceRecord(partition, Map.of("position", (long) i * 200), "logs", null,
                    null, null, Schema.STRING_SCHEMA, line, System.currentTimeMillis(),
                    new ConnectHeaders().addString("log.file", "/var/log/app/app.log"));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        transform.close();
    }

    @Benchmark
    public SourceRecord applyToOneLine() {
        SourceRecord record = records[next];
        next = (next + 1) & (LINES - 1);
        return transform.apply(record);
    }
}
