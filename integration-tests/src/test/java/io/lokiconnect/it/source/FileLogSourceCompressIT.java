package io.lokiconnect.it.source;

import static io.lokiconnect.it.source.SourceTestSupport.append;
import static io.lokiconnect.it.source.SourceTestSupport.sourceConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * logrotate's {@code compress} as a new user meets it, on a real worker: the glob {@code app.log*} matches the live
 * file, the renamed one and the archives. Every line is shipped exactly once: the lines of an archive made of a
 * file already read are not shipped again, those of an archive that was there before the connector once, and a
 * restart ships nothing again.
 */
class FileLogSourceCompressIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder().build();

    @TempDir
    Path dir;

    private static String line(String name, int i) {
        return name + " line " + i + " of a log written before and after a compress rotation";
    }

    private static void gzip(Path from, Path to) throws IOException {
        // As gzip does: the archive is written next to the file, then the file is deleted.
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
            Files.copy(from, out);
        }
        Files.delete(from);
    }

    @Test
    void aCompressRotationUnderTheGlobShipsEveryLineExactlyOnce() throws Exception {
        Path live = dir.resolve("app.log");
        List<String> written = new ArrayList<>();
        // An archive from before the connector: its lines are shipped once.
        Path older = dir.resolve("app.log.2");
        for (int i = 0; i < 200; i++) {
            append(older, line("older", i) + "\n");
            written.add(line("older", i));
        }
        gzip(older, dir.resolve("app.log.2.gz"));

        CONNECT.createTopic("compress", 1);
        // Two tasks, as connect-configs/file-log-source.json ships: every name of app.log's rotation family belongs to
        // the task that read app.log, which alone can recognise the archive.
        Map<String, String> config = sourceConfig("compress", dir + "/app.log*", 2);
        config.put("rotate.wait.ms", "2000");
        CONNECT.deployConnector("compress-source", config);
        CONNECT.awaitRunning("compress-source", 2, WAIT);

        for (int i = 0; i < 300; i++) {
            append(live, line("first", i) + "\n");
            written.add(line("first", i));
        }
        awaitLines(written.size());
        // logrotate: rename, create the new file (the application writes there), compress the renamed one.
        Path rotated = dir.resolve("app.log.1");
        Files.move(live, rotated);
        for (int i = 0; i < 50; i++) {
            append(rotated, line("late", i) + "\n"); // the application writes through its old handle a moment
            written.add(line("late", i));
        }
        for (int i = 0; i < 100; i++) {
            append(live, line("second", i) + "\n");
            written.add(line("second", i));
        }
        awaitLines(written.size());
        gzip(rotated, dir.resolve("app.log.1.gz"));
        for (int i = 100; i < 200; i++) {
            append(live, line("second", i) + "\n");
            written.add(line("second", i));
        }
        awaitLines(written.size());
        Thread.sleep(6_000); // rotate.wait.ms and a few scans: the archive was looked at and not read again
        assertExactlyOnce(written);

        // A restart: every file, both archives included, resumes from its stored offset.
        CONNECT.cluster().restartConnectorAndTasks("compress-source", false, true, false);
        CONNECT.awaitRunning("compress-source", 2, WAIT);
        append(live, line("after-restart", 0) + "\n");
        written.add(line("after-restart", 0));
        awaitLines(written.size());
        Thread.sleep(3_000);
        assertExactlyOnce(written);
    }

    private List<String> lines() {
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : CONNECT.consumeAll("compress", Duration.ofSeconds(30))) {
            if (record.value() != null) { // an archive read whole stores its offset in a record without a value
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private void awaitLines(int n) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> lines().size() >= n);
    }

    private void assertExactlyOnce(List<String> written) {
        List<String> shipped = lines();
        Map<String, Integer> times = new HashMap<>();
        shipped.forEach(l -> times.merge(l, 1, Integer::sum));
        assertThat(times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("lines shipped more than once").isEmpty();
        assertThat(shipped).as("every line, once").containsExactlyInAnyOrderElementsOf(written);
    }
}
