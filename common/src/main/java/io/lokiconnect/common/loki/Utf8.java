package io.lokiconnect.common.loki;

/**
 * UTF-8 byte counting without encoding, in one place: Loki's limits (line size, label value length, push size)
 * are in bytes, while Java strings count UTF-16 chars.
 */
public final class Utf8 {

    private Utf8() {
    }

    /**
     * The number of bytes {@code s} takes in UTF-8, equal to {@code s.getBytes(UTF_8).length}: an unpaired
     * surrogate counts 1, as the encoder writes it as {@code ?}.
     */
    public static int encodedLength(CharSequence s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2; // 4 bytes for the pair of 2 chars
                i++;
            } else if (!Character.isSurrogate(c)) {
                bytes += 2;
            }
            // An unpaired surrogate stays 1: the encoder writes it as '?'.
        }
        return bytes;
    }

    /**
     * {@code s} itself when its UTF-8 encoding fits in {@code maxBytes}, otherwise its longest prefix that does, cut
     * between code points (a surrogate pair is never split). Counts as {@link #encodedLength} does.
     */
    public static String truncate(String s, int maxBytes) {
        // A char encodes to at most 3 bytes (a surrogate pair, 2 chars, to 4): most values need no counting.
        if ((long) s.length() * 3 <= maxBytes) {
            return s;
        }
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int width;
            int chars = 1;
            if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                width = 4;
                chars = 2;
            } else if (Character.isSurrogate(c)) {
                width = 1; // written as '?'
            } else {
                width = 3;
            }
            if (bytes + width > maxBytes) {
                return s.substring(0, i);
            }
            bytes += width;
            i += chars - 1;
        }
        return s;
    }
}
