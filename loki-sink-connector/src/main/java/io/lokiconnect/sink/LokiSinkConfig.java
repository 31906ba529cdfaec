package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.config.ConfigChoice;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Configuration of {@link LokiSinkConnector}: every key typed, validated and documented here. */
public class LokiSinkConfig extends AbstractConfig {

    public static final String LOKI_URL_CONFIG = "loki.url";
    public static final String LOKI_TENANT_ID_CONFIG = "loki.tenant.id";
    public static final String LOKI_AUTH_BASIC_USERNAME_CONFIG = "loki.auth.basic.username";
    public static final String LOKI_AUTH_BASIC_PASSWORD_CONFIG = "loki.auth.basic.password";
    public static final String LOKI_AUTH_BEARER_TOKEN_CONFIG = "loki.auth.bearer.token";
    public static final String LOKI_AUTH_BEARER_TOKEN_FILE_CONFIG = "loki.auth.bearer.token.file";
    public static final String LOKI_HEADERS_CONFIG = "loki.headers";
    public static final String LOKI_PROXY_URL_CONFIG = "loki.proxy.url";
    public static final String LOKI_PROXY_NO_PROXY_CONFIG = "loki.proxy.no.proxy";
    public static final String LOKI_TLS_KEY_LOCATION_CONFIG = "loki.tls.key.location";
    public static final String LOKI_TLS_TRUSTSTORE_LOCATION_CONFIG = "loki.tls.truststore.location";
    public static final String LOKI_TLS_TRUSTSTORE_PASSWORD_CONFIG = "loki.tls.truststore.password";
    public static final String LOKI_TLS_TRUSTSTORE_TYPE_CONFIG = "loki.tls.truststore.type";
    public static final String LOKI_TLS_KEYSTORE_LOCATION_CONFIG = "loki.tls.keystore.location";
    public static final String LOKI_TLS_KEYSTORE_PASSWORD_CONFIG = "loki.tls.keystore.password";
    public static final String LOKI_TLS_KEYSTORE_TYPE_CONFIG = "loki.tls.keystore.type";
    public static final String LOKI_TLS_VERIFY_HOSTNAME_CONFIG = "loki.tls.verify.hostname";
    public static final String LOKI_ENCODING_CONFIG = "loki.encoding";
    public static final String LOKI_JSON_GZIP_CONFIG = "loki.json.gzip";
    public static final String LOKI_VALIDATE_CONNECTION_CONFIG = "loki.validate.connection";
    public static final String BATCH_MAX_BYTES_CONFIG = "batch.max.bytes";
    public static final String BATCH_MAX_WAIT_MS_CONFIG = "batch.max.wait.ms";
    public static final String MAX_RETRIES_CONFIG = "max.retries";
    public static final String RETRY_BACKOFF_MIN_MS_CONFIG = "retry.backoff.min.ms";
    public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "retry.backoff.max.ms";
    public static final String REQUEST_TIMEOUT_MS_CONFIG = "request.timeout.ms";
    public static final String MAX_IN_FLIGHT_BATCHES_CONFIG = "max.in.flight.batches";
    public static final String BUFFER_MAX_BYTES_CONFIG = "buffer.max.bytes";
    public static final String FLUSH_TIMEOUT_MS_CONFIG = "flush.timeout.ms";
    public static final String LABELS_STATIC_CONFIG = "labels.static";
    public static final String LABELS_HEADER_PREFIX_CONFIG = "labels.header.prefix";
    public static final String LABELS_FROM_RECORD_CONFIG = "labels.from.record";
    public static final String STRUCTURED_METADATA_HEADER_PREFIX_CONFIG = "structured.metadata.header.prefix";
    public static final String LINE_FORMAT_CONFIG = "line.format";
    public static final String LINE_FORMAT_HEADERS_CONFIG = "line.format.headers";
    public static final String BEHAVIOR_ON_REJECTED_CONFIG = "behavior.on.rejected";
    public static final String METRICS_LEVEL_LABEL_CONFIG = "metrics.level.label";
    public static final String METRICS_LEVEL_VALUES_MAX_CONFIG = "metrics.level.values.max";
    public static final String LOKI_LIMITS_STREAM_RATE_BYTES_CONFIG = "loki.limits.stream.rate.bytes";
    public static final String LOKI_LIMITS_STREAM_BURST_BYTES_CONFIG = "loki.limits.stream.burst.bytes";
    public static final String LOKI_LIMITS_INGESTION_BURST_BYTES_CONFIG = "loki.limits.ingestion.burst.bytes";
    public static final String LOKI_LIMITS_MAX_BEHIND_MS_CONFIG = "loki.limits.max.behind.ms";
    public static final String MAPPINGS_CONFIG = RoutingRules.MAPPINGS_CONFIG;
    public static final String RELABEL_RULES_CONFIG = RoutingRules.RELABEL_RULES_CONFIG;
    public static final String LABELS_VALUES_MAX_CONFIG = "labels.values.max";

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

