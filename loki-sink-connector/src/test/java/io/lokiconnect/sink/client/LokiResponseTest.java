package io.lokiconnect.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.client.LokiResponse.Outcome;
import org.junit.jupiter.api.Test;

class LokiResponseTest {

    private static Outcome outcome(int status) {
        return new LokiResponse(status, "", -1).outcome();
    }

    @Test
    void everyStatusBelongsToOneClassAndOnlyOverloadTimeoutsAndCredentialsAreRetried() {
        for (int status = 100; status < 600; status++) {
            Outcome outcome = outcome(status);
            Outcome expected = status >= 200 && status < 300 ? Outcome.SUCCESS
                    : status == 429 || status >= 500 || status == 408 || status == 499 ? Outcome.RETRY
                    : status == 401 || status == 403 ? Outcome.AUTH
                    : status == 400 ? Outcome.REFUSED_ENTRIES
                    : status == 413 ? Outcome.TOO_LARGE
                    : Outcome.FATAL;
            assertThat(outcome).as("status %d", status).isEqualTo(expected);
        }
        // The edges: 3xx and 404 fail; a proxy's 408 and a 499 (the request's context ended: a timeout, not a
        // refusal) are retried, and their neighbours are not.
        assertThat(outcome(301)).isEqualTo(Outcome.FATAL);
        assertThat(outcome(404)).isEqualTo(Outcome.FATAL);
        assertThat(outcome(407)).isEqualTo(Outcome.FATAL);
        assertThat(outcome(408)).isEqualTo(Outcome.RETRY);
        assertThat(outcome(409)).isEqualTo(Outcome.FATAL);
        assertThat(outcome(498)).isEqualTo(Outcome.FATAL);
        assertThat(outcome(499)).isEqualTo(Outcome.RETRY);
    }
}
