package io.lokiconnect.source.multiline;

import io.lokiconnect.source.tail.TailedLine;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Joins the lines of one file into events: a line matching the start pattern begins an event, the lines that
 * follow and do not match (a stack trace's "\tat ..." lines) are appended to it with "\n". An event is emitted
 * when the next one starts, when it reaches {@code maxLines}, or after {@code flushMs} without a new line.
 * Its position is that of its last line, so a restart never skips the lines of an event not yet emitted.
 */
public final class MultilineAggregator {

    private final Pattern start;
    private final int maxLines;
    private final long flushMs;
    private final List<TailedLine> pending = new ArrayList<>();
    private long lastAppendMillis;

    public MultilineAggregator(Pattern start, int maxLines, long flushMs) {
        this.start = start;
        this.maxLines = maxLines;
        this.flushMs = flushMs;
    }

    /** Feeds a line; completed events are appended to {@code out}. */
    public void accept(TailedLine line, long nowMillis, List<TailedLine> out) {
        boolean startsEvent = start.matcher(line.text()).find();
        if (startsEvent || pending.size() >= maxLines) {
            flush(out);
        }
        pending.add(line);
        lastAppendMillis = nowMillis;
    }

    /** Emits the pending event when it has been quiet for {@code flushMs}. */
    public void flushIfIdle(long nowMillis, List<TailedLine> out) {
        if (!pending.isEmpty() && nowMillis - lastAppendMillis >= flushMs) {
            flush(out);
        }
    }

    public boolean hasPending() {
        return !pending.isEmpty();
    }

    private void flush(List<TailedLine> out) {
        if (pending.isEmpty()) {
            return;
        }
        if (pending.size() == 1) {
            out.add(pending.get(0));
        } else {
            TailedLine first = pending.get(0);
            TailedLine last = pending.get(pending.size() - 1);
            StringBuilder text = new StringBuilder(first.text());
            for (int i = 1; i < pending.size(); i++) {
                text.append('\n').append(pending.get(i).text());
            }
            out.add(new TailedLine(first.identity(), last.path(), first.startOffset(), last.position(),
                    text.toString(), null, last.partialFlushed(), last.fingerprint(), last.fingerprintLength()));
        }
        pending.clear();
    }
}
