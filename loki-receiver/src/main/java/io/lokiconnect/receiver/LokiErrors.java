package io.lokiconnect.receiver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loki's answer texts, word for word from its source, in one place. Sources (2.9 and 3.x agree unless noted):
 * {@code pkg/validation/validate.go} (the distributor's per-entry and per-stream refusals),
 * {@code pkg/chunkenc/interface.go} ({@code ErrTooFarBehind}), {@code pkg/ingester/stream.go}
 * ({@code errorForFailedEntries}), {@code pkg/util/errors.go} ({@code GroupedErrors}).
 */
final class LokiErrors {

    private LokiErrors() {
    }

    /** validate.go {@code GreaterThanMaxSampleAgeErrorMsg}; times in RFC 3339. */
    static String tooOld(String labels, long entryNanos, long oldestNanos) {
        return "entry for stream '" + labels + "' has timestamp too old: " + GoText.rfc3339(entryNanos)
                + ", oldest acceptable timestamp is: " + GoText.rfc3339(oldestNanos);
    }

    /** validate.go {@code TooFarInFutureErrorMsg}. */
    static String tooNew(String labels, long entryNanos) {
        return "entry for stream '" + labels + "' has timestamp too new: " + GoText.rfc3339(entryNanos);
    }

    /** validate.go {@code LineTooLongErrorMsg}; lengths in bytes. */
    static String lineTooLong(int maxBytes, String labels, int lengthBytes) {
        return "Max entry size '" + maxBytes + "' bytes exceeded for stream '" + labels
                + "' while adding an entry with length '" + lengthBytes + "' bytes";
    }

    /** validate.go {@code MissingLabelsErrorMsg}. */
    static String missingLabels() {
        return "error at least one label pair is required per stream";
    }

    /** validate.go {@code InvalidLabelsErrorMsg}: the stream's labels as sent, and the parser's error. */
    static String invalidLabels(String labelsAsSent, String parseError) {
        return "Error parsing labels '" + labelsAsSent + "' with error: " + parseError;
    }

    /** validate.go {@code MaxLabelNamesPerSeriesErrorMsg}. */
    static String tooManyLabels(String labels, int count, int limit) {
        return "entry for stream '" + labels + "' has " + count + " label names; limit " + limit;
    }

    /** validate.go {@code LabelNameTooLongErrorMsg}. */
    static String labelNameTooLong(String labels, String name) {
        return "stream '" + labels + "' has label name too long: '" + name + "'";
    }

    /** validate.go {@code LabelValueTooLongErrorMsg}. */
    static String labelValueTooLong(String labels, String value) {
        return "stream '" + labels + "' has label value too long: '" + value + "'";
    }

    /** validate.go {@code MissingStreamsErrorMsg} (3.x, answered with 422 to a push without streams). */
    static String missingStreams() {
        return "error at least one valid stream is required for ingestion";
    }

    /** chunkenc {@code ErrTooFarBehind}: 2.9 names only the cutoff, 3.x the entry's time too. */
    static String tooFarBehind(LokiVersion version, long entryNanos, long cutoffNanos) {
        if (version == LokiVersion.V2_9) {
            return "entry too far behind, oldest acceptable timestamp is: " + GoText.rfc3339(cutoffNanos);
        }
        return "entry too far behind, entry timestamp is: " + GoText.rfc3339(entryNanos)
                + ", oldest acceptable timestamp is: " + GoText.rfc3339(cutoffNanos);
    }

    /**
     * validate.go {@code ErrStreamRateLimit.Error()} (2.9 and 3.x alike): the stream's limit and the refused entry's
     * bytes as {@link GoText#byteSize}.
     */
    static String streamRateLimit(long limitBytesPerSecond, String labels, long entryBytes) {
        return "Per stream rate limit exceeded (limit: " + GoText.byteSize(limitBytesPerSecond)
                + "/sec) while attempting to ingest for stream '" + labels + "' totaling "
                + GoText.byteSize(entryBytes) + ", consider splitting a stream via additional labels or contact your "
                + "Loki administrator to see if the limit can be increased";
    }

    /**
     * validate.go {@code RateLimitedErrorMsg} (2.9 and 3.x alike), the distributor's 429 to a push over the tenant's
     * ingestion limit: the limit in bytes/s, the push's valid lines and their bytes.
     */
    static String ingestionRateLimited(String tenant, long limitBytesPerSecond, long lines, long bytes) {
        return "Ingestion rate limit exceeded for user " + tenant + " (limit: " + limitBytesPerSecond
                + " bytes/sec) while attempting to ingest '" + lines + "' lines totaling '" + bytes
                + "' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased";
    }

    /** One refused entry of a stream, for {@link #ingesterRefusal}: its time, line, why, and Loki's words for it. */
    record Refused(long timestampNanos, String line, DiscardReason why, String reason) {
    }

    /**
     * stream.go {@code errorForFailedEntries}: the status is the last refused entry's, 429 for the stream rate limit,
     * 400 for too far behind.
     */
    static int ingesterStatus(List<Refused> refused) {
        return refused.get(refused.size() - 1).why() == DiscardReason.PER_STREAM_RATE_LIMIT ? 429 : 400;
    }

    /**
     * stream.go {@code errorForFailedEntries}: one line per refused entry, without the stream (since Loki 2.9),
     * then the total with the tenant and the stream; at most {@code maxReturned} entry lines
     * ({@code max_returned_stream_errors}, 10 by default).
     */
    static String ingesterRefusal(List<Refused> refused, int total, String tenant, String labels, int maxReturned) {
        StringBuilder out = new StringBuilder();
        int lines = maxReturned > 0 ? Math.min(maxReturned, refused.size()) : refused.size();
        for (int i = 0; i < lines; i++) {
            Refused r = refused.get(i);
            out.append("entry with timestamp ").append(GoText.timeString(r.timestampNanos()))
                    .append(" ignored, reason: '").append(r.reason()).append("',\n");
        }
        return out.append("user '").append(tenant).append("', total ignored: ").append(refused.size())
                .append(" out of ").append(total).append(" for stream: ").append(labels).toString();
    }

    /**
     * The distributor's answer to refused entries, 2.9 and 3.x alike ({@code util.GroupedErrors}, grafana/loki#9807,
     * before 2.9.0; 2.8 kept the last refusal only): each distinct message once, prefixed "N errors like: " unless
     * there is exactly one refusal, joined by "; " (Go iterates a map, so Loki's order varies; here it is
     * first-seen order).
     */
    static String distributorRefusal(List<String> messages) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        messages.forEach(m -> counts.merge(m, 1, Integer::sum));
        StringBuilder out = new StringBuilder();
        counts.forEach((message, n) -> {
            if (out.length() > 0) {
                out.append("; ");
            }
            if (counts.size() > 1 || n > 1) {
                out.append(n).append(" errors like: ");
            }
            out.append(message);
        });
        return out.toString();
    }
}
