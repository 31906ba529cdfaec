package io.lokiconnect.source.tail;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * ISO-8859-1 that calls a hook with each line's text before decoding it: tests use it to look at the tailer
 * while it reads a line (its open handles) or to make decoding fail (an unchecked exception from one file).
 */
final class HookedCharset extends Charset {

    private final Consumer<String> hook;

    HookedCharset(Consumer<String> hook) {
        super("x-hooked-test", null);
        this.hook = hook;
    }

    @Override
    public boolean contains(Charset cs) {
        return false;
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new CharsetDecoder(this, 1, 1) {
            @Override
            protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
                hook.accept(StandardCharsets.ISO_8859_1.decode(in.duplicate()).toString());
                while (in.hasRemaining()) {
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    out.put((char) (in.get() & 0xFF));
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }

    @Override
    public CharsetEncoder newEncoder() {
        return StandardCharsets.ISO_8859_1.newEncoder();
    }
}
