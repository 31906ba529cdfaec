package io.lokiconnect.sink;

import io.lokiconnect.sink.entry.LokiEntry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sink's per-record mapping (record to entry: labels, tenant, time, line), which {@code put()} runs for every
 * record, with issue 19's routing off and on: {@code plain} as {@code connect-configs/loki-sink.json} ships it;
 * {@code filename} with {@code labels.from.record=filename,host} (Alloy's filename label); {@code mappings} with four
 * mapping rules (key, a header into the tenant, topic groups, a header into metadata); {@code relabel} with three
 * relabel rules. Records as the JsonLabels transform leaves them (two label headers, the time header) with the
 * source's path and host headers, 5 services x 4 levels x 2 files. One op is one record. In the package of the
 * mapper (package-private). Run: {@code java -jar benchmarks/target/benchmarks.jar SinkRecordMapperBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class SinkRecordMapperBenchmark {

    private static final String[] LEVELS = {"info", "warn", "error", "debug"};
    private static final String[] SERVICES = {"api", "billing", "checkout", "search", "auth"};
    private static final int RECORDS = 1024;

    @Param({"plain", "filename", "mappings", "relabel"})
    public String variant;

    private SinkRecordMapper mapper;
    private SinkRecord[] records;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", "http://loki:3100", "labels.static",
                "job=kafka-logs"));
        switch (variant) {
            case "plain" -> { }
            case "filename" -> props.put("labels.from.record", "filename,host");
            case "mappings" -> put(props, "mappings", "key,team,env,trace",
                    "mapping.key.source", "key", "mapping.key.target", "metadata",
                    "mapping.team.source", "header", "mapping.team.header", "x-team", "mapping.team.target", "tenant",
                    "mapping.env.source", "topic", "mapping.env.regex", "logs\\.([^.]+)\\..*",
                    "mapping.trace.source", "header", "mapping.trace.header", "traceparent",
                    "mapping.trace.target", "metadata", "mapping.trace.regex", "00-([0-9a-f]+)-.*");
            case "relabel" -> put(props, "relabel.rules", "drop-debug,tenant,rename",
                    "relabel.rule.drop-debug.action", "drop", "relabel.rule.drop-debug.source.labels", "level",
                    "relabel.rule.drop-debug.regex", "trace",
                    "relabel.rule.tenant.source.labels", "service", "relabel.rule.tenant.target.label", "__tenant_id__",
                    "relabel.rule.tenant.replacement", "team-$1",
                    "relabel.rule.rename.action", "labelmap", "relabel.rule.rename.regex", "(serv)ice",
                    "relabel.rule.rename.replacement", "${1}er");
            default -> throw new IllegalArgumentException(variant);
        }
        mapper = new SinkRecordMapper(new LokiSinkConfig(props));
        records = new SinkRecord[RECORDS];
        long t0 = 1_764_000_000_000_000_000L;
        for (int i = 0; i < RECORDS; i++) {
            ConnectHeaders headers = new ConnectHeaders();
            // New strings per record, as the header converter makes them.
            headers.addString(new String("log.file.path"), "/var/log/app/app-" + (i % 2) + ".log");
            headers.addString(new String("log.host"), "node-1");
            headers.addString(new String("loki.label.level"), LEVELS[i % LEVELS.length]);
            headers.addString(new String("loki.label.service"), SERVICES[i % SERVICES.length]);
            headers.addString(new String("loki.timestamp.ns"), Long.toString(t0 + i * 1_000_000L));
            headers.addString(new String("x-team"), "team-" + (i % 3));
            headers.addString(new String("traceparent"), String.format("00-%032x-00f067aa0ba902b7-01", i));
            records[i] = new SinkRecord("logs.prod.checkout", 0, Schema.STRING_SCHEMA, "order-" + i, null,
                    "GET /api/v1/orders/" + i + " completed in " + (3 + i % 250) + " ms", i, t0 / 1_000_000L,
                    TimestampType.CREATE_TIME, headers);
        }
    }

    private static void put(Map<String, String> props, String... kv) {
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
    }

    @Benchmark
    public LokiEntry map() {
        SinkRecord record = records[next];
        next = (next + 1) & (RECORDS - 1);
        return mapper.toEntry(record, null);
    }
}
