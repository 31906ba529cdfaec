package io.lokiconnect.runner;

import io.lokiconnect.receiver.LokiReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Stands in for Loki when LOKI_ENDPOINT is not set: the Loki-protocol receiver (loki-receiver) on 127.0.0.1, which
 * answers pushes as Loki does, keeps entries per stream, appends each one as a JSON line to a file, and answers a
 * small query_range lookup.
 */
public final class LocalLoki {

    private final LokiReceiver receiver;
    private final Path entriesFile;

    private LocalLoki(LokiReceiver receiver, Path entriesFile) {
        this.receiver = receiver;
        this.entriesFile = entriesFile;
    }

    static LocalLoki start(int port, Path dir) {
        Path file = dir.resolve("received.jsonl");
        try {
            return new LocalLoki(LokiReceiver.start("127.0.0.1", port, Optional.of(file)), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Loki-protocol receiver on 127.0.0.1:" + port
                    + " (" + e.getMessage() + "): free the port or set LOCAL_LOKI_PORT, or point LOKI_ENDPOINT at a "
                    + "real Loki", e);
        }
    }

    public String pushUrl() {
        return receiver.pushUrl();
    }

    public String baseUrl() {
        return receiver.baseUrl();
    }

    public Path entriesFile() {
        return entriesFile;
    }

    public long acceptedEntries() {
        return receiver.acceptedEntries();
    }

    void stop() {
        receiver.close();
    }
}
