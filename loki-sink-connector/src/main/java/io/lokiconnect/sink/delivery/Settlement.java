package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.push.EncodedPush;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of every entry of a batch once Loki answered for each: accepted (a 2xx covered it) or refused (a 400
 * named it, or it was alone in a push Loki refused), with the pushes Loki acknowledged on the way.
 */
public final class Settlement {

    private final List<LokiEntry> accepted = new ArrayList<>();
    private final Map<LokiEntry, String> refused = new IdentityHashMap<>();
    private int acknowledgedPushes;
    private long acknowledgedBytes;
    private long acknowledgedCompressedBytes;
    private int revokedDropped;

    void accept(List<LokiEntry> entries, EncodedPush push) {
        accepted.addAll(entries);
        acknowledgedPushes++;
        acknowledgedBytes += push.uncompressedBytes();
        acknowledgedCompressedBytes += push.body().length;
    }

    void refuse(LokiEntry entry, String reason) {
        refused.put(entry, reason);
    }

    void dropRevoked(int entries) {
        revokedDropped += entries;
    }

    /** Entries not pushed because their partition was revoked meanwhile (its new owner sends them). */
    public int revokedDropped() {
        return revokedDropped;
    }

    /** Entries Loki stored. */
    public List<LokiEntry> accepted() {
        return Collections.unmodifiableList(accepted);
    }

    /** Entries Loki refused, with its reason; never retried. */
    public Map<LokiEntry, String> refused() {
        return Collections.unmodifiableMap(refused);
    }

    public int acknowledgedPushes() {
        return acknowledgedPushes;
    }

    public long acknowledgedBytes() {
        return acknowledgedBytes;
    }

    public long acknowledgedCompressedBytes() {
        return acknowledgedCompressedBytes;
    }
}
