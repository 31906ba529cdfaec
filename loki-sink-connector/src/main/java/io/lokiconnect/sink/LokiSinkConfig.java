package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.config.ConfigChoice;
import io.lokiconnect.common.config.ConfigKey;
import io.lokiconnect.common.config.ConfigProblem;
import io.lokiconnect.common.config.CrossKeyRules;
import io.lokiconnect.common.config.EnumChoice;
import io.lokiconnect.common.config.StaticLabels;
import io.lokiconnect.common.config.Unresolved;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.common.loki.TenantIds;
import io.lokiconnect.sink.client.HeaderText;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.client.TlsSettings;
import io.lokiconnect.sink.format.LineFormat;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.pipeline.SinkPipeline;
import io.lokiconnect.sink.commit.RefusalRouter;
import io.lokiconnect.sink.routing.RecordMapping;
import io.lokiconnect.sink.routing.Relabeler;
import io.lokiconnect.sink.routing.RoutingRules;
import io.lokiconnect.sink.shaping.LokiLimits;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Configuration of {@link LokiSinkConnector}: every key typed, validated and documented here. */
public class LokiSinkConfig extends AbstractConfig {

    /** {@code loki.encoding}: the push body. */
    public enum Encoding implements ConfigChoice {
        /** Snappy-compressed logproto.PushRequest, as Promtail sends. */
        PROTOBUF,
        JSON
    }

    /** {@code loki.tls.truststore.type} and {@code loki.tls.keystore.type}, written in upper case as Java does. */
    public enum StoreType implements ConfigChoice {
        PKCS12,
        JKS,
        /** PEM files, as Kafka's ssl.*.type=PEM: certificates; a certificate chain and its private key. */
        PEM;

        @Override
        public String value() {
            return name();
        }
    }

    /** {@code labels.from.record}: record coordinates added as labels. */
    public enum RecordLabel implements ConfigChoice {
        TOPIC,
        PARTITION,
        /** The file the line was read from (the source's log.file.path header), as Alloy's loki.source.file. */
        FILENAME,
        /** The host that read it (the source's log.host header). */
        HOST
    }

    private static final EnumChoice<StoreType> STORE_TYPE = EnumChoice.of(StoreType.class);

    private static final String GROUP_LOKI = "Loki";
    private static final String GROUP_BATCH = "Batching and retries";
    private static final String GROUP_ENTRIES = "Entries";
    private static final String GROUP_LIMITS = "Loki's limits";
    private static final String GROUP_ROUTING = "Routing: tenants, mappings, relabelling";
    private static final String LIMITS_WHY = " Loki drops entries over this limit while it answers 204 (for any stream "
            + "but a push's last), so the sink applies it itself and never sends what Loki would drop; set it to "
            + "your Loki's value.";

