package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.sink.entry.LokiEntry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Issue 19: the tenant per record, labels from the record's key, headers, topic and partition, relabelling. */
class SinkRecordMapperRoutingTest {

    private final AtomicLong overflows = new AtomicLong();

    private SinkRecordMapper mapper(String... kv) {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", "http://loki:3100", "labels.static", "job=x"));
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        return new SinkRecordMapper(new LokiSinkConfig(props), overflows);
    }

    private static SinkRecord record(String topic, int partition, Object key, ConnectHeaders headers) {
        return new SinkRecord(topic, partition, Schema.STRING_SCHEMA, key, null, "line", 7, 1_700_000_000_000L,
                TimestampType.CREATE_TIME, headers);
    }

    private static ConnectHeaders headers(String... kv) {
        ConnectHeaders headers = new ConnectHeaders();
        for (int i = 0; i < kv.length; i += 2) {
            headers.addString(kv[i], kv[i + 1]);
        }
        return headers;
    }

    @Test
    void theTenantComesFromTheHeaderElseTheConfig() {
        SinkRecordMapper mapper = mapper("loki.tenant.id", "default-team");
        assertThat(mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "team-a")), null).labels().tenant())
                .isEqualTo("team-a");
        assertThat(mapper.toEntry(record("logs", 0, null, headers()), null).labels().tenant())
                .isEqualTo("default-team");
        assertThat(mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "")), null).labels().tenant())
                .as("an empty header is no tenant").isEqualTo("default-team");
        assertThat(mapper().toEntry(record("logs", 0, null, headers()), null).labels().tenant()).isEmpty();
    }

    @Test
    void equalLabelsOfTwoTenantsAreTwoStreamsWithTheSameText() {
        SinkRecordMapper mapper = mapper();
        LokiEntry a = mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "a")), null);
        LokiEntry b = mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "b")), null);
        assertThat(a.labels()).isNotEqualTo(b.labels());
        assertThat(a.labels().text()).isEqualTo(b.labels().text());
    }

    @Test
    void aTenantLokiWouldRefuseRefusesTheRecordWithTheReason() {
        SinkRecordMapper mapper = mapper();
        for (String bad : new String[] {"team a", "a/b", "..", "a|b", "x".repeat(151), "\u00e9quipe"}) {
            assertThatThrownBy(() -> mapper.toEntry(record("logs", 0, null, headers("loki.tenant", bad)), null))
                    .as(bad).isInstanceOf(DataException.class).hasMessageContaining("tenant '" + bad + "'");
        }
        assertThat(mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "x".repeat(150))), null)
                .labels().tenant()).hasSize(150);
    }

    @Test
    void tenantsPastTheLimitAreRefusedNotSentToAnotherTenant() {
        SinkRecordMapper mapper = mapper("labels.values.max", "2");
        mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "a")), null);
        mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "b")), null);
        assertThatThrownBy(() -> mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "c")), null))
                .isInstanceOf(DataException.class).hasMessageContaining("labels.values.max=2");
        assertThat(mapper.toEntry(record("logs", 0, null, headers("loki.tenant", "a")), null).labels().tenant())
                .isEqualTo("a");
    }

    @Test
    void theKeyAHeaderTheTopicAndThePartitionBecomeLabelsMetadataOrTheTenant() {
        SinkRecordMapper mapper = mapper(
                "mappings", "svc,team,env,app,part,trace",
                "mapping.svc.source", "key",
                "mapping.team.source", "header", "mapping.team.header", "x-team", "mapping.team.target", "tenant",
                "mapping.env.source", "topic", "mapping.env.regex", "logs\\.([^.]+)\\.(.+)", "mapping.env.name", "env",
                "mapping.app.source", "topic", "mapping.app.regex", "logs\\.([^.]+)\\.(.+)", "mapping.app.name", "app",
                "mapping.app.value", "$2",
                "mapping.part.source", "partition",
                "mapping.trace.source", "header", "mapping.trace.header", "traceparent", "mapping.trace.target",
                "metadata", "mapping.trace.name", "trace_id", "mapping.trace.regex", "00-([0-9a-f]+)-.*");
        LokiEntry entry = mapper.toEntry(record("logs.prod.checkout", 3, "checkout-7",
                headers("x-team", "team-a", "traceparent", "00-4bf92f-00f067-01")), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("job", "x"), Map.entry("key", "checkout-7"),
                Map.entry("env", "prod"), Map.entry("app", "checkout"), Map.entry("partition", "3"));
        assertThat(entry.labels().tenant()).isEqualTo("team-a");
        assertThat(entry.metadata()).containsOnly(Map.entry("trace_id", "4bf92f"));
        // A topic the regex does not match gives no label; a null key none either.
        LokiEntry other = mapper.toEntry(record("audit", 0, null, headers()), null);
        assertThat(other.labels().asMap()).containsOnly(Map.entry("job", "x"), Map.entry("partition", "0"));
    }

    @Test
    void headersChosenByARegexGiveALabelEachNamedByTheirGroups() {
        SinkRecordMapper mapper = mapper("mappings", "hdr",
                "mapping.hdr.source", "header", "mapping.hdr.header.pattern", "x-label-(.+)", "mapping.hdr.name", "$1");
        LokiEntry entry = mapper.toEntry(record("logs", 0, null,
                headers("x-label-region", "eu", "x-label-k8s.ns", "shop", "other", "z")), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("job", "x"), Map.entry("region", "eu"),
                Map.entry("k8s_ns", "shop"));
    }

    @Test
    void aMappedTenantWinsOverTheHeaderWhichWinsOverTheConfig() {
        SinkRecordMapper mapper = mapper("loki.tenant.id", "fallback", "mappings", "t",
                "mapping.t.source", "key", "mapping.t.target", "tenant", "mapping.t.regex", "tenant=(.+)");
        assertThat(mapper.toEntry(record("logs", 0, "tenant=from-key", headers("loki.tenant", "from-header")), null)
                .labels().tenant()).isEqualTo("from-key");
        assertThat(mapper.toEntry(record("logs", 0, "no-match", headers("loki.tenant", "from-header")), null)
                .labels().tenant()).isEqualTo("from-header");
    }

    @Test
    void mappedLabelsPastTheLimitBecomeOverflowAndAreCounted() {
        SinkRecordMapper mapper = mapper("labels.values.max", "2", "mappings", "k", "mapping.k.source", "key");
        assertThat(mapper.toEntry(record("logs", 0, "a", headers()), null).labels().get("key")).isEqualTo("a");
        assertThat(mapper.toEntry(record("logs", 0, "b", headers()), null).labels().get("key")).isEqualTo("b");
        assertThat(mapper.toEntry(record("logs", 0, "c", headers()), null).labels().get("key"))
                .isEqualTo("__overflow__");
        assertThat(mapper.toEntry(record("logs", 0, "a", headers()), null).labels().get("key")).isEqualTo("a");
        assertThat(overflows.get()).isEqualTo(1);
    }

    @Test
    void relabelRulesSeeTheFinalLabelsAndTheTenantAndMaySetOrDropThem() {
        SinkRecordMapper mapper = mapper("labels.static", "job=x,env=dev",
                "relabel.rules", "drop-debug,tenant-from-team,rename,cleanup",
                "relabel.rule.drop-debug.action", "drop", "relabel.rule.drop-debug.source.labels", "level",
                "relabel.rule.drop-debug.regex", "debug",
                "relabel.rule.tenant-from-team.source.labels", "team",
                "relabel.rule.tenant-from-team.target.label", "__tenant_id__",
                "relabel.rule.tenant-from-team.replacement", "team-$1",
                "relabel.rule.rename.action", "labelmap", "relabel.rule.rename.regex", "k8s_(.*)",
                "relabel.rule.cleanup.action", "labeldrop", "relabel.rule.cleanup.regex", "k8s_.*|team");
        LokiEntry entry = mapper.toEntry(record("logs", 0, null, headers("loki.label.level", "info",
                "loki.label.team", "a", "loki.label.k8s_ns", "shop")), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("job", "x"), Map.entry("env", "dev"),
                Map.entry("level", "info"), Map.entry("ns", "shop"));
        assertThat(entry.labels().tenant()).isEqualTo("team-a");
        assertThat(mapper.toEntry(record("logs", 0, null, headers("loki.label.level", "debug")), null))
                .isSameAs(io.lokiconnect.sink.pipeline.RecordReader.DROPPED);
    }

    @Test
    void labelsBeginningWithTwoUnderscoresAreForTheRulesAndRemovedAfterThem() {
        SinkRecordMapper mapper = mapper("mappings", "k", "mapping.k.source", "key", "mapping.k.name", "__key",
                "relabel.rules", "r", "relabel.rule.r.source.labels", "__key", "relabel.rule.r.regex", "([a-z]+)-.*",
                "relabel.rule.r.target.label", "app");
        LokiEntry entry = mapper.toEntry(record("logs", 0, "checkout-42", headers()), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("job", "x"), Map.entry("app", "checkout"));
    }

    @Test
    void filenameAndHostComeFromTheSourcesHeadersAsAlloyNamesThem() {
        SinkRecordMapper mapper = mapper("labels.from.record", "filename,host");
        LokiEntry entry = mapper.toEntry(record("logs", 0, null, headers("log.file.path", "/var/log/app.log",
                "log.host", "node-1", "log.file.offset", "120")), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("job", "x"),
                Map.entry("filename", "/var/log/app.log"), Map.entry("host", "node-1"));
        assertThat(mapper.toEntry(record("logs", 0, null, headers()), null).labels().asMap())
                .as("without the source's headers, no such labels").containsOnly(Map.entry("job", "x"));
    }

    @Test
    void withoutRoutingKeysTheLabelsAreWhatTheyAlwaysWere() {
        SinkRecordMapper mapper = mapper("labels.from.record", "topic");
        LokiEntry entry = mapper.toEntry(record("logs", 0, "key", headers("loki.label.level", "info",
                "x-team", "a", "log.file.path", "/var/log/a.log")), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("job", "x"), Map.entry("level", "info"),
                Map.entry("topic", "logs"));
        assertThat(entry.labels().tenant()).isEmpty();
    }
}
