package io.lokiconnect.sink.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineFormatterTest {

    private final Map<String, String> fields = new LinkedHashMap<>(Map.of("log.file.path", "/var/log/app.log"));

    @Test
    void valueFormatSendsTheLineAsReceived() {
        assertThat(LineFormatter.forFormat(LineFormat.VALUE).format("{\"a\":1}", fields)).isEqualTo("{\"a\":1}");
        assertThat(LineFormatter.forFormat(LineFormat.VALUE).usesFields()).isFalse();
    }

    @Test
    void jsonFormatFoldsHeadersIntoAnObject() {
        assertThat(LineFormatter.forFormat(LineFormat.JSON).format("disk \"full\"", fields))
                .isEqualTo("{\"message\":\"disk \\\"full\\\"\",\"log.file.path\":\"/var/log/app.log\"}");
    }

    @Test
    void logfmtFormatQuotesValuesThatNeedIt() {
        assertThat(LineFormatter.forFormat(LineFormat.LOGFMT).format("disk full", fields))
                .isEqualTo("message=\"disk full\" log.file.path=/var/log/app.log");
        assertThat(LineFormatter.forFormat(LineFormat.LOGFMT).format("ok", Map.of("q", "a\"b")))
                .isEqualTo("message=ok q=\"a\\\"b\"");
    }
}
