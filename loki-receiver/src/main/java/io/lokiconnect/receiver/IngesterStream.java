package io.lokiconnect.receiver;

import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.receiver.LokiErrors.Refused;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One stream in Loki's ingester, unordered writes (the default since 2.4), as far as what it keeps is concerned. Copied
 * from {@code pkg/ingester/stream.go} of Loki 2.9.x and 3.x ({@code (*stream).Push}, {@code validateEntries},
 * {@code storeEntries}, {@code errorForFailedEntries}, {@code hasRateLimitErr}), {@code pkg/ingester/limiter.go}
 * ({@code StreamRateLimiter.AllowN}) and {@code pkg/ingester/instance.go} ({@code (*instance).Push}:
 * {@code rateLimitWholeStream := limits.ShardStreams(tenant).Enabled}). {@code validateEntries}, 2.9 and 3.x alike
 * unless noted, entry by entry:
 *
 * <ul>
 *   <li>an entry equal in time and line to the last one appended to the stream is ignored ({@code lastLine});</li>
 *   <li>the stream's rate limiter ({@code StreamRateLimiter}, a {@link LokiRateLimiter}) is charged the entry's
 *       bytes ({@link LokiVersion#entryBytes}); an entry it refuses is refused with {@code ErrStreamRateLimit} and
 *       the next entries are tried in turn, so a push is stored in part. Loki 3 enables {@code shard_streams} by
 *       default, and {@code instance.Push} passes that as {@code rateLimitWholeStream}: then the limiter is charged
 *       once, after the loop, with the bytes of every entry left to store, and if it refuses, none of them is stored
 *       and each is refused as rate limited (the too-far-behind refusals of that push are dropped from the list);</li>
 *   <li>an entry older than the stream's newest minus {@code max_chunk_age / 2} is refused ("too far behind"), after
 *       the per-entry rate limit check, so without {@code rateLimitWholeStream} it has used its tokens;</li>
 * </ul>
 *
 * then {@code storeEntries}: an entry equal in time and line to one still in the head block is dropped as a
 * duplicate (the unordered head block's de-duplication); the head block is cut when its lines and structured
 * metadata reach {@code chunk_block_size} bytes, and nothing before the cut is compared again; everything else is
 * stored, duplicates of older entries included: those are the duplicates a query shows.
 *
 * <p>Not thread-safe: the receiver locks the stream around {@link #push}.
 */
final class IngesterStream {

    /**
     * What one push did to this stream: the entries stored, those refused that Loki's answer lists
     * ({@code refused}) and those it leaves out ({@code refusedUnlisted}), the duplicates dropped and stored, and,
     * when some were refused, Loki's answer for the stream ({@code errorForFailedEntries}: {@code status} 400 or 429
     * and its body), else status 0.
     */
    record Outcome(List<ReceivedEntry> stored, List<Refused> refused, List<Refused> refusedUnlisted,
                   int droppedAsDuplicates, int visibleDuplicates, int status, String error) {
    }

    /** The limits a push is checked against. */
    record Limits(long rateBytesPerSecond, long burstBytes, boolean wholeStream, long maxChunkAgeNanos,
                  int blockSizeBytes) {
    }

    private final Map<String, String> labels;
    private final String labelsText;
    private final String tenant;
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
    private LokiRateLimiter limiter;

    /** The tenant whose stream this is. */
    String tenant() {
        return tenant;
    }

    IngesterStream(Map<String, String> labels, String tenant) {
        this.labels = Map.copyOf(labels);
        this.labelsText = GoText.labels(labels);
        this.tenant = tenant;
    }

    Outcome push(List<PushDecoder.DecodedEntry> pushed, LokiVersion version, Limits limits, long nowNanos,
                 int maxReturnedErrors) {
        if (limiter == null || limiter.ratePerSecond() != limits.rateBytesPerSecond()
                || limiter.burst() != limits.burstBytes()) {
            // StreamRateLimiter.AllowN: when the limits change, Loki makes a new limiter rather than alter the old.
            limiter = new LokiRateLimiter(limits.rateBytesPerSecond(), limits.burstBytes());
        }
        List<Refused> refused = new ArrayList<>();
        int dropped = 0;
        // validateEntries works on copies of lastLine and highestTs, advanced by each entry it lets through.
        boolean vHasLast = hasLast;
        long vLastTs = lastTs;
        String vLastLine = lastLine;
        boolean vHasHighest = hasHighest;
        long vHighest = highestTs;
        long validBytes = 0;
        List<PushDecoder.DecodedEntry> toStore = new ArrayList<>();
        for (PushDecoder.DecodedEntry entry : pushed) {
            if (vHasLast && entry.timestampNanos() == vLastTs && entry.line().equals(vLastLine)) {
                dropped++;
                continue;
            }
            int entryBytes = version.entryBytes(entry.line(), entry.metadata());
            if (!limits.wholeStream() && !limiter.allowN(nowNanos, entryBytes)) {
                refused.add(rateLimited(entry, entryBytes));
                continue;
            }
            long cutoff = vHighest - limits.maxChunkAgeNanos() / 2;
            if (vHasHighest && cutoff > entry.timestampNanos()) {
                refused.add(new Refused(entry.timestampNanos(), entry.line(), DiscardReason.TOO_FAR_BEHIND,
                        LokiErrors.tooFarBehind(version, entry.timestampNanos(), cutoff)));
                continue;
            }
            validBytes += entryBytes;
            vHasLast = true;
            vLastTs = entry.timestampNanos();
            vLastLine = entry.line();
            if (!vHasHighest || entry.timestampNanos() > vHighest) {
                vHighest = entry.timestampNanos();
                vHasHighest = true;
            }
            toStore.add(entry);
        }
        if (limits.wholeStream() && !limiter.allowN(nowNanos, validBytes)) {
            // stream.Push returns before storeEntries: nothing of this push is kept, lastLine and highestTs stay.
            List<Refused> all = new ArrayList<>();
            for (PushDecoder.DecodedEntry entry : toStore) {
                all.add(rateLimited(entry, version.entryBytes(entry.line(), entry.metadata())));
            }
            // The too-far-behind refusals are not in Loki's list (it starts the list afresh) but are not stored either.
            return new Outcome(List.of(), all, refused, dropped, 0, LokiErrors.ingesterStatus(all),
                    LokiErrors.ingesterRefusal(all, pushed.size(), tenant, labelsText, maxReturnedErrors));
        }
        List<ReceivedEntry> stored = new ArrayList<>();
        int visible = 0;
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
            if (headBytes >= limits.blockSizeBytes()) {
                head.clear();
                headBytes = 0;
            }
        }
        if (refused.isEmpty()) {
            return new Outcome(stored, refused, List.of(), dropped, visible, 0, null);
        }
        return new Outcome(stored, refused, List.of(), dropped, visible, LokiErrors.ingesterStatus(refused),
                LokiErrors.ingesterRefusal(refused, pushed.size(), tenant, labelsText, maxReturnedErrors));
    }

    /** validateEntries' {@code ErrStreamRateLimit}: the limiter's rate at the time and the entry's bytes. */
    private Refused rateLimited(PushDecoder.DecodedEntry entry, int entryBytes) {
        return new Refused(entry.timestampNanos(), entry.line(), DiscardReason.PER_STREAM_RATE_LIMIT,
                LokiErrors.streamRateLimit(limiter.ratePerSecond(), labelsText, entryBytes));
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
}
