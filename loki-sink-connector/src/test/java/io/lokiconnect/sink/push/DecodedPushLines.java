package io.lokiconnect.sink.push;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The lines of a protobuf push, for tests outside this package. */
public final class DecodedPushLines {

    private DecodedPushLines() {
    }

    /** Every line of the push, newline-separated. */
    public static String lines(byte[] snappyProtobuf) throws IOException {
        List<String> lines = new ArrayList<>();
        for (DecodedPush.Stream stream : DecodedPush.decode(snappyProtobuf).streams()) {
            stream.entries().forEach(e -> lines.add(e.line()));
        }
        return String.join("\n", lines);
    }
}
