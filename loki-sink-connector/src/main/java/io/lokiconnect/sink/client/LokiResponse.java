package io.lokiconnect.sink.client;

/** Loki's answer to one push: status, the start of the body, and Retry-After in ms (-1 when absent). */
public record LokiResponse(int status, String body, long retryAfterMillis) {

    /** What the sender does with an answer; each status belongs to exactly one class. */
    public enum Outcome {
        /** 2xx: every entry of the push is stored. */
        SUCCESS,
        /**
         * 429, 5xx, 408 and 499: Loki or a proxy is overloaded, down or gave up waiting (a proxy's 408 Request Timeout;
         * 499, which Loki's own server and nginx log and can send when the request's context ended, e.g. the
         * distributor's push timeout); the same push may succeed later.
         */
        RETRY,
        /** 401 and 403: the credentials are refused; retried (a token may be rotated back), then the task fails. */
        AUTH,
        /** 400: Loki refused some or all entries and kept the rest; the body names the refused ones. */
        REFUSED_ENTRIES,
        /** 413: the request is too large for Loki or a proxy; the batch is split. */
        TOO_LARGE,
        /** Anything else (1xx, 3xx, 404, other 4xx): a wrong URL or endpoint; the task fails, nothing is retried. */
        FATAL
    }

    public Outcome outcome() {
        if (status >= 200 && status < 300) {
            return Outcome.SUCCESS;
        }
        if (status == 429 || status >= 500 || status == 408 || status == 499) {
            return Outcome.RETRY;
        }
        if (status == 401 || status == 403) {
            return Outcome.AUTH;
        }
        if (status == 400) {
            return Outcome.REFUSED_ENTRIES;
        }
        if (status == 413) {
            return Outcome.TOO_LARGE;
        }
        return Outcome.FATAL;
    }
}
