package io.lokiconnect.sink.push;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/** Reads a protobuf push back, field by field, the way Loki's logproto does; for tests. */
record DecodedPush(List<Stream> streams) {

    record Stream(String labels, List<Entry> entries) {
    }

    record Entry(long seconds, int nanos, String line, Map<String, String> metadata) {
    }

    static DecodedPush decode(byte[] snappy) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(Snappy.uncompress(snappy));
        List<Stream> streams = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag >>> 3 != 1) {
                in.skipField(tag);
                continue;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            String labels = null;
            List<Entry> entries = new ArrayList<>();
            int t;
            while ((t = in.readTag()) != 0) {
                switch (t >>> 3) {
                    case 1 -> labels = in.readString();
                    case 2 -> entries.add(entry(in));
                    default -> in.skipField(t);
                }
            }
            in.popLimit(limit);
            streams.add(new Stream(labels, entries));
        }
        return new DecodedPush(streams);
    }

    private static Entry entry(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long seconds = 0;
        int nanos = 0;
        String line = null;
        Map<String, String> metadata = new LinkedHashMap<>();
        int t;
        while ((t = in.readTag()) != 0) {
            switch (t >>> 3) {
                case 1 -> {
                    int ts = in.pushLimit(in.readRawVarint32());
                    int f;
                    while ((f = in.readTag()) != 0) {
                        if (f >>> 3 == 1) {
                            seconds = in.readInt64();
                        } else if (f >>> 3 == 2) {
                            nanos = in.readInt32();
                        } else {
                            in.skipField(f);
                        }
                    }
                    in.popLimit(ts);
                }
                case 2 -> line = in.readString();
                case 3 -> {
                    int pair = in.pushLimit(in.readRawVarint32());
                    String name = null;
                    String value = null;
                    int f;
                    while ((f = in.readTag()) != 0) {
                        if (f >>> 3 == 1) {
                            name = in.readString();
                        } else {
                            value = in.readString();
                        }
                    }
                    in.popLimit(pair);
                    metadata.put(name, value);
                }
                default -> in.skipField(t);
            }
        }
        in.popLimit(limit);
        return new Entry(seconds, nanos, line, metadata);
    }
}