    public static final ConfigKey<String> LOKI_URL = ConfigKey.string("loki.url")
            .withValidator(new LokiUrl())
            .withImportance(Importance.HIGH)
            .withDoc("Loki's base URL (http://loki:3100) or full push URL (http://loki:3100/loki/api/v1/push); "
                    + "http or https. No credentials in it (user:password@ would be logged with the URL): use "
                    + "the loki.auth.* keys or loki.headers.");
    public static final ConfigKey<String> LOKI_TENANT_ID = ConfigKey.string("loki.tenant.id")
            .withDefault("")
            .withValidator(new TenantId())
            .withImportance(Importance.MEDIUM)
            .withDoc("Tenant sent as the X-Scope-OrgID header (multi-tenant Loki) for records without a tenant of "
                    + "their own: a record's loki.tenant header (written by the JsonLabels transform from "
                    + "tenant.field, or by any producer) or a mapping with target=tenant wins. Each push "
                    + "carries one tenant. Empty: no header.");
    public static final ConfigKey<String> LOKI_AUTH_BASIC_USERNAME = ConfigKey.string("loki.auth.basic.username")
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("User of HTTP basic authentication; set together with loki.auth.basic.password.");
    public static final ConfigKey<Password> LOKI_AUTH_BASIC_PASSWORD = ConfigKey.password("loki.auth.basic.password")
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("Password of HTTP basic authentication; set together with loki.auth.basic.username.");
    public static final ConfigKey<Password> LOKI_AUTH_BEARER_TOKEN = ConfigKey.password("loki.auth.bearer.token")
            .withDefault("")
            .withValidator(new HeaderValue())
            .withImportance(Importance.MEDIUM)
            .withDoc("Bearer token sent as 'Authorization: Bearer <token>'. Not together with basic auth.");
    public static final ConfigKey<String> LOKI_AUTH_BEARER_TOKEN_FILE = ConfigKey.string("loki.auth.bearer.token.file")
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("File holding the bearer token (a Kubernetes projected service account token, a Vault agent's "
                    + "sink): read at start, read again at most once a second while pushing and at once after "
                    + "a 401 or 403, so a rotated token is used without a restart (the kubelet's atomic swap "
                    + "of the ..data symlink included). Surrounding whitespace is ignored; an empty or "
                    + "unreadable file keeps the token read before. Not together with loki.auth.bearer.token "
                    + "or basic auth.");
    public static final ConfigKey<String> LOKI_PROXY_URL = ConfigKey.string("loki.proxy.url")
            .withDefault("")
            .withValidator(new ProxyUrl())
            .withDoc("HTTP proxy for the pushes, http://host:port (https Loki is reached through it with CONNECT, TLS "
                    + "ending at Loki). Hosts in loki.proxy.no.proxy go direct. Empty: no proxy (the JVM's "
                    + "own proxy settings, if any).");
    public static final ConfigKey<String> LOKI_PROXY_NO_PROXY = ConfigKey.string("loki.proxy.no.proxy")
            .withDefault("")
            .withDoc("Hosts reached without loki.proxy.url, as NO_PROXY is read by Go's (Loki's, Alloy's) HTTP "
                    + "clients: comma-separated domains (matching their subdomains), IPs, CIDR ranges, "
                    + "optional :port, or *. Empty: the worker's NO_PROXY (or no_proxy) environment variable.");
    public static final ConfigKey<Password> LOKI_HEADERS = ConfigKey.password("loki.headers")
            .withDefault("")
            .withValidator(new HeaderList())
            .withDoc("Extra HTTP headers, comma-separated 'Name:value' pairs. Hidden like a password (the worker logs "
                    + "[hidden]), since such headers often carry a key. An X-Scope-OrgID here is taken as "
                    + "loki.tenant.id (records with a tenant of their own still send theirs); both set to different "
                    + "tenants fails validation.");
    public static final ConfigKey<String> LOKI_TLS_TRUSTSTORE_LOCATION = ConfigKey.string("loki.tls.truststore.location")
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("Trust store holding the CA of an https Loki: a PKCS12 or JKS file, or with "
                    + "loki.tls.truststore.type=PEM a PEM file of CA certificates (a Kubernetes secret's ca.crt). "
                    + "Empty: the JVM's trust store.");
    public static final ConfigKey<Password> LOKI_TLS_TRUSTSTORE_PASSWORD = ConfigKey.password("loki.tls.truststore.password")
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("Password of the trust store.");
    public static final ConfigKey<StoreType> LOKI_TLS_TRUSTSTORE_TYPE = ConfigKey.choice("loki.tls.truststore.type", STORE_TYPE)
            .withDefault(StoreType.PKCS12.value())
            .withDoc("Trust store type: PKCS12, JKS or PEM.");
    public static final ConfigKey<String> LOKI_TLS_KEYSTORE_LOCATION = ConfigKey.string("loki.tls.keystore.location")
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("Key store with the client certificate for mutual TLS: a PKCS12 or JKS file, or with "
                    + "loki.tls.keystore.type=PEM a PEM file of the certificate chain (tls.crt), its private "
                    + "key in it or in loki.tls.key.location. Empty: no client cert.");
    public static final ConfigKey<Password> LOKI_TLS_KEYSTORE_PASSWORD = ConfigKey.password("loki.tls.keystore.password")
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("Password of the key store and of its key.");
    public static final ConfigKey<StoreType> LOKI_TLS_KEYSTORE_TYPE = ConfigKey.choice("loki.tls.keystore.type", STORE_TYPE)
            .withDefault(StoreType.PKCS12.value())
            .withDoc("Key store type: PKCS12, JKS or PEM.");
    public static final ConfigKey<String> LOKI_TLS_KEY_LOCATION = ConfigKey.string("loki.tls.key.location")
            .withDefault("")
            .withDoc("With loki.tls.keystore.type=PEM: the PEM file of the client's private key (tls.key), PKCS#8 "
                    + "('BEGIN PRIVATE KEY'; 'BEGIN ENCRYPTED PRIVATE KEY' with loki.tls.keystore.password) or "
                    + "RSA PKCS#1 ('BEGIN RSA PRIVATE KEY'). Empty: the key is in the key store file.");
    public static final ConfigKey<Boolean> LOKI_TLS_VERIFY_HOSTNAME = ConfigKey.bool("loki.tls.verify.hostname")
            .withDefault(true)
            .withDoc("Check that Loki's certificate names the host of loki.url. Certificates are always verified "
                    + "against the trust store; turn only the host name check off, and only for tests.");
    public static final ConfigKey<Encoding> LOKI_ENCODING = ConfigKey.choice("loki.encoding", EnumChoice.of(Encoding.class))
            .withDefault(Encoding.PROTOBUF.value())
            .withImportance(Importance.MEDIUM)
            .withDoc("Push body: 'protobuf' (snappy-compressed logproto.PushRequest, as Promtail sends) or 'json'.");
    public static final ConfigKey<Boolean> LOKI_JSON_GZIP = ConfigKey.bool("loki.json.gzip")
            .withDefault(true)
            .withDoc("With loki.encoding=json, gzip the body (Content-Encoding: gzip).");
    public static final ConfigKey<Boolean> LOKI_VALIDATE_CONNECTION = ConfigKey.bool("loki.validate.connection")
            .withDefault(false)
            .withDoc("When true, config validation (the dry run, PUT /connector-plugins/.../config/validate) calls "
                    + "Loki's GET /ready and reports a failure on loki.url.");
    public static final ConfigKey<Integer> BATCH_MAX_BYTES = ConfigKey.integer("batch.max.bytes")
            .withDefault(1_048_576)
            .withValidator(Range.between(1024, 64 * 1024 * 1024))
            .withImportance(Importance.HIGH)
            .withDoc("Largest push request in bytes, counted on the encoded (uncompressed) request.");
    public static final ConfigKey<Long> BATCH_MAX_WAIT_MS = ConfigKey.longKey("batch.max.wait.ms")
            .withDefault(1000L)
            .withValidator(Range.between(1, 600_000))
            .withImportance(Importance.HIGH)
            .withDoc("Longest time in ms an entry waits in an open batch before the batch is sent.");
    public static final ConfigKey<Integer> MAX_RETRIES = ConfigKey.integer("max.retries")
            .withDefault(5)
            .withValidator(Range.atLeast(-1))
            .withImportance(Importance.HIGH)
            .withDoc("Retries of a push after a connection error, timeout, 429, 5xx, 408, 499, 401 or 403; -1 retries forever. "
                    + "When they run out the task fails (its offsets are not committed, nothing is dropped). "
                    + "3xx, 404 and other 4xx fail the task at once; a 413 splits the batch.");
    public static final ConfigKey<Long> RETRY_BACKOFF_MIN_MS = ConfigKey.longKey("retry.backoff.min.ms")
            .withDefault(500L)
            .withValidator(Range.between(1, 3_600_000))
            .withImportance(Importance.MEDIUM)
            .withDoc("First retry backoff in ms; it doubles per retry up to retry.backoff.max.ms, with full jitter.");
    public static final ConfigKey<Long> RETRY_BACKOFF_MAX_MS = ConfigKey.longKey("retry.backoff.max.ms")
            .withDefault(30_000L)
            .withValidator(Range.between(1, 3_600_000))
            .withImportance(Importance.MEDIUM)
            .withDoc("Largest retry backoff in ms (also the cap on a 429's Retry-After).");
    public static final ConfigKey<Integer> REQUEST_TIMEOUT_MS = ConfigKey.integer("request.timeout.ms")
            .withDefault(10_000)
            .withValidator(Range.between(100, 600_000))
            .withImportance(Importance.MEDIUM)
            .withDoc("Time in ms one push request may take (connect, write and read) before it counts as failed "
                    + "and is retried.");
    public static final ConfigKey<Integer> MAX_IN_FLIGHT_BATCHES = ConfigKey.integer("max.in.flight.batches")
            .withDefault(2)
            .withValidator(Range.between(1, 64))
            .withImportance(Importance.MEDIUM)
            .withDoc("Batches a task sends at the same time (each on its own connection).");
    public static final ConfigKey<Long> BUFFER_MAX_BYTES = ConfigKey.longKey("buffer.max.bytes")
            .withDefault(16L * 1024 * 1024)
            .withValidator(Range.atLeast(1024))
            .withImportance(Importance.MEDIUM)
            .withDoc("Back-pressure bound in bytes: when the lines buffered or in flight reach it, the task pauses "
                    + "its partitions until pushes complete, so heap stays bounded with a slow or dead Loki.");
    public static final ConfigKey<Long> FLUSH_TIMEOUT_MS = ConfigKey.longKey("flush.timeout.ms")
            .withDefault(10_000L)
            .withValidator(Range.atLeast(0))
            .withDoc("Ignored, kept so existing configs stay valid: a stop abandons buffered batches and pushes at "
                    + "once, since Connect commits nothing after it stops a task and the next task sends them "
                    + "again (a stop that waited outlasted task.shutdown.graceful.timeout.ms).");
    public static final ConfigKey<List<String>> LABELS_STATIC = ConfigKey.list("labels.static")
            .withDefault("")
            .withValidator(StaticLabels.validator())
            .withImportance(Importance.MEDIUM)
            .withDoc("Labels put on every stream, comma-separated name=value: job=kafka-logs,env=prod. Read as the "
                    + "JsonLabels transform reads static.labels: a name must be a valid label name, a value "
                    + "not empty.");
    public static final ConfigKey<String> LABELS_HEADER_PREFIX = ConfigKey.string("labels.header.prefix")
            .withDefault(LokiHeaders.LABEL_PREFIX)
            .withValidator(new ConfigDef.NonEmptyString())
            .withDoc("Record headers named <prefix><label> become stream labels (written by the "
                    + "JsonLabels transform).");
    public static final ConfigKey<Set<RecordLabel>> LABELS_FROM_RECORD = ConfigKey.choices("labels.from.record", EnumChoice.forList(RecordLabel.class))
            .withDefault("")
            .withDoc("Labels taken from the record as it is: 'topic', 'partition', and 'filename' and 'host', the "
                    + "labels Alloy's loki.source.file gives (the file's path and the host that read it, from "
                    + "the file source's log.file.path and log.host headers: set headers=path,host on the "
                    + "source). A record without the header gets no such label.");
    public static final ConfigKey<String> STRUCTURED_METADATA_HEADER_PREFIX = ConfigKey.string("structured.metadata.header.prefix")
            .withDefault(LokiHeaders.METADATA_PREFIX)
            .withValidator(new ConfigDef.NonEmptyString())
            .withDoc("Record headers named <prefix><name> become the entry's structured metadata (Loki 3).");
    public static final ConfigKey<LineFormat> LINE_FORMAT = ConfigKey.choice("line.format", EnumChoice.of(LineFormat.class))
            .withDefault(LineFormat.VALUE.value())
            .withImportance(Importance.MEDIUM)
            .withDoc("Log line sent to Loki: 'value' (the record value as is), 'json' or 'logfmt' (the value under "
                    + "'message' with the headers of line.format.headers folded in).");
    public static final ConfigKey<List<String>> LINE_FORMAT_HEADERS = ConfigKey.list("line.format.headers")
            .withDefault("log.file.path,log.host")
            .withDoc("Headers folded into the line when line.format is json or logfmt (missing ones are skipped).");
    public static final ConfigKey<RefusalRouter.Behavior> BEHAVIOR_ON_REJECTED = ConfigKey.choice("behavior.on.rejected",
            EnumChoice.of(RefusalRouter.Behavior.class))
            .withDefault(RefusalRouter.Behavior.DLQ.value())
            .withImportance(Importance.MEDIUM)
            .withDoc("Records that do not reach Loki: entries Loki refuses with a 400 (too old, too long, bad "
                    + "labels...) or a 413 for the entry alone, and records that cannot become an entry (no "
                    + "timestamp). 'dlq' sends them to the dead letter queue (errors.deadletterqueue.topic.name; "
                    + "logged and counted when none), 'log' logs and counts them, 'fail' fails the task. Never "
                    + "retried.");
    public static final ConfigKey<String> METRICS_LEVEL_LABEL = ConfigKey.string("metrics.level.label")
            .withDefault("level")
            .withDoc("Label whose values are counted in the lines-by-level-total metric.");
    public static final ConfigKey<Integer> METRICS_LEVEL_VALUES_MAX = ConfigKey.integer("metrics.level.values.max")
            .withDefault(10)
            .withValidator(Range.between(0, 1000))
            .withDoc("Distinct level values given their own metric; later values are counted under 'other'.");
    public static final ConfigKey<List<String>> MAPPINGS = ConfigKey.list(RoutingRules.MAPPINGS_CONFIG)
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("Names of mapping rules, in order: each takes a part of the record (its key, a header by name or "
                    + "regex, its topic with regex groups, its partition) into a label, structured metadata or "
                    + "the tenant; its keys are mapping.<name>.* (see below). A later rule's label wins over "
                    + "an earlier one's, and both over header labels and labels.static.");
    public static final ConfigKey<Integer> LABELS_VALUES_MAX = ConfigKey.integer("labels.values.max")
            .withDefault(1000)
            .withValidator(Range.atLeast(1))
            .withDoc("Most distinct values of each label a mapping makes, per task (and most distinct tenants "
                    + "mappings give); a further new value is sent as __overflow__ (counted in "
                    + "label-overflows-total, logged once per label), a further tenant sends the record to "
                    + "behavior.on.rejected. Bounds the Loki streams a runaway key or header creates.");
    public static final ConfigKey<List<String>> RELABEL_RULES = ConfigKey.list(RoutingRules.RELABEL_RULES_CONFIG)
            .withDefault("")
            .withImportance(Importance.MEDIUM)
            .withDoc("Names of relabel rules, applied in order to each stream's final label set (static, header, "
                    + "record and mapped labels, and __tenant_id__, the record's tenant) with Prometheus's "
                    + "semantics; their keys are relabel.rule.<name>.* (see below). Labels beginning with __ "
                    + "are removed after the last rule; __tenant_id__ becomes the record's tenant.");
    public static final ConfigKey<Long> LOKI_LIMITS_STREAM_RATE_BYTES = ConfigKey.longKey("loki.limits.stream.rate.bytes")
            .withDefault(LokiLimits.DEFAULT_STREAM_RATE_BYTES)
            .withValidator(Range.atLeast(1))
            .withImportance(Importance.MEDIUM)
            .withDoc("Loki's per_stream_rate_limit in bytes a second (line plus structured metadata, counted per "
                    + "stream, i.e. per label set): a stream above it waits in the buffer (buffer.max.bytes) while "
                    + "the others keep flowing. Each task sends a stream at most this divided by the connector's "
                    + "tasks, since several tasks may read partitions of one stream and Loki's limit is the "
                    + "stream's." + LIMITS_WHY);
    public static final ConfigKey<Long> LOKI_LIMITS_STREAM_BURST_BYTES = ConfigKey.longKey("loki.limits.stream.burst.bytes")
            .withDefault(LokiLimits.DEFAULT_STREAM_BURST_BYTES)
            .withValidator(Range.atLeast(1))
            .withImportance(Importance.MEDIUM)
            .withDoc("Loki's per_stream_rate_limit_burst in bytes: what a stream may send at once after a quiet time, "
                    + "divided among the connector's tasks like the rate; an entry larger than a task's share is "
                    + "refused (behavior.on.rejected)." + LIMITS_WHY);
    public static final ConfigKey<Long> LOKI_LIMITS_INGESTION_BURST_BYTES = ConfigKey.longKey("loki.limits.ingestion.burst.bytes")
            .withDefault(LokiLimits.DEFAULT_INGESTION_BURST_BYTES)
            .withValidator(Range.atLeast(1))
            .withImportance(Importance.MEDIUM)
            .withDoc("Loki's ingestion_burst_size_mb in bytes: no push carries more line and structured-metadata "
                    + "bytes than this (Loki answers such a push 429 forever), whatever batch.max.bytes says; "
                    + "an entry larger than it is refused (behavior.on.rejected). Set it to your Loki's value.");
    public static final ConfigKey<Long> LOKI_LIMITS_MAX_BEHIND_MS = ConfigKey.longKey("loki.limits.max.behind.ms")
            .withDefault(LokiLimits.DEFAULT_MAX_BEHIND_MS)
            .withValidator(Range.between(1L, 315_360_000_000L))
            .withImportance(Importance.MEDIUM)
            .withDoc("Half of Loki's max_chunk_age, in ms: Loki refuses an entry older than its stream's newest "
                    + "entry by more than this ('entry too far behind'). The sink does not send such an "
                    + "entry (behavior.on.rejected gets it with the reason) and pauses partitions that run "
                    + "ahead of a lagging partition of the same stream, so old lines arrive in time."
                    + LIMITS_WHY);