    private static final EnumChoice<Encoding> ENCODING = EnumChoice.of(Encoding.class);
    private static final EnumChoice<StoreType> STORE_TYPE = EnumChoice.of(StoreType.class);
    private static final EnumChoice<RecordLabel> RECORD_LABELS = EnumChoice.forList(RecordLabel.class);
    private static final EnumChoice<LineFormat> LINE_FORMAT = EnumChoice.of(LineFormat.class);
    private static final EnumChoice<RefusalRouter.Behavior> BEHAVIOR_ON_REJECTED =
            EnumChoice.of(RefusalRouter.Behavior.class);

    private static final String GROUP_LOKI = "Loki";
    private static final String GROUP_BATCH = "Batching and retries";
    private static final String GROUP_ENTRIES = "Entries";
    private static final String GROUP_LIMITS = "Loki's limits";
    private static final String GROUP_ROUTING = "Routing: tenants, mappings, relabelling";
    private static final String LIMITS_WHY = " Loki drops entries over this limit while it answers 204 (for any stream "
            + "but a push's last), so the sink applies it itself and never sends what Loki would drop; set it to "
            + "your Loki's value.";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(LOKI_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new LokiUrl(), Importance.HIGH,
                    "Loki's base URL (http://loki:3100) or full push URL (http://loki:3100/loki/api/v1/push); "
                            + "http or https. No credentials in it (user:password@ would be logged with the URL): use "
                            + "the loki.auth.* keys or loki.headers.",
                    GROUP_LOKI, 1, ConfigDef.Width.LONG, "Loki URL")
            .define(LOKI_TENANT_ID_CONFIG, Type.STRING, "", new TenantId(), Importance.MEDIUM,
                    "Tenant sent as the X-Scope-OrgID header (multi-tenant Loki) for records without a tenant of "
                            + "their own: a record's loki.tenant header (written by the JsonLabels transform from "
                            + "tenant.field, or by any producer) or a mapping with target=tenant wins. Each push "
                            + "carries one tenant. Empty: no header.",
                    GROUP_LOKI, 2, ConfigDef.Width.MEDIUM, "Tenant")
            .define(LOKI_AUTH_BASIC_USERNAME_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "User of HTTP basic authentication; set together with loki.auth.basic.password.",
                    GROUP_LOKI, 3, ConfigDef.Width.MEDIUM, "Basic auth user")
            .define(LOKI_AUTH_BASIC_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.MEDIUM,
                    "Password of HTTP basic authentication; set together with loki.auth.basic.username.",
                    GROUP_LOKI, 4, ConfigDef.Width.MEDIUM, "Basic auth password")
            .define(LOKI_AUTH_BEARER_TOKEN_CONFIG, Type.PASSWORD, "", new HeaderValue(), Importance.MEDIUM,
                    "Bearer token sent as 'Authorization: Bearer <token>'. Not together with basic auth.",
                    GROUP_LOKI, 5, ConfigDef.Width.MEDIUM, "Bearer token")
            .define(LOKI_AUTH_BEARER_TOKEN_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "File holding the bearer token (a Kubernetes projected service account token, a Vault agent's "
                            + "sink): read at start, read again at most once a second while pushing and at once after "
                            + "a 401 or 403, so a rotated token is used without a restart (the kubelet's atomic swap "
                            + "of the ..data symlink included). Surrounding whitespace is ignored; an empty or "
                            + "unreadable file keeps the token read before. Not together with loki.auth.bearer.token "
                            + "or basic auth.",
                    GROUP_LOKI, 5, ConfigDef.Width.LONG, "Bearer token file")
            .define(LOKI_PROXY_URL_CONFIG, Type.STRING, "", new ProxyUrl(), Importance.LOW,
                    "HTTP proxy for the pushes, http://host:port (https Loki is reached through it with CONNECT, TLS "
                            + "ending at Loki). Hosts in loki.proxy.no.proxy go direct. Empty: no proxy (the JVM's "
                            + "own proxy settings, if any).",
                    GROUP_LOKI, 6, ConfigDef.Width.LONG, "Proxy URL")
            .define(LOKI_PROXY_NO_PROXY_CONFIG, Type.STRING, "", Importance.LOW,
                    "Hosts reached without loki.proxy.url, as NO_PROXY is read by Go's (Loki's, Alloy's) HTTP "
                            + "clients: comma-separated domains (matching their subdomains), IPs, CIDR ranges, "
                            + "optional :port, or *. Empty: the worker's NO_PROXY (or no_proxy) environment variable.",
                    GROUP_LOKI, 7, ConfigDef.Width.LONG, "No proxy")
            .define(LOKI_HEADERS_CONFIG, Type.PASSWORD, "", new HeaderList(), Importance.LOW,
                    "Extra HTTP headers, comma-separated 'Name:value' pairs. Hidden like a password (the worker logs "
                            + "[hidden]), since such headers often carry a key.",
                    GROUP_LOKI, 6, ConfigDef.Width.LONG, "Extra headers")
            .define(LOKI_TLS_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "Trust store holding the CA of an https Loki: a PKCS12 or JKS file, or with "
                            + "loki.tls.truststore.type=PEM a PEM file of CA certificates (a Kubernetes secret's ca.crt). "
                            + "Empty: the JVM's trust store.",
                    GROUP_LOKI, 7, ConfigDef.Width.LONG, "Trust store")
            .define(LOKI_TLS_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.MEDIUM,
                    "Password of the trust store.", GROUP_LOKI, 8, ConfigDef.Width.MEDIUM, "Trust store password")
            .define(LOKI_TLS_TRUSTSTORE_TYPE_CONFIG, Type.STRING, StoreType.PKCS12.value(), STORE_TYPE, Importance.LOW,
                    "Trust store type: PKCS12, JKS or PEM.", GROUP_LOKI, 9, ConfigDef.Width.SHORT, "Trust store type",
                    STORE_TYPE)
            .define(LOKI_TLS_KEYSTORE_LOCATION_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "Key store with the client certificate for mutual TLS: a PKCS12 or JKS file, or with "
                            + "loki.tls.keystore.type=PEM a PEM file of the certificate chain (tls.crt), its private "
                            + "key in it or in loki.tls.key.location. Empty: no client cert.",
                    GROUP_LOKI, 10, ConfigDef.Width.LONG, "Key store")
            .define(LOKI_TLS_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.MEDIUM,
                    "Password of the key store and of its key.", GROUP_LOKI, 11, ConfigDef.Width.MEDIUM,
                    "Key store password")
            .define(LOKI_TLS_KEYSTORE_TYPE_CONFIG, Type.STRING, StoreType.PKCS12.value(), STORE_TYPE, Importance.LOW,
                    "Key store type: PKCS12, JKS or PEM.", GROUP_LOKI, 12, ConfigDef.Width.SHORT, "Key store type",
                    STORE_TYPE)
            .define(LOKI_TLS_KEY_LOCATION_CONFIG, Type.STRING, "", Importance.LOW,
                    "With loki.tls.keystore.type=PEM: the PEM file of the client's private key (tls.key), PKCS#8 "
                            + "('BEGIN PRIVATE KEY'; 'BEGIN ENCRYPTED PRIVATE KEY' with loki.tls.keystore.password) or "
                            + "RSA PKCS#1 ('BEGIN RSA PRIVATE KEY'). Empty: the key is in the key store file.",
                    GROUP_LOKI, 12, ConfigDef.Width.LONG, "Key file")
            .define(LOKI_TLS_VERIFY_HOSTNAME_CONFIG, Type.BOOLEAN, true, Importance.LOW,
                    "Check that Loki's certificate names the host of loki.url. Certificates are always verified "
                            + "against the trust store; turn only the host name check off, and only for tests.",
                    GROUP_LOKI, 13, ConfigDef.Width.SHORT, "Verify host name")
            .define(LOKI_ENCODING_CONFIG, Type.STRING, Encoding.PROTOBUF.value(), ENCODING, Importance.MEDIUM,
                    "Push body: 'protobuf' (snappy-compressed logproto.PushRequest, as Promtail sends) or 'json'.",
                    GROUP_LOKI, 14, ConfigDef.Width.SHORT, "Encoding", ENCODING)
            .define(LOKI_JSON_GZIP_CONFIG, Type.BOOLEAN, true, Importance.LOW,
                    "With loki.encoding=json, gzip the body (Content-Encoding: gzip).",
                    GROUP_LOKI, 15, ConfigDef.Width.SHORT, "Gzip JSON")
            .define(LOKI_VALIDATE_CONNECTION_CONFIG, Type.BOOLEAN, false, Importance.LOW,
                    "When true, config validation (the dry run, PUT /connector-plugins/.../config/validate) calls "
                            + "Loki's GET /ready and reports a failure on loki.url.",
                    GROUP_LOKI, 16, ConfigDef.Width.SHORT, "Validate connection")
            .define(BATCH_MAX_BYTES_CONFIG, Type.INT, 1_048_576, Range.between(1024, 64 * 1024 * 1024),
                    Importance.HIGH, "Largest push request in bytes, counted on the encoded (uncompressed) request.",
                    GROUP_BATCH, 1, ConfigDef.Width.SHORT, "Batch bytes")
            .define(BATCH_MAX_WAIT_MS_CONFIG, Type.LONG, 1000L, Range.between(1, 600_000), Importance.HIGH,
                    "Longest time in ms an entry waits in an open batch before the batch is sent.",
                    GROUP_BATCH, 2, ConfigDef.Width.SHORT, "Batch wait (ms)")
            .define(MAX_RETRIES_CONFIG, Type.INT, 5, Range.atLeast(-1), Importance.HIGH,
                    "Retries of a push after a connection error, timeout, 429, 5xx, 408, 499, 401 or 403; -1 retries forever. "
                            + "When they run out the task fails (its offsets are not committed, nothing is dropped). "
                            + "3xx, 404 and other 4xx fail the task at once; a 413 splits the batch.",
                    GROUP_BATCH, 3, ConfigDef.Width.SHORT, "Max retries")
            .define(RETRY_BACKOFF_MIN_MS_CONFIG, Type.LONG, 500L, Range.between(1, 3_600_000), Importance.MEDIUM,
                    "First retry backoff in ms; it doubles per retry up to retry.backoff.max.ms, with full jitter.",
                    GROUP_BATCH, 4, ConfigDef.Width.SHORT, "Backoff min (ms)")
            .define(RETRY_BACKOFF_MAX_MS_CONFIG, Type.LONG, 30_000L, Range.between(1, 3_600_000), Importance.MEDIUM,
                    "Largest retry backoff in ms (also the cap on a 429's Retry-After).",
                    GROUP_BATCH, 5, ConfigDef.Width.SHORT, "Backoff max (ms)")
            .define(REQUEST_TIMEOUT_MS_CONFIG, Type.INT, 10_000, Range.between(100, 600_000), Importance.MEDIUM,
                    "Time in ms one push request may take (connect, write and read) before it counts as failed "
                            + "and is retried.",
                    GROUP_BATCH, 6, ConfigDef.Width.SHORT, "Request timeout (ms)")
            .define(MAX_IN_FLIGHT_BATCHES_CONFIG, Type.INT, 2, Range.between(1, 64), Importance.MEDIUM,
                    "Batches a task sends at the same time (each on its own connection).",
                    GROUP_BATCH, 7, ConfigDef.Width.SHORT, "In-flight batches")
            .define(BUFFER_MAX_BYTES_CONFIG, Type.LONG, 16L * 1024 * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Back-pressure bound in bytes: when the lines buffered or in flight reach it, the task pauses "
                            + "its partitions until pushes complete, so heap stays bounded with a slow or dead Loki.",
                    GROUP_BATCH, 8, ConfigDef.Width.SHORT, "Buffer bytes")
            .define(FLUSH_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                    "Ignored, kept so existing configs stay valid: a stop abandons buffered batches and pushes at "
                            + "once, since Connect commits nothing after it stops a task and the next task sends them "
                            + "again (a stop that waited outlasted task.shutdown.graceful.timeout.ms).",
                    GROUP_BATCH, 9, ConfigDef.Width.SHORT, "Flush timeout (ms)")
            .define(LABELS_STATIC_CONFIG, Type.LIST, "", StaticLabels.validator(), Importance.MEDIUM,
                    "Labels put on every stream, comma-separated name=value: job=kafka-logs,env=prod. Read as the "
                            + "JsonLabels transform reads static.labels: a name must be a valid label name, a value "
                            + "not empty.",
                    GROUP_ENTRIES, 1, ConfigDef.Width.LONG, "Static labels")
            .define(LABELS_HEADER_PREFIX_CONFIG, Type.STRING, LokiHeaders.LABEL_PREFIX, new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Record headers named <prefix><label> become stream labels (written by the "
                            + "JsonLabels transform).",
                    GROUP_ENTRIES, 2, ConfigDef.Width.MEDIUM, "Label header prefix")
            .define(LABELS_FROM_RECORD_CONFIG, Type.LIST, "", RECORD_LABELS, Importance.LOW,
                    "Labels taken from the record as it is: 'topic', 'partition', and 'filename' and 'host', the "
                            + "labels Alloy's loki.source.file gives (the file's path and the host that read it, from "
                            + "the file source's log.file.path and log.host headers: set headers=path,host on the "
                            + "source). A record without the header gets no such label.",
                    GROUP_ENTRIES, 3, ConfigDef.Width.SHORT, "Labels from record", RECORD_LABELS)
            .define(STRUCTURED_METADATA_HEADER_PREFIX_CONFIG, Type.STRING, LokiHeaders.METADATA_PREFIX,
                    new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Record headers named <prefix><name> become the entry's structured metadata (Loki 3).",
                    GROUP_ENTRIES, 4, ConfigDef.Width.MEDIUM, "Metadata header prefix")
            .define(LINE_FORMAT_CONFIG, Type.STRING, LineFormat.VALUE.value(), LINE_FORMAT, Importance.MEDIUM,
                    "Log line sent to Loki: 'value' (the record value as is), 'json' or 'logfmt' (the value under "
                            + "'message' with the headers of line.format.headers folded in).",
                    GROUP_ENTRIES, 5, ConfigDef.Width.SHORT, "Line format", LINE_FORMAT)
            .define(LINE_FORMAT_HEADERS_CONFIG, Type.LIST, "log.file.path,log.host", Importance.LOW,
                    "Headers folded into the line when line.format is json or logfmt (missing ones are skipped).",
                    GROUP_ENTRIES, 6, ConfigDef.Width.LONG, "Line format headers")
            .define(BEHAVIOR_ON_REJECTED_CONFIG, Type.STRING, RefusalRouter.Behavior.DLQ.value(), BEHAVIOR_ON_REJECTED,
                    Importance.MEDIUM,
                    "Records that do not reach Loki: entries Loki refuses with a 400 (too old, too long, bad "
                            + "labels...) or a 413 for the entry alone, and records that cannot become an entry (no "
                            + "timestamp). 'dlq' sends them to the dead letter queue (errors.deadletterqueue.topic.name; "
                            + "logged and counted when none), 'log' logs and counts them, 'fail' fails the task. Never "
                            + "retried.",
                    GROUP_ENTRIES, 7, ConfigDef.Width.SHORT, "On rejected", BEHAVIOR_ON_REJECTED)
            .define(METRICS_LEVEL_LABEL_CONFIG, Type.STRING, "level", Importance.LOW,
                    "Label whose values are counted in the lines-by-level-total metric.",
                    GROUP_ENTRIES, 8, ConfigDef.Width.SHORT, "Level label")
            .define(METRICS_LEVEL_VALUES_MAX_CONFIG, Type.INT, 10, Range.between(0, 1000), Importance.LOW,
                    "Distinct level values given their own metric; later values are counted under 'other'.",
                    GROUP_ENTRIES, 9, ConfigDef.Width.SHORT, "Level values")
            .define(MAPPINGS_CONFIG, Type.LIST, "", Importance.MEDIUM,
                    "Names of mapping rules, in order: each takes a part of the record (its key, a header by name or "
                            + "regex, its topic with regex groups, its partition) into a label, structured metadata or "
                            + "the tenant; its keys are mapping.<name>.* (see below). A later rule's label wins over "
                            + "an earlier one's, and both over header labels and labels.static.",
                    GROUP_ROUTING, 1, ConfigDef.Width.LONG, "Mappings")
            .define(LABELS_VALUES_MAX_CONFIG, Type.INT, 1000, Range.atLeast(1), Importance.LOW,
                    "Most distinct values of each label a mapping makes, per task (and most distinct tenants "
                            + "mappings give); a further new value is sent as __overflow__ (counted in "
                            + "label-overflows-total, logged once per label), a further tenant sends the record to "
                            + "behavior.on.rejected. Bounds the Loki streams a runaway key or header creates.",
                    GROUP_ROUTING, 2, ConfigDef.Width.SHORT, "Label values max")
            .define(RELABEL_RULES_CONFIG, Type.LIST, "", Importance.MEDIUM,
                    "Names of relabel rules, applied in order to each stream's final label set (static, header, "
                            + "record and mapped labels, and __tenant_id__, the record's tenant) with Prometheus's "
                            + "semantics; their keys are relabel.rule.<name>.* (see below). Labels beginning with __ "
                            + "are removed after the last rule; __tenant_id__ becomes the record's tenant.",
                    GROUP_ROUTING, 3, ConfigDef.Width.LONG, "Relabel rules")
            .define(LOKI_LIMITS_STREAM_RATE_BYTES_CONFIG, Type.LONG, LokiLimits.DEFAULT_STREAM_RATE_BYTES,
                    Range.atLeast(1), Importance.MEDIUM,
                    "Loki's per_stream_rate_limit in bytes a second (line plus structured metadata, counted per "
                            + "stream, i.e. per label set, per task): a stream above it waits in the buffer "
                            + "(buffer.max.bytes) while the others keep flowing." + LIMITS_WHY,
                    GROUP_LIMITS, 1, ConfigDef.Width.SHORT, "Stream rate (bytes/s)")
            .define(LOKI_LIMITS_STREAM_BURST_BYTES_CONFIG, Type.LONG, LokiLimits.DEFAULT_STREAM_BURST_BYTES,
                    Range.atLeast(1), Importance.MEDIUM,
                    "Loki's per_stream_rate_limit_burst in bytes: what a stream may send at once after a quiet time; "
                            + "an entry larger than it is refused (behavior.on.rejected)." + LIMITS_WHY,
                    GROUP_LIMITS, 2, ConfigDef.Width.SHORT, "Stream burst (bytes)")
            .define(LOKI_LIMITS_INGESTION_BURST_BYTES_CONFIG, Type.LONG, LokiLimits.DEFAULT_INGESTION_BURST_BYTES,
                    Range.atLeast(1), Importance.MEDIUM,
                    "Loki's ingestion_burst_size_mb in bytes: no push carries more line and structured-metadata "
                            + "bytes than this (Loki answers such a push 429 forever), whatever batch.max.bytes says; "
                            + "an entry larger than it is refused (behavior.on.rejected). Set it to your Loki's value.",
                    GROUP_LIMITS, 3, ConfigDef.Width.SHORT, "Ingestion burst (bytes)")
            .define(LOKI_LIMITS_MAX_BEHIND_MS_CONFIG, Type.LONG, LokiLimits.DEFAULT_MAX_BEHIND_MS,
                    Range.between(1L, 315_360_000_000L), Importance.MEDIUM,
                    "Half of Loki's max_chunk_age, in ms: Loki refuses an entry older than its stream's newest "
                            + "entry by more than this ('entry too far behind'). The sink does not send such an "
                            + "entry (behavior.on.rejected gets it with the reason) and pauses partitions that run "
                            + "ahead of a lagging partition of the same stream, so old lines arrive in time."
                            + LIMITS_WHY,
                    GROUP_LIMITS, 4, ConfigDef.Width.SHORT, "Max behind (ms)");

    public LokiSinkConfig(Map<?, ?> props) {
        this(props, true);
    }

    private LokiSinkConfig(Map<?, ?> props, boolean enforceCrossKeyRules) {
        super(definition(props), props);
        if (enforceCrossKeyRules) {
            CrossKeyRules.enforce(crossKeyProblems());
        }
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
        String user = getString(LOKI_AUTH_BASIC_USERNAME_CONFIG);
        String password = getPassword(LOKI_AUTH_BASIC_PASSWORD_CONFIG).value();
        if (user.isEmpty() != password.isEmpty()) {
            problems.add(problem(user.isEmpty() ? LOKI_AUTH_BASIC_USERNAME_CONFIG : LOKI_AUTH_BASIC_PASSWORD_CONFIG, "",
                    "loki.auth.basic.username and loki.auth.basic.password must be set together"));
        }
        if (!user.isEmpty() && !getPassword(LOKI_AUTH_BEARER_TOKEN_CONFIG).value().isEmpty()) {
            problems.add(problem(LOKI_AUTH_BEARER_TOKEN_CONFIG, "(hidden)",
                    "use either basic auth or a bearer token, not both"));
        }
        String tokenFile = getString(LOKI_AUTH_BEARER_TOKEN_FILE_CONFIG);
        if (!tokenFile.isEmpty()) {
            if (!user.isEmpty() || !getPassword(LOKI_AUTH_BEARER_TOKEN_CONFIG).value().isEmpty()) {
                problems.add(problem(LOKI_AUTH_BEARER_TOKEN_FILE_CONFIG, tokenFile, "use one of basic auth, "
                        + "loki.auth.bearer.token and loki.auth.bearer.token.file"));
            } else if (!Files.isReadable(Path.of(tokenFile))) {
                problems.add(problem(LOKI_AUTH_BEARER_TOKEN_FILE_CONFIG, tokenFile,
                        "the file does not exist or is not readable by the worker"));
            }
        }
        String keyFile = getString(LOKI_TLS_KEY_LOCATION_CONFIG);
        if (!keyFile.isEmpty() && !"PEM".equals(getString(LOKI_TLS_KEYSTORE_TYPE_CONFIG).trim().toUpperCase(Locale.ROOT))) {
            problems.add(problem(LOKI_TLS_KEY_LOCATION_CONFIG, keyFile, "is read only with loki.tls.keystore.type=PEM"));
        }
        if (getLong(RETRY_BACKOFF_MIN_MS_CONFIG) > getLong(RETRY_BACKOFF_MAX_MS_CONFIG)) {
            problems.add(problem(RETRY_BACKOFF_MIN_MS_CONFIG, getLong(RETRY_BACKOFF_MIN_MS_CONFIG),
                    "must not exceed retry.backoff.max.ms (" + getLong(RETRY_BACKOFF_MAX_MS_CONFIG) + ")"));
        }
        if (getLong(BUFFER_MAX_BYTES_CONFIG) < getInt(BATCH_MAX_BYTES_CONFIG)) {
            problems.add(problem(BUFFER_MAX_BYTES_CONFIG, getLong(BUFFER_MAX_BYTES_CONFIG),
                    "must be at least batch.max.bytes (" + getInt(BATCH_MAX_BYTES_CONFIG) + ")"));
        }
        problems.addAll(RoutingRules.nameProblems(MAPPINGS_CONFIG, getList(MAPPINGS_CONFIG)));
        problems.addAll(RoutingRules.nameProblems(RELABEL_RULES_CONFIG, getList(RELABEL_RULES_CONFIG)));
        RoutingRules.mappings(ruleNames(MAPPINGS_CONFIG), this::get, problems);
        RoutingRules.relabelRules(ruleNames(RELABEL_RULES_CONFIG), this::get, problems);
        for (String location : List.of(LOKI_TLS_TRUSTSTORE_LOCATION_CONFIG, LOKI_TLS_KEYSTORE_LOCATION_CONFIG,
                LOKI_TLS_KEY_LOCATION_CONFIG)) {
            String file = getString(location);
            if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
                problems.add(problem(location, file, "the file does not exist or is not readable by the worker"));
            }
        }
        return problems;
    }

