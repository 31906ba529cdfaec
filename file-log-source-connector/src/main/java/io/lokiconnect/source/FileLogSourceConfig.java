package io.lokiconnect.source;

import io.lokiconnect.common.config.ConfigChoice;
import io.lokiconnect.common.config.ConfigKey;
import io.lokiconnect.common.config.ConfigProblem;
import io.lokiconnect.common.config.CrossKeyRules;
import io.lokiconnect.common.config.EnumChoice;
import io.lokiconnect.common.config.Unresolved;
import io.lokiconnect.common.files.GlobBase;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.tail.TailerSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of {@link FileLogSourceConnector}: every key typed, validated and documented here. */
public class FileLogSourceConfig extends AbstractConfig {

    /** {@code line.overflow}: what happens to a line longer than {@code line.max.bytes}. */
    public enum LineOverflow implements ConfigChoice {
        /** Emit it in parts. */
        SPLIT,
        /** Emit its first part and skip the rest. */
        TRUNCATE
    }

    /** {@code start.position}: where the connector's first run starts in the files that exist then. */
    public enum StartPosition implements ConfigChoice {
        BEGINNING,
        END
    }

    /** {@code record.key}: the key of every record. */
    public enum RecordKey implements ConfigChoice {
        /** 8 hex digits of a hash of the path: a file's lines stay in one partition, in order, in 8 bytes. */
        PATH_HASH,
        /** The path itself. */
        PATH,
        /** No key: the producer spreads lines over partitions. */
        NONE;

        @Override
        public String value() {
            return this == PATH_HASH ? "path.hash" : ConfigChoice.super.value();
        }
    }

    public static final String HEADER_PATH = "path";
    public static final String HEADER_NAME = "name";
    public static final String HEADER_OFFSET = "offset";
    public static final String HEADER_HOST = "host";

    /**
     * How often a file at its end is looked at (one stat of its name: size, modification time, identity). A line
     * appended to any of thousands of quiet files is seen within this plus one poll.interval.ms; 10,000 files cost
     * about 12,500 stats a second, 2 to 3 % of a core. Not a key: no user has needed another value.
     */
    static final long LOOK_INTERVAL_MS = 800;

