package io.lokiconnect.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RestCredentialsTest {

    @TempDir
    Path tmp;

    @Test
    void aPasswordNeedsSixteenCharactersCountedAsCharactersNotUtf16Units() {
        String fifteen = "a".repeat(15);
        assertThatThrownBy(() -> new RestCredentials("admin", fifteen))
                .hasMessageContaining("CONNECT_REST_PASSWORD must have at least 16 characters");
        assertThat(new RestCredentials("admin", fifteen + "b").password()).hasSize(16);
        assertThat(new RestCredentials("admin", fifteen + "bc").password()).hasSize(17);
        // 14 letters and one character outside the BMP: 15 characters in 16 UTF-16 units, refused.
        assertThatThrownBy(() -> new RestCredentials("admin", "a".repeat(14) + "\uD83D\uDD11"))
                .hasMessageContaining("at least 16");
        assertThat(new RestCredentials("admin", fifteen + "\uD83D\uDD11").password()).hasSize(17);
    }

    @ParameterizedTest
    @ValueSource(strings = {" aaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaa ", "aaaaaaaa\naaaaaaaaaa", "aaaaaaaa\taaaaaaaaaa",
            "aaaaaaaa\u0000aaaaaaaaa"})
    void controlCharactersAndSpacesAroundAreRefused(String password) {
        assertThatThrownBy(() -> new RestCredentials("admin", password))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CONNECT_REST_PASSWORD");
    }

    @Test
    void aUserNameIsOneToSixtyFourSafeCharactersWithoutAColon() {
        String password = "p".repeat(16);
        assertThat(new RestCredentials("u".repeat(64), password).user()).hasSize(64);
        for (String bad : new String[] {"", "u".repeat(65), "ad:min", "ad min", "adm\u00e9n"}) {
            assertThatThrownBy(() -> new RestCredentials(bad, password)).as(bad)
                    .hasMessageContaining("CONNECT_REST_USER");
        }
    }

    @Test
    void generatedPasswordsAreLongRandomAndNeverPrinted() {
        RestCredentials a = RestCredentials.generate("admin");
        RestCredentials b = RestCredentials.generate("admin");
        assertThat(a.password()).matches("[A-Za-z0-9]{32}");
        assertThat(a.password()).isNotEqualTo(b.password());
        assertThat(a.toString()).doesNotContain(a.password()).contains("admin");
    }

    @Test
    void theAuthorizationHeaderIsBasicOfUtf8UserColonPassword() {
        RestCredentials c = new RestCredentials("admin", "p\u00e4ss:w=rd#\uD83D\uDD11-123456");
        String decoded = new String(Base64.getDecoder().decode(c.authorization().substring("Basic ".length())),
                StandardCharsets.UTF_8);
        assertThat(c.authorization()).startsWith("Basic ");
        assertThat(decoded).isEqualTo("admin:p\u00e4ss:w=rd#\uD83D\uDD11-123456");
    }

    /**
     * Kafka's PropertyFileLoginModule loads the credentials file with Properties.load(InputStream) (ISO-8859-1):
     * read the same way, every awkward password comes back as it was.
     */
    @ParameterizedTest
    @ValueSource(strings = {"plain-password-0123", "with=equals:colon#hash!bang", "back\\slash\\\\twice-000",
            "latin1-\u00e9\u00e8\u00ff-000000", "beyond-latin1-\u20ac\u4e2d\uD83D\uDD11", "inner spaces are fine ok"})
    void theWorkersCredentialsFileReadsBackAsKafkaReadsIt(String password) throws Exception {
        RestCredentials c = new RestCredentials("admin", password);
        Path jaas = c.writeWorkerFiles(tmp);
        Properties users = new Properties();
        try (InputStream in = Files.newInputStream(tmp.resolve(RestCredentials.CREDENTIALS_FILE))) {
            users.load(in);
        }
        assertThat(users).containsOnlyKeys("admin");
        assertThat(users.getProperty("admin")).isEqualTo(password);
        assertThat(Files.readString(tmp.resolve(RestCredentials.PASSWORD_FILE))).isEqualTo(password);
        assertThat(Files.readString(jaas)).contains("KafkaConnect {",
                "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required",
                "file=\"" + tmp.resolve(RestCredentials.CREDENTIALS_FILE).toAbsolutePath() + "\";");
    }

    @Test
    void theSecretFilesAreReadableByTheirOwnerOnlyEvenWhenTheyExistedBefore() throws Exception {
        Files.writeString(tmp.resolve(RestCredentials.PASSWORD_FILE), "old");
        Files.setPosixFilePermissions(tmp.resolve(RestCredentials.PASSWORD_FILE),
                PosixFilePermissions.fromString("rw-r--r--"));
        RestCredentials.generate("admin").writeWorkerFiles(tmp);
        for (String file : new String[] {RestCredentials.CREDENTIALS_FILE, RestCredentials.PASSWORD_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
    }

    @Test
    void aGivenPasswordWinsElseTheKeptOneElseANewOne() throws Exception {
        String given = "given-password-0123";
        assertThat(RestCredentials.resolve(Optional.of("ops"), Optional.of(given), tmp))
                .isEqualTo(new RestCredentials("ops", given));

        RestCredentials first = RestCredentials.resolve(Optional.empty(), Optional.empty(), tmp);
        assertThat(first.user()).isEqualTo("admin");
        first.writeWorkerFiles(tmp);
        assertThat(RestCredentials.resolve(Optional.empty(), Optional.empty(), tmp)).isEqualTo(first);

        // An editor's trailing newline is not part of the password.
        Files.writeString(tmp.resolve(RestCredentials.PASSWORD_FILE), "kept-by-hand-0123456\n");
        assertThat(RestCredentials.resolve(Optional.empty(), Optional.empty(), tmp).password())
                .isEqualTo("kept-by-hand-0123456");

        // A kept file too short to be a password here: a new one, not the short one.
        Files.writeString(tmp.resolve(RestCredentials.PASSWORD_FILE), "short");
        assertThat(RestCredentials.resolve(Optional.empty(), Optional.empty(), tmp).password()).hasSize(32);
    }
}
