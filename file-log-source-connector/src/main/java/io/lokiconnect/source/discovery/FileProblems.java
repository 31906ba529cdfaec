package io.lokiconnect.source.discovery;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files the task cannot or will not read (unreadable, dangling symlink, directory, binary, outside the allowed
 * roots): each is logged once with its path and reason, and counted, while every other file is tailed.
 */
public final class FileProblems {

    private static final Logger log = LoggerFactory.getLogger(FileProblems.class);

    private final Map<Path, String> reported = new ConcurrentHashMap<>();
    private final AtomicLong count;

    public FileProblems(AtomicLong count) {
        this.count = count;
    }

    /** Reports a problem; returns true the first time this path has this reason. */
    public boolean report(Path path, String reason) {
        String previous = reported.put(path, reason);
        if (reason.equals(previous)) {
            return false;
        }
        count.incrementAndGet();
        log.warn("Not reading {}: {}. Other files are still tailed.", path, reason);
        return true;
    }

    /** The file is fine again (permissions fixed, link target back): a new problem will be logged again. */
    public void clear(Path path) {
        reported.remove(path);
    }

    public Map<Path, String> current() {
        return Map.copyOf(reported);
    }
}
