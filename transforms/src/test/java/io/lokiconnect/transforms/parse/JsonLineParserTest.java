package io.lokiconnect.transforms.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonLineParserTest {

    private final FieldPaths fields = new FieldPaths();
    private final int level = fields.add("level");
    private final int namespace = fields.add("kubernetes.namespace");
    private final int kubernetes = fields.add("kubernetes");
    private final int tags = fields.add("tags");
    private final int count = fields.add("count");
    private final JsonLineParser parser = new JsonLineParser(fields);

    @Test
    void readsOnlyRequestedFieldsIncludingNestedOnes() throws Exception {
        ParsedLine line = parser.parse("{\"other\":{\"level\":\"no\"},\"level\":\"info\","
                + "\"kubernetes\":{\"pod\":\"p\",\"namespace\":\"prod\"}}");

        assertThat(line.value(level)).isEqualTo("info");
        assertThat(line.value(namespace)).isEqualTo("prod");
        assertThat(line.value(kubernetes)).isEqualTo("{\"pod\":\"p\",\"namespace\":\"prod\"}");
    }

    @Test
    void flatDottedKeyAnswersTheDottedPath() throws Exception {
        assertThat(parser.parse("{\"kubernetes.namespace\":\"flat\"}").value(namespace)).isEqualTo("flat");
    }

    @Test
    void arraysGiveTheirJsonTextAsWritten() throws Exception {
        assertThat(parser.parse("{\"tags\": [ \"a\", {\"b\": 1} ] }").value(tags)).isEqualTo("[ \"a\", {\"b\": 1} ]");
    }

    @Test
    void numbersAndBooleansGiveTheirText() throws Exception {
        assertThat(parser.parse("{\"count\":1.50e3}").value(count)).isEqualTo("1.50e3");
        assertThat(parser.parse("{\"count\":true}").value(count)).isEqualTo("true");
    }

    @Test
    void nullIsAbsentAndALaterNullErasesAnEarlierValue() throws Exception {
        assertThat(parser.parse("{\"level\":null}").value(level)).isNull();
        assertThat(parser.parse("{\"level\":\"info\",\"level\":null}").value(level)).isNull();
    }

    @Test
    void duplicateKeysLastWins() throws Exception {
        assertThat(parser.parse("{\"level\":\"a\",\"x\":1,\"level\":\"b\"}").value(level)).isEqualTo("b");
    }

    @Test
    void escapedQuotesAndUnicodeEscapesAreUnescaped() throws Exception {
        assertThat(parser.parse("{\"level\":\"say \\\"hi\\\" \\u00e9 \\\\ \\/\"}").value(level))
                .isEqualTo("say \"hi\" \u00e9 \\ /");
    }

    @Test
    void valueOfAnUnrequestedObjectIsSkipped() throws Exception {
        assertThat(parser.parse("{\"a\":{\"level\":\"inner\",\"b\":[1,[2,{\"c\":3}]]},\"level\":\"outer\"}")
                .value(level)).isEqualTo("outer");
    }

    @Test
    void scalarWhereAnObjectIsExpectedIsNotDescended() throws Exception {
        ParsedLine line = parser.parse("{\"kubernetes\":\"plain\"}");
        assertThat(line.value(kubernetes)).isEqualTo("plain");
        assertThat(line.value(namespace)).isNull();
    }

    @Test
    void plainTextIsAParseError() {
        assertThatThrownBy(() -> parser.parse("hello world")).isInstanceOf(LineParseException.class)
                .hasMessageContaining("invalid JSON");
    }

    @Test
    void arrayLineIsAParseError() {
        assertThatThrownBy(() -> parser.parse("[1]")).hasMessageContaining("JSON array, not a JSON object");
    }

    @Test
    void emptyLineIsAParseError() {
        assertThatThrownBy(() -> parser.parse("   ")).hasMessageContaining("empty");
    }

    @Test
    void truncatedObjectIsAParseError() {
        assertThatThrownBy(() -> parser.parse("{\"level\":\"info\"")).isInstanceOf(LineParseException.class);
    }

    @Test
    void trailingContentIsAParseError() {
        assertThatThrownBy(() -> parser.parse("{\"level\":\"info\"} {\"x\":1}"))
                .hasMessageContaining("content follows the JSON object");
    }

    @Test
    void trailingWhitespaceAndNewlineAreFine() throws Exception {
        assertThat(parser.parse("{\"level\":\"info\"}  \r\n").value(level)).isEqualTo("info");
    }
}
