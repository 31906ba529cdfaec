package io.lokiconnect.it.sink;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures everything the worker in this JVM logs (log4j 2, the worker's own logging), at INFO for every logger and
 * DEBUG for the plugins, with each event's message and exception chain. The console keeps its own level.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {

    /**
     * The test kit's REST client (EmbeddedConnect) logs the REST API's responses, which echo a connector's config
     * to its caller as Connect's REST API does; it is the test's client, not the worker, so it is left out.
     */
    private static final String TEST_CLIENT_LOGGER = "org.apache.kafka.connect.util.clusters";

    private final List<String> lines = new ArrayList<>();
    private final LoggerContext context;
    private final Level rootLevel;
    private final List<Appender> rootAppenders = new ArrayList<>();

    private LogCapture(LoggerContext context) {
        super("log-capture", null, null, false, Property.EMPTY_ARRAY);
        this.context = context;
        this.rootLevel = context.getConfiguration().getRootLogger().getLevel();
    }

    static LogCapture begin() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        LogCapture capture = new LogCapture(context);
        capture.start0();
        return capture;
    }

    private void start0() {
        start();
        Configuration config = context.getConfiguration();
        config.addAppender(this);
        LoggerConfig root = config.getRootLogger();
        // The console stays at the level it had; the capture sees INFO and the plugins' DEBUG.
        rootAppenders.addAll(root.getAppenders().values());
        rootAppenders.forEach(a -> root.removeAppender(a.getName()));
        rootAppenders.forEach(a -> root.addAppender(a, rootLevel, null));
        root.addAppender(this, Level.ALL, null);
        root.setLevel(Level.INFO);
        LoggerConfig plugins = new LoggerConfig("io.lokiconnect", Level.DEBUG, true);
        config.addLogger("io.lokiconnect", plugins);
        context.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        if (event.getLoggerName().startsWith(TEST_CLIENT_LOGGER)) {
            return;
        }
        StringBuilder line = new StringBuilder().append(event.getLoggerName()).append(' ')
                .append(event.getMessage().getFormattedMessage());
        for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
            line.append(" | ").append(t);
        }
        synchronized (lines) {
            lines.add(line.toString());
        }
    }

    String text() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        root.removeAppender(getName());
        rootAppenders.forEach(a -> root.removeAppender(a.getName()));
        rootAppenders.forEach(a -> root.addAppender(a, null, null));
        root.setLevel(rootLevel);
        config.removeLogger("io.lokiconnect");
        context.updateLoggers();
        stop();
    }
}
