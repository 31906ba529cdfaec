package io.lokiconnect.sink.client;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Loki 4xx body to tell which entries of a batch were refused. Loki keeps the valid entries of a request
 * and lists the refused ones, one per line, then {@code user 'x', total ignored: N out of M}:
 * <ul>
 *   <li>{@code entry for stream '{..}' has timestamp too old: <RFC 3339>, oldest acceptable timestamp is: ..}</li>
 *   <li>{@code entry for stream '{..}' has timestamp too new: <RFC 3339>}</li>
 *   <li>{@code entry with timestamp <time> ignored, reason: '..' for stream: {..}} (out of order)</li>
 *   <li>{@code max entry size 'N' bytes exceeded for stream '{..}' while adding an entry with length 'L' bytes}</li>
 * </ul>
 * When the body cannot be matched to entries exactly (another message, a whole-request error such as a bad label
 * set, or fewer matches than Loki's count), the whole batch is taken as refused: at worst an accepted entry is
 * also reported to the dead letter queue, never is a refused one taken as accepted.
 */
public final class Rejections {

    private static final Pattern TIMESTAMP_ENTRY = Pattern.compile(
            "entry for stream '(\\{.*?\\})' has timestamp (too old|too new): ([^,]+?)(,|$)");
    private static final Pattern OUT_OF_ORDER = Pattern.compile(
            "entry with timestamp (.+?) ignored, reason: '(.*?)',? for stream: (\\{.*\\}),?\\s*$");
    private static final Pattern TOO_LONG = Pattern.compile(
            "max entry size '\\d+' bytes exceeded for stream '(\\{.*?\\})' while adding an entry with length '(\\d+)' bytes");
    private static final Pattern ANY_STREAM = Pattern.compile("stream:? '?(\\{.*?\\})'?");
    private static final Pattern TOTAL = Pattern.compile("total ignored: (\\d+) out of (\\d+)");

    private Rejections() {
    }

    /** The refused entries of {@code batch}, each with Loki's reason. */
    public static Map<LokiEntry, String> refused(LokiBatch batch, int status, String body) {
        Map<LokiEntry, String> refused = new IdentityHashMap<>();
        Map<LabelSet, List<LokiEntry>> streams = batch.streams();
        int expected = -1;
        boolean unmatched = false;
        for (String raw : body.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher m;
            if ((m = TOTAL.matcher(line)).find()) {
                expected = Integer.parseInt(m.group(1));
            } else if ((m = TIMESTAMP_ENTRY.matcher(line)).find()) {
                unmatched |= !markByTime(streams, m.group(1), m.group(3), line, refused);
            } else if ((m = OUT_OF_ORDER.matcher(line)).find()) {
                unmatched |= !markByTime(streams, m.group(3), m.group(1), line, refused);
            } else if ((m = TOO_LONG.matcher(line)).find()) {
                unmatched |= !markByLength(streams, m.group(1), Integer.parseInt(m.group(2)), line, refused);
            } else if ((m = ANY_STREAM.matcher(line)).find() && find(streams, m.group(1)) != null) {
                find(streams, m.group(1)).forEach(e -> refused.putIfAbsent(e, line));
            } else {
                unmatched = true;
            }
        }
        boolean exact = !refused.isEmpty() && !unmatched && (expected < 0 || refused.size() >= expected);
        if (!exact) {
            String reason = status + " " + firstLine(body);
            batch.entries().forEach(entry -> refused.putIfAbsent(entry, reason));
        }
        return refused;
    }

    private static boolean markByTime(Map<LabelSet, List<LokiEntry>> streams, String stream, String time, String line,
                                      Map<LokiEntry, String> refused) {
        List<LokiEntry> entries = find(streams, stream);
        Instant instant = parseTime(time.strip());
        if (entries == null || instant == null) {
            return false;
        }
        // Loki prints RFC 3339 with whole seconds: match on the second unless a fraction is given.
        boolean wholeSeconds = instant.getNano() == 0;
        long nanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        boolean any = false;
        for (LokiEntry entry : entries) {
            long ts = entry.timestampNanos();
            boolean same = wholeSeconds ? Math.floorDiv(ts, 1_000_000_000L) == instant.getEpochSecond() : ts == nanos;
            if (same && !refused.containsKey(entry)) {
                refused.put(entry, line);
                any = true;
                if (!wholeSeconds) {
                    break;
                }
            }
        }
        return any;
    }

    private static boolean markByLength(Map<LabelSet, List<LokiEntry>> streams, String stream, int length, String line,
                                        Map<LokiEntry, String> refused) {
        List<LokiEntry> entries = find(streams, stream);
        if (entries == null) {
            return false;
        }
        for (LokiEntry entry : entries) {
            if (!refused.containsKey(entry) && utf8Length(entry.line()) == length) {
                refused.put(entry, line);
                return true;
            }
        }
        return false;
    }

    private static List<LokiEntry> find(Map<LabelSet, List<LokiEntry>> streams, String text) {
        String normalized = text.replace(", ", ",");
        for (Map.Entry<LabelSet, List<LokiEntry>> stream : streams.entrySet()) {
            if (stream.getKey().text().replace(", ", ",").equals(normalized)) {
                return stream.getValue();
            }
        }
        return null;
    }

    /** RFC 3339 ({@code 2026-11-25T10:00:00Z}) or Go's default form ({@code 2026-11-25 10:00:00 +0000 UTC}). */
    static Instant parseTime(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            if (text.length() >= 19 && text.charAt(10) == ' ') {
                try {
                    return Instant.parse(text.substring(0, 10) + "T" + text.substring(11, 19) + "Z");
                } catch (DateTimeParseException ignored) {
                    return null;
                }
            }
            return null;
        }
    }

    private static int utf8Length(String s) {
        int length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                length++;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    private static String firstLine(String body) {
        String first = body.strip();
        int newline = first.indexOf('\n');
        first = newline < 0 ? first : first.substring(0, newline);
        return first.length() > 300 ? first.substring(0, 300) + "..." : first;
    }
}
