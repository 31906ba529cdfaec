package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Crc64Test {

    /** Byte at a time, straight from the definition: what the eight-byte steps must agree with. */
    private static long reference(long crc, byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            crc = Crc64.update(crc, bytes[i]);
        }
        return crc;
    }

    @Test
    void theCheckValueOfCrc64Xz() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc64.update(0, check, 0, check.length)).isEqualTo(0x995DC9BBDF1939FAL);
    }

    @Test
    void anyLengthAndOffsetAgreeWithTheByteWiseDefinitionAndResumeFromAStoredValue() {
        Random random = new Random(42);
        for (int n = 0; n < 2_000; n++) {
            byte[] bytes = new byte[random.nextInt(100)];
            random.nextBytes(bytes);
            int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int length = bytes.length - offset;
            assertThat(Crc64.update(7, bytes, offset, length)).isEqualTo(reference(7, bytes, offset, length));
            int split = random.nextInt(length + 1);
            long resumed = Crc64.update(Crc64.update(0, bytes, offset, split), bytes, offset + split, length - split);
            assertThat(resumed).isEqualTo(Crc64.update(0, bytes, offset, length));
        }
    }
}
