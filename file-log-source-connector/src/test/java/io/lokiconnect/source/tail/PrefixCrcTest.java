package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The prefix checksum must be the JDK's CRC-32C and CRC-32 of all the bytes, whatever pieces they were fed in
 * (the tailer feeds lines, single bytes and 64 KiB reads, and resumes from a stored value after a restart).
 */
class PrefixCrcTest {

    /** The checksum of all the bytes in one go, by the JDK's own classes. */
    private static long oneShot(byte[] bytes, int offset, int length) {
        CRC32C high = new CRC32C();
        high.update(bytes, offset, length);
        CRC32 low = new CRC32();
        low.update(bytes, offset, length);
        return high.getValue() << 32 | low.getValue();
    }

    @Test
    void theCheckValuesOfCrc32cAndCrc32() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        long expected = 0xE3069283L << 32 | 0xCBF43926L;
        assertThat(PrefixCrc.update(0, check, 0, check.length)).isEqualTo(expected);
        long byteWise = 0;
        for (byte b : check) {
            byteWise = PrefixCrc.update(byteWise, b);
        }
        assertThat(byteWise).isEqualTo(expected);
        assertThat(PrefixCrc.update(0, check, 0, 0)).as("no bytes").isZero();
    }

    @Test
    void aroundTheLengthWhereTheIntrinsicsTakeOver() {
        byte[] bytes = new byte[40];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 37 + 200);
        }
        for (int length : new int[] {14, 15, 16, 17, 18}) {
            long stored = PrefixCrc.update(0, bytes, 0, 3);
            assertThat(PrefixCrc.update(stored, bytes, 3, length)).as("length %d", length)
                    .isEqualTo(oneShot(bytes, 0, 3 + length));
        }
    }

    @Property(tries = 500)
    void forcingBringsAFreshRegisterToAnyValue(@ForAll int value) {
        CRC32C crc32c = new CRC32C();
        crc32c.update(PrefixCrc.forcing(value, true));
        assertThat(crc32c.getValue()).isEqualTo(value & 0xFFFFFFFFL);
        CRC32 crc32 = new CRC32();
        crc32.update(PrefixCrc.forcing(value, false));
        assertThat(crc32.getValue()).isEqualTo(value & 0xFFFFFFFFL);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        // Piece lengths: single bytes (-1 means one byte through the byte-wise update), short and long pieces.
        return Arbitraries.oneOf(Arbitraries.integers().between(-1, 20), Arbitraries.integers().between(0, 300))
                .list().ofMaxSize(12);
    }

    @Property(tries = 1000)
    void anySequenceOfPiecesGivesTheChecksumOfTheWhole(@ForAll @Size(max = 2000) byte[] bytes,
                                                       @ForAll("cuts") List<Integer> cuts) {
        long crc = 0;
        int at = 0;
        for (int cut : cuts) {
            if (at >= bytes.length) {
                break;
            }
            if (cut < 0) {
                crc = PrefixCrc.update(crc, bytes[at]);
                at++;
            } else {
                int length = Math.min(cut, bytes.length - at);
                crc = PrefixCrc.update(crc, bytes, at, length);
                at += length;
            }
            // Every intermediate value is a stored offset's checksum: it must be the prefix's.
            assertThat(crc).isEqualTo(oneShot(bytes, 0, at));
        }
        crc = PrefixCrc.update(crc, bytes, at, bytes.length - at);
        assertThat(crc).isEqualTo(oneShot(bytes, 0, bytes.length));
    }
}
