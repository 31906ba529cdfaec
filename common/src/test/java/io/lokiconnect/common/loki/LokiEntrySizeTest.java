package io.lokiconnect.common.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LokiEntrySizeTest {

    @Test
    void theLineCountsInUtf8Bytes() {
        assertThat(LokiEntrySize.lineBytes("")).isZero();
        assertThat(LokiEntrySize.lineBytes("abc")).isEqualTo(3);
        assertThat(LokiEntrySize.lineBytes("\u00e9\u4e2d\uD83D\uDE00")).isEqualTo(2 + 3 + 4);
    }

    @Test
    void loki33CountsEveryMetadataNameAndValueToo() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("trace_id", "\u00e9"); // 8 + 2
        metadata.put("detected_level", "info"); // 14 + 4: counted, never below Loki's count

        assertThat(LokiEntrySize.lineAndMetadataBytes("line", metadata)).isEqualTo(4 + 10 + 18);
        assertThat(LokiEntrySize.lineAndMetadataBytes("line", Map.of())).isEqualTo(4);
    }
}