    /**
     * The keys in the order of the reference, each with how Connect's validate answer shows it: its group, its place
     * in the group (the order here), its width and its display name.
     */
    private static final List<Shown> SHOWN = List.of(
            shown(LOKI_URL, GROUP_LOKI, Width.LONG, "Loki URL"),
            shown(LOKI_TENANT_ID, GROUP_LOKI, Width.MEDIUM, "Tenant"),
            shown(LOKI_AUTH_BASIC_USERNAME, GROUP_LOKI, Width.MEDIUM, "Basic auth user"),
            shown(LOKI_AUTH_BASIC_PASSWORD, GROUP_LOKI, Width.MEDIUM, "Basic auth password"),
            shown(LOKI_AUTH_BEARER_TOKEN, GROUP_LOKI, Width.MEDIUM, "Bearer token"),
            shown(LOKI_AUTH_BEARER_TOKEN_FILE, GROUP_LOKI, Width.LONG, "Bearer token file"),
            shown(LOKI_PROXY_URL, GROUP_LOKI, Width.LONG, "Proxy URL"),
            shown(LOKI_PROXY_NO_PROXY, GROUP_LOKI, Width.LONG, "No proxy"),
            shown(LOKI_HEADERS, GROUP_LOKI, Width.LONG, "Extra headers"),
            shown(LOKI_TLS_TRUSTSTORE_LOCATION, GROUP_LOKI, Width.LONG, "Trust store"),
            shown(LOKI_TLS_TRUSTSTORE_PASSWORD, GROUP_LOKI, Width.MEDIUM, "Trust store password"),
            shown(LOKI_TLS_TRUSTSTORE_TYPE, GROUP_LOKI, Width.SHORT, "Trust store type"),
            shown(LOKI_TLS_KEYSTORE_LOCATION, GROUP_LOKI, Width.LONG, "Key store"),
            shown(LOKI_TLS_KEYSTORE_PASSWORD, GROUP_LOKI, Width.MEDIUM, "Key store password"),
            shown(LOKI_TLS_KEYSTORE_TYPE, GROUP_LOKI, Width.SHORT, "Key store type"),
            shown(LOKI_TLS_KEY_LOCATION, GROUP_LOKI, Width.LONG, "Key file"),
            shown(LOKI_TLS_VERIFY_HOSTNAME, GROUP_LOKI, Width.SHORT, "Verify host name"),
            shown(LOKI_ENCODING, GROUP_LOKI, Width.SHORT, "Encoding"),
            shown(LOKI_JSON_GZIP, GROUP_LOKI, Width.SHORT, "Gzip JSON"),
            shown(LOKI_VALIDATE_CONNECTION, GROUP_LOKI, Width.SHORT, "Validate connection"),
            shown(BATCH_MAX_BYTES, GROUP_BATCH, Width.SHORT, "Batch bytes"),
            shown(BATCH_MAX_WAIT_MS, GROUP_BATCH, Width.SHORT, "Batch wait (ms)"),
            shown(MAX_RETRIES, GROUP_BATCH, Width.SHORT, "Max retries"),
            shown(RETRY_BACKOFF_MIN_MS, GROUP_BATCH, Width.SHORT, "Backoff min (ms)"),
            shown(RETRY_BACKOFF_MAX_MS, GROUP_BATCH, Width.SHORT, "Backoff max (ms)"),
            shown(REQUEST_TIMEOUT_MS, GROUP_BATCH, Width.SHORT, "Request timeout (ms)"),
            shown(MAX_IN_FLIGHT_BATCHES, GROUP_BATCH, Width.SHORT, "In-flight batches"),
            shown(BUFFER_MAX_BYTES, GROUP_BATCH, Width.SHORT, "Buffer bytes"),
            shown(FLUSH_TIMEOUT_MS, GROUP_BATCH, Width.SHORT, "Flush timeout (ms)"),
            shown(LABELS_STATIC, GROUP_ENTRIES, Width.LONG, "Static labels"),
            shown(LABELS_HEADER_PREFIX, GROUP_ENTRIES, Width.MEDIUM, "Label header prefix"),
            shown(LABELS_FROM_RECORD, GROUP_ENTRIES, Width.SHORT, "Labels from record"),
            shown(STRUCTURED_METADATA_HEADER_PREFIX, GROUP_ENTRIES, Width.MEDIUM, "Metadata header prefix"),
            shown(LINE_FORMAT, GROUP_ENTRIES, Width.SHORT, "Line format"),
            shown(LINE_FORMAT_HEADERS, GROUP_ENTRIES, Width.LONG, "Line format headers"),
            shown(BEHAVIOR_ON_REJECTED, GROUP_ENTRIES, Width.SHORT, "On rejected"),
            shown(METRICS_LEVEL_LABEL, GROUP_ENTRIES, Width.SHORT, "Level label"),
            shown(METRICS_LEVEL_VALUES_MAX, GROUP_ENTRIES, Width.SHORT, "Level values"),
            shown(MAPPINGS, GROUP_ROUTING, Width.LONG, "Mappings"),
            shown(LABELS_VALUES_MAX, GROUP_ROUTING, Width.SHORT, "Label values max"),
            shown(RELABEL_RULES, GROUP_ROUTING, Width.LONG, "Relabel rules"),
            shown(LOKI_LIMITS_STREAM_RATE_BYTES, GROUP_LIMITS, Width.SHORT, "Stream rate (bytes/s)"),
            shown(LOKI_LIMITS_STREAM_BURST_BYTES, GROUP_LIMITS, Width.SHORT, "Stream burst (bytes)"),
            shown(LOKI_LIMITS_INGESTION_BURST_BYTES, GROUP_LIMITS, Width.SHORT, "Ingestion burst (bytes)"),
            shown(LOKI_LIMITS_MAX_BEHIND_MS, GROUP_LIMITS, Width.SHORT, "Max behind (ms)"));