    public static final ConfigKey<String> TOPIC = ConfigKey.string("topic")
            .withValidator(new TopicName()).withImportance(Importance.HIGH)
            .withDoc("Kafka topic the log lines are written to.");
    public static final ConfigKey<List<String>> PATHS = ConfigKey.list("paths")
            .withValidator(new Globs()).withImportance(Importance.HIGH)
            .withDoc("Comma-separated globs of the files to tail, e.g. /var/log/*.log,/app/logs/**/*.log. "
                    + "Supports *, **, ?, {a,b} and [abc].");
    public static final ConfigKey<List<String>> PATHS_EXCLUDE = ConfigKey.list("paths.exclude").withDefault("")
            .withValidator(new Globs()).withImportance(Importance.MEDIUM)
            .withDoc("Comma-separated globs of files never to read, e.g. /var/log/*.gz.");
    public static final ConfigKey<List<String>> PATHS_ALLOWED_ROOTS = ConfigKey.list("paths.allowed.roots")
            .withDefault("").withValidator(new AbsolutePaths()).withImportance(Importance.MEDIUM)
            .withDoc("When set, only files whose real path (symbolic links resolved) lies under one of these "
                    + "directories are read, and a glob outside them fails validation: a Connect REST user "
                    + "cannot read /etc/shadow through this connector. Empty: no restriction.");
    public static final ConfigKey<Long> SCAN_INTERVAL_MS = ConfigKey.longKey("scan.interval.ms").withDefault(5_000L)
            .withValidator(Range.atLeast(100)).withImportance(Importance.MEDIUM)
            .withDoc("How often the globs are evaluated again to find new, rotated and deleted files, in ms.");
    public static final ConfigKey<Long> POLL_INTERVAL_MS = ConfigKey.longKey("poll.interval.ms").withDefault(250L)
            .withValidator(Range.atLeast(10))
            .withDoc("How long a task waits before looking again when no file has anything new, in ms.");
    public static final ConfigKey<Integer> BATCH_MAX_RECORDS = ConfigKey.integer("batch.max.records")
            .withDefault(2_000).withValidator(Range.atLeast(1))
            .withDoc("Most records one poll() returns.");
    public static final ConfigKey<Long> BATCH_MAX_BYTES = ConfigKey.longKey("batch.max.bytes").withDefault(1_048_576L)
            .withValidator(Range.atLeast(1024))
            .withDoc("About the most line bytes one poll() returns, in bytes: with line.max.bytes it bounds a task's "
                    + "memory.");
    public static final ConfigKey<Integer> LINE_MAX_BYTES = ConfigKey.integer("line.max.bytes")
            .withDefault(256 * 1024).withValidator(Range.between(16, 64 * 1024 * 1024))
            .withImportance(Importance.MEDIUM)
            .withDoc("Longest line emitted as one record, in bytes (Loki 3 rejects lines over 256 KB by default).");
    public static final ConfigKey<LineOverflow> LINE_OVERFLOW = ConfigKey.choice("line.overflow",
                    EnumChoice.of(LineOverflow.class))
            .withDefault(LineOverflow.SPLIT.value()).withImportance(Importance.MEDIUM)
            .withDoc("What happens to a longer line: 'split' emits it in parts with header log.line.part "
                    + "('1', '2', ..., and 'n/n' on the last part); 'truncate' emits its first line.max.bytes "
                    + "with log.line.part=truncated and skips the rest.");
    public static final ConfigKey<StartPosition> START_POSITION = ConfigKey.choice("start.position",
                    EnumChoice.of(StartPosition.class))
            .withDefault(StartPosition.BEGINNING.value()).withImportance(Importance.MEDIUM)
            .withDoc("Where to start reading on the connector's first run: 'beginning' or 'end' of the files that "
                    + "exist then (an archive's end: it is not read). The first run stores that it applied 'end' (a "
                    + "record with a null value); files that appear later, or while a task was down or moving, "
                    + "are read from their beginning.");
    public static final ConfigKey<String> ENCODING = ConfigKey.string("encoding").withDefault("UTF-8")
            .withValidator(new CharsetName())
            .withDoc("Character set of the files; one that writes ASCII as ASCII (UTF-8, ISO-8859-x, windows-125x), "
                    + "since lines are split at the newline byte. Malformed bytes are replaced with U+FFFD "
                    + "and counted.");
    public static final ConfigKey<Long> PARTIAL_LINE_FLUSH_MS = ConfigKey.longKey("partial.line.flush.ms")
            .withDefault(5_000L).withValidator(Range.atLeast(0))
            .withDoc("A last line without newline is emitted once the file has not grown for this long, in ms; its "
                    + "newline, when it comes, does not emit it again.");
    public static final ConfigKey<String> MULTILINE_START_PATTERN = ConfigKey.string("multiline.start.pattern")
            .withDefault("").withValidator(new RegexPattern()).withImportance(Importance.MEDIUM)
            .withDoc("Regular expression that starts an event, e.g. ^\\d{4}-\\d{2}-\\d{2} or ^\\{; lines that do "
                    + "not match are appended to the previous event with a newline (Java stack traces). Empty: "
                    + "every line is an event.");
    public static final ConfigKey<Integer> MULTILINE_MAX_LINES = ConfigKey.integer("multiline.max.lines")
            .withDefault(500).withValidator(Range.atLeast(1))
            .withDoc("Most lines in one record of a multi-line event; a longer event is emitted in parts with header "
                    + "log.line.part ('1', '2', ..., 'n/n' on the last), which concatenated are the event.");
    public static final ConfigKey<Integer> MULTILINE_MAX_BYTES = ConfigKey.integer("multiline.max.bytes")
            .withDefault(512 * 1024).withValidator(Range.between(32, 64 * 1024 * 1024))
            .withDoc("Longest multi-line event emitted as one record, in UTF-8 bytes; a longer event is emitted in "
                    + "parts with header log.line.part ('1', '2', ..., 'n/n' on the last), which concatenated are "
                    + "the event. Must be larger than line.max.bytes. The default (512 KiB) keeps a record "
                    + "with its key and headers well under the producer's default max.request.size (1 MiB).");
    public static final ConfigKey<Long> MULTILINE_FLUSH_MS = ConfigKey.longKey("multiline.flush.ms")
            .withDefault(2_000L).withValidator(Range.atLeast(0))
            .withDoc("A multi-line event is emitted after this long without a new line, in ms.");
    public static final ConfigKey<Long> ROTATE_WAIT_MS = ConfigKey.longKey("rotate.wait.ms").withDefault(10_000L)
            .withValidator(Range.atLeast(0))
            .withDoc("How long a file that left the globs (rotated away) or was deleted is still read after it last "
                    + "grew, in ms: a writer that still holds the old handle (logrotate's create mode before "
                    + "the application reopens) keeps shipping lines. It is then read to its end, its last "
                    + "line without newline emitted, and forgotten.");
    public static final ConfigKey<Integer> FILES_MAX_OPEN = ConfigKey.integer("files.max.open").withDefault(256)
            .withValidator(Range.atLeast(1))
            .withDoc("Most file handles a task keeps open; the least recently active are closed and reopened at "
                    + "their position when they grow.");
    public static final ConfigKey<Long> IGNORE_OLDER_THAN_MS = ConfigKey.longKey("ignore.older.than.ms")
            .withDefault(0L).withValidator(Range.atLeast(0)).withImportance(Importance.MEDIUM)
            .withDoc("Files last modified longer ago than this, in ms, are never opened: a first start on a host "
                    + "with years of logs (and archives) ships only the recent ones, e.g. 86400000 for a day. A "
                    + "skipped file is looked at again every scan and read like a new file once it is written "
                    + "to. Files already being read are not affected. 0: no limit.");
    public static final ConfigKey<String> HOST_NAME = ConfigKey.string("host.name").withDefault("")
            .withDoc("Value of the log.host header. Empty: the host name of the worker running the task. Not part of "
                    + "the source partition: a task that moves to another worker keeps its files' offsets.");
    public static final ConfigKey<List<String>> HEADERS = ConfigKey.list("headers").withDefault("")
            .withValidator(new HeaderChoice())
            .withDoc("Headers put on every record, from: path (log.file.path), offset (log.file.offset), host "
                    + "(log.host), name (log.file.name). Default: none, because the shipped pipeline uses none "
                    + "of them and every header costs record bytes (on Connect's default producer, one request "
                    + "at a time, fewer lines per request) and worker CPU per record on both sides. "
                    + "path,offset,host gives the sink file and host fields (line.format.headers) and entry "
                    + "times derived from the line's byte offset, so a line the source sends twice after a "
                    + "crash (without exactly.once.support) gets the same time and Loki can drop it; without "
                    + "log.file.offset the sink derives them from the Kafka partition and offset. "
                    + "log.line.part is always written on parts of split lines.");
    public static final ConfigKey<RecordKey> RECORD_KEY = ConfigKey.choice("record.key",
                    EnumChoice.of(RecordKey.class))
            .withDefault(RecordKey.PATH_HASH.value())
            .withDoc("Record key. path.hash: 8 hex digits of a hash of the file's path (a file's lines stay in one "
                    + "partition, in order, with 8 bytes instead of the path); path: the path itself; none: "
                    + "no key (the producer spreads lines over partitions: no order across them).");
    /** Set by the connector on each task's config, never by users. */
    public static final ConfigKey<Integer> TASK_INDEX = ConfigKey.integer("task.index").withDefault(0).internal();
    public static final ConfigKey<Integer> TASK_COUNT = ConfigKey.integer("task.count").withDefault(1).internal();

