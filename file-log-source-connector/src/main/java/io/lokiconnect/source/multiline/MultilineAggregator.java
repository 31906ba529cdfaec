package io.lokiconnect.source.multiline;

import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.source.model.TailedLine;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Joins the lines of one file into events: a line matching the start pattern begins an event, the lines that
 * follow and do not match (a stack trace's "\tat ..." lines) are appended to it with "\n". The parts of one
 * over-long line are joined as they were in the file, without a newline, and never tested against the pattern.
 *
 * <p>An event ends when the next one starts or after {@code flushMs} without a new line. An event of more than
 * {@code maxLines} lines or {@code maxBytes} UTF-8 bytes is emitted in parts, like a long line, with part numbers
 * {@code 1, 2, ..., n/n}: the parts concatenated are the event (a part after the first begins with the newline
 * that joined its first line to the previous one). Parts end between two pieces read
 * from the file, so each part's position is a real resume point: a restart neither skips nor repeats a byte.
 */
public final class MultilineAggregator {

    private final Pattern start;
    private final int maxLines;
    private final int maxBytes;
    private final long flushMs;
    /** Characters kept allocated between events; a larger event's buffer is given back once it is emitted. */
    private static final int KEEP_CHARS = 64 * 1024;

    private StringBuilder text = new StringBuilder();
    private int textBytes;
    private TailedLine first;
    private TailedLine last;
    private int lines;
    private int partsEmitted;
    private boolean lastEndsLine = true;
    private long lastAppendMillis;

    /** {@code maxBytes} must exceed the longest piece plus its newline: the tailer's line.max.bytes + 1. */
    public MultilineAggregator(Pattern start, int maxLines, int maxBytes, long flushMs) {
        this.start = start;
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
        this.flushMs = flushMs;
    }

    /**
     * Goes on with the event a stored offset stopped inside: {@code eventPart} of its parts were emitted before a
     * restart (the offset's {@code event.part}), so the next part is numbered {@code eventPart + 1} and the last
     * {@code n/n}; {@code insideLine}: the offset lies inside a split line, whose next piece continues it.
     */
    public void resume(int eventPart, boolean insideLine) {
        partsEmitted = eventPart;
        lastEndsLine = !insideLine;
    }

    /** Feeds a line (or a part of one); completed events and parts are appended to {@code out}. */
    public void accept(TailedLine piece, long nowMillis, List<TailedLine> out) {
        boolean beginsLine = lastEndsLine;
        if (beginsLine && start.matcher(piece.text()).find()) {
            finish(out);
        } else if (beginsLine && lines >= maxLines && first != null) {
            // Too many lines for one record: the event goes on in a next part, as one over maxBytes does.
            emit(out, String.valueOf(partsEmitted + 1), partsEmitted + 1);
            partsEmitted++;
            lines = 0;
        }
        boolean eventOpen = first != null || partsEmitted > 0;
        String separator = beginsLine && eventOpen ? "\n" : "";
        int bytes = separator.length() + Utf8.encodedLength(piece.text());
        if (first != null && textBytes + bytes > maxBytes) {
            emit(out, String.valueOf(partsEmitted + 1), partsEmitted + 1);
            partsEmitted++;
            lines = 0;
        }
        if (first == null) {
            first = piece;
        }
        text.append(separator).append(piece.text());
        textBytes += bytes;
        last = piece;
        if (beginsLine) {
            lines++;
        }
        lastEndsLine = piece.endsLine();
        lastAppendMillis = nowMillis;
    }

    /**
     * After {@code flushMs} of quiet: emits the pending event, or, when it stops inside a long line whose rest is
     * still to come, what it has so far as a part.
     */
    public void flushIfIdle(long nowMillis, List<TailedLine> out) {
        if (first != null && nowMillis - lastAppendMillis >= flushMs) {
            if (lastEndsLine) {
                finish(out);
            } else {
                emit(out, String.valueOf(partsEmitted + 1), partsEmitted + 1);
                partsEmitted++;
            }
        }
    }

    /** Emits whatever is pending (the file is being forgotten). */
    public void flushAll(List<TailedLine> out) {
        finish(out);
        lastEndsLine = true;
    }

    private void finish(List<TailedLine> out) {
        if (first != null) {
            String part;
            if (partsEmitted > 0) {
                part = (partsEmitted + 1) + "/" + (partsEmitted + 1);
            } else {
                part = first == last ? first.part() : null;
            }
            emit(out, part, 0);
        }
        partsEmitted = 0;
        lines = 0;
    }

    /** Bytes its event buffer holds allocated (two per character: the buffer-bytes metric). */
    public long bufferBytes() {
        return 2L * text.capacity();
    }

    /** {@code partsAfter}: parts of the event emitted once this one is, stored so a restart numbers on. */
    private void emit(List<TailedLine> out, String part, int partsAfter) {
        out.add(new TailedLine(first.identity(), last.path(), first.startOffset(), text.toString(), part,
                last.resume().withEventPart(partsAfter)));
        if (text.capacity() > KEEP_CHARS) {
            text = new StringBuilder(); // one long event must not hold up to multiline.max.bytes per file for good
        } else {
            text.setLength(0);
        }
        textBytes = 0;
        first = null;
        last = null;
    }
}
