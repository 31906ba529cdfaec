package io.lokiconnect.common.loki;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantIdsTest {

    @Test
    void lettersDigitsAndLokisSpecialCharactersAreValid() {
        assertThat(TenantIds.problem("team-a")).isNull();
        assertThat(TenantIds.problem("Team_A.prod!*'()")).isNull();
        assertThat(TenantIds.problem("...")).isNull();
    }

    @Test
    void lengthIsLimitedAt150Bytes() {
        assertThat(TenantIds.problem("a".repeat(149))).isNull();
        assertThat(TenantIds.problem("a".repeat(150))).isNull();
        assertThat(TenantIds.problem("a".repeat(151))).isEqualTo("tenant ID is too long: max 150 characters");
    }

    @Test
    void aMultiByteCharacterIsRefusedByItsFirstByteAsGoPrintsIt() {
        // 'é' is C3 A9 in UTF-8: dskit reports byte C3 printed with %c, i.e. U+00C3.
        assertThat(TenantIds.problem("caf\u00e9")).isEqualTo("tenant ID 'caf\u00e9' contains unsupported character '\u00c3'");
        assertThat(TenantIds.problem("a".repeat(149) + "\u00e9")).contains("unsupported character");
    }

    @Test
    void spacesSlashesAndColonsAreRefused() {
        assertThat(TenantIds.problem("team a")).isEqualTo("tenant ID 'team a' contains unsupported character ' '");
        assertThat(TenantIds.problem("a/b")).contains("unsupported character '/'");
        assertThat(TenantIds.problem("a:b")).contains("unsupported character ':'");
    }

    @Test
    void dotAndDotDotAreUnsafe() {
        assertThat(TenantIds.problem(".")).isEqualTo("tenant ID is '.' or '..'");
        assertThat(TenantIds.problem("..")).isEqualTo("tenant ID is '.' or '..'");
    }

    @Test
    void severalTenantsAreRefusedUnlessTheyAreTheSameOne() {
        assertThat(TenantIds.problem("a|b")).isEqualTo("multiple org IDs present");
        assertThat(TenantIds.problem("a|a")).isNull();
        assertThat(TenantIds.problem("a|")).isEqualTo("multiple org IDs present");
        assertThat(TenantIds.problem("a|b c")).contains("unsupported character ' '");
    }
}