    /** Set by the connector on each task's config, never by users: how many tasks share Loki's per-stream limit. */
    public static final ConfigKey<Integer> TASK_COUNT = ConfigKey.integer("task.count").withDefault(1)
            .withValidator(Range.atLeast(1)).internal();

    public static final ConfigDef CONFIG_DEF = TASK_COUNT.defineIn(definition(SHOWN));

    private final String pushUrl;
    private final String readyUrl;
    private final String tenantId;
    /** The X-Scope-OrgID of loki.headers, if there is one. */
    private final String headerTenant;
    private final String basicUser;
    private final Password basicPassword;
    private final Password bearerToken;
    private final String bearerTokenFile;
    private final String proxyUrl;
    private final String noProxy;
    private final Map<String, String> extraHeaders;
    private final TlsSettings tls;
    private final StoreType keystoreType;
    private final Encoding encoding;
    private final boolean jsonGzip;
    private final boolean validateConnection;
    private final int batchMaxBytes;
    private final long batchMaxWaitMs;
    private final int maxRetries;
    private final long retryBackoffMinMs;
    private final long retryBackoffMaxMs;
    private final int requestTimeoutMs;
    private final int maxInFlightBatches;
    private final long bufferMaxBytes;
    private final LabelSet staticLabels;
    private final String labelHeaderPrefix;
    private final Set<RecordLabel> recordLabels;
    private final String metadataHeaderPrefix;
    private final LineFormat lineFormat;
    private final List<String> lineFormatHeaders;
    private final RefusalRouter.Behavior behaviorOnRejected;
    private final String metricsLevelLabel;
    private final int metricsLevelValuesMax;
    private final List<String> mappingNames;
    private final List<String> relabelRuleNames;
    private final int labelsValuesMax;
    private final LokiLimits lokiLimits;
    /** What compiling the mapping and relabel rules found wrong; empty once the constructor passed. */
    private final List<ConfigProblem> mappingProblems = new ArrayList<>();
    private final List<ConfigProblem> relabelProblems = new ArrayList<>();
    private final List<RecordMapping> mappings;
    private final Relabeler relabeler;

