package io.lokiconnect.source.assignment;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which files a task reads: every task evaluates the globs, and task {@code i} of {@code n} owns the files whose
 * rotation family hashes to {@code i}. The family is the file name without its rotation suffixes ({@code app.log},
 * {@code app.log.1}, {@code app.log.2.gz}, {@code app.log-20260101} are all {@code app.log}): a file keeps its
 * owner through rotation, and the copy copytruncate makes and the archive {@code compress} makes go to the task
 * that read the original, the only one that can recognise them (what it read is in its memory). Every file has
 * exactly one owner and no coordination is needed between tasks; the connector never has to watch the file
 * system or reconfigure tasks when files come and go. Changing {@code tasks.max} moves files between tasks; the
 * new owner resumes from the offset the old one committed (offsets are keyed by inode, not by task).
 */
public record FileAssignment(int taskIndex, int taskCount) {

    /** A trailing compression extension, or a trailing number or date (".1", "-20260101", ".2026-01-01"). */
    private static final Pattern ROTATION_SUFFIX =
            Pattern.compile("(\\.(gz|bz2|zst|zstd|xz|z|lz4)|[._-][0-9]+)$", Pattern.CASE_INSENSITIVE);

    public FileAssignment {
        if (taskCount < 1 || taskIndex < 0 || taskIndex >= taskCount) {
            throw new IllegalArgumentException("task " + taskIndex + " of " + taskCount + " is not a valid share");
        }
    }

    public boolean owns(Path file) {
        return Math.floorMod(family(file).hashCode(), taskCount) == taskIndex;
    }

    /** The file name without rotation suffixes; the whole name when nothing would be left. */
    public static String family(Path file) {
        Path name = file.getFileName();
        String family = name == null ? file.toString() : name.toString();
        while (true) {
            String stripped = ROTATION_SUFFIX.matcher(family).replaceFirst("");
            if (stripped.equals(family) || stripped.isEmpty()) {
                return family.toLowerCase(Locale.ROOT);
            }
            family = stripped;
        }
    }
}
