package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.Pushes.Entry;
import io.lokiconnect.receiver.Pushes.Stream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loki 3's {@code service_name} ({@code pkg/loghttp/push/push.go} {@code ParseLokiRequest}, {@code discover_service_name}
 * in {@code pkg/validation/limits.go}): added before validation, so stored streams and every stream text in an answer
 * carry it, in sorted label order. Loki 2.9 adds nothing.
 */
class LokiReceiverServiceNameTest {

    private final long t = (System.currentTimeMillis() / 1000 - 600) * 1_000_000_000L + 5;
    private LokiReceiver loki;

    @BeforeEach
    void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
    }

    @AfterEach
    void stop() {
        loki.close();
    }

    private Map<String, String> storedLabels(Map<String, String> sent) {
        assertThat(Pushes.protobuf(loki, Stream.of(sent, new Entry(t, "line"))).statusCode()).isEqualTo(204);
        ReceivedEntry last = loki.entries().stream().filter(e -> e.labels().entrySet().containsAll(sent.entrySet()))
                .findFirst().orElseThrow();
        return last.labels();
    }

    private static Map<String, String> labels(String... pairs) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            labels.put(pairs[i], pairs[i + 1]);
        }
        return labels;
    }

    @Test
    void theDefaultListIsLokisInItsOrder() {
        assertThat(LokiReceiver.DISCOVER_SERVICE_NAME).containsExactly("service", "app", "application", "app_name",
                "name", "app_kubernetes_io_name", "container", "container_name", "k8s_container_name", "component",
                "workload", "job", "k8s_job_name");
    }

    /** The first label of the list that the stream has names the service, whatever the stream's own order. */
    @Test
    void theFirstListedLabelPresentNamesTheService() {
        assertThat(storedLabels(labels("job", "j1", "container", "c1", "app", "a1")))
                .containsEntry("service_name", "a1");
        assertThat(storedLabels(labels("app", "a2", "service", "s2"))).containsEntry("service_name", "s2");
        assertThat(storedLabels(labels("k8s_job_name", "k3", "job", "j3"))).containsEntry("service_name", "j3");
        assertThat(storedLabels(labels("app_name", "n4", "name", "m4"))).containsEntry("service_name", "n4");
        assertThat(storedLabels(labels("k8s_job_name", "k5"))).containsEntry("service_name", "k5");
    }

    @Test
    void aStreamWithNoListedLabelIsUnknownService() {
        assertThat(storedLabels(labels("level", "info", "host", "h"))).isEqualTo(labels("level", "info", "host", "h",
                "service_name", "unknown_service"));
    }

    /** An empty value is no label (it is dropped), so the next listed label names the service. */
    @Test
    void anEmptyValueIsSkipped() {
        assertThat(Pushes.protobuf(loki, Stream.ofText("{app=\"\", job=\"j\"}", new Entry(t, "line"))).statusCode())
                .isEqualTo(204);
        assertThat(loki.entries()).singleElement().extracting(ReceivedEntry::labels)
                .isEqualTo(Map.of("job", "j", "service_name", "j"));
    }

    @Test
    void aServiceNameSentIsKept() {
        assertThat(storedLabels(labels("service_name", "mine", "app", "a"))).isEqualTo(labels("service_name", "mine",
                "app", "a"));
    }

    @Test
    void jsonPushesGetItToo() {
        assertThat(Pushes.json(loki, Stream.of(Map.of("app", "web"), new Entry(t, "line"))).statusCode())
                .isEqualTo(204);
        assertThat(loki.entries()).singleElement().extracting(ReceivedEntry::labels)
                .isEqualTo(Map.of("app", "web", "service_name", "web"));
    }

    /** The stream text in an answer has service_name in its sorted place, between app and zone. */
    @Test
    void answersNameTheStreamWithServiceNameInSortedOrder() {
        Map<String, String> sent = labels("zone", "z", "app", "a");
        Pushes.protobuf(loki, Stream.of(sent, new Entry(t, "newest")));
        long behind = t - Duration.ofHours(2).toNanos();

        HttpResponse<String> ingester = Pushes.protobuf(loki, Stream.of(sent, new Entry(behind, "late")));
        HttpResponse<String> distributor = Pushes.protobuf(loki, Stream.of(sent,
                new Entry(t - Duration.ofDays(8).toNanos(), "old")));

        String text = "{app=\"a\", service_name=\"a\", zone=\"z\"}";
        assertThat(ingester.body()).endsWith("for stream: " + text + "\n");
        assertThat(distributor.body()).startsWith("entry for stream '" + text + "' has timestamp too old");
    }

    @Test
    void anEmptyListAddsNothingAndAnotherListIsFollowed() {
        loki.discoverServiceName(List.of());
        assertThat(storedLabels(labels("app", "a"))).isEqualTo(Map.of("app", "a"));
        assertThat(Pushes.protobuf(loki, Stream.ofText("{}", new Entry(t, "x"))).body())
                .isEqualTo("error at least one label pair is required per stream\n");

        loki.discoverServiceName(List.of("team"));
        assertThat(storedLabels(labels("team", "core", "app", "b"))).containsEntry("service_name", "core");
    }

    @Test
    void loki29AddsNoServiceName() {
        loki.lokiVersion(LokiVersion.V2_9);

        assertThat(storedLabels(labels("app", "a"))).isEqualTo(Map.of("app", "a"));
    }
}
