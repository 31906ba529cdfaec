package io.lokiconnect.source.offsets;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The shape of source partitions and offsets. Partition: the file's identity as every host sees it (its inode,
 * not its path, so a rotated file is never confused with its successor; neither the host nor the device number,
 * so a task that moves to another worker, or a file on a shared volume, keeps its offset). Offset: the resume
 * position plus what identity and copy recognition need.
 */
public final class SourceOffsets {

    public static final String HOST = "host";
    public static final String FILE_KEY = "file.key";
    public static final String POSITION = "position";
    public static final String PATH = "path";
    public static final String PARTIAL = "partial";
    public static final String FINGERPRINT = "fingerprint";
    public static final String FINGERPRINT_LENGTH = "fingerprint.length";
    /**
     * The {@code PrefixCrc} (CRC-32C and CRC-32) of the bytes before the position. Earlier versions stored a CRC-64
     * under {@code prefix.crc64}: not comparable, so such an offset resumes at its position with the checksum
     * unknown, as one written before any checksum existed.
     */
    public static final String PREFIX_CRC = "prefix.crc32c.crc32";
    public static final String LINE_PART = "line.part";
    public static final String LINE_SKIP = "line.skip";
    /** Parts of the multi-line event at the position already emitted, so its numbering goes on after a restart. */
    public static final String EVENT_PART = "event.part";
    /** A compressed file read to its end: a restart never opens it again. */
    public static final String ARCHIVE_DONE = "archive.done";
    /**
     * The line start a truncation (copytruncate) left and the checksum before it, while its copy is not found: so
     * that a copy a restarted task finds first resumes there instead of being shipped again whole.
     */
    public static final String COPY_SOURCE_POSITION = "truncated.position";
    public static final String COPY_SOURCE_CRC = "truncated.prefix.crc";

    private SourceOffsets() {
    }

    /**
     * The partition of the record that stores that start.position=end was applied: it is applied on the connector's
     * first run only, and this record is how later runs know they are not the first.
     */
    public static final Map<String, Object> START_POSITION_PARTITION = Map.of("start.position", "end");
    public static final Map<String, Object> START_POSITION_OFFSET = Map.of("applied", Boolean.TRUE);

    /**
     * The stored resume points of {@code files}: one batch for the current partitions, and, for the files without
     * one, one batch for the partitions of versions up to 0.1 (so an upgrade resumes where the previous version
     * stopped). {@code reader} is Connect's {@code OffsetStorageReader#offsets}.
     */
    public static Map<FileIdentity, ResumePoint> lookup(Collection<FileIdentity> files, String host,
            Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>> reader) {
        Map<FileIdentity, ResumePoint> found = new HashMap<>();
        Map<Map<String, Object>, FileIdentity> current = new HashMap<>();
        for (FileIdentity file : files) {
            current.put(partition(file), file);
        }
        Map<Map<String, Object>, Map<String, Object>> stored = reader.apply(current.keySet());
        Map<Map<String, Object>, FileIdentity> legacy = new HashMap<>();
        for (Map.Entry<Map<String, Object>, FileIdentity> e : current.entrySet()) {
            Optional<ResumePoint> point = parse(stored == null ? null : stored.get(e.getKey()));
            if (point.isPresent()) {
                found.put(e.getValue(), point.get());
            } else {
                legacy.put(legacyPartition(host, e.getValue()), e.getValue());
            }
        }
        if (!legacy.isEmpty()) {
            Map<Map<String, Object>, Map<String, Object>> old = reader.apply(legacy.keySet());
            for (Map.Entry<Map<String, Object>, FileIdentity> e : legacy.entrySet()) {
                parse(old == null ? null : old.get(e.getKey())).ifPresent(p -> found.put(e.getValue(), p));
            }
        }
        return found;
    }

    public static Map<String, Object> partition(FileIdentity identity) {
        return Map.of(FILE_KEY, identity.sharedKey());
    }

    /**
     * The partition of versions up to 0.1 ({@code {host, file.key=(dev=..,ino=..)}}), looked up when the current
     * one has no offset, so an upgrade resumes where the previous version stopped.
     */
    public static Map<String, Object> legacyPartition(String host, FileIdentity identity) {
        Map<String, Object> partition = new HashMap<>(2);
        partition.put(HOST, host);
        partition.put(FILE_KEY, identity.key());
        return partition;
    }

    public static Map<String, Object> offset(TailedLine line) {
        return offset(line, line.path().toString());
    }

    /**
     * The offset after {@code line}, whose path as text is {@code path} (built once per file by the caller). The
     * worker keeps every record's offset map until the record is acknowledged but reads only the latest per
     * partition, when it flushes offsets: so a small immutable view over the line's {@link ResumePoint}, whose
     * entries (and boxed values) are made only when read, instead of a filled {@code HashMap} per line.
     */
    public static Map<String, Object> offset(TailedLine line, String path) {
        return new OffsetMap(line.resume(), path);
    }

    /**
     * The offset as a map: the same keys, value types (Long, Boolean, String), equality, hash code and iteration
     * order as the {@code HashMap} of earlier versions, so stored offsets are written byte for byte as before.
     */
    private static final class OffsetMap extends AbstractMap<String, Object> {

