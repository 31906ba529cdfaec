package io.lokiconnect.transforms.labels;

/** Label value limits. Loki measures {@code max_label_value_length} in UTF-8 bytes, so this does too. */
public final class LabelValues {

    private LabelValues() {
    }

    /**
     * The value itself when its UTF-8 encoding fits in {@code maxBytes}, otherwise its longest prefix that does,
     * cut between code points (a surrogate pair is never split).
     */
    public static String truncateUtf8(String value, int maxBytes) {
        // A char encodes to at most 3 bytes (a surrogate pair, 2 chars, to 4): most values need no counting.
        if ((long) value.length() * 3 <= maxBytes) {
            return value;
        }
        int bytes = 0;
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            int width;
            int chars = 1;
            if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                width = 4;
                chars = 2;
            } else {
                width = 3;
            }
            if (bytes + width > maxBytes) {
                return value.substring(0, i);
            }
            bytes += width;
            i += chars - 1;
        }
        return value;
    }
}
