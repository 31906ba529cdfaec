package io.lokiconnect.it.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** The rows of RELIABILITY.md: one per scenario, printed when it ends and appended to a file under target/. */
final class ReliabilityTable {

    static final String HEADER = "| scenario | lines written | delivered | visibly duplicated | lost |\n|---|---:|---:|---:|---:|";

    record Row(String scenario, long written, long delivered, long duplicated, long lost) {
        String markdown() {
            return "| " + scenario + " | " + written + " | " + delivered + " | " + duplicated + " | " + lost + " |";
        }
    }

    private ReliabilityTable() {
    }

    /** Prints the row and appends it to {@code target/reliability/<suite>.md} (created with the header). */
    static void record(String suite, Row row) {
        System.out.println("RELIABILITY " + row.markdown());
        Path file = Path.of("target", "reliability", suite + ".md");
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.writeString(file, "<!-- " + suite + ", " + Instant.now() + " -->\n" + HEADER + "\n",
                        StandardCharsets.UTF_8);
            }
            Files.writeString(file, row.markdown() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