    private static ConfigProblem problem(String key, Object value, String message) {
        return new ConfigProblem(key, value, message);
    }

    /** The push endpoint: {@code loki.url} as given when it names a path, else base + /loki/api/v1/push. */
    public String pushUrl() {
        String url = getString(LOKI_URL_CONFIG).trim();
        URI uri = URI.create(url);
        String path = uri.getPath();
        if (path == null || path.isEmpty() || "/".equals(path)) {
            return url.replaceAll("/+$", "") + "/loki/api/v1/push";
        }
        return url;
    }

    /** Loki's readiness endpoint on the same host as {@link #pushUrl()}. */
    public String readyUrl() {
        URI uri = URI.create(pushUrl());
        return uri.getScheme() + "://" + uri.getRawAuthority() + "/ready";
    }

    public String tenantId() {
        return getString(LOKI_TENANT_ID_CONFIG);
    }

    public String basicUser() {
        return getString(LOKI_AUTH_BASIC_USERNAME_CONFIG);
    }

    public Password basicPassword() {
        return getPassword(LOKI_AUTH_BASIC_PASSWORD_CONFIG);
    }

    public Password bearerToken() {
        return getPassword(LOKI_AUTH_BEARER_TOKEN_CONFIG);
    }

    public Map<String, String> extraHeaders() {
        return HeaderList.parse(getPassword(LOKI_HEADERS_CONFIG).value());
    }

