package io.lokiconnect.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** NO_PROXY as Go's net/http/httpproxy reads it (what Loki, Promtail and Alloy honour). */
class NoProxyTest {

    @Test
    void aDomainMatchesItselfAndItsSubdomainsNotItsLookAlikes() {
        NoProxy noProxy = NoProxy.parse("example.com, .internal");
        assertThat(noProxy.matches("example.com", 80)).isTrue();
        assertThat(noProxy.matches("loki.EXAMPLE.com", 3100)).isTrue();
        assertThat(noProxy.matches("notexample.com", 80)).isFalse();
        assertThat(noProxy.matches("loki.internal", 80)).isTrue();
        assertThat(noProxy.matches("internal", 80)).isTrue();
        assertThat(noProxy.matches("loki.external", 80)).isFalse();
    }

    @Test
    void ipsAndCidrRangesMatchIpLiteralsOnly() {
        NoProxy noProxy = NoProxy.parse("10.0.0.0/8,192.168.1.7,::1,fd00::/8");
        assertThat(noProxy.matches("10.255.1.2", 80)).isTrue();
        assertThat(noProxy.matches("11.0.0.1", 80)).isFalse();
        assertThat(noProxy.matches("192.168.1.7", 3100)).isTrue();
        assertThat(noProxy.matches("192.168.1.8", 3100)).isFalse();
        assertThat(noProxy.matches("[::1]", 3100)).isTrue();
        assertThat(noProxy.matches("fd12::3", 3100)).isTrue();
        assertThat(noProxy.matches("10.example.com", 80)).as("a name is never resolved").isFalse();
    }

    @Test
    void aPortMatchesThatPortOnlyAndStarMatchesEverything() {
        NoProxy noProxy = NoProxy.parse("loki:3100");
        assertThat(noProxy.matches("loki", 3100)).isTrue();
        assertThat(noProxy.matches("loki", 3101)).isFalse();
        assertThat(NoProxy.parse("*").matches("anything", 1)).isTrue();
        assertThat(NoProxy.parse("").matches("loki", 3100)).isFalse();
        assertThat(NoProxy.parse(" , ,").matches("loki", 3100)).isFalse();
    }

    @Test
    void malformedEntriesAreSkipped() {
        NoProxy noProxy = NoProxy.parse("10.0.0.0/99,300.1.1.1,loki");
        assertThat(noProxy.matches("10.0.0.1", 80)).isFalse();
        assertThat(noProxy.matches("loki", 80)).isTrue();
    }
}
