package io.lokiconnect.sink.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.loki.TenantIds;
import io.lokiconnect.sink.client.NoProxy;
import java.time.Duration;
import java.util.regex.Matcher;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzz: the parsers issue 19 added read anything a config or a record can hold, in bounded time, without throwing:
 * Go templates (mapping values and names, relabel replacements and targets), NO_PROXY lists, tenant IDs.
 */
class RoutingParsersFuzzTest {

    private static final Duration PER_INPUT = Duration.ofSeconds(1);

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("${}0123456789abc_|.,:/*[] \u00e9").ofMaxLength(64),
                Arbitraries.strings().all().ofMaxLength(200));
    }

    @Property(tries = 2000)
    void anyTemplateExpandsInBoundedTimeWithoutThrowing(@ForAll("texts") String template, @ForAll("texts") String value) {
        RelabelRegex regex = RelabelRegex.compile("(?<first>.)?(.*)");
        Matcher m = regex.matcher(value);
        assertThat(m.matches()).isTrue();
        long started = System.nanoTime();
        String out = regex.expand(template, m);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PER_INPUT);
        if (template.indexOf('$') < 0) {
            assertThat(out).isEqualTo(template);
        }
    }

    @Property(tries = 2000)
    void anyNoProxyListIsReadInBoundedTimeWithoutThrowing(@ForAll("texts") String list, @ForAll("texts") String host) {
        long started = System.nanoTime();
        NoProxy noProxy = NoProxy.parse(list);
        noProxy.matches(host, 3100);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PER_INPUT);
    }

    @Property(tries = 2000)
    void anyTenantIsJudgedInBoundedTimeAndAValidOneHoldsOnlyLokisCharacters(@ForAll("texts") String tenant) {
        long started = System.nanoTime();
        String problem = TenantIds.problem(tenant);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PER_INPUT);
        if (problem == null && tenant.indexOf('|') < 0) {
            assertThat(tenant).matches("[a-zA-Z0-9!\\-_.*'()]{0,150}").isNotIn(".", "..");
        }
    }
}
