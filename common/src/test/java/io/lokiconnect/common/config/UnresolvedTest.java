package io.lokiconnect.common.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class UnresolvedTest {

    @Test
    void anUnsetEnvironmentVariableIsNamedWithTheFix() {
        assertThatThrownBy(() -> Unresolved.reject("loki.url", "${env:LOKI_ENDPOINT}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("loki.url")
                .hasMessageContaining("${env:LOKI_ENDPOINT}")
                .hasMessageContaining("set the environment variable LOKI_ENDPOINT")
                .hasMessageContaining("config.providers=env");
        assertThatThrownBy(() -> Unresolved.reject("paths", "/logs/${env:APP}/*.log"))
                .hasMessageContaining("set the environment variable APP ");
    }

    @Test
    void otherProvidersAndUnclosedReferencesAreRefusedToo() {
        assertThatThrownBy(() -> Unresolved.reject("k", "${file:/secrets.properties:token}"))
                .hasMessageContaining("${file:/secrets.properties:token}").hasMessageContaining("secret");
        assertThatThrownBy(() -> Unresolved.reject("k", "x${env:A")).hasMessageContaining("${env:A");
    }

    @Test
    void valuesWithoutAReferencePass() {
        assertThatCode(() -> Unresolved.reject("k", "$5 {a}")).doesNotThrowAnyException();
        assertThatCode(() -> Unresolved.reject("k", null)).doesNotThrowAnyException();
        assertThatCode(() -> Unresolved.reject("k", "")).doesNotThrowAnyException();
    }
}