    public LokiSinkConfig(Map<?, ?> props) {
        this(props, true);
    }

    private LokiSinkConfig(Map<?, ?> props, boolean enforceCrossKeyRules) {
        super(definition(props), props);
        Map<String, ?> values = values();
        String url = LOKI_URL.from(values).trim();
        String path = URI.create(url).getPath();
        pushUrl = path == null || path.isEmpty() || "/".equals(path)
                ? url.replaceAll("/+$", "") + "/loki/api/v1/push" : url;
        URI push = URI.create(pushUrl);
        readyUrl = push.getScheme() + "://" + push.getRawAuthority() + "/ready";
        Map<String, String> headers = HeaderList.parse(LOKI_HEADERS.from(values).value());
        // Promtail's and Alloy's users put the tenant in the headers: it is the default tenant, so the limits and
        // holds the sink keeps per tenant are the ones of the tenant Loki sees.
        headerTenant = removeTenantHeader(headers);
        String configuredTenant = LOKI_TENANT_ID.from(values);
        tenantId = configuredTenant.isEmpty() && headerTenant != null ? headerTenant : configuredTenant;
        basicUser = LOKI_AUTH_BASIC_USERNAME.from(values);
        basicPassword = LOKI_AUTH_BASIC_PASSWORD.from(values);
        bearerToken = LOKI_AUTH_BEARER_TOKEN.from(values);
        bearerTokenFile = LOKI_AUTH_BEARER_TOKEN_FILE.from(values);
        proxyUrl = LOKI_PROXY_URL.from(values).trim();
        noProxy = noProxy(LOKI_PROXY_NO_PROXY.from(values).trim());
        extraHeaders = headers;
        keystoreType = LOKI_TLS_KEYSTORE_TYPE.from(values);
        tls = new TlsSettings(LOKI_TLS_TRUSTSTORE_LOCATION.from(values),
                LOKI_TLS_TRUSTSTORE_PASSWORD.from(values).value().toCharArray(),
                LOKI_TLS_TRUSTSTORE_TYPE.from(values).value(), LOKI_TLS_KEYSTORE_LOCATION.from(values),
                LOKI_TLS_KEYSTORE_PASSWORD.from(values).value().toCharArray(), keystoreType.value(),
                LOKI_TLS_VERIFY_HOSTNAME.from(values), LOKI_TLS_KEY_LOCATION.from(values));
        encoding = LOKI_ENCODING.from(values);
        jsonGzip = LOKI_JSON_GZIP.from(values);
        validateConnection = LOKI_VALIDATE_CONNECTION.from(values);
        batchMaxBytes = BATCH_MAX_BYTES.from(values);
        batchMaxWaitMs = BATCH_MAX_WAIT_MS.from(values);
        maxRetries = MAX_RETRIES.from(values);
        retryBackoffMinMs = RETRY_BACKOFF_MIN_MS.from(values);
        retryBackoffMaxMs = RETRY_BACKOFF_MAX_MS.from(values);
        requestTimeoutMs = REQUEST_TIMEOUT_MS.from(values);
        maxInFlightBatches = MAX_IN_FLIGHT_BATCHES.from(values);
        bufferMaxBytes = BUFFER_MAX_BYTES.from(values);
        staticLabels = LabelSet.of(StaticLabels.parse(LABELS_STATIC.name(), LABELS_STATIC.from(values)));
        labelHeaderPrefix = LABELS_HEADER_PREFIX.from(values);
        recordLabels = LABELS_FROM_RECORD.from(values);
        metadataHeaderPrefix = STRUCTURED_METADATA_HEADER_PREFIX.from(values);
        lineFormat = LINE_FORMAT.from(values);
        lineFormatHeaders = LINE_FORMAT_HEADERS.from(values);
        behaviorOnRejected = BEHAVIOR_ON_REJECTED.from(values);
        metricsLevelLabel = METRICS_LEVEL_LABEL.from(values);
        metricsLevelValuesMax = METRICS_LEVEL_VALUES_MAX.from(values);
        mappingNames = MAPPINGS.from(values);
        relabelRuleNames = RELABEL_RULES.from(values);
        labelsValuesMax = LABELS_VALUES_MAX.from(values);
        lokiLimits = new LokiLimits(LOKI_LIMITS_STREAM_RATE_BYTES.from(values),
                LOKI_LIMITS_STREAM_BURST_BYTES.from(values), LOKI_LIMITS_INGESTION_BURST_BYTES.from(values),
                LOKI_LIMITS_MAX_BEHIND_MS.from(values) * 1_000_000L).sharedBy(TASK_COUNT.from(values));
        mappings = RoutingRules.mappings(ruleNames(mappingNames), this::get, mappingProblems);
        relabeler = new Relabeler(RoutingRules.relabelRules(ruleNames(relabelRuleNames), this::get, relabelProblems));
        if (enforceCrossKeyRules) {
            CrossKeyRules.enforce(crossKeyProblems());
        }
    }

