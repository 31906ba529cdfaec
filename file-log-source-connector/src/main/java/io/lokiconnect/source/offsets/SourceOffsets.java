package io.lokiconnect.source.offsets;

import io.lokiconnect.source.tail.FileIdentity;
import io.lokiconnect.source.tail.TailedLine;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of source partitions and offsets. Partition: the host and the file's identity (not its path, so a
 * rotated file is never confused with its successor). Offset: the resume position plus what identity needs.
 */
public final class SourceOffsets {

    public static final String HOST = "host";
    public static final String FILE_KEY = "file.key";
    public static final String POSITION = "position";
    public static final String PATH = "path";
    public static final String PARTIAL = "partial";
    public static final String FINGERPRINT = "fingerprint";
    public static final String FINGERPRINT_LENGTH = "fingerprint.length";

    private SourceOffsets() {
    }

    public static Map<String, Object> partition(String host, FileIdentity identity) {
        Map<String, Object> partition = new HashMap<>(2);
        partition.put(HOST, host);
        partition.put(FILE_KEY, identity.key());
        return partition;
    }

    public static Map<String, Object> offset(TailedLine line) {
        Map<String, Object> offset = new HashMap<>(8);
        offset.put(POSITION, line.position());
        offset.put(PATH, line.path().toString());
        offset.put(PARTIAL, line.partialFlushed());
        offset.put(FINGERPRINT, line.fingerprint());
        offset.put(FINGERPRINT_LENGTH, (long) line.fingerprintLength());
        return offset;
    }

    /** Reads a stored offset; empty when there is none. Numbers may come back as Integer or Long (JSON). */
    public static Optional<StoredOffset> parse(Map<String, ?> offset) {
        if (offset == null || !(offset.get(POSITION) instanceof Number position)) {
            return Optional.empty();
        }
        return Optional.of(new StoredOffset(
                position.longValue(),
                Boolean.TRUE.equals(offset.get(PARTIAL)),
                offset.get(FINGERPRINT) instanceof Number f ? f.longValue() : 0L,
                offset.get(FINGERPRINT_LENGTH) instanceof Number l ? l.intValue() : 0));
    }

    /**
     * Checks a partition/offset pair given to {@code alterOffsets}; returns an error message or empty when valid.
     * A null offset (a reset) is always valid.
     */
    public static Optional<String> validate(Map<String, ?> partition, Map<String, ?> offset) {
        if (partition == null || !(partition.get(FILE_KEY) instanceof String)) {
            return Optional.of("a source partition needs a string '" + FILE_KEY + "' (the file's identity as "
                    + "GET /connectors/<name>/offsets shows it); got " + partition);
        }
        if (offset == null) {
            return Optional.empty();
        }
        if (!(offset.get(POSITION) instanceof Number position) || position.longValue() < 0) {
            return Optional.of("a source offset needs a non-negative number '" + POSITION + "' (a byte position "
                    + "in the file); got " + offset);
        }
        return Optional.empty();
    }
}