    public static final ConfigDef CONFIG_DEF = ConfigKey.defineAll(TOPIC, PATHS, PATHS_EXCLUDE, PATHS_ALLOWED_ROOTS,
            SCAN_INTERVAL_MS, POLL_INTERVAL_MS, BATCH_MAX_RECORDS, BATCH_MAX_BYTES, LINE_MAX_BYTES, LINE_OVERFLOW,
            START_POSITION, ENCODING, PARTIAL_LINE_FLUSH_MS, MULTILINE_START_PATTERN, MULTILINE_MAX_LINES,
            MULTILINE_MAX_BYTES, MULTILINE_FLUSH_MS, ROTATE_WAIT_MS, FILES_MAX_OPEN, IGNORE_OLDER_THAN_MS, HOST_NAME,
            HEADERS, RECORD_KEY, TASK_INDEX, TASK_COUNT);

    private final String topic;
    private final List<String> paths;
    private final List<String> excludes;
    private final List<String> allowedRoots;
    private final long pollIntervalMs;
    private final int batchMaxRecords;
    private final long batchMaxBytes;
    private final String hostName;
    private final List<String> headers;
    private final RecordKey recordKey;
    private final int taskIndex;
    private final int taskCount;
    private final TailerSettings tailerSettings;

    public FileLogSourceConfig(Map<?, ?> props) {
        this(props, true);
    }

