package io.lokiconnect.source;

import io.lokiconnect.common.config.ConfigChoice;
import io.lokiconnect.common.config.ConfigProblem;
import io.lokiconnect.common.config.CrossKeyRules;
import io.lokiconnect.common.config.EnumChoice;
import io.lokiconnect.common.config.Unresolved;
import io.lokiconnect.common.files.GlobBase;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.tail.FileSetTailer;
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
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of {@link FileLogSourceConnector}: every key typed, validated and documented here. */
public class FileLogSourceConfig extends AbstractConfig {

    public static final String TOPIC_CONFIG = "topic";
    public static final String PATHS_CONFIG = "paths";
    public static final String PATHS_EXCLUDE_CONFIG = "paths.exclude";
    public static final String PATHS_ALLOWED_ROOTS_CONFIG = "paths.allowed.roots";
    public static final String SCAN_INTERVAL_MS_CONFIG = "scan.interval.ms";
    public static final String POLL_INTERVAL_MS_CONFIG = "poll.interval.ms";
    public static final String BATCH_MAX_RECORDS_CONFIG = "batch.max.records";
    public static final String BATCH_MAX_BYTES_CONFIG = "batch.max.bytes";
    public static final String LINE_MAX_BYTES_CONFIG = "line.max.bytes";
    public static final String LINE_OVERFLOW_CONFIG = "line.overflow";
    public static final String START_POSITION_CONFIG = "start.position";
    public static final String ENCODING_CONFIG = "encoding";
    public static final String PARTIAL_LINE_FLUSH_MS_CONFIG = "partial.line.flush.ms";
    public static final String MULTILINE_START_PATTERN_CONFIG = "multiline.start.pattern";
    public static final String MULTILINE_MAX_LINES_CONFIG = "multiline.max.lines";
    public static final String MULTILINE_FLUSH_MS_CONFIG = "multiline.flush.ms";
    public static final String MULTILINE_MAX_BYTES_CONFIG = "multiline.max.bytes";
    public static final String ROTATE_WAIT_MS_CONFIG = "rotate.wait.ms";
    public static final String FILES_MAX_OPEN_CONFIG = "files.max.open";
    public static final String IGNORE_OLDER_THAN_MS_CONFIG = "ignore.older.than.ms";
    public static final String HOST_NAME_CONFIG = "host.name";
    public static final String HEADERS_CONFIG = "headers";
    public static final String RECORD_KEY_CONFIG = "record.key";
    /** Set by the connector on each task's config, never by users. */
    public static final String TASK_INDEX_CONFIG = "task.index";
    public static final String TASK_COUNT_CONFIG = "task.count";

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

