package io.lokiconnect.transforms.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogfmtLineParserTest {

    private final FieldPaths fields = new FieldPaths();
    private final int level = fields.add("level");
    private final int msg = fields.add("msg");
    private final int service = fields.add("service.name");
    private final int debug = fields.add("debug");
    private final LogfmtLineParser parser = new LogfmtLineParser(fields);

    @Test
    void readsBareAndQuotedValues() throws Exception {
        ParsedLine line = parser.parse("level=info msg=\"hello world\" other=x");

        assertThat(line.value(level)).isEqualTo("info");
        assertThat(line.value(msg)).isEqualTo("hello world");
    }

    @Test
    void quotedValuesUnderstandEscapes() throws Exception {
        assertThat(parser.parse("msg=\"say \\\"hi\\\"\\n\\ttab \\\\ \\u00e9 \\q\"").value(msg))
                .isEqualTo("say \"hi\"\n\ttab \\ \u00e9 \\q");
    }

    @Test
    void dottedKeysAnswerDottedPaths() throws Exception {
        assertThat(parser.parse("service.name=api level=warn").value(service)).isEqualTo("api");
    }

    @Test
    void bareKeyHasTheEmptyValue() throws Exception {
        ParsedLine line = parser.parse("level=info debug");
        assertThat(line.value(debug)).isEmpty();
    }

    @Test
    void emptyValueAfterEquals() throws Exception {
        assertThat(parser.parse("level= msg=x").value(level)).isEmpty();
    }

    @Test
    void unicodeValuesAndKeysPass() throws Exception {
        assertThat(parser.parse("level=\u8b66\u544a msg=\"\uD83D\uDE00\"").value(msg)).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void duplicateKeysLastWins() throws Exception {
        assertThat(parser.parse("level=a level=b").value(level)).isEqualTo("b");
    }

    @Test
    void plainTextIsAParseError() {
        assertThatThrownBy(() -> parser.parse("just some words")).isInstanceOf(LineParseException.class)
                .hasMessageContaining("no key=value pair");
    }

    @Test
    void unterminatedQuoteIsAParseError() {
        assertThatThrownBy(() -> parser.parse("level=info msg=\"open")).hasMessageContaining("not terminated");
    }

    @Test
    void equalsWithoutKeyIsAParseError() {
        assertThatThrownBy(() -> parser.parse("level=info =x")).hasMessageContaining("where a key should start");
    }

    @Test
    void escapedQuoteAtTheEndDoesNotCloseTheValue() {
        assertThatThrownBy(() -> parser.parse("msg=\"a\\\"")).hasMessageContaining("not terminated");
    }
}
