package io.lokiconnect.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The user and password of the Connect worker's REST API, checked by Kafka's {@code BasicAuthSecurityRestExtension}
 * (see {@code connect-configs/worker.properties}). Taken from {@code CONNECT_REST_USER} and
 * {@code CONNECT_REST_PASSWORD} when set, else the password an earlier run kept in the worker's directory, else a new
 * random one: no password is in the repository, and the user's curl commands keep working across runs.
 */
public record RestCredentials(String user, String password) {

    public static final String USER_VARIABLE = "CONNECT_REST_USER";
    public static final String PASSWORD_VARIABLE = "CONNECT_REST_PASSWORD";
    public static final String DEFAULT_USER = "admin";
    /** A guessable password on an administrative API is an open door too; the generated ones have 32 characters. */
    private static final int MIN_PASSWORD_LENGTH = 16;
    static final String CREDENTIALS_FILE = "rest-credentials.properties";
    static final String PASSWORD_FILE = "rest-password";
    static final String JAAS_FILE = "rest-jaas.conf";

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    public RestCredentials {
        checkUser(user);
        if (password == null || password.codePointCount(0, password.length()) < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException(PASSWORD_VARIABLE + " must have at least " + MIN_PASSWORD_LENGTH
                    + " characters (unset it and the runner generates one)");
        }
        if (password.chars().anyMatch(Character::isISOControl) || !password.strip().equals(password)) {
            throw new IllegalArgumentException(PASSWORD_VARIABLE
                    + " must not hold control characters or begin or end with a space");
        }
    }

    /** @throws IllegalArgumentException naming CONNECT_REST_USER when {@code user} cannot be a user name here */
    public static void checkUser(String user) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException(USER_VARIABLE + " must be 1 to 64 of A-Z a-z 0-9 . _ - (a colon would"
                    + " end the user name in the Authorization header)");
        }
    }

    /** A new random password of 32 letters and digits (190 bits). */
    public static RestCredentials generate(String user) {
        StringBuilder password = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            password.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return new RestCredentials(user, password.toString());
    }

    /**
     * The given user and password; else the password kept in {@code dir} by an earlier run; else a new one.
     *
     * @throws IllegalArgumentException when a given value is refused (the message names the variable)
     */
    public static RestCredentials resolve(Optional<String> user, Optional<String> password, Path dir)
            throws IOException {
        String name = user.orElse(DEFAULT_USER);
        if (password.isPresent()) {
            return new RestCredentials(name, password.get());
        }
        Path kept = dir.resolve(PASSWORD_FILE);
        if (Files.isRegularFile(kept)) {
            try {
                return new RestCredentials(name, Files.readString(kept, StandardCharsets.UTF_8).strip());
            } catch (IllegalArgumentException damaged) {
                // Edited by hand into something refused: nothing is lost, the new password is written over it
                // and the runner prints where it is.
            }
        }
        return generate(name);
    }

    /** The value of the {@code Authorization} header. */
    public String authorization() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes what the worker reads, readable by this user only: the credentials file of Kafka's
     * {@code PropertyFileLoginModule} ({@code user=password}), the password alone (for curl), and the JAAS file
     * naming the credentials file in the login context {@code KafkaConnect}.
     *
     * @return the JAAS file, for {@code -Djava.security.auth.login.config}
     */
    public Path writeWorkerFiles(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path credentials = dir.resolve(CREDENTIALS_FILE).toAbsolutePath();
        String jaasPath = credentials.toString();
        if (jaasPath.contains("\"") || jaasPath.contains("\\")) {
            throw new IllegalArgumentException("the worker directory " + dir + " holds a quote or a backslash, which"
                    + " a JAAS file cannot name: choose another RUN_DIR");
        }
        Properties users = new Properties();
        users.setProperty(user, password);
        // Kafka's PropertyFileLoginModule reads the file with Properties.load(InputStream), i.e. as ISO-8859-1 with
        // backslash-u escapes: store(OutputStream) writes exactly that, so a password beyond Latin-1 arrives intact.
        try (OutputStream out = Files.newOutputStream(ownerOnly(credentials), StandardOpenOption.TRUNCATE_EXISTING)) {
            users.store(out, "Connect REST API users (written by run-local.sh; user=password)");
        }
        Files.writeString(ownerOnly(dir.resolve(PASSWORD_FILE)), password, StandardCharsets.UTF_8,
                StandardOpenOption.TRUNCATE_EXISTING);
        Path jaas = dir.resolve(JAAS_FILE).toAbsolutePath();
        Files.writeString(jaas, String.join("\n",
                "KafkaConnect {",
                "  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required",
                "  file=\"" + jaasPath + "\";",
                "};",
                ""), StandardCharsets.UTF_8);
        return jaas;
    }

    /** The file, created empty with mode 0600 where the file system has POSIX permissions, and set to it if it was not. */
    private static Path ownerOnly(Path file) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.exists(file)) {
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } else if (posix) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    /** Never the password: these objects reach log lines and assertion messages. */
    @Override
    public String toString() {
        return "RestCredentials[user=" + user + ", password=[hidden]]";
    }
}