    /** The definition of {@code shown}'s keys, each shown as it says. */
    private static ConfigDef definition(List<Shown> shown) {
        ConfigDef plain = new ConfigDef();
        ConfigDef def = new ConfigDef();
        Map<String, Integer> places = new HashMap<>();
        for (Shown s : shown) {
            ConfigDef.ConfigKey key = s.key().defineIn(plain).configKeys().get(s.key().name());
            def.define(new ConfigDef.ConfigKey(key.name, key.type, key.defaultValue, key.validator, key.importance,
                    key.documentation, s.group(), places.merge(s.group(), 1, Integer::sum), s.width(),
                    s.displayName(), key.dependents, key.recommender, key.internalConfig));
        }
        return def;
    }

    private record Shown(ConfigKey<?> key, String group, Width width, String displayName) {
    }

    private static Shown shown(ConfigKey<?> key, String group, Width width, String displayName) {
        return new Shown(key, group, width, displayName);
    }

    /** {@link #CONFIG_DEF} with the keys of the mapping and relabel rules {@code props} names. */
    public static ConfigDef definition(Map<?, ?> props) {
        return RoutingRules.enrich(CONFIG_DEF, props);
    }

    /**
     * The rules spanning keys that {@code props} break, each on the key to fix (see {@link CrossKeyRules}): the
     * constructor throws the first, {@link LokiSinkConnector#validate} reports them all. Per-key checks must pass.
     */
    static List<ConfigProblem> crossKeyProblems(Map<?, ?> props) {
        return new LokiSinkConfig(props, false).crossKeyProblems();
    }

