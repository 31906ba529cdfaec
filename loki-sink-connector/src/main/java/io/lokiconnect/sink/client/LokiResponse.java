package io.lokiconnect.sink.client;

/** Loki's answer to one push: status, the start of the body, and Retry-After in ms (-1 when absent). */
public record LokiResponse(int status, String body, long retryAfterMillis) {

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** 429 and 5xx: Loki or a proxy is overloaded or down; the same request may succeed later. */
    public boolean isRetryable() {
        return status == 429 || status >= 500;
    }

    /** A 4xx other than 429: Loki refused some or all entries; re-sending them gives the same answer. */
    public boolean isRejection() {
        return status >= 400 && status < 500 && status != 429;
    }
}
