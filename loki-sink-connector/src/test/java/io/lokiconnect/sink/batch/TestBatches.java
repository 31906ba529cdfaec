package io.lokiconnect.sink.batch;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import java.util.List;

/** Batches for tests of other packages: the given entries, grouped by stream, sized as the protobuf encoder does. */
public final class TestBatches {

    private static final ProtobufPushEncoder SIZER = new ProtobufPushEncoder();

    private TestBatches() {
    }

    public static LokiBatch of(LokiEntry... entries) {
        return of(List.of(entries));
    }

    public static LokiBatch of(List<LokiEntry> entries) {
        return of(SIZER, entries);
    }

    /** Sized by {@code sizer}, as the outbox sizes a push for it. */
    public static LokiBatch of(RequestSizer sizer, List<LokiEntry> entries) {
        LokiBatch batch = new LokiBatch(0, entries.isEmpty() ? "" : entries.get(0).labels().tenant());
        java.util.Set<LabelSet> streams = new java.util.HashSet<>();
        for (LokiEntry entry : entries) {
            batch.add(entry, sizer.entrySize(entry), streams.add(entry.labels()) ? sizer.streamSize(entry.labels()) : 0);
        }
        return batch;
    }

    public static LokiBatch of(RequestSizer sizer, LokiEntry... entries) {
        return of(sizer, List.of(entries));
    }

    /** Every push {@code outbox} composes, each completed as soon as it is taken (a Loki that stores everything). */
    public static List<LokiBatch> drain(Outbox outbox) {
        List<LokiBatch> batches = new java.util.ArrayList<>();
        long later = Long.MAX_VALUE / 2;
        while (true) {
            Outbox.Next next = outbox.next(later);
            if (next.batch() == null) {
                return batches;
            }
            batches.add(next.batch());
            outbox.completed(next.batch(), java.util.Map.of(), later);
        }
    }
}