    public Encoding encoding() {
        return ENCODING.parse(LOKI_ENCODING_CONFIG, getString(LOKI_ENCODING_CONFIG));
    }

    /** The trust store, key store and host name check of an https Loki. */
    public TlsSettings tls() {
        return new TlsSettings(getString(LOKI_TLS_TRUSTSTORE_LOCATION_CONFIG),
                getPassword(LOKI_TLS_TRUSTSTORE_PASSWORD_CONFIG).value().toCharArray(),
                STORE_TYPE.parse(LOKI_TLS_TRUSTSTORE_TYPE_CONFIG, getString(LOKI_TLS_TRUSTSTORE_TYPE_CONFIG)).value(),
                getString(LOKI_TLS_KEYSTORE_LOCATION_CONFIG),
                getPassword(LOKI_TLS_KEYSTORE_PASSWORD_CONFIG).value().toCharArray(),
                STORE_TYPE.parse(LOKI_TLS_KEYSTORE_TYPE_CONFIG, getString(LOKI_TLS_KEYSTORE_TYPE_CONFIG)).value(),
                getBoolean(LOKI_TLS_VERIFY_HOSTNAME_CONFIG), getString(LOKI_TLS_KEY_LOCATION_CONFIG));
    }

    /** Everything the HTTP client needs: endpoints, credentials, TLS, timeout, and a connection per batch in flight. */
    public LokiClient.Settings clientSettings() {
        return new LokiClient.Settings(pushUrl(), readyUrl(), tenantId(), basicUser(), basicPassword().value(),
                bearerToken().value(), extraHeaders(), tls(), Duration.ofMillis(requestTimeoutMs()),
                maxInFlightBatches() + 1, Version.get(), getString(LOKI_AUTH_BEARER_TOKEN_FILE_CONFIG),
                getString(LOKI_PROXY_URL_CONFIG).trim(), noProxy());
    }

