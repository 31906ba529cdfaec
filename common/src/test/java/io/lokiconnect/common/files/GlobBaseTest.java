package io.lokiconnect.common.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GlobBaseTest {

    @Test
    void theBaseIsTheLiteralDirectoryBeforeTheFirstWildcard() {
        assertThat(GlobBase.of("/var/log/*.log")).isEqualTo(Path.of("/var/log"));
        assertThat(GlobBase.of("/var/log/**/x.log")).isEqualTo(Path.of("/var/log"));
        assertThat(GlobBase.of("/app/{a,b}/x.log")).isEqualTo(Path.of("/app"));
        assertThat(GlobBase.of("/app/[ab]x/y.log")).isEqualTo(Path.of("/app"));
        assertThat(GlobBase.of("/app/lo?s/y.log")).isEqualTo(Path.of("/app"));
        assertThat(GlobBase.of("/*.log")).isEqualTo(Path.of("/"));
    }

    @Test
    void aGlobWithoutWildcardIsItsOwnBaseAndARelativeOneIsMadeAbsolute() {
        assertThat(GlobBase.of("/var/log/app.log")).isEqualTo(Path.of("/var/log/app.log"));
        assertThat(GlobBase.of("logs/*.log")).isEqualTo(Path.of("").toAbsolutePath().resolve("logs"));
        assertThat(GlobBase.hasWildcard("/var/log/app.log")).isFalse();
        assertThat(GlobBase.hasWildcard("/var/log/app-?.log")).isTrue();
    }
}
