package io.lokiconnect.source.tail;

/**
 * CRC-64/XZ (ECMA-182 polynomial, reflected), resumable from a stored value: the checksum of a file's prefix is
 * kept in the source offset and extended as the file is read after a restart, without reading the prefix again
 * ({@link java.util.zip.CRC32C} cannot start from a stored value). 64 bits, so two different prefixes of the same
 * length agree by chance about once in 10^19.
 */
public final class Crc64 {

    private static final long POLYNOMIAL = 0xC96C5795D7870F42L;
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc64() {
    }

    /** The checksum of a prefix followed by {@code length} bytes of {@code bytes}; 0 is that of no bytes. */
    public static long update(long crc, byte[] bytes, int offset, int length) {
        long c = ~crc;
        for (int i = offset; i < offset + length; i++) {
            c = TABLE[(int) ((c ^ bytes[i]) & 0xFF)] ^ (c >>> 8);
        }
        return ~c;
    }

    public static long update(long crc, byte b) {
        long c = ~crc;
        c = TABLE[(int) ((c ^ b) & 0xFF)] ^ (c >>> 8);
        return ~c;
    }
}