    private FileLogSourceConfig(Map<?, ?> props, boolean enforceCrossKeyRules) {
        super(CONFIG_DEF, props);
        Map<String, ?> values = values();
        topic = TOPIC.from(values);
        paths = PATHS.from(values);
        excludes = PATHS_EXCLUDE.from(values);
        allowedRoots = PATHS_ALLOWED_ROOTS.from(values);
        pollIntervalMs = POLL_INTERVAL_MS.from(values);
        batchMaxRecords = BATCH_MAX_RECORDS.from(values);
        batchMaxBytes = BATCH_MAX_BYTES.from(values);
        hostName = HOST_NAME.from(values);
        headers = HEADERS.from(values);
        recordKey = RECORD_KEY.from(values);
        taskIndex = TASK_INDEX.from(values);
        taskCount = TASK_COUNT.from(values);
        String multilineRegex = MULTILINE_START_PATTERN.from(values);
        tailerSettings = new TailerSettings(LINE_MAX_BYTES.from(values),
                LINE_OVERFLOW.from(values) == LineOverflow.SPLIT, Charset.forName(ENCODING.from(values)),
                PARTIAL_LINE_FLUSH_MS.from(values), START_POSITION.from(values) == StartPosition.END,
                SCAN_INTERVAL_MS.from(values), FILES_MAX_OPEN.from(values),
                multilineRegex.isEmpty() ? null : Pattern.compile(multilineRegex), MULTILINE_MAX_LINES.from(values),
                MULTILINE_FLUSH_MS.from(values), MULTILINE_MAX_BYTES.from(values), ROTATE_WAIT_MS.from(values),
                IGNORE_OLDER_THAN_MS.from(values), LOOK_INTERVAL_MS, true);
        if (enforceCrossKeyRules) {
            CrossKeyRules.enforce(crossKeyProblems());
        }
    }

    /**
     * The rules spanning keys that these values break, each on the key to fix (see {@link CrossKeyRules}): the
     * constructor throws the first, {@link FileLogSourceConnector#validate} reports them all.
     */
    static List<ConfigProblem> crossKeyProblems(Map<?, ?> props) {
        return new FileLogSourceConfig(props, false).crossKeyProblems();
    }

    private List<ConfigProblem> crossKeyProblems() {
        List<ConfigProblem> problems = new ArrayList<>();
        TailerSettings tail = tailerSettings;
        if (tail.multilineStart() != null && tail.multilineMaxBytes() <= tail.lineMaxBytes()) {
            problems.add(new ConfigProblem(MULTILINE_MAX_BYTES.name(), tail.multilineMaxBytes(), "must be larger than "
                    + LINE_MAX_BYTES + " (" + tail.lineMaxBytes() + "): an event part holds at least one line "
                    + "and its newline; raise " + MULTILINE_MAX_BYTES + " or lower " + LINE_MAX_BYTES));
        }
        if (!allowedRoots.isEmpty()) {
            List<Path> rootPaths = allowedRoots.stream().map(r -> Paths.get(r.trim()).toAbsolutePath().normalize())
                    .toList();
            List<Path> realRoots = GlobWatcher.resolved(rootPaths);
            for (String glob : paths) {
                Path base = GlobBase.of(glob.trim()).normalize();
                // As written, or as the file system resolves both (a root or a glob through a symbolic link): the
                // task checks every file's real path against the resolved roots anyway.
                if (!GlobWatcher.isUnder(base, rootPaths)
                        && !GlobWatcher.isUnder(GlobWatcher.resolved(List.of(base)).get(0), realRoots)) {
                    problems.add(new ConfigProblem(PATHS.name(), glob, "is outside " + PATHS_ALLOWED_ROOTS + " "
                            + allowedRoots + ": add its directory to " + PATHS_ALLOWED_ROOTS + " or remove the glob"));
                }
            }
        }
        return problems;
    }

    public String topic() {
        return topic;
    }

    public List<String> paths() {
        return paths;
    }

    public List<String> excludes() {
        return excludes;
    }

    public List<String> allowedRoots() {
        return allowedRoots;
    }

    public long pollIntervalMs() {
        return pollIntervalMs;
    }

    public int batchMaxRecords() {
        return batchMaxRecords;
    }

    public long batchMaxBytes() {
        return batchMaxBytes;
    }

