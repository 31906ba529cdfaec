package io.lokiconnect.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionTest {

    @Test
    void versionIsTheOneMavenBuilt() {
        assertThat(Version.get()).isNotBlank().doesNotContain("${").isNotEqualTo("unknown");
    }
}