    private static final EnumChoice<LineOverflow> LINE_OVERFLOW = EnumChoice.of(LineOverflow.class);
    private static final EnumChoice<RecordKey> RECORD_KEY = EnumChoice.of(RecordKey.class);
    private static final EnumChoice<StartPosition> START_POSITION = EnumChoice.of(StartPosition.class);
    public static final String HEADER_PATH = "path";
    public static final String HEADER_NAME = "name";
    public static final String HEADER_OFFSET = "offset";
    public static final String HEADER_HOST = "host";
    private static final String HEADERS_DEFAULT = "";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(TOPIC_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new TopicName(), Importance.HIGH,
                    "Kafka topic the log lines are written to.")
            .define(PATHS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new Globs(), Importance.HIGH,
                    "Comma-separated globs of the files to tail, e.g. /var/log/*.log,/app/logs/**/*.log. "
                            + "Supports *, **, ?, {a,b} and [abc].")
            .define(PATHS_EXCLUDE_CONFIG, Type.LIST, "", new Globs(), Importance.MEDIUM,
                    "Comma-separated globs of files never to read, e.g. /var/log/*.gz.")
            .define(PATHS_ALLOWED_ROOTS_CONFIG, Type.LIST, "", new AbsolutePaths(), Importance.MEDIUM,
                    "When set, only files whose real path (symbolic links resolved) lies under one of these "
                            + "directories are read, and a glob outside them fails validation: a Connect REST user "
                            + "cannot read /etc/shadow through this connector. Empty: no restriction.")
            .define(SCAN_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, Range.atLeast(100), Importance.MEDIUM,
                    "How often the globs are evaluated again to find new, rotated and deleted files, in ms.")
            .define(POLL_INTERVAL_MS_CONFIG, Type.LONG, 250L, Range.atLeast(10), Importance.LOW,
                    "How long a task waits before looking again when no file has anything new, in ms.")
            .define(BATCH_MAX_RECORDS_CONFIG, Type.INT, 2_000, Range.atLeast(1), Importance.LOW,
                    "Most records one poll() returns.")
            .define(BATCH_MAX_BYTES_CONFIG, Type.LONG, 1_048_576L, Range.atLeast(1024), Importance.LOW,
                    "About the most line bytes one poll() returns, in bytes: with line.max.bytes it bounds a task's memory.")
            .define(LINE_MAX_BYTES_CONFIG, Type.INT, 256 * 1024, Range.between(16, 64 * 1024 * 1024), Importance.MEDIUM,
                    "Longest line emitted as one record, in bytes (Loki 3 rejects lines over 256 KB by default).")
            .define(LINE_OVERFLOW_CONFIG, Type.STRING, LineOverflow.SPLIT.value(), LINE_OVERFLOW, Importance.MEDIUM,
                    "What happens to a longer line: 'split' emits it in parts with header log.line.part "
                            + "('1', '2', ..., and 'n/n' on the last part); 'truncate' emits its first line.max.bytes "
                            + "with log.line.part=truncated and skips the rest.",
                    null, -1, Width.SHORT, LINE_OVERFLOW_CONFIG, LINE_OVERFLOW)
            .define(START_POSITION_CONFIG, Type.STRING, StartPosition.BEGINNING.value(), START_POSITION,
                    Importance.MEDIUM,
                    "Where to start reading on the connector's first run: 'beginning' or 'end' of the files that exist "
                            + "then (an archive's end: it is not read). The first run stores that it applied 'end' (a "
                            + "record with a null value); files that appear later, or while a task was down or moving, "
                            + "are read from their beginning.",
                    null, -1, Width.SHORT, START_POSITION_CONFIG, START_POSITION)
            .define(ENCODING_CONFIG, Type.STRING, "UTF-8", new CharsetName(), Importance.LOW,
                    "Character set of the files; one that writes ASCII as ASCII (UTF-8, ISO-8859-x, windows-125x), "
                            + "since lines are split at the newline byte. Malformed bytes are replaced with U+FFFD "
                            + "and counted.")
            .define(PARTIAL_LINE_FLUSH_MS_CONFIG, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                    "A last line without newline is emitted once the file has not grown for this long, in ms; its "
                            + "newline, when it comes, does not emit it again.")
            .define(MULTILINE_START_PATTERN_CONFIG, Type.STRING, "", new RegexPattern(), Importance.MEDIUM,
                    "Regular expression that starts an event, e.g. ^\\d{4}-\\d{2}-\\d{2} or ^\\{; lines that do not "
                            + "match are appended to the previous event with a newline (Java stack traces). Empty: "
                            + "every line is an event.")
            .define(MULTILINE_MAX_LINES_CONFIG, Type.INT, 500, Range.atLeast(1), Importance.LOW,
                    "Most lines in one record of a multi-line event; a longer event is emitted in parts with header "
                            + "log.line.part ('1', '2', ..., 'n/n' on the last), which concatenated are the event.")
            .define(MULTILINE_MAX_BYTES_CONFIG, Type.INT, FileSetTailer.Options.DEFAULT_MULTILINE_MAX_BYTES,
                    Range.between(32, 64 * 1024 * 1024), Importance.LOW,
                    "Longest multi-line event emitted as one record, in UTF-8 bytes; a longer event is emitted in parts "
                            + "with header log.line.part ('1', '2', ..., 'n/n' on the last), which concatenated are "
                            + "the event. Must be larger than line.max.bytes. The default (512 KiB) keeps a record "
                            + "with its key and headers well under the producer's default max.request.size (1 MiB).")
            .define(MULTILINE_FLUSH_MS_CONFIG, Type.LONG, 2_000L, Range.atLeast(0), Importance.LOW,
                    "A multi-line event is emitted after this long without a new line, in ms.")
            .define(ROTATE_WAIT_MS_CONFIG, Type.LONG, FileSetTailer.Options.DEFAULT_ROTATE_WAIT_MS, Range.atLeast(0),
                    Importance.LOW,
                    "How long a file that left the globs (rotated away) or was deleted is still read after it last "
                            + "grew, in ms: a writer that still holds the old handle (logrotate's create mode before "
                            + "the application reopens) keeps shipping lines. It is then read to its end, its last "
                            + "line without newline emitted, and forgotten.")
            .define(FILES_MAX_OPEN_CONFIG, Type.INT, 256, Range.atLeast(1), Importance.LOW,
                    "Most file handles a task keeps open; the least recently active are closed and reopened at "
                            + "their position when they grow.")
            .define(IGNORE_OLDER_THAN_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    "Files last modified longer ago than this, in ms, are never opened: a first start on a host with "
                            + "years of logs (and archives) ships only the recent ones, e.g. 86400000 for a day. A "
                            + "skipped file is looked at again every scan and read like a new file once it is written "
                            + "to. Files already being read are not affected. 0: no limit.")
            .define(HOST_NAME_CONFIG, Type.STRING, "", Importance.LOW,
                    "Value of the log.host header. Empty: the host name of the worker running the task. Not part of "
                            + "the source partition: a task that moves to another worker keeps its files' offsets.")
            .define(HEADERS_CONFIG, Type.LIST, HEADERS_DEFAULT, new HeaderChoice(), Importance.LOW,
                    "Headers put on every record, from: path (log.file.path), offset (log.file.offset), host "
                            + "(log.host), name (log.file.name). Default: none, because the shipped pipeline uses none "
                            + "of them and every header costs record bytes (on Connect's default producer, one request "
                            + "at a time, fewer lines per request) and worker CPU per record on both sides. "
                            + "path,offset,host gives the sink file and host fields (line.format.headers) and entry "
                            + "times derived from the line's byte offset, so a line the source sends twice after a "
                            + "crash (without exactly.once.support) gets the same time and Loki can drop it; without "
                            + "log.file.offset the sink derives them from the Kafka partition and offset. "
                            + "log.line.part is always written on parts of split lines.")
            .define(RECORD_KEY_CONFIG, Type.STRING, RecordKey.PATH_HASH.value(), RECORD_KEY, Importance.LOW,
                    "Record key. path.hash: 8 hex digits of a hash of the file's path (a file's lines stay in one "
                            + "partition, in order, with 8 bytes instead of the path); path: the path itself; none: "
                            + "no key (the producer spreads lines over partitions: no order across them).",
                    null, -1, Width.SHORT, RECORD_KEY_CONFIG, RECORD_KEY)
            .defineInternal(TASK_INDEX_CONFIG, Type.INT, 0, Importance.LOW)
            .defineInternal(TASK_COUNT_CONFIG, Type.INT, 1, Importance.LOW);

