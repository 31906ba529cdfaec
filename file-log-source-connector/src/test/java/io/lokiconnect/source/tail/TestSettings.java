package io.lokiconnect.source.tail;

import io.lokiconnect.source.FileLogSourceConfig;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Tailer settings for tests: the connector's defaults (as its config builds them), except that a closed file at
 * its end is looked at every poll and no kernel watch is asked for, unless a test says otherwise; each test names
 * what it changes.
 */
public final class TestSettings {

    /** The settings a task runs with when only topic and paths are set. */
    public static final TailerSettings TASK_DEFAULTS = new FileLogSourceConfig(
            Map.of("topic", "test", "paths", "/var/log/*.log")).tailerSettings();
    private static final TailerSettings DEFAULTS = TASK_DEFAULTS;

    private int lineMaxBytes = DEFAULTS.lineMaxBytes();
    private boolean splitLongLines = DEFAULTS.splitLongLines();
    private Charset charset = DEFAULTS.charset();
    private long partialFlushMs = DEFAULTS.partialFlushMs();
    private boolean startAtEnd = DEFAULTS.startAtEnd();
    private long scanIntervalMs = DEFAULTS.scanIntervalMs();
    private int maxOpenFiles = DEFAULTS.maxOpenFiles();
    private Pattern multilineStart = DEFAULTS.multilineStart();
    private int multilineMaxLines = DEFAULTS.multilineMaxLines();
    private long multilineFlushMs = DEFAULTS.multilineFlushMs();
    private int multilineMaxBytes = DEFAULTS.multilineMaxBytes();
    private long rotateWaitMs = DEFAULTS.rotateWaitMs();
    private long ignoreOlderThanMs = DEFAULTS.ignoreOlderThanMs();
    private long lookIntervalMs = 0;
    private boolean watchWrites = false;

    public static TestSettings defaults() {
        return new TestSettings();
    }

    public TestSettings lineMaxBytes(int value) {
        lineMaxBytes = value;
        return this;
    }

    public TestSettings truncateLongLines() {
        splitLongLines = false;
        return this;
    }

    public TestSettings splitLongLines(boolean value) {
        splitLongLines = value;
        return this;
    }

    public TestSettings charset(Charset value) {
        charset = value;
        return this;
    }

    public TestSettings partialFlushMs(long value) {
        partialFlushMs = value;
        return this;
    }

    public TestSettings startAtEnd(boolean value) {
        startAtEnd = value;
        return this;
    }

    public TestSettings scanIntervalMs(long value) {
        scanIntervalMs = value;
        return this;
    }

    public TestSettings maxOpenFiles(int value) {
        maxOpenFiles = value;
        return this;
    }

    public TestSettings multiline(Pattern start, int maxLines, long flushMs) {
        multilineStart = start;
        multilineMaxLines = maxLines;
        multilineFlushMs = flushMs;
        return this;
    }

    public TestSettings multilineMaxBytes(int value) {
        multilineMaxBytes = value;
        return this;
    }

    public TestSettings rotateWaitMs(long value) {
        rotateWaitMs = value;
        return this;
    }

    public TestSettings ignoreOlderThanMs(long value) {
        ignoreOlderThanMs = value;
        return this;
    }

    public TestSettings lookIntervalMs(long value) {
        lookIntervalMs = value;
        return this;
    }

    public TestSettings watchWrites(boolean value) {
        watchWrites = value;
        return this;
    }

    public TailerSettings build() {
        return new TailerSettings(lineMaxBytes, splitLongLines, charset, partialFlushMs, startAtEnd, scanIntervalMs,
                maxOpenFiles, multilineStart, multilineMaxLines, multilineFlushMs, multilineMaxBytes, rotateWaitMs,
                ignoreOlderThanMs, lookIntervalMs, watchWrites);
    }
}