    /** How the task's tailer cuts, decodes, finds, follows and forgets files. */
    public TailerSettings tailerSettings() {
        return tailerSettings;
    }

    /** The value of the log.host header: host.name, or else this worker's host name (looked up on each call). */
    public String hostName() {
        if (!hostName.isBlank()) {
            return hostName;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // Every worker without a resolvable name would share this one in log.host: say so once per task start.
            org.slf4j.LoggerFactory.getLogger(FileLogSourceConfig.class).warn("The host name could not be looked up "
                    + "({}); log.host is 'localhost'. Set {} to name this worker.", e.getMessage(), HOST_NAME);
            return "localhost";
        }
    }

    /** The headers chosen by {@code headers}: a subset of path, name, offset, host. */
    public List<String> headers() {
        return headers;
    }

    public RecordKey recordKey() {
        return recordKey;
    }

    public int taskIndex() {
        return taskIndex;
    }

    public int taskCount() {
        return taskCount;
    }

    private static final class TopicName implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            Unresolved.reject(name, value);
            String topic = value == null ? "" : value.toString().trim();
            if (topic.isEmpty() || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new ConfigException(name, value, "is not a Kafka topic name: use 1 to 249 of a-z A-Z 0-9 . _ -");
            }
        }

        @Override
        public String toString() {
            return "a Kafka topic name";
        }
    }

    private static final class HeaderChoice implements ConfigDef.Validator {
        private static final List<String> KNOWN = List.of(HEADER_PATH, HEADER_OFFSET, HEADER_HOST, HEADER_NAME);

        @Override
        public void ensureValid(String name, Object value) {
            for (Object header : (List<?>) value) {
                if (!KNOWN.contains(String.valueOf(header).trim())) {
                    throw new ConfigException(name, value, "unknown header '" + header + "': use a comma-separated "
                            + "subset of " + String.join(",", KNOWN) + ", or empty for none");
                }
            }
        }

        @Override
        public String toString() {
            return "a subset of " + String.join(",", KNOWN);
        }
    }

    private static final class Globs implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> globs = (List<String>) value;
            if (PATHS.name().equals(name) && (globs == null || globs.isEmpty())) {
                throw new ConfigException(name, value, "needs at least one glob, e.g. /var/log/*.log");
            }
            for (String glob : globs) {
                Unresolved.reject(name, glob);
                if (glob.isBlank()) {
                    throw new ConfigException(name, value, "holds an empty glob: remove the extra comma");
                }
                try {
                    java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob.trim());
                } catch (RuntimeException e) {
                    throw new ConfigException(name, glob, "is not a valid glob: " + e.getMessage());
                }
            }
        }

        @Override
        public String toString() {
            return "comma-separated globs";
        }
    }

    private static final class AbsolutePaths implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> paths = (List<String>) value;
            for (String path : paths) {
                Unresolved.reject(name, path);
                if (!path.trim().startsWith("/")) {
                    throw new ConfigException(name, path, "is not an absolute directory: write it from /");
                }
            }
        }

        @Override
        public String toString() {
            return "comma-separated absolute directories";
        }
    }

    private static final class CharsetName implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            Charset charset;
            try {
                charset = Charset.forName(String.valueOf(value));
            } catch (RuntimeException e) {
                throw new ConfigException(name, value, "is not a character set this JVM knows, e.g. UTF-8 or ISO-8859-1");
            }
            // Lines are split at the byte '\n': a character set that does not write ASCII as ASCII (UTF-16, UTF-32,
            // EBCDIC) would split inside characters and ship garbage.
            String ascii = "\n\r\t az AZ 09 {}\":,.-_/";
            if (!charset.canEncode() || !java.util.Arrays.equals(ascii.getBytes(charset),
                    ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new ConfigException(name, value, "writes ASCII characters as other bytes, so lines cannot be "
                        + "split at newline bytes; use an ASCII-compatible character set such as UTF-8, ISO-8859-1 or "
                        + "windows-1252 (convert UTF-16 files to UTF-8 first)");
            }
        }

        @Override
        public String toString() {
            return "a character set name";
        }
    }

    private static final class RegexPattern implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                Pattern.compile(String.valueOf(value));
            } catch (PatternSyntaxException e) {
                throw new ConfigException(name, value, "is not a valid regular expression: "
                        + e.getDescription().toLowerCase(Locale.ROOT));
            }
        }

        @Override
        public String toString() {
            return "a Java regular expression";
        }
    }
}