    public FileLogSourceConfig(Map<?, ?> props) {
        this(props, true);
    }

    private FileLogSourceConfig(Map<?, ?> props, boolean enforceCrossKeyRules) {
        super(CONFIG_DEF, props);
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
        if (multilineStart() != null && multilineMaxBytes() <= lineMaxBytes()) {
            problems.add(new ConfigProblem(MULTILINE_MAX_BYTES_CONFIG, multilineMaxBytes(), "must be larger than "
                    + LINE_MAX_BYTES_CONFIG + " (" + lineMaxBytes() + "): an event part holds at least one line "
                    + "and its newline; raise " + MULTILINE_MAX_BYTES_CONFIG + " or lower " + LINE_MAX_BYTES_CONFIG));
        }
        List<String> roots = allowedRoots();
        if (!roots.isEmpty()) {
            List<Path> rootPaths = roots.stream().map(r -> Paths.get(r.trim()).toAbsolutePath().normalize()).toList();
            List<Path> realRoots = GlobWatcher.resolved(rootPaths);
            for (String glob : paths()) {
                Path base = GlobBase.of(glob.trim()).normalize();
                // As written, or as the file system resolves both (a root or a glob through a symbolic link): the
                // task checks every file's real path against the resolved roots anyway.
                if (!GlobWatcher.isUnder(base, rootPaths)
                        && !GlobWatcher.isUnder(GlobWatcher.resolved(List.of(base)).get(0), realRoots)) {
                    problems.add(new ConfigProblem(PATHS_CONFIG, glob, "is outside " + PATHS_ALLOWED_ROOTS_CONFIG + " "
                            + roots + ": add its directory to " + PATHS_ALLOWED_ROOTS_CONFIG + " or remove the glob"));
                }
            }
        }
        return problems;
    }

