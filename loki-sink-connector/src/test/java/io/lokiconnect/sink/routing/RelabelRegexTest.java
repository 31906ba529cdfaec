package io.lokiconnect.sink.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

/** Go's {@code Regexp.ExpandString} and Prometheus's anchoring, case by case as Go's documentation states them. */
class RelabelRegexTest {

    private static String expand(String regex, String text, String template) {
        RelabelRegex r = RelabelRegex.compile(regex);
        Matcher m = r.matcher(text);
        assertThat(m.matches()).as("%s matches %s", regex, text).isTrue();
        return r.expand(template, m);
    }

    @Test
    void theRegexIsAnchoredAtBothEndsAndDotMatchesALineBreak() {
        RelabelRegex r = RelabelRegex.compile("b.");
        assertThat(r.matches("bc")).isTrue();
        assertThat(r.matches("abc")).isFalse();
        assertThat(r.matches("bcd")).isFalse();
        assertThat(RelabelRegex.compile("a.b").matches("a\nb")).isTrue();
        assertThat(RelabelRegex.compile("a|b").matches("a")).isTrue(); // (?s:a|b), not ^a|b$
        assertThat(RelabelRegex.compile("a|b").matches("ab")).isFalse();
    }

    @Test
    void groupsByNumberAndName() {
        assertThat(expand("(\\w+)-(\\w+)", "prod-eu", "$2.$1")).isEqualTo("eu.prod");
        assertThat(expand("(\\w+)-(\\w+)", "prod-eu", "${2}x${1}")).isEqualTo("euxprod");
        assertThat(expand("(?P<env>\\w+)-(?<region>\\w+)", "prod-eu", "${region}/$env")).isEqualTo("eu/prod");
        assertThat(expand("(.*)", "abc", "$0")).isEqualTo("abc");
    }

    @Test
    void aNameIsAsLongAsPossibleAndAnUnknownOneIsEmpty() {
        assertThat(expand("(a)", "a", "$1x")).isEqualTo(""); // ${1x}: no such group
        assertThat(expand("(a)", "a", "${1}x")).isEqualTo("ax");
        assertThat(expand("(a)", "a", "$2")).isEqualTo(""); // out of range
        assertThat(expand("(a)", "a", "$01")).isEqualTo(""); // a leading zero makes it a name
        assertThat(expand("(a)|(b)", "a", "[$2]")).isEqualTo("[]"); // did not take part
    }

    @Test
    void dollarDollarIsADollarAndAMalformedReferenceIsText() {
        assertThat(expand("(a)", "a", "$$1")).isEqualTo("$1");
        assertThat(expand("(a)", "a", "cost: $")).isEqualTo("cost: $");
        assertThat(expand("(a)", "a", "${1")).isEqualTo("${1");
        assertThat(expand("(a)", "a", "${}")).isEqualTo("${}");
        assertThat(expand("(a)", "a", "$-")).isEqualTo("$-");
        assertThat(expand("(a)", "a", "plain")).isEqualTo("plain");
    }

    @Test
    void multiByteCharactersPassThroughTemplatesAndGroups() {
        assertThat(expand("(.)(.*)", "\u00e9t\u00e9", "$2$1")).isEqualTo("t\u00e9\u00e9");
        assertThat(expand("(.*)", "\ud83d\ude00", "<$1>")).isEqualTo("<\ud83d\ude00>");
    }

    @Test
    void aRegexJavaCannotReadFails() {
        assertThatThrownBy(() -> RelabelRegex.compile("(unclosed")).isInstanceOf(PatternSyntaxException.class);
    }
}
