package io.lokiconnect.receiver;

import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.receiver.LokiErrors.Refused;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    /** Time and line of every stored entry, for counting visible duplicates (one set lookup per entry). */
    private final Set<TimeAndLine> storedKeys = new HashSet<>();
    /** Time and line of the entries in the head block. */
    private final Set<TimeAndLine> head = new HashSet<>();
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
            TimeAndLine key = new TimeAndLine(entry.timestampNanos(), entry.line());
            boolean duplicateInHead = head.contains(key);
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
            head.add(key);
            headBytes += Utf8.encodedLength(entry.line()) + metadataBytes(entry.metadata());
            ReceivedEntry received = new ReceivedEntry(labels, entry.timestampNanos(), entry.line(),
                    entry.metadata().isEmpty() ? Map.of() : Map.copyOf(entry.metadata()));
            if (!storedKeys.add(key)) {
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

    private record TimeAndLine(long time, String line) {
        @Override
        public int hashCode() {
            // SplitMix64's finaliser spreads nanosecond times that differ in a few bits over all hash bits.
            long z = time;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return (int) (z ^ (z >>> 31)) * 31 + line.hashCode();
        }
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
