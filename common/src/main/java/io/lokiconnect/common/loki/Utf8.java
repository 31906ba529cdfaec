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
}
