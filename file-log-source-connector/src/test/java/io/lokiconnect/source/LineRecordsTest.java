package io.lokiconnect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** The records' headers and keys per {@code headers} and {@code record.key}, and what is shared between records. */
class LineRecordsTest {

    private static final FileIdentity API = new FileIdentity("(dev=803,ino=42)", "/");
    private static final FileIdentity WEB = new FileIdentity("(dev=803,ino=43)", "/");
    private static final Path API_LOG = Path.of("/var/log/app/api.log");

    private static TailedLine line(FileIdentity identity, Path path, long start, String text, String part) {
        return new TailedLine(identity, path, start, text, part, ResumePoint.at(start + text.length() + 1, 7, true));
    }

    private static Map<String, String> headers(SourceRecord record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), (String) header.value());
        }
        return headers;
    }

    private static FileLogSourceConfig config(Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of("topic", "logs", "paths", "/var/log/*.log"));
        props.putAll(extra);
        return new FileLogSourceConfig(props);
    }

    private static LineRecords records(FileLogSourceConfig config) {
        return new LineRecords(config.topic(), config.headers(), config.recordKey(), "web-01");
    }

    @Test
    void byDefaultNoHeadersAndAnEightDigitKeyOfThePath() {
        SourceRecord record = records(config(Map.of())).toRecord(line(API, API_LOG, 120, "up", null), 5L);
        assertThat(headers(record)).isEmpty();
        assertThat((String) record.key()).hasSize(8).matches("[0-9a-f]{8}")
                .isEqualTo(String.format("%08x", "/var/log/app/api.log".hashCode()));
        assertThat(record.value()).isEqualTo("up");
        assertThat(record.timestamp()).isEqualTo(5L);
        assertThat(record.topic()).isEqualTo("logs");
    }

    @Test
    void thePreviousDefaultShapeIsOneSettingAway() {
        SourceRecord record = records(config(Map.of("headers", "path,offset,host")))
                .toRecord(line(API, API_LOG, 120, "up", null), 5L);
        assertThat(headers(record)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "log.file.path", "/var/log/app/api.log", "log.file.offset", "120", "log.host", "web-01"));
        SourceRecord offsetOnly = records(config(Map.of("headers", "offset")))
                .toRecord(line(API, API_LOG, 120, "up", null), 5L);
        assertThat(headers(offsetOnly)).containsExactlyEntriesOf(Map.of("log.file.offset", "120"));
    }

    @Test
    void everyHeaderCanBeChosenAndNoneAtAllButPartsStillCarryTheirPart() {
        LineRecords all = records(config(Map.of("headers", "path,name,offset,host", "record.key", "path")));
        SourceRecord record = all.toRecord(line(API, API_LOG, 0, "x", null), 1L);
        assertThat(headers(record)).containsEntry("log.file.name", "api.log").hasSize(4);
        assertThat(record.key()).isEqualTo("/var/log/app/api.log");

        LineRecords none = records(config(Map.of("headers", "", "record.key", "none")));
        SourceRecord plain = none.toRecord(line(API, API_LOG, 0, "x", null), 1L);
        assertThat(plain.headers().isEmpty()).isTrue();
        assertThat(plain.key()).isNull();
        assertThat(plain.keySchema()).isNull();
        SourceRecord part = none.toRecord(line(API, API_LOG, 0, "x", "2/2"), 1L);
        assertThat(headers(part)).containsExactlyEntriesOf(Map.of("log.line.part", "2/2"));
    }

    @Test
    void unknownHeaderNamesFailValidationNamingTheKeyAndTheChoices() {
        Map<String, String> props = new HashMap<>(Map.of("topic", "logs", "paths", "/var/log/*.log",
                "headers", "path,filename"));
        List<String> errors = new FileLogSourceConnector().validate(props).configValues().stream()
                .filter(v -> v.name().equals("headers")).findFirst().orElseThrow().errorMessages();
        assertThat(errors).singleElement().asString().contains("filename").contains("path,offset,host,name");
        Map<String, String> badKey = new HashMap<>(Map.of("topic", "logs", "paths", "/var/log/*.log",
                "record.key", "inode"));
        assertThat(new FileLogSourceConnector().validate(badKey).configValues().stream()
                .filter(v -> v.name().equals("record.key")).findFirst().orElseThrow().errorMessages()).isNotEmpty();
    }

    @Test
    void theFilesPartitionIsSharedByItsRecordsAndEveryRecordGetsItsOwnOffset() {
        LineRecords records = records(config(Map.of("headers", "path")));
        List<SourceRecord> out = new ArrayList<>();
        out.add(records.toRecord(line(API, API_LOG, 0, "a", null), 1L));
        out.add(records.toRecord(line(API, API_LOG, 2, "b", null), 1L));
        out.add(records.toRecord(line(WEB, Path.of("/var/log/web.log"), 0, "c", null), 1L));
        out.add(records.toRecord(line(API, API_LOG, 4, "d", null), 1L));
        assertThat(out.get(0).sourcePartition()).isSameAs(out.get(1).sourcePartition());
        assertThat(out.get(0).sourceOffset()).isNotSameAs(out.get(1).sourceOffset());
        assertThat(out.get(0).sourceOffset().get("position")).isEqualTo(2L);
        assertThat(out.get(1).sourceOffset().get("position")).isEqualTo(4L);
        assertThat(out.get(2).sourcePartition()).isNotEqualTo(out.get(0).sourcePartition());
        assertThat(headers(out.get(2))).containsEntry("log.file.path", "/var/log/web.log");
        // Back to the first file: its constants again, not the previous file's.
        assertThat(out.get(3).sourcePartition()).isEqualTo(out.get(0).sourcePartition());
        assertThat(headers(out.get(3))).containsEntry("log.file.path", "/var/log/app/api.log");
        assertThat(out.get(3).key()).isEqualTo(out.get(0).key());
    }

    @Test
    void aRenamedFileGetsItsNewPathInHeadersAndOffset() {
        LineRecords records = records(config(Map.of("headers", "path")));
        records.toRecord(line(API, API_LOG, 0, "a", null), 1L);
        SourceRecord renamed = records.toRecord(line(API, Path.of("/var/log/app/api.log.1"), 2, "b", null), 1L);
        assertThat(headers(renamed)).containsEntry("log.file.path", "/var/log/app/api.log.1");
        assertThat(renamed.sourceOffset().get("path")).isEqualTo("/var/log/app/api.log.1");
    }

    @Test
    void thePathHashIsEightHexDigitsAlsoForSmallHashesAndMultiByteNames() {
        // "" hashes to 0: leading zeros are kept.
        assertThat(LineRecords.pathHash("")).isEqualTo("00000000");
        assertThat(LineRecords.pathHash("/var/log/\u20ac.log")).matches("[0-9a-f]{8}");
        assertThat(LineRecords.pathHash("/a")).isEqualTo(String.format("%08x", "/a".hashCode()));
    }
}
