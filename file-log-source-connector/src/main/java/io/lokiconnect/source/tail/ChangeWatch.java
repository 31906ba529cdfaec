package io.lokiconnect.source.tail;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileStore;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which tracked files were written to, from the kernel (inotify, through the JDK's watch service on Linux): a file
 * at its end in a watched directory needs no stat every look interval, only when it was written to (and, as a net
 * for what inotify cannot see, every {@link #WATCHED_LOOK_INTERVAL_MS}). Only directories on local file systems
 * are watched: inotify does not see writes made by another host to a network file system, whose files are
 * looked at every look interval as before. Where a watch cannot be had (another OS, the inotify limits), nothing
 * changes but the cost.
 */
final class ChangeWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeWatch.class);

    /** A file in a watched directory is still looked at this often: writes inotify does not report (mmap). */
    static final long WATCHED_LOOK_INTERVAL_MS = 10_000;

    /** File system types whose writes inotify reports, whoever makes them (all on this host). */
    private static final Set<String> LOCAL = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "f2fs",
            "overlay", "reiserfs", "jfs", "ramfs");

    /** What one poll of the watch found. */
    record Changes(Set<Path> written, Set<Path> lostDirectories) {
        static final Changes NONE = new Changes(Set.of(), Set.of());
    }

    private final WatchService service;
    /** Directories asked about: their key, or null when they cannot be watched. */
    private final Map<Path, WatchKey> directories = new HashMap<>();
    private final Map<WatchKey, Path> byKey = new HashMap<>();

    private ChangeWatch(WatchService service) {
        this.service = service;
    }

    /** A watch that watches nothing: every file at its end is looked at every look interval. */
    static ChangeWatch none() {
        return new ChangeWatch(null);
    }

    /** A watch on Linux; one that watches nothing elsewhere or when the kernel refuses one (inotify instances). */
    static ChangeWatch open() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return new ChangeWatch(null); // the JDK's watch service elsewhere polls by itself: no gain
        }
        try {
            return new ChangeWatch(FileSystems.getDefault().newWatchService());
        } catch (IOException | UnsupportedOperationException e) {
            log.info("No inotify watch ({}): files at their end are looked at every look interval", e.toString());
            return new ChangeWatch(null);
        }
    }

    /** Watches {@code dir} for writes to its files; false when it is not (and will not be) watched. */
    boolean watch(Path dir) {
        if (service == null || dir == null) {
            return false;
        }
        if (directories.containsKey(dir)) {
            return directories.get(dir) != null;
        }
        WatchKey key = null;
        try {
            if (isLocal(Files.getFileStore(dir))) {
                key = dir.register(service, StandardWatchEventKinds.ENTRY_MODIFY);
                byKey.put(key, dir);
            }
        } catch (IOException | ClosedWatchServiceException | SecurityException e) {
            // The inotify watch limit, a directory gone: its files are looked at every look interval.
            log.info("Cannot watch {} for writes ({}): its files are looked at every look interval", dir, e.toString());
        }
        directories.put(dir, key);
        return key != null;
    }

    static boolean isLocal(FileStore store) {
        return LOCAL.contains(store.type().toLowerCase(Locale.ROOT));
    }

    boolean isWatched(Path dir) {
        return directories.get(dir) != null;
    }

    /** The files written to since the last poll, and the directories whose events were lost (look at all). */
    Changes poll() {
        if (service == null || byKey.isEmpty()) {
            return Changes.NONE;
        }
        Set<Path> written = null;
        Set<Path> lost = null;
        try {
            WatchKey key;
            while ((key = service.poll()) != null) {
                Path dir = byKey.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (dir == null) {
                        continue;
                    }
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path name)) {
                        lost = lost == null ? new HashSet<>() : lost;
                        lost.add(dir);
                    } else {
                        written = written == null ? new HashSet<>() : written;
                        written.add(dir.resolve(name));
                    }
                }
                if (!key.reset() && dir != null) {
                    // The directory is gone or was replaced: asked again when a scan finds files in it.
                    byKey.remove(key);
                    directories.remove(dir);
                    lost = lost == null ? new HashSet<>() : lost;
                    lost.add(dir);
                }
            }
        } catch (ClosedWatchServiceException e) {
            return Changes.NONE;
        }
        return written == null && lost == null ? Changes.NONE
                : new Changes(written == null ? Set.of() : written, lost == null ? Set.of() : lost);
    }

    /** Stops watching the directories not in {@code keep} (no tracked file left in them). */
    void retain(Set<Path> keep) {
        directories.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            if (e.getValue() != null) {
                e.getValue().cancel();
                byKey.remove(e.getValue());
            }
            return true;
        });
    }

    @Override
    public void close() {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                // closing the inotify descriptor: nothing left to release
            }
        }
    }
}
