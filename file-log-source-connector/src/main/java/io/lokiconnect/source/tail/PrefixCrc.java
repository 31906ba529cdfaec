package io.lokiconnect.source.tail;

import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The checksum of a file's prefix, resumable from a stored value: CRC-32C in the high 32 bits and CRC-32 in the low
 * 32 bits. Both are JVM intrinsics ({@link CRC32C}, {@link CRC32}), several times faster than a CRC-64 in Java, and
 * together they are a 64-bit CRC (the two polynomials are coprime: two different prefixes of the same length agree
 * by chance about once in 10^19). Neither class can start from a stored value, so an update first feeds four bytes
 * that bring a fresh register to the stored value ("forcing": one CRC step over 32 bits is invertible), then the
 * new bytes: the result is the checksum of the whole prefix, as if it had been read in one go.
 */
public final class PrefixCrc {

    private static final int CRC32C_POLY = 0x82F63B78;
    private static final int CRC32_POLY = 0xEDB88320;
    private static final int[] CRC32C_TABLE = table(CRC32C_POLY);
    private static final int[] CRC32_TABLE = table(CRC32_POLY);
    /** The byte whose table entry has this top byte (a bijection for a CRC table): one byte step backwards. */
    private static final int[] CRC32C_BACK = back(CRC32C_TABLE);
    private static final int[] CRC32_BACK = back(CRC32_TABLE);
    /** Below this many bytes the table is cheaper than forcing two intrinsic registers. */
    private static final int TABLE_BELOW = 16;

    private PrefixCrc() {
    }

    private static int[] table(int poly) {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ poly : c >>> 1;
            }
            table[i] = c;
        }
        return table;
    }

    private static int[] back(int[] table) {
        int[] back = new int[256];
        for (int i = 0; i < 256; i++) {
            back[table[i] >>> 24] = i;
        }
        return back;
    }

    /** The checksum of a prefix followed by {@code length} bytes of {@code bytes}; 0 is that of no bytes. */
    public static long update(long crc, byte[] bytes, int offset, int length) {
        if (length < TABLE_BELOW) {
            for (int i = offset; i < offset + length; i++) {
                crc = update(crc, bytes[i]);
            }
            return crc;
        }
        CRC32C high = new CRC32C();
        high.update(forcing((int) (crc >>> 32), true));
        high.update(bytes, offset, length);
        CRC32 low = new CRC32();
        low.update(forcing((int) crc, false));
        low.update(bytes, offset, length);
        return high.getValue() << 32 | low.getValue();
    }

    public static long update(long crc, byte b) {
        int high = ~(int) (crc >>> 32);
        high = CRC32C_TABLE[(high ^ b) & 0xFF] ^ (high >>> 8);
        int low = ~(int) crc;
        low = CRC32_TABLE[(low ^ b) & 0xFF] ^ (low >>> 8);
        return (~high & 0xFFFFFFFFL) << 32 | (~low & 0xFFFFFFFFL);
    }

    /**
     * The little-endian word whose four bytes take a fresh register (all ones, as {@code reset()} leaves it) to the
     * register whose value is {@code value} (the register inverted). Over 32 bits a reflected CRC step is
     * {@code reg' = G(reg ^ word)} with G invertible: the word is {@code G^-1(~value) ^ ~0}. G^-1 runs the four byte
     * steps backwards: the top byte of a register names the table entry that was added, whose index was the low
     * byte shifted out.
     */
    static int forcingWord(int value, int[] table, int[] back) {
        int register = ~value;
        for (int k = 0; k < 4; k++) {
            int index = back[register >>> 24];
            register = ((register ^ table[index]) << 8) | index;
        }
        return ~register;
    }

    /** The four bytes of {@link #forcingWord} for CRC-32C ({@code crc32c}) or CRC-32, in the order they are fed. */
    static byte[] forcing(int value, boolean crc32c) {
        int word = crc32c ? forcingWord(value, CRC32C_TABLE, CRC32C_BACK) : forcingWord(value, CRC32_TABLE, CRC32_BACK);
        return new byte[] {(byte) word, (byte) (word >>> 8), (byte) (word >>> 16), (byte) (word >>> 24)};
    }
}
