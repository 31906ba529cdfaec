package io.lokiconnect.source.tail;

import java.nio.charset.Charset;

/**
 * How lines are cut and decoded.
 *
 * @param lineMaxBytes   longest line emitted whole; longer ones are split or truncated
 * @param splitLongLines true: emit every part of a long line; false: emit its first part and skip the rest
 * @param partialFlushMs how long a last line without newline waits before it is emitted anyway
 */
public record TailerSettings(int lineMaxBytes, boolean splitLongLines, Charset charset, long partialFlushMs) {
}
