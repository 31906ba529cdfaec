package io.lokiconnect.sink.batch;

import io.lokiconnect.sink.entry.LokiEntry;
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
        LokiBatch batch = new LokiBatch(0, 0);
        for (LokiEntry entry : entries) {
            batch.add(entry, SIZER.entrySize(entry), batch.hasStream(entry.labels()) ? 0 : SIZER.streamSize(entry.labels()));
        }
        return batch;
    }
}
