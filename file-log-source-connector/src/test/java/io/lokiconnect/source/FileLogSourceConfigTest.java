package io.lokiconnect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.source.tail.TailerSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class FileLogSourceConfigTest {

    private static Map<String, String> valid() {
        Map<String, String> props = new HashMap<>();
        props.put("topic", "logs");
        props.put("paths", "/var/log/*.log,/app/logs/*.log");
        return props;
    }

    private static List<String> errors(Map<String, String> props, String key) {
        return new FileLogSourceConnector().validate(props).configValues().stream()
                .filter(v -> v.name().equals(key)).findFirst().map(ConfigValue::errorMessages).orElseThrow();
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        FileLogSourceConfig config = new FileLogSourceConfig(valid());
        TailerSettings tail = config.tailerSettings();
        assertThat(tail.lineMaxBytes()).isEqualTo(256 * 1024);
        assertThat(tail.splitLongLines()).as("line.overflow=split").isTrue();
        assertThat(tail.startAtEnd()).as("start.position=beginning").isFalse();
        assertThat(tail.multilineStart()).isNull();
        assertThat(tail.charset()).isEqualTo(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(tail.partialFlushMs()).isEqualTo(5_000);
        assertThat(tail.scanIntervalMs()).isEqualTo(5_000);
        assertThat(tail.maxOpenFiles()).isEqualTo(256);
        assertThat(tail.multilineMaxLines()).isEqualTo(500);
        assertThat(tail.multilineFlushMs()).isEqualTo(2_000);
        assertThat(tail.ignoreOlderThanMs()).isZero();
        assertThat(tail.lookIntervalMs()).as("a closed file at its end is looked at every 800 ms").isEqualTo(800);
        assertThat(tail.watchWrites()).as("the task asks the kernel which files were written to").isTrue();
        assertThat(config.batchMaxRecords()).isEqualTo(2_000);
        assertThat(config.batchMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.pollIntervalMs()).isEqualTo(250);
        assertThat(config.hostName()).isNotBlank();
    }

    @Test
    void hostNameAndIntervalsAreTakenAsGiven() {
        Map<String, String> props = new java.util.HashMap<>(valid());
        props.put("host.name", "web-01");
        props.put("scan.interval.ms", "2500");
        props.put("poll.interval.ms", "75");
        FileLogSourceConfig config = new FileLogSourceConfig(props);
        assertThat(config.hostName()).isEqualTo("web-01");
        assertThat(config.tailerSettings().scanIntervalMs()).isEqualTo(2500);
        assertThat(config.pollIntervalMs()).isEqualTo(75);
    }

    @Test
    void rotationAndMultilineDefaultsKeepARecordUnderTheProducersMaxRequestSize() {
        FileLogSourceConfig config = new FileLogSourceConfig(valid());
        assertThat(config.tailerSettings().rotateWaitMs()).isEqualTo(10_000);
        assertThat(config.tailerSettings().multilineMaxBytes()).isEqualTo(512 * 1024)
                .isGreaterThan(config.tailerSettings().lineMaxBytes())
                // room for the key (the path, at most 4 KiB) and headers (path, name, offset, host, part)
                .isLessThan(1024 * 1024 - 64 * 1024);
    }

    @Test
    void multilineMaxBytesNotAboveLineMaxBytesFailsValidationNamingBothKeys() {
        Map<String, String> props = valid();
        props.put("multiline.start.pattern", "^\\d{4}-");
        props.put("line.max.bytes", "1000");
        props.put("multiline.max.bytes", "1000");
        assertThat(errors(props, "multiline.max.bytes")).singleElement().asString()
                .contains("multiline.max.bytes").contains("larger than line.max.bytes (1000)");
        props.put("multiline.max.bytes", "1001");
        assertThat(errors(props, "multiline.max.bytes")).isEmpty();
        props.remove("multiline.start.pattern");
        props.put("multiline.max.bytes", "100");
        assertThat(errors(props, "multiline.max.bytes")).as("no multi-line: not used").isEmpty();
    }

    @Test
    void validConfigHasNoErrors() {
        assertThat(new FileLogSourceConnector().validate(valid()).configValues())
                .allMatch(v -> v.errorMessages().isEmpty());
    }

    @Test
    void unresolvedEnvironmentReferenceNamesTheKeyAndTheFix() {
        Map<String, String> props = valid();
        props.put("topic", "${env:KAFKA_TOPIC}");
        assertThat(errors(props, "topic")).singleElement().asString()
                .contains("topic").contains("set the environment variable");
        props = valid();
        props.put("paths", "${env:LOG_PATHS}");
        assertThat(errors(props, "paths")).singleElement().asString().contains("unresolved reference");
    }

    /** Lines are split at the byte '\n': only character sets that write ASCII as ASCII are accepted. */
    @Test
    void characterSetsThatDoNotWriteAsciiAsAsciiAreRejectedWithTheFix() {
        for (String charset : new String[] {"UTF-16", "UTF-16LE", "UTF-32"}) {
            Map<String, String> props = valid();
            props.put("encoding", charset);
            assertThat(errors(props, "encoding")).as(charset).singleElement().asString()
                    .contains("ASCII-compatible").contains("UTF-8");
        }
        for (String charset : new String[] {"UTF-8", "US-ASCII", "ISO-8859-1", "windows-1252", "ISO-8859-15"}) {
            Map<String, String> props = valid();
            props.put("encoding", charset);
            assertThat(errors(props, "encoding")).as(charset).isEmpty();
        }
    }

    @Test
    void badValuesAreRejectedWithTheKey() {
        Map<String, String> props = valid();
        props.put("line.overflow", "wrap");
        props.put("encoding", "no-such-charset");
        props.put("multiline.start.pattern", "([");
        props.put("start.position", "middle");
        props.put("paths.allowed.roots", "relative/dir");
        assertThat(errors(props, "line.overflow")).isNotEmpty();
        assertThat(errors(props, "encoding")).singleElement().asString().contains("character set");
        assertThat(errors(props, "multiline.start.pattern")).singleElement().asString().contains("regular expression");
        assertThat(errors(props, "start.position")).isNotEmpty();
        assertThat(errors(props, "paths.allowed.roots")).singleElement().asString().contains("absolute");
    }

    @Test
    void choiceValuesAreReadIgnoringCaseAndSpaces() {
        Map<String, String> props = valid();
        props.put("line.overflow", "TRUNCATE");
        props.put("start.position", " End ");
        assertThat(errors(props, "line.overflow")).isEmpty();
        FileLogSourceConfig config = new FileLogSourceConfig(props);
        assertThat(config.tailerSettings().splitLongLines()).as("line.overflow=truncate").isFalse();
        assertThat(config.tailerSettings().startAtEnd()).as("start.position=end").isTrue();
    }

    @Test
    void anUnknownChoiceNamesTheKeyAndEveryAllowedValue() {
        Map<String, String> props = valid();
        props.put("line.overflow", "wrap");
        props.put("start.position", "middle");
        assertThat(errors(props, "line.overflow")).singleElement().asString()
                .contains("line.overflow").contains("wrap").contains("[split, truncate]");
        assertThat(errors(props, "start.position")).singleElement().asString()
                .contains("start.position").contains("[beginning, end]");
        assertThatThrownBy(() -> new FileLogSourceConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("[split, truncate]");
    }

    @Test
    void choiceKeysRecommendTheValuesOfTheirEnum() {
        Map<String, ConfigValue> values = new HashMap<>();
        new FileLogSourceConnector().validate(valid()).configValues().forEach(v -> values.put(v.name(), v));
        assertThat(values.get("line.overflow").recommendedValues()).containsExactly("split", "truncate");
        assertThat(values.get("start.position").recommendedValues()).containsExactly("beginning", "end");
    }

    @Test
    void everyBrokenCrossKeyRuleIsReportedByValidateAndTheConstructorThrowsTheFirst() {
        Map<String, String> props = valid();
        props.put("paths", "/etc/*");
        props.put("paths.allowed.roots", "/var/log");
        props.put("multiline.start.pattern", "^\\d");
        props.put("line.max.bytes", "1000");
        props.put("multiline.max.bytes", "999");
        assertThat(errors(props, "paths")).singleElement().asString().contains("/etc/*");
        assertThat(errors(props, "multiline.max.bytes")).singleElement().asString().contains("line.max.bytes");
        assertThatThrownBy(() -> new FileLogSourceConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("multiline.max.bytes");
    }

    @Test
    void aGlobAtTheAllowedRootIsAcceptedAndOneBesideItIsNot() {
        Map<String, String> props = valid();
        props.put("paths.allowed.roots", "/var/log");
        props.put("paths", "/var/log/*.log");
        assertThat(errors(props, "paths")).isEmpty();
        props.put("paths", "/var/logs/*.log");
        assertThat(errors(props, "paths")).singleElement().asString().contains("/var/logs/*.log");
        props.put("paths", "/var/*/x.log");
        assertThat(errors(props, "paths")).as("a wildcard above the root can match outside it").isNotEmpty();
    }

    @Test
    void globOutsideAllowedRootsFailsValidationOnPaths() {
        Map<String, String> props = valid();
        props.put("paths", "/etc/*");
        props.put("paths.allowed.roots", "/var/log");
        assertThat(errors(props, "paths")).singleElement().asString()
                .contains("/etc/*").contains("paths.allowed.roots");
    }

    /** A root and a glob naming the same directory, one through a symbolic link, the other by its target. */
    @Test
    void aGlobAndARootThatNameTheSameDirectoryThroughASymbolicLinkAreAccepted(@org.junit.jupiter.api.io.TempDir
                                                                            java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path real = java.nio.file.Files.createDirectories(dir.resolve("private/logs"));
        java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("logs"), real);
        Map<String, String> props = valid();
        props.put("paths.allowed.roots", real.toString());
        props.put("paths", link + "/*.log");
        assertThat(errors(props, "paths")).isEmpty();
        props.put("paths.allowed.roots", link.toString());
        props.put("paths", real + "/*.log");
        assertThat(errors(props, "paths")).isEmpty();
        props.put("paths", dir + "/*.log");
        assertThat(errors(props, "paths")).as("the link's parent is still outside").isNotEmpty();
    }
}
