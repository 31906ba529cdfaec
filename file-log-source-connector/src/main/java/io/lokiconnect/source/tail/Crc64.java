package io.lokiconnect.source.tail;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CRC-64/XZ (ECMA-182 polynomial, reflected), resumable from a stored value: the checksum of a file's prefix is
 * kept in the source offset and extended as the file is read after a restart, without reading the prefix again
 * ({@link java.util.zip.CRC32C} cannot start from a stored value). 64 bits, so two different prefixes of the same
 * length agree by chance about once in 10^19.
 */
public final class Crc64 {

    private static final long POLYNOMIAL = 0xC96C5795D7870F42L;
    private static final long[] TABLE = new long[256];
    /** Slicing-by-8 tables: eight bytes per step, several times faster than one (it runs on every byte read). */
    private static final long[][] SLICES = new long[8][256];
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    static {
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
            }
            TABLE[i] = c;
        }
        SLICES[0] = TABLE;
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                long previous = SLICES[k - 1][i];
                SLICES[k][i] = (previous >>> 8) ^ TABLE[(int) (previous & 0xFF)];
            }
        }
    }

    private Crc64() {
    }

    /** The checksum of a prefix followed by {@code length} bytes of {@code bytes}; 0 is that of no bytes. */
    public static long update(long crc, byte[] bytes, int offset, int length) {
        long c = ~crc;
        int i = offset;
        int end = offset + length;
        long[] t0 = SLICES[0], t1 = SLICES[1], t2 = SLICES[2], t3 = SLICES[3];
        long[] t4 = SLICES[4], t5 = SLICES[5], t6 = SLICES[6], t7 = SLICES[7];
        for (; i + 8 <= end; i += 8) {
            long x = c ^ (long) LONG_LE.get(bytes, i);
            c = t7[(int) (x & 0xFF)] ^ t6[(int) ((x >>> 8) & 0xFF)] ^ t5[(int) ((x >>> 16) & 0xFF)]
                    ^ t4[(int) ((x >>> 24) & 0xFF)] ^ t3[(int) ((x >>> 32) & 0xFF)] ^ t2[(int) ((x >>> 40) & 0xFF)]
                    ^ t1[(int) ((x >>> 48) & 0xFF)] ^ t0[(int) (x >>> 56)];
        }
        for (; i < end; i++) {
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
