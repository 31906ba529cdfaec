package io.lokiconnect.transforms.level;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LevelNormalizerTest {

    @ParameterizedTest
    @CsvSource({
        "WARNING, warn", "Warn, warn", "W, warn", "wrn, warn",
        "ERR, error", "ERROR, error", "E, error",
        "FATAL, fatal", "CRIT, fatal", "critical, fatal", "PANIC, fatal", "EMERG, fatal", "ALERT, fatal",
        "DEBUG, debug", "DBG, debug", "D, debug",
        "TRACE, trace", "trc, trace",
        "INFO, info", "Information, info", "I, info", "NOTICE, info",
        "' info ', info"
    })
    void namesAreNormalised(String raw, String expected) {
        assertThat(LevelNormalizer.normalize(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"10, trace", "20, debug", "30, info", "40, warn", "50, error", "60, fatal", "35, info", "99, fatal"})
    void pinoAndBunyanNumbersAreNormalised(String raw, String expected) {
        assertThat(LevelNormalizer.normalize(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0, fatal", "1, fatal", "2, fatal", "3, error", "4, warn", "5, info", "6, info", "7, debug"})
    void syslogSeveritiesAreNormalised(String raw, String expected) {
        assertThat(LevelNormalizer.normalize(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"8, 8", "100, 100", "Verbose, verbose", "SEVERE, severe"})
    void unknownLevelsAreKeptInLowerCase(String raw, String expected) {
        assertThat(LevelNormalizer.normalize(raw)).isEqualTo(expected);
    }
}