    private List<ConfigProblem> crossKeyProblems() {
        List<ConfigProblem> problems = new ArrayList<>();
        String password = basicPassword.value();
        if (basicUser.isEmpty() != password.isEmpty()) {
            problems.add(problem(basicUser.isEmpty() ? LOKI_AUTH_BASIC_USERNAME : LOKI_AUTH_BASIC_PASSWORD, "",
                    "loki.auth.basic.username and loki.auth.basic.password must be set together"));
        }
        if (!basicUser.isEmpty() && !bearerToken.value().isEmpty()) {
            problems.add(problem(LOKI_AUTH_BEARER_TOKEN, "(hidden)",
                    "use either basic auth or a bearer token, not both"));
        }
        if (!bearerTokenFile.isEmpty()) {
            if (!basicUser.isEmpty() || !bearerToken.value().isEmpty()) {
                problems.add(problem(LOKI_AUTH_BEARER_TOKEN_FILE, bearerTokenFile, "use one of basic auth, "
                        + "loki.auth.bearer.token and loki.auth.bearer.token.file"));
            } else if (!Files.isReadable(Path.of(bearerTokenFile))) {
                problems.add(problem(LOKI_AUTH_BEARER_TOKEN_FILE, bearerTokenFile,
                        "the file does not exist or is not readable by the worker"));
            }
        }
        String keyFile = tls.keyLocation();
        if (!keyFile.isEmpty() && keystoreType != StoreType.PEM) {
            problems.add(problem(LOKI_TLS_KEY_LOCATION, keyFile, "is read only with loki.tls.keystore.type=PEM"));
        }
        if (retryBackoffMinMs > retryBackoffMaxMs) {
            problems.add(problem(RETRY_BACKOFF_MIN_MS, retryBackoffMinMs,
                    "must not exceed retry.backoff.max.ms (" + retryBackoffMaxMs + ")"));
        }
        if (bufferMaxBytes < batchMaxBytes) {
            problems.add(problem(BUFFER_MAX_BYTES, bufferMaxBytes,
                    "must be at least batch.max.bytes (" + batchMaxBytes + ")"));
        }
        problems.addAll(RoutingRules.nameProblems(MAPPINGS.name(), mappingNames));
        problems.addAll(RoutingRules.nameProblems(RELABEL_RULES.name(), relabelRuleNames));
        problems.addAll(mappingProblems);
        problems.addAll(relabelProblems);
        if (headerTenant != null) {
            String tenantProblem = TenantIds.problem(headerTenant); // 'a|b' included: Loki's "multiple org IDs"
            if (tenantProblem != null) {
                problems.add(problem(LOKI_HEADERS, "[hidden]", "its X-Scope-OrgID is a tenant Loki would refuse with "
                        + "400: " + tenantProblem + "; set the tenant in loki.tenant.id instead"));
            } else if (!tenantId.equals(headerTenant)) {
                problems.add(problem(LOKI_HEADERS, "[hidden]", "its X-Scope-OrgID names another tenant than "
                        + "loki.tenant.id: remove it from loki.headers (loki.tenant.id is the tenant of records "
                        + "without their own)"));
            }
        }
        checkReadable(problems, LOKI_TLS_TRUSTSTORE_LOCATION, tls.truststoreLocation());
        checkReadable(problems, LOKI_TLS_KEYSTORE_LOCATION, tls.keystoreLocation());
        checkReadable(problems, LOKI_TLS_KEY_LOCATION, tls.keyLocation());
        return problems;
    }

