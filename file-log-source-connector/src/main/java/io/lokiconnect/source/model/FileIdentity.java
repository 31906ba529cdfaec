package io.lokiconnect.source.model;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a file is, independent of its name: the file system's key (device and inode on Linux) plus the mount point
 * of the volume holding it. A rotated file keeps its identity under its new name; its successor at the old name gets
 * a new one. Inode reuse after a delete is caught by the tailer's {@code Fingerprint}.
 *
 * @param key    the JVM's file key, {@code (dev=..,ino=..)}: unique on this host, used to follow files while running
 * @param volume the mount point of the file's volume ({@code /}, {@code /app/logs}), the same on every host that
 *               mounts a shared volume at the same path
 */
public record FileIdentity(String key, String volume) {

    private static final Pattern UNIX_KEY = Pattern.compile("\\(dev=[0-9a-fA-F]+,ino=(\\d+)\\)");
    /** Mount points by directory: a scan looks up every file, and the mount table is read per lookup. */
    private static final Map<Path, String> VOLUMES = new ConcurrentHashMap<>();
    private static final int VOLUMES_MAX = 10_000;

    public FileIdentity(String key) {
        this(key, "");
    }

    public static FileIdentity of(Path file) throws IOException {
        return of(file, Files.readAttributes(file, BasicFileAttributes.class));
    }

    /** The identity of {@code file} from attributes already read (a scan reads them once per file). */
    public static FileIdentity of(Path file, BasicFileAttributes attrs) throws IOException {
        Object fileKey = attrs.fileKey();
        // File systems without keys (rare) fall back to the real path: rotation by rename is then not followed.
        if (fileKey == null) {
            return new FileIdentity("path:" + file.toRealPath(), "");
        }
        return new FileIdentity(fileKey.toString(), volumeOf(file));
    }

    /**
     * The part of the identity every host sees alike: the inode and the volume's mount point, without the device
     * number, which differs between hosts mounting the same shared volume (and between boots for some file systems).
     * The mount point keeps two files with the same inode number on two volumes of one host apart.
     */
    public String sharedKey() {
        Matcher m = UNIX_KEY.matcher(key);
        if (!m.matches()) {
            return key;
        }
        return volume.isEmpty() || volume.equals("/") ? "ino:" + m.group(1) : "ino:" + m.group(1) + "@" + volume;
    }

    static String volumeOf(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            return "/";
        }
        String cached = VOLUMES.get(dir);
        if (cached != null) {
            return cached;
        }
        String volume = mountPoint(Files.getFileStore(file));
        if (VOLUMES.size() >= VOLUMES_MAX) {
            VOLUMES.clear();
        }
        VOLUMES.put(dir, volume);
        return volume;
    }

    /** The JDK names a store "{@code <mount point> (<device>)}" and has no getter for the mount point itself. */
    static String mountPoint(FileStore store) {
        String text = store.toString();
        String suffix = " (" + store.name() + ")";
        return text.endsWith(suffix) ? text.substring(0, text.length() - suffix.length()) : store.name();
    }
}
