package io.lokiconnect.common.headers;

/**
 * The contract between the JSON-label transform (which writes these headers) and the Loki sink
 * (which reads them). Both sides use these constants; neither spells a header name by hand.
 *
 * <ul>
 *   <li>{@code loki.label.<name>}: one Loki stream label per header; the value is the label value.</li>
 *   <li>{@code loki.meta.<name>}: one Loki structured-metadata pair per header (high cardinality, never a label).</li>
 *   <li>{@code loki.timestamp.ns}: the entry time in Unix nanoseconds, as a decimal string. The record
 *       timestamp carries the same instant in milliseconds.</li>
 *   <li>{@code loki.tenant}: the Loki tenant of the record (sent as {@code X-Scope-OrgID}); written by the transform
 *       from {@code tenant.field}, or by any producer. Without it or a sink mapping with {@code target=tenant},
 *       the sink's default tenant applies: {@code loki.tenant.id}, else the {@code X-Scope-OrgID} of
 *       {@code loki.headers}.</li>
 * </ul>
 */
public final class LokiHeaders {

    /** Default prefix of label headers; configurable on both sides. */
    public static final String LABEL_PREFIX = "loki.label.";
    /** Default prefix of structured-metadata headers; configurable on both sides. */
    public static final String METADATA_PREFIX = "loki.meta.";
    /** Entry time in Unix nanoseconds (decimal string), kept because the record timestamp only holds millis. */
    public static final String TIMESTAMP_NS = "loki.timestamp.ns";
    /** The record's Loki tenant (X-Scope-OrgID). */
    public static final String TENANT = "loki.tenant";

    private LokiHeaders() {
    }

    /** The header name carrying label {@code name} under {@code prefix}. */
    public static String labelHeader(String prefix, String name) {
        return prefix + name;
    }
}
