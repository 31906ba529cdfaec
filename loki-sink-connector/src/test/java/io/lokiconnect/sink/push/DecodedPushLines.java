package io.lokiconnect.sink.push;

import io.lokiconnect.receiver.PushDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The lines of a protobuf push, read with the receiver's decoder (Loki's reading), for tests. */
public final class DecodedPushLines {

    private DecodedPushLines() {
    }

    /** Every line of the push, newline-separated. */
    public static String lines(byte[] snappyProtobuf) throws IOException {
        List<String> lines = new ArrayList<>();
        for (PushDecoder.DecodedStream stream : PushDecoder.decode("application/x-protobuf", null, snappyProtobuf)) {
            stream.entries().forEach(e -> lines.add(e.line()));
        }
        return String.join("\n", lines);
    }
}