    public String topic() {
        return getString(TOPIC_CONFIG);
    }

    public List<String> paths() {
        return getList(PATHS_CONFIG);
    }

    public List<String> excludes() {
        return getList(PATHS_EXCLUDE_CONFIG);
    }

    public List<String> allowedRoots() {
        return getList(PATHS_ALLOWED_ROOTS_CONFIG);
    }

    public long scanIntervalMs() {
        return getLong(SCAN_INTERVAL_MS_CONFIG);
    }

    public long pollIntervalMs() {
        return getLong(POLL_INTERVAL_MS_CONFIG);
    }

    public int batchMaxRecords() {
        return getInt(BATCH_MAX_RECORDS_CONFIG);
    }

    public long batchMaxBytes() {
        return getLong(BATCH_MAX_BYTES_CONFIG);
    }

    public int lineMaxBytes() {
        return getInt(LINE_MAX_BYTES_CONFIG);
    }

    public LineOverflow lineOverflow() {
        return LINE_OVERFLOW.parse(LINE_OVERFLOW_CONFIG, getString(LINE_OVERFLOW_CONFIG));
    }

    public StartPosition startPosition() {
        return START_POSITION.parse(START_POSITION_CONFIG, getString(START_POSITION_CONFIG));
    }

    public Charset charset() {
        return Charset.forName(getString(ENCODING_CONFIG));
    }

    public long partialLineFlushMs() {
        return getLong(PARTIAL_LINE_FLUSH_MS_CONFIG);
    }

    /** The multi-line start pattern, or null when multi-line joining is off. */
    public Pattern multilineStart() {
        String regex = getString(MULTILINE_START_PATTERN_CONFIG);
        return regex.isEmpty() ? null : Pattern.compile(regex);
    }

    public int multilineMaxLines() {
        return getInt(MULTILINE_MAX_LINES_CONFIG);
    }

    public long multilineFlushMs() {
        return getLong(MULTILINE_FLUSH_MS_CONFIG);
    }

    public int multilineMaxBytes() {
        return getInt(MULTILINE_MAX_BYTES_CONFIG);
    }

    public long rotateWaitMs() {
        return getLong(ROTATE_WAIT_MS_CONFIG);
    }

    public int filesMaxOpen() {
        return getInt(FILES_MAX_OPEN_CONFIG);
    }

    public long ignoreOlderThanMs() {
        return getLong(IGNORE_OLDER_THAN_MS_CONFIG);
    }

    public String hostName() {
        String configured = getString(HOST_NAME_CONFIG);
        if (!configured.isBlank()) {
            return configured;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // Every worker without a resolvable name would share this one in log.host: say so once per task start.
            org.slf4j.LoggerFactory.getLogger(FileLogSourceConfig.class).warn("The host name could not be looked up "
                    + "({}); log.host is 'localhost'. Set {} to name this worker.", e.getMessage(), HOST_NAME_CONFIG);
            return "localhost";
        }
    }

    /** The headers chosen by {@code headers}: a subset of path, name, offset, host. */
    public List<String> headers() {
        return getList(HEADERS_CONFIG);
    }

    public RecordKey recordKey() {
        return RECORD_KEY.parse(RECORD_KEY_CONFIG, getString(RECORD_KEY_CONFIG));
    }

    public int taskIndex() {
        return getInt(TASK_INDEX_CONFIG);
    }

    public int taskCount() {
        return getInt(TASK_COUNT_CONFIG);
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
            if (PATHS_CONFIG.equals(name) && (globs == null || globs.isEmpty())) {
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
