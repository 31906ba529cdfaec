package io.lokiconnect.source.tail;

import java.nio.charset.Charset;
import java.util.regex.Pattern;

/**
 * Everything the tailer is told: how lines are cut and decoded, and how files are found, followed and forgotten.
 * Built by the connector's config, which owns the defaults.
 *
 * @param lineMaxBytes      longest line emitted whole; longer ones are split or truncated
 * @param splitLongLines    true: emit every part of a long line; false: emit its first part and skip the rest
 * @param charset           the files' character set (one that writes ASCII as ASCII)
 * @param partialFlushMs    how long a last line without newline waits before it is emitted anyway
 * @param startAtEnd        start.position=end: the connector's first run starts the files that exist then at their end
 * @param scanIntervalMs    how often the globs are evaluated again
 * @param maxOpenFiles      most handles kept open; the least recently active are closed first
 * @param multilineStart    the pattern that starts a multi-line event; null: every line is an event
 * @param multilineMaxLines most lines in one record of a multi-line event
 * @param multilineFlushMs  how long a multi-line event waits for its next line
 * @param multilineMaxBytes longest multi-line event emitted as one record, in UTF-8 bytes
 * @param rotateWaitMs      how long a file that left the globs or was deleted is still read after it last grew
 * @param ignoreOlderThanMs files last modified longer ago than this are never opened; 0: no limit
 * @param lookIntervalMs    how often a file at its end whose handle is closed is looked at (one stat of its name);
 *                          0: at every poll
 * @param watchWrites       ask the kernel which files were written to (inotify, local file systems): files at their
 *                          end in watched directories are then looked at when written to, and every 10 s besides
 */
public record TailerSettings(int lineMaxBytes, boolean splitLongLines, Charset charset, long partialFlushMs,
                             boolean startAtEnd, long scanIntervalMs, int maxOpenFiles, Pattern multilineStart,
                             int multilineMaxLines, long multilineFlushMs, int multilineMaxBytes, long rotateWaitMs,
                             long ignoreOlderThanMs, long lookIntervalMs, boolean watchWrites) {
}
