package io.lokiconnect.sink.batch;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entries grouped by label set into streams, with the size of the push request they will make and the time the
 * push was composed. A batch is composed by the {@link Outbox} and handed, complete, to one sender. Every stream of
 * a batch is of its one tenant: a push carries one {@code X-Scope-OrgID}.
 */
public final class LokiBatch {

    private static final Comparator<LokiEntry> BY_TIME = Comparator.comparingLong(LokiEntry::timestampNanos);

    private final Map<LabelSet, List<LokiEntry>> streams = new LinkedHashMap<>();
    private final long sequence;
    private final String tenant;
    private int encodedBytes;
    private long lineBytes;
    private int entryCount;

    LokiBatch(long sequence, String tenant) {
        this.sequence = sequence;
        this.tenant = tenant;
    }

    /** A batch of nothing: what a failure that belongs to no push reports. */
    public static LokiBatch empty() {
        return new LokiBatch(-1, "");
    }

    /**
     * A batch of some of this batch's entries, to send again on its own (half of a batch Loki found too large, or
     * the entries a refusal did not name). Same sequence and tenant; its encoded size is not tracked.
     */
    public LokiBatch subset(List<LokiEntry> entries) {
        LokiBatch part = new LokiBatch(sequence, tenant);
        for (LokiEntry entry : entries) {
            part.add(entry, 0, 0);
        }
        return part;
    }

    void add(LokiEntry entry, int entryBytes, int streamBytes) {
        if (!entry.labels().tenant().equals(tenant)) {
            throw new IllegalArgumentException("an entry of tenant '" + entry.labels().tenant()
                    + "' in a push of tenant '" + tenant + "'");
        }
        List<LokiEntry> stream = streams.get(entry.labels());
        if (stream == null) {
            stream = new ArrayList<>();
            streams.put(entry.labels(), stream);
            encodedBytes += streamBytes;
        }
        stream.add(entry);
        encodedBytes += entryBytes;
        lineBytes += entry.lineBytes();
        entryCount++;
    }

    /** What one entry counts in the back-pressure bound: its line's UTF-8 bytes. */
    public static long lineBytes(LokiEntry entry) {
        return entry.lineBytes();
    }

    /**
     * Streams with their entries sorted by time (stable: equal times keep their consumption order). Sorts in
     * place: call it once the batch is closed.
     */
    public Map<LabelSet, List<LokiEntry>> sortedStreams() {
        streams.values().forEach(entries -> entries.sort(BY_TIME));
        return streams;
    }

    /** Streams with their entries in the order they were added. */
    public Map<LabelSet, List<LokiEntry>> streams() {
        return streams;
    }

    /** Every entry, in the order it was added. */
    public List<LokiEntry> entries() {
        List<LokiEntry> all = new ArrayList<>(entryCount);
        streams.values().forEach(all::addAll);
        return all;
    }

    public boolean isEmpty() {
        return entryCount == 0;
    }

    public int entryCount() {
        return entryCount;
    }

    /** Size of the encoded (uncompressed) push request. */
    public int encodedBytes() {
        return encodedBytes;
    }

    /** UTF-8 bytes of the lines, used for the back-pressure bound. */
    public long lineBytes() {
        return lineBytes;
    }

    /** The tenant of every stream of the batch, sent as {@code X-Scope-OrgID}; empty for none. */
    public String tenant() {
        return tenant;
    }

    /** Order in which the outbox composed its pushes; used in logs. */
    public long sequence() {
        return sequence;
    }
}