        /** A {@code HashMap}'s iteration order for these keys, put in this order (what earlier versions wrote). */
        private static final List<String> KEY_ORDER;

        static {
            Map<String, Object> order = new HashMap<>(12);
            for (String key : List.of(POSITION, PATH, PARTIAL, FINGERPRINT, FINGERPRINT_LENGTH, PREFIX_CRC,
                    LINE_PART, LINE_SKIP)) {
                order.put(key, key);
            }
            // Keys added later go after the old ones, present only when set: old offsets are written as before.
            List<String> keys = new ArrayList<>(order.keySet());
            keys.add(EVENT_PART);
            keys.add(ARCHIVE_DONE);
            keys.add(COPY_SOURCE_POSITION);
            keys.add(COPY_SOURCE_CRC);
            KEY_ORDER = List.copyOf(keys);
        }

        private final ResumePoint resume;
        private final String path;

        OffsetMap(ResumePoint resume, String path) {
            this.resume = resume;
            this.path = path;
        }

        @Override
        public Object get(Object key) {
            if (!(key instanceof String name)) {
                return null;
            }
            return switch (name) {
                case POSITION -> resume.position();
                case PATH -> path;
                case PARTIAL -> resume.partialFlushed();
                case FINGERPRINT -> resume.fingerprint();
                case FINGERPRINT_LENGTH -> (long) resume.fingerprintLength();
                case PREFIX_CRC -> resume.prefixCrcKnown() ? resume.prefixCrc() : null;
                case LINE_PART -> resume.linePart() > 0 ? (long) resume.linePart() : null;
                case LINE_SKIP -> resume.skippingLine() ? Boolean.TRUE : null;
                case EVENT_PART -> resume.eventPart() > 0 ? (long) resume.eventPart() : null;
                case ARCHIVE_DONE -> resume.archiveDone() ? Boolean.TRUE : null;
                case COPY_SOURCE_POSITION -> resume.copySourcePosition() > 0 ? resume.copySourcePosition() : null;
                case COPY_SOURCE_CRC -> resume.copySourcePosition() > 0 ? resume.copySourceCrc() : null;
                default -> null;
            };
        }

        @Override
        public boolean containsKey(Object key) {
            // Every present key has a non-null value (path is never null: it comes from a Path).
            return get(key) != null || (PATH.equals(key) && path == null);
        }

        @Override
        public int size() {
            return 5 + (resume.prefixCrcKnown() ? 1 : 0) + (resume.linePart() > 0 ? 1 : 0)
                    + (resume.skippingLine() ? 1 : 0) + (resume.eventPart() > 0 ? 1 : 0)
                    + (resume.archiveDone() ? 1 : 0) + (resume.copySourcePosition() > 0 ? 2 : 0);
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            List<Entry<String, Object>> entries = new ArrayList<>(size());
            for (String key : KEY_ORDER) {
                if (containsKey(key)) {
                    entries.add(new SimpleImmutableEntry<>(key, get(key)));
                }
            }
            List<Entry<String, Object>> view = Collections.unmodifiableList(entries);
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return view.iterator();
                }

                @Override
                public int size() {
                    return view.size();
                }
            };
        }
    }

    /** Reads a stored offset; empty when there is none. Numbers may come back as Integer or Long (JSON). */
    public static Optional<ResumePoint> parse(Map<String, ?> offset) {
        if (offset == null || !(offset.get(POSITION) instanceof Number position)) {
            return Optional.empty();
        }
        Object crc = offset.get(PREFIX_CRC);
        return Optional.of(new ResumePoint(
                position.longValue(),
                Boolean.TRUE.equals(offset.get(PARTIAL)),
                offset.get(FINGERPRINT) instanceof Number f ? f.longValue() : 0L,
                offset.get(FINGERPRINT_LENGTH) instanceof Number l ? l.intValue() : 0,
                crc instanceof Number c ? c.longValue() : 0L,
                // A position moved by hand (PATCH .../offsets) without a checksum is valid, the checksum unknown;
                // so is an offset with only the CRC-64 of earlier versions (prefix.crc64).
                crc instanceof Number,
                offset.get(LINE_PART) instanceof Number p ? p.intValue() : 0,
                Boolean.TRUE.equals(offset.get(LINE_SKIP)),
                offset.get(EVENT_PART) instanceof Number e ? e.intValue() : 0,
                Boolean.TRUE.equals(offset.get(ARCHIVE_DONE)),
                offset.get(COPY_SOURCE_POSITION) instanceof Number sp && offset.get(COPY_SOURCE_CRC) instanceof Number
                        ? Math.max(0, sp.longValue()) : 0L,
                offset.get(COPY_SOURCE_CRC) instanceof Number sc ? sc.longValue() : 0L));
    }

    /**
     * Checks a partition/offset pair given to {@code alterOffsets}; returns an error message or empty when valid.
     * A null offset (a reset) is always valid.
     */
    public static Optional<String> validate(Map<String, ?> partition, Map<String, ?> offset) {
        if (START_POSITION_PARTITION.equals(partition)) {
            return Optional.empty(); // the record that start.position=end was applied: reset (or set) as a whole
        }
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