    /** Everything the task's pipeline needs; {@code name} names its threads. */
    public SinkPipeline.Settings pipelineSettings(String name) {
        return new SinkPipeline.Settings(name, clientSettings(), encoding() == Encoding.PROTOBUF, jsonGzip(),
                batchMaxBytes(), batchMaxWaitMs(), new RetryPolicy(maxRetries(), retryBackoffMinMs(),
                retryBackoffMaxMs()), maxInFlightBatches(), bufferMaxBytes(), lokiLimits(), behaviorOnRejected(),
                metricsLevelLabel());
    }

    /** {@code loki.proxy.no.proxy}, else the worker's NO_PROXY or no_proxy environment variable. */
    public String noProxy() {
        String configured = getString(LOKI_PROXY_NO_PROXY_CONFIG).trim();
        if (!configured.isEmpty()) {
            return configured;
        }
        String env = System.getenv("NO_PROXY");
        if (env == null || env.isBlank()) {
            env = System.getenv("no_proxy");
        }
        return env == null ? "" : env;
    }

    public boolean jsonGzip() {
        return getBoolean(LOKI_JSON_GZIP_CONFIG);
    }

    public boolean validateConnection() {
        return getBoolean(LOKI_VALIDATE_CONNECTION_CONFIG);
    }

    public int batchMaxBytes() {
        return getInt(BATCH_MAX_BYTES_CONFIG);
    }

