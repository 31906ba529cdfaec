package io.lokiconnect.receiver;

import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.receiver.LokiErrors.Refused;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One stream in Loki's ingester ({@code pkg/ingester/stream.go}, unordered writes, the default since 2.4), as far as
 * what it keeps is concerned:
 *
 * <ul>
 *   <li>an entry equal in time and line to the last one appended to the stream is ignored ({@code lastLine});</li>
 *   <li>an entry older than the stream's newest minus {@code max_chunk_age / 2} is refused ("too far behind");</li>
 *   <li>an entry equal in time and line to one still in the head block is dropped as a duplicate (the unordered
 *       head block's de-duplication); the head block is cut when its lines reach {@code block_size} bytes, and
 *       nothing before the cut is compared again;</li>
 *   <li>everything else is stored, duplicates of older entries included: those are the duplicates a query shows.</li>
 * </ul>
 *
 * Not thread-safe: the receiver locks the stream around {@link #push}.
 */
final class IngesterStream {

    /** What one push did to this stream. */
    record Outcome(List<ReceivedEntry> stored, List<Refused> refused, int droppedAsDuplicates,
                   int visibleDuplicates) {
    }

    private final Map<String, String> labels;
    private final List<ReceivedEntry> entries = new ArrayList<>();
    /** Stored entries by time, for counting visible duplicates: a ReceivedEntry or a List of them. */
    private final Map<Long, Object> byTime = new HashMap<>();
    private final Map<Long, List<String>> head = new HashMap<>();
    private long headBytes;
    private boolean hasLast;
    private long lastTs;
    private String lastLine;
    private long highestTs;
    private boolean hasHighest;

    IngesterStream(Map<String, String> labels) {
        this.labels = Map.copyOf(labels);
    }

    Outcome push(List<PushDecoder.DecodedEntry> pushed, LokiVersion version, long maxChunkAgeNanos,
                 int blockSizeBytes) {
        List<ReceivedEntry> stored = new ArrayList<>();
        List<Refused> refused = new ArrayList<>();
        int dropped = 0;
        int visible = 0;
        // validateEntries works on copies of lastLine and highestTs, advanced by each entry it lets through.
        boolean vHasLast = hasLast;
        long vLastTs = lastTs;
        String vLastLine = lastLine;
        boolean vHasHighest = hasHighest;
        long vHighest = highestTs;
        List<PushDecoder.DecodedEntry> toStore = new ArrayList<>();
        for (PushDecoder.DecodedEntry entry : pushed) {
            if (vHasLast && entry.timestampNanos() == vLastTs && entry.line().equals(vLastLine)) {
                dropped++;
                continue;
            }
            long cutoff = vHighest - maxChunkAgeNanos / 2;
            if (vHasHighest && cutoff > entry.timestampNanos()) {
                refused.add(new Refused(entry.timestampNanos(),
                        LokiErrors.tooFarBehind(version, entry.timestampNanos(), cutoff)));
                continue;
            }
            vHasLast = true;
            vLastTs = entry.timestampNanos();
            vLastLine = entry.line();
            if (!vHasHighest || entry.timestampNanos() > vHighest) {
                vHighest = entry.timestampNanos();
                vHasHighest = true;
            }
            toStore.add(entry);
        }
        for (PushDecoder.DecodedEntry entry : toStore) {
            List<String> sameTime = head.computeIfAbsent(entry.timestampNanos(), t -> new ArrayList<>(1));
            boolean duplicateInHead = sameTime.contains(entry.line());
            hasLast = true;
            lastTs = entry.timestampNanos();
            lastLine = entry.line();
            if (!hasHighest || entry.timestampNanos() > highestTs) {
                highestTs = entry.timestampNanos();
                hasHighest = true;
            }
            if (duplicateInHead) {
                dropped++;
                continue;
            }
            sameTime.add(entry.line());
            headBytes += Utf8.encodedLength(entry.line()) + metadataBytes(entry.metadata());
            ReceivedEntry received = new ReceivedEntry(labels, entry.timestampNanos(), entry.line(),
                    Map.copyOf(entry.metadata()));
            if (isStoredAlready(received)) {
                visible++;
            }
            entries.add(received);
            stored.add(received);
            if (headBytes >= blockSizeBytes) {
                head.clear();
                headBytes = 0;
            }
        }
        return new Outcome(stored, refused, dropped, visible);
    }

    /** True when an entry equal in time and line was stored before; records {@code entry} as stored. */
    @SuppressWarnings("unchecked")
    private boolean isStoredAlready(ReceivedEntry entry) {
        Object existing = byTime.get(entry.timestampNanos());
        if (existing == null) {
            byTime.put(entry.timestampNanos(), entry);
            return false;
        }
        List<ReceivedEntry> list;
        if (existing instanceof ReceivedEntry single) {
            list = new ArrayList<>(2);
            list.add(single);
            byTime.put(entry.timestampNanos(), list);
        } else {
            list = (List<ReceivedEntry>) existing;
        }
        boolean duplicate = list.stream().anyMatch(e -> e.line().equals(entry.line()));
        list.add(entry);
        return duplicate;
    }

    private static int metadataBytes(Map<String, String> metadata) {
        int bytes = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            bytes += Utf8.encodedLength(e.getKey()) + Utf8.encodedLength(e.getValue());
        }
        return bytes;
    }

    /** The stored entries, in arrival order. */
    List<ReceivedEntry> entries() {
        return new ArrayList<>(entries);
    }

    Map<String, String> labels() {
        return labels;
    }
}