    private static void checkReadable(List<ConfigProblem> problems, ConfigKey<String> key, String file) {
        if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
            problems.add(problem(key, file, "the file does not exist or is not readable by the worker"));
        }
    }

    /** Removes the X-Scope-OrgID header (any case) from {@code headers}; its value, or null without one. */
    private static String removeTenantHeader(Map<String, String> headers) {
        String tenant = null;
        for (var it = headers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, String> header = it.next();
            if (header.getKey().equalsIgnoreCase("X-Scope-OrgID")) {
                tenant = header.getValue();
                it.remove();
            }
        }
        return tenant;
    }

    private static ConfigProblem problem(ConfigKey<?> key, Object value, String message) {
        return new ConfigProblem(key.name(), value, message);
    }

    private static List<String> ruleNames(List<String> listed) {
        List<String> names = new ArrayList<>();
        for (String name : listed) {
            if (!name.isBlank() && !names.contains(name.trim())) {
                names.add(name.trim());
            }
        }
        return names;
    }

    /** {@code configured}, else the worker's NO_PROXY or no_proxy environment variable. */
    private static String noProxy(String configured) {
        if (!configured.isEmpty()) {
            return configured;
        }
        String env = System.getenv("NO_PROXY");
        if (env == null || env.isBlank()) {
            env = System.getenv("no_proxy");
        }
        return env == null ? "" : env;
    }

    public String tenantId() {
        return tenantId;
    }

    /** Everything the HTTP client needs: endpoints, credentials, TLS, timeout, and a connection per batch in flight. */
    public LokiClient.Settings clientSettings() {
        return new LokiClient.Settings(pushUrl, readyUrl, tenantId, basicUser, basicPassword.value(),
                bearerToken.value(), extraHeaders, tls, Duration.ofMillis(requestTimeoutMs), maxInFlightBatches + 1,
                Version.get(), bearerTokenFile, proxyUrl, noProxy);
    }

    /** Everything the task's pipeline needs; {@code name} names its threads. */
    public SinkPipeline.Settings pipelineSettings(String name) {
        return new SinkPipeline.Settings(name, clientSettings(), encoding == Encoding.PROTOBUF, jsonGzip,
                batchMaxBytes, batchMaxWaitMs, new RetryPolicy(maxRetries, retryBackoffMinMs, retryBackoffMaxMs),
                maxInFlightBatches, bufferMaxBytes, lokiLimits, behaviorOnRejected, metricsLevelLabel);
    }

    public boolean validateConnection() {
        return validateConnection;
    }

    public LabelSet staticLabels() {
        return staticLabels;
    }

    public String labelHeaderPrefix() {
        return labelHeaderPrefix;
    }

    public boolean topicLabel() {
        return recordLabels.contains(RecordLabel.TOPIC);
    }

    public boolean partitionLabel() {
        return recordLabels.contains(RecordLabel.PARTITION);
    }

    public boolean filenameLabel() {
        return recordLabels.contains(RecordLabel.FILENAME);
    }

    public boolean hostLabel() {
        return recordLabels.contains(RecordLabel.HOST);
    }

    /** The mapping rules of {@code mappings}, compiled, in order. */
    public List<RecordMapping> mappings() {
        return mappings;
    }

    public int labelsValuesMax() {
        return labelsValuesMax;
    }

    /** The relabel rules of {@code relabel.rules}, compiled. */
    public Relabeler relabeler() {
        return relabeler;
    }

    public String metadataHeaderPrefix() {
        return metadataHeaderPrefix;
    }

    public LineFormat lineFormat() {
        return lineFormat;
    }

    public List<String> lineFormatHeaders() {
        return lineFormatHeaders;
    }

    public int metricsLevelValuesMax() {
        return metricsLevelValuesMax;
    }

    /** {@code loki.url}: an absolute http(s) URL with a host, no credentials, and no unresolved {@code ${env:...}}. */
    static final class LokiUrl implements ConfigDef.Validator {

        /** user:password@ (or user@) in an authority; anything up to the last '@' before the path counts. */
        private static final java.util.regex.Pattern USER_INFO = java.util.regex.Pattern.compile("^([^:/?#]*://)([^/?#]*@)");

        /** {@code url} with any user info replaced, so no message or log line holds a password. */
        static String redact(String url) {
            return USER_INFO.matcher(url).replaceFirst("$1***@");
        }

        @Override
        public void ensureValid(String name, Object value) {
            String raw = value == null ? "" : value.toString().trim();
            String url = redact(raw);
            if (!url.equals(raw)) {
                throw new ConfigException(name, url, "holds credentials (user info before '@'); they would be logged "
                        + "with the URL. Remove them from the URL and set " + AUTH_KEYS + " instead");
            }
            Unresolved.reject(name, url);
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new ConfigException(name, url, "is not an http(s) URL: use http://loki:3100 or "
                            + "https://loki.example.com/loki/api/v1/push");
                }
                if (uri.getRawUserInfo() != null) {
                    throw new ConfigException(name, redact(url), "holds credentials (user info before '@'); they "
                            + "would be logged with the URL. Remove them and set " + AUTH_KEYS + " instead");
                }
                if (uri.getHost() == null) {
                    throw new ConfigException(name, url, "has no host: use http://<host>:3100");
                }
            } catch (URISyntaxException e) {
                throw new ConfigException(name, url, "is not a valid URL: " + e.getReason());
            }
        }

        @Override
        public String toString() {
            return "http(s) URL";
        }
    }

    /** {@code loki.proxy.url}: empty, or an http URL with a host, no credentials. */
    static final class ProxyUrl implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String url = value == null ? "" : value.toString().trim();
            if (url.isEmpty()) {
                return;
            }
            String redacted = LokiUrl.redact(url);
            if (!redacted.equals(url)) {
                throw new ConfigException(name, redacted, "holds credentials (user info before '@'); they would be "
                        + "logged with the URL. A proxy with authentication is not supported: use one that allows "
                        + "the worker's address");
            }
            Unresolved.reject(name, url);
            try {
                URI uri = new URI(url);
                if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    throw new ConfigException(name, url, "is not an http proxy URL: use http://proxy:3128");
                }
            } catch (URISyntaxException e) {
                throw new ConfigException(name, url, "is not a valid URL: " + e.getReason());
            }
        }

        @Override
        public String toString() {
            return "empty or http://host:port";
        }
    }

    /** The keys that carry credentials, named when a URL holds some. */
    static final String AUTH_KEYS = "loki.auth.basic.username and loki.auth.basic.password, loki.auth.bearer.token, "
            + "loki.auth.bearer.token.file or loki.headers";

    /** A value sent as an HTTP header ({@code loki.tenant.id}, {@code loki.auth.bearer.token}); never echoed. */
    static final class HeaderValue implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = value instanceof Password p ? p.value() : value == null ? "" : value.toString();
            if (!HeaderText.isValidValue(text)) {
                throw new ConfigException(name, Password.HIDDEN, "holds a character an HTTP header cannot carry "
                        + "(only printable ASCII and tab; no line break, no accented or other non-ASCII letter)");
            }
        }

        @Override
        public String toString() {
            return "printable ASCII";
        }
    }

    /** {@code loki.tenant.id}: empty, or a tenant ID Loki takes ({@link TenantIds}, dskit's rule). */
    static final class TenantId implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = value == null ? "" : value.toString();
            if (text.isEmpty()) {
                return;
            }
            String problem = TenantIds.problem(text);
            if (problem == null && text.indexOf(TenantIds.SEPARATOR) >= 0) {
                problem = "names several tenants ('|'); a push goes to one";
            }
            if (problem != null) {
                throw new ConfigException(name, text, "Loki would refuse this tenant with 400: " + problem
                        + ". Use letters, digits and ! - _ . * ' ( ), at most " + TenantIds.MAX_LENGTH + " bytes");
            }
        }

        @Override
        public String toString() {
            return "empty, or up to 150 of a-z A-Z 0-9 ! - _ . * ' ( )";
        }
    }

    /** {@code loki.headers}: {@code Name:value} pairs, hidden like a password. */
    static final class HeaderList implements ConfigDef.Validator {

        /** A comma-separated list, as ConfigDef splits a LIST (the value is typed PASSWORD so it stays hidden). */
        static List<String> items(String value) {
            List<String> items = new ArrayList<>();
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
            return items;
        }

        static Map<String, String> parse(String value) {
            Map<String, String> pairs = new LinkedHashMap<>();
            for (String item : items(value)) {
                int at = item.indexOf(':');
                pairs.put(item.substring(0, at).trim(), item.substring(at + 1).trim());
            }
            return pairs;
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            for (String item : items(((Password) value).value())) {
                int at = item.indexOf(':');
                if (at <= 0) {
                    // Never echoed: a malformed header may still hold its secret.
                    throw new ConfigException(name, Password.HIDDEN, "expected Name:value pairs separated by commas, "
                            + "e.g. X-Team:logs (an item has no ':' after a name)");
                }
                String header = item.substring(0, at).trim();
                if (!HeaderText.isValidName(header)) {
                    throw new ConfigException(name, Password.HIDDEN, "a header name holds a space or a character "
                            + "other than visible ASCII; use names like X-Team");
                }
                if (!HeaderText.isValidValue(item.substring(at + 1).trim())) {
                    throw new ConfigException(name, Password.HIDDEN, "the value of header " + header + " holds a "
                            + "character an HTTP header cannot carry (only printable ASCII and tab; no line break, no "
                            + "accented or other non-ASCII letter); the value is not shown");
                }
            }
        }

        @Override
        public String toString() {
            return "Name:value,...";
        }
    }
}