    public long batchMaxWaitMs() {
        return getLong(BATCH_MAX_WAIT_MS_CONFIG);
    }

    public int maxRetries() {
        return getInt(MAX_RETRIES_CONFIG);
    }

    public long retryBackoffMinMs() {
        return getLong(RETRY_BACKOFF_MIN_MS_CONFIG);
    }

    public long retryBackoffMaxMs() {
        return getLong(RETRY_BACKOFF_MAX_MS_CONFIG);
    }

    public int requestTimeoutMs() {
        return getInt(REQUEST_TIMEOUT_MS_CONFIG);
    }

    public int maxInFlightBatches() {
        return getInt(MAX_IN_FLIGHT_BATCHES_CONFIG);
    }

    public long bufferMaxBytes() {
        return getLong(BUFFER_MAX_BYTES_CONFIG);
    }

    public LabelSet staticLabels() {
        return LabelSet.of(StaticLabels.parse(LABELS_STATIC_CONFIG, getList(LABELS_STATIC_CONFIG)));
    }

    public String labelHeaderPrefix() {
        return getString(LABELS_HEADER_PREFIX_CONFIG);
    }

    public Set<RecordLabel> recordLabels() {
        return RECORD_LABELS.parseAll(LABELS_FROM_RECORD_CONFIG, getList(LABELS_FROM_RECORD_CONFIG));
    }

