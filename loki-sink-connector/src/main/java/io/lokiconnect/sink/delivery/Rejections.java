package io.lokiconnect.sink.delivery;

import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.labels.LabelText;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Loki's 400 body to tell which entries of a push were refused. Loki keeps the valid entries of a request and
 * names refused ones in two places (Loki 2.9 and 3.x source, word for word):
 * <ul>
 *   <li>the distributor ({@code pkg/distributor/validator.go}, messages in {@code pkg/validation/validate.go}):
 *       {@code entry for stream '{..}' has timestamp too old: <RFC 3339>, oldest acceptable timestamp is: <RFC 3339>},
 *       {@code ... has timestamp too new: <RFC 3339>}, {@code Max entry size 'N' bytes exceeded for stream '{..}'
 *       while adding an entry with length 'L' bytes}, and whole-stream label and structured-metadata errors. Loki 3
 *       joins them with {@code "; "} and groups equal ones as {@code "N errors like: <message>"};</li>
 *   <li>the ingester ({@code pkg/ingester/stream.go}), for entries out of order or too far behind:
 *       {@code entry with timestamp <Go time> ignored, reason: '<reason>',} per entry, then
 *       {@code user 'x', total ignored: N out of M for stream: {..}} (older Lokis put {@code for stream: {..}} on
 *       each entry line and end with {@code total ignored: N out of M}).</li>
 * </ul>
 * Loki does not always name every refused entry: the distributor returns the ingester's error instead of its own when
 * both fail, the ingester reports one stream per request and at most {@code max_returned_stream_errors} entries.
 * Loki 3 prints each stream's labels as it stored them, with {@code service_name} added
 * ({@code pkg/loghttp/push/push.go}, {@code discover_service_name}, on by default; {@code unknown_service} when no
 * listed label exists) and {@code __stream_shard__} when it shards a stream: a stream is found by its label set
 * ({@link LabelText#sameStream}), never by its text, or a 400 would name nothing and the split after it would send
 * stored entries again.
 * So this class only says which entries the body names; the sender takes the others as stored (Loki stored the
 * valid entries of the request, and refuses a left-out one again if it is sent again) or, when the body names none,
 * splits the batch to learn each part's fate.
 */
public final class Rejections {

    private static final Pattern LENGTH = Pattern.compile(" while adding an entry with length '(\\d{1,18})' bytes");
    private static final Pattern LABEL_NAMES = Pattern.compile(" has \\d{1,9} label names");
    /** Characters looked at around a stream's name to find the message holding it. */
    private static final int MESSAGE_WINDOW = 1024;
    /** Longest ingester entry line read: a Go time, a reason and (older Lokis) the stream, well below. */
    private static final int MAX_ENTRY_LINE = 4096;
    private static final String QUOTED_STREAM = "stream '{";
    private static final String UNQUOTED_STREAM = " for stream {";
    private static final Pattern COUNT_BEFORE = Pattern.compile("(\\d{1,9}) errors like: $");
    private static final String ENTRY_PREFIX = "entry with timestamp ";
    private static final String REASON = " ignored, reason: '";
    private static final String INLINE_STREAM = "' for stream: ";
    private static final Pattern INGESTER_TOTAL = Pattern.compile(
            "total ignored: (\\d+) out of (\\d+)(?: for stream: (\\{.*}))?$");
    /** Go's {@code time.Time.String()}: {@code 2006-01-02 15:04:05.999999999 -0700 MST}. */
    private static final Pattern GO_TIME = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2})(\\.\\d{1,9})? ([+-]\\d{2})(\\d{2})(?: \\S+)?");

    private Rejections() {
    }

    /** The entries of {@code batch} that {@code body} names as refused, each with the message naming it. */
    public static Map<LokiEntry, String> refused(LokiBatch batch, String body) {
        Map<LokiEntry, String> refused = new IdentityHashMap<>();
        if (body == null || body.isBlank()) {
            return refused;
        }
        // The client reads at most LokiClient.BODY_LIMIT bytes, so at most that many characters: a longer body
        // comes from elsewhere (tests, fuzzing) and is cut the same way.
        if (body.length() > LokiClient.BODY_LIMIT) {
            body = body.substring(0, LokiClient.BODY_LIMIT);
        }
        Map<LabelSet, List<LokiEntry>> streams = batch.streams();
        matchDistributorMessages(streams, body, refused);
        for (Map.Entry<LabelSet, List<LokiEntry>> stream : streams.entrySet()) {
            matchUnparsableLabels(stream.getKey().text(), stream.getValue(), body, refused);
        }
        matchIngesterMessages(streams, body, refused);
        return refused;
    }

    /**
     * The distributor's messages, each naming its stream as {@code stream '{..}'} (or {@code for stream {..}}): the
     * label set is read and matched to a stream of the batch by set, since Loki 3 prints the labels it stored
     * ({@code service_name} added), not the text the sink sent.
     */
    private static void matchDistributorMessages(Map<LabelSet, List<LokiEntry>> streams, String body,
                                                 Map<LokiEntry, String> refused) {
        for (int at = body.indexOf(QUOTED_STREAM); at >= 0; at = body.indexOf(QUOTED_STREAM, at + 1)) {
            LabelText.Parsed printed = LabelText.parse(body, at + QUOTED_STREAM.length() - 1);
            if (printed == null || printed.end() >= body.length() || body.charAt(printed.end()) != '\'') {
                continue;
            }
            List<LokiEntry> entries = find(streams, printed.labels());
            if (entries == null) {
                continue;
            }
            int after = printed.end() + 1;
            int start = messageStart(body, at);
            String message = body.substring(start, messageEnd(body, after));
            int count = countBefore(body, start);
            if (body.startsWith(" has timestamp too old: ", after) || body.startsWith(" has timestamp too new: ", after)) {
                boolean tooNew = body.startsWith(" has timestamp too new: ", after);
                int from = after + " has timestamp too old: ".length();
                int end = from;
                while (end < body.length() && end - from < 64 && ",; \n".indexOf(body.charAt(end)) < 0) {
                    end++;
                }
                markByTime(entries, parseTime(body.substring(from, end)), count, tooNew, message, refused);
            } else if (body.startsWith(" while adding an entry with length '", after)) {
                Matcher m = LENGTH.matcher(body).region(after, Math.min(body.length(), after + 64));
                if (m.lookingAt()) {
                    markByLength(entries, Long.parseLong(m.group(1)), count, message, refused);
                }
            } else if (body.startsWith(" includes structured metadata", after)
                    || body.startsWith(" has structured metadata", after)
                    || body.startsWith(" has too many structured metadata", after)) {
                markWithMetadata(entries, count, message, refused);
            } else if (body.startsWith(" has label name", after) || body.startsWith(" has label value", after)
                    || body.startsWith(" has duplicate label name", after)
                    || LABEL_NAMES.matcher(body).region(after, Math.min(body.length(), after + 40)).lookingAt()) {
                entries.forEach(e -> refused.putIfAbsent(e, message));
            }
        }
        // "missing required labels <names> for user <u> for stream {..}": the labels unquoted.
        for (int at = body.indexOf(UNQUOTED_STREAM); at >= 0; at = body.indexOf(UNQUOTED_STREAM, at + 1)) {
            LabelText.Parsed printed = LabelText.parse(body, at + UNQUOTED_STREAM.length() - 1);
            List<LokiEntry> entries = printed == null ? null : find(streams, printed.labels());
            if (entries != null) {
                String message = body.substring(messageStart(body, at), messageEnd(body, printed.end()));
                if (message.startsWith("missing required labels")) {
                    entries.forEach(e -> refused.putIfAbsent(e, message));
                }
            }
        }
    }

    /** "Error parsing labels '<text>' ...": Loki could not read the labels, so it prints the text the sink sent. */
    private static void matchUnparsableLabels(String text, List<LokiEntry> entries, String body,
                                              Map<LokiEntry, String> refused) {
        String prefix = "Error parsing labels '" + text + "'";
        int at = body.indexOf(prefix);
        if (at >= 0) {
            String message = body.substring(messageStart(body, at), messageEnd(body, at + prefix.length()));
            entries.forEach(e -> refused.putIfAbsent(e, message));
        }
    }

    private static void matchIngesterMessages(Map<LabelSet, List<LokiEntry>> streams, String body,
                                              Map<LokiEntry, String> refused) {
        String[] lines = body.split("\n");
        String trailerStream = null;
        for (String raw : lines) {
            String line = raw.strip();
            int total = line.lastIndexOf("total ignored: ");
            if (total >= 0 && line.length() <= MAX_ENTRY_LINE) {
                Matcher m = INGESTER_TOTAL.matcher(line).region(total, line.length());
                if (m.lookingAt() && m.group(3) != null) {
                    trailerStream = m.group(3);
                }
            }
        }
        for (String raw : lines) {
            String line = raw.strip();
            if (!line.startsWith(ENTRY_PREFIX) || !line.endsWith(",") || line.length() > MAX_ENTRY_LINE) {
                continue; // Loki's entry lines are short; a longer one is not matched (its entries are asked again)
            }
            // entry with timestamp <Go time> ignored, reason: '<reason>',  (older: '<reason>' for stream: {..},)
            int reasonAt = line.indexOf(REASON);
            if (reasonAt < ENTRY_PREFIX.length()) { // no reason, or one that starts inside the prefix: no time
                continue;
            }
            int inline = line.lastIndexOf(INLINE_STREAM);
            String streamText = inline > reasonAt ? line.substring(inline + INLINE_STREAM.length(), line.length() - 1)
                    : trailerStream;
            List<LokiEntry> entries = streamText == null ? null : find(streams, streamText);
            Instant time = parseTime(line.substring(ENTRY_PREFIX.length(), reasonAt));
            if (entries == null || time == null) {
                continue;
            }
            long nanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
            String message = line + " (stream " + streamText + ")";
            for (LokiEntry entry : entries) {
                if (entry.timestampNanos() == nanos && !refused.containsKey(entry)) {
                    refused.put(entry, message);
                    break;
                }
            }
        }
    }

    /**
     * Marks up to {@code count} entries of the second (or the exact time, when Loki printed a fraction): the oldest
     * of the second for "too old", the newest for "too new", since Loki's cut-off can fall inside the second.
     */
    private static void markByTime(List<LokiEntry> entries, Instant time, int count, boolean newest, String message,
                                   Map<LokiEntry, String> refused) {
        if (time == null) {
            return;
        }
        boolean wholeSecond = time.getNano() == 0;
        long nanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
        List<LokiEntry> candidates = new ArrayList<>();
        for (LokiEntry entry : entries) {
            long ts = entry.timestampNanos();
            boolean same = wholeSecond ? Math.floorDiv(ts, 1_000_000_000L) == time.getEpochSecond() : ts == nanos;
            if (same && !refused.containsKey(entry)) {
                candidates.add(entry);
            }
        }
        // Past a cut-off inside the second: the oldest of it are the ones too old, the newest the ones too new.
        Comparator<LokiEntry> byTime = Comparator.comparingLong(LokiEntry::timestampNanos);
        candidates.sort(newest ? byTime.reversed() : byTime);
        candidates.stream().limit(count).forEach(e -> refused.put(e, message));
    }

    private static void markByLength(List<LokiEntry> entries, long length, int count, String message,
                                     Map<LokiEntry, String> refused) {
        int marked = 0;
        for (LokiEntry entry : entries) {
            if (marked < count && !refused.containsKey(entry) && Utf8.encodedLength(entry.line()) == length) {
                refused.put(entry, message);
                marked++;
            }
        }
    }

    private static void markWithMetadata(List<LokiEntry> entries, int count, String message,
                                         Map<LokiEntry, String> refused) {
        int marked = 0;
        for (LokiEntry entry : entries) {
            if (marked < count && !refused.containsKey(entry) && !entry.metadata().isEmpty()) {
                refused.put(entry, message);
                marked++;
            }
        }
    }

    /**
     * Where the message holding {@code at} begins: after the previous {@code "; "}, newline or count prefix, looking
     * back at most {@link #MESSAGE_WINDOW} characters (Loki's messages are short; a hostile body stays linear).
     */
    private static int messageStart(String body, int at) {
        int floor = Math.max(0, at - MESSAGE_WINDOW);
        for (int i = at - 1; i >= floor; i--) {
            char c = body.charAt(i);
            if (c == '\n') {
                return i + 1;
            }
            if (c == ' ' && i > 0 && body.charAt(i - 1) == ';') {
                return i + 1;
            }
            if (c == ' ' && body.startsWith("errors like: ", i - "errors like:".length())) {
                return i + 1;
            }
        }
        return floor;
    }

    /** Where the message holding {@code from} ends: at the next {@code "; "} or newline, or the window's end. */
    private static int messageEnd(String body, int from) {
        int ceiling = Math.min(body.length(), from + MESSAGE_WINDOW);
        for (int i = from; i < ceiling; i++) {
            char c = body.charAt(i);
            if (c == '\n' || (c == ';' && i + 1 < body.length() && body.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        return ceiling;
    }

    private static int countBefore(String body, int messageStart) {
        Matcher m = COUNT_BEFORE.matcher(body.substring(Math.max(0, messageStart - 24), messageStart));
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }

    /** The batch's stream whose label set Loki printed as {@code text}; null when none. */
    private static List<LokiEntry> find(Map<LabelSet, List<LokiEntry>> streams, String text) {
        Map<String, String> printed = LabelText.parseAll(text);
        return printed == null ? null : find(streams, printed);
    }

    private static List<LokiEntry> find(Map<LabelSet, List<LokiEntry>> streams, Map<String, String> printed) {
        for (Map.Entry<LabelSet, List<LokiEntry>> stream : streams.entrySet()) {
            if (LabelText.sameStream(stream.getKey(), printed)) {
                return stream.getValue();
            }
        }
        return null;
    }

    /** RFC 3339 ({@code 2026-11-25T10:00:00Z}, {@code +01:00}) or Go's {@code time.Time.String()} form. */
    static Instant parseTime(String text) {
        String t = text.strip();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            Matcher m = GO_TIME.matcher(t);
            if (!m.lookingAt()) {
                return null;
            }
            String iso = m.group(1) + "T" + m.group(2) + (m.group(3) == null ? "" : m.group(3))
                    + m.group(4) + ":" + m.group(5);
            try {
                return OffsetDateTime.parse(iso).toInstant();
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }
}
