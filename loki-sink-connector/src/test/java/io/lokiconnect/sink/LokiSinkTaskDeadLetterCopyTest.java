package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.runtime.InternalSinkRecord;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** What the task keeps of a record for the dead letter queue while its entry is buffered. */
class LokiSinkTaskDeadLetterCopyTest {

    private static Headers headers() {
        return new ConnectHeaders().addString("loki.label.level", "info").addString("log.file.offset", "42");
    }

    @Test
    void theWorkersRecordIsKeptWithItsContextButWithoutItsConvertedContent() {
        Object consumed = new Object();
        InternalSinkRecord record = new InternalSinkRecord(consumed, "logs", 3, Schema.STRING_SCHEMA, "key",
                Schema.STRING_SCHEMA, "a line", 77L, 1_700_000_000_000L, headers());
        assertThat(record.getClass().getName()).isEqualTo(LokiSinkTask.WORKER_RECORD_CLASS);

        SinkRecord kept = LokiSinkTask.forDeadLetters(record);

        assertThat(kept).isInstanceOf(InternalSinkRecord.class).isNotSameAs(record);
        assertThat(((InternalSinkRecord) kept).context()).isSameAs(consumed);
        assertThat(kept.topic()).isEqualTo("logs");
        assertThat(kept.kafkaPartition()).isEqualTo(3);
        assertThat(kept.kafkaOffset()).isEqualTo(77L);
        assertThat(kept.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(kept.key()).isNull();
        assertThat(kept.value()).isNull();
        assertThat(kept.headers()).isEmpty();
        // the original is untouched: Connect may still use it
        assertThat(record.value()).isEqualTo("a line");
        assertThat(record.headers()).hasSize(2);
    }

    @Test
    void anyOtherRecordIsKeptWhole() {
        SinkRecord record = new SinkRecord("logs", 0, Schema.STRING_SCHEMA, "key", Schema.STRING_SCHEMA, "a line", 5L,
                1L, org.apache.kafka.common.record.TimestampType.CREATE_TIME, headers());
        assertThat(LokiSinkTask.forDeadLetters(record)).isSameAs(record);
    }

    @Test
    void aSubclassOfTheWorkersRecordUnderAnotherNameIsKeptWhole() {
        SinkRecord record = new InternalSinkRecord(new Object(), "logs", 0, null, null, Schema.STRING_SCHEMA, "x", 1L,
                1L, headers()) {
        };
        assertThat(LokiSinkTask.forDeadLetters(record)).isSameAs(record);
    }
}