    public boolean topicLabel() {
        return recordLabels().contains(RecordLabel.TOPIC);
    }

    public boolean partitionLabel() {
        return recordLabels().contains(RecordLabel.PARTITION);
    }

    private List<String> ruleNames(String key) {
        List<String> names = new ArrayList<>();
        for (String name : getList(key)) {
            if (!name.isBlank() && !names.contains(name.trim())) {
                names.add(name.trim());
            }
        }
        return names;
    }

    /** The mapping rules of {@code mappings}, compiled, in order. */
    public List<RecordMapping> mappings() {
        return RoutingRules.mappings(ruleNames(MAPPINGS_CONFIG), this::get, new ArrayList<>());
    }

    public int labelsValuesMax() {
        return getInt(LABELS_VALUES_MAX_CONFIG);
    }

    /** The relabel rules of {@code relabel.rules}, compiled. */
    public Relabeler relabeler() {
        return new Relabeler(RoutingRules.relabelRules(ruleNames(RELABEL_RULES_CONFIG), this::get, new ArrayList<>()));
    }

    public boolean filenameLabel() {
        return recordLabels().contains(RecordLabel.FILENAME);
    }

    public boolean hostLabel() {
        return recordLabels().contains(RecordLabel.HOST);
    }

    public String metadataHeaderPrefix() {
        return getString(STRUCTURED_METADATA_HEADER_PREFIX_CONFIG);
    }

