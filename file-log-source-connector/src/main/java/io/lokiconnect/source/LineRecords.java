package io.lokiconnect.source;

import io.lokiconnect.common.headers.FileHeaders;
import io.lokiconnect.source.offsets.SourceOffsets;
import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.TailedLine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Builds a line's {@link SourceRecord}: the configured headers and key, the file's source partition and offset.
 * What is constant per file (partition map, path and name strings, key) is built once per run of lines from the
 * same file, not per line: a poll returns long runs of one file's lines.
 */
final class LineRecords {

    private final String topic;
    private final String host;
    private final boolean pathHeader;
    private final boolean nameHeader;
    private final boolean offsetHeader;
    private final boolean hostHeader;
    private final FileLogSourceConfig.RecordKey keyMode;

    private FileIdentity identity;
    private Path path;
    private Map<String, Object> partition;
    private String pathText;
    private String nameText;
    private String key;

    LineRecords(String topic, List<String> headers, FileLogSourceConfig.RecordKey keyMode, String host) {
        this.topic = topic;
        this.host = host;
        this.pathHeader = headers.contains(FileLogSourceConfig.HEADER_PATH);
        this.nameHeader = headers.contains(FileLogSourceConfig.HEADER_NAME);
        this.offsetHeader = headers.contains(FileLogSourceConfig.HEADER_OFFSET);
        this.hostHeader = headers.contains(FileLogSourceConfig.HEADER_HOST);
        this.keyMode = keyMode;
    }

    /**
     * The record without a line that stores that start.position=end was applied (a null value, which the sink
     * skips as a tombstone): later runs start no file at its end.
     */
    SourceRecord startPositionApplied() {
        return new SourceRecord(SourceOffsets.START_POSITION_PARTITION, SourceOffsets.START_POSITION_OFFSET, topic,
                null, null, null, Schema.OPTIONAL_STRING_SCHEMA, null, System.currentTimeMillis(),
                new ConnectHeaders());
    }

    SourceRecord toRecord(TailedLine line, long timestamp) {
        // The same Path object for a file's lines (the tailer's): compare references before bytes.
        if (line.identity() != identity || line.path() != path && !line.path().equals(path)) {
            identity = line.identity();
            path = line.path();
            // Shared by the file's records: immutable, and the worker only reads and hashes it.
            partition = SourceOffsets.partition(identity);
            pathText = path.toString();
            Path fileName = path.getFileName();
            nameText = fileName == null ? pathText : fileName.toString();
            key = switch (keyMode) {
                case PATH -> pathText;
                case NONE -> null;
                case PATH_HASH -> pathHash(pathText);
            };
        }
        ConnectHeaders headers = new ConnectHeaders();
        if (pathHeader) {
            headers.addString(FileHeaders.FILE_PATH, pathText);
        }
        if (nameHeader) {
            headers.addString(FileHeaders.FILE_NAME, nameText);
        }
        if (offsetHeader) {
            headers.addString(FileHeaders.FILE_OFFSET, Long.toString(line.startOffset()));
        }
        if (hostHeader) {
            headers.addString(FileHeaders.HOST, host);
        }
        if (line.part() != null) {
            headers.addString(FileHeaders.LINE_PART, line.part());
        }
        // A line without text stores an offset only (a compressed file read to its end): a null value, which the
        // sink skips as a tombstone, so the offset is committed and a restart never reads the archive again.
        return new SourceRecord(partition, SourceOffsets.offset(line, pathText), topic, null,
                key == null ? null : Schema.STRING_SCHEMA, key,
                line.text() == null ? Schema.OPTIONAL_STRING_SCHEMA : Schema.STRING_SCHEMA, line.text(), timestamp,
                headers);
    }

    /** 8 hex digits, the same for a path on every worker and JVM (String.hashCode is specified). */
    static String pathHash(String path) {
        String hex = Integer.toHexString(path.hashCode());
        return "0".repeat(8 - hex.length()) + hex;
    }
}