    public LineFormat lineFormat() {
        return LINE_FORMAT.parse(LINE_FORMAT_CONFIG, getString(LINE_FORMAT_CONFIG));
    }

    public List<String> lineFormatHeaders() {
        return getList(LINE_FORMAT_HEADERS_CONFIG);
    }

    public RefusalRouter.Behavior behaviorOnRejected() {
        return BEHAVIOR_ON_REJECTED.parse(BEHAVIOR_ON_REJECTED_CONFIG, getString(BEHAVIOR_ON_REJECTED_CONFIG));
    }

    /** Loki's limits the sink applies before sending (issue 17). */
    public LokiLimits lokiLimits() {
        return new LokiLimits(getLong(LOKI_LIMITS_STREAM_RATE_BYTES_CONFIG), getLong(LOKI_LIMITS_STREAM_BURST_BYTES_CONFIG),
                getLong(LOKI_LIMITS_INGESTION_BURST_BYTES_CONFIG), getLong(LOKI_LIMITS_MAX_BEHIND_MS_CONFIG) * 1_000_000L);
    }

    public String metricsLevelLabel() {
        return getString(METRICS_LEVEL_LABEL_CONFIG);
    }

    public int metricsLevelValuesMax() {
        return getInt(METRICS_LEVEL_VALUES_MAX_CONFIG);
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
