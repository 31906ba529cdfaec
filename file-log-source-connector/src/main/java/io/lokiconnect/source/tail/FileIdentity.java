package io.lokiconnect.source.tail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a file is, independent of its name: the file system's key (device and inode on Linux). A rotated file
 * keeps its identity under its new name; its successor at the old name gets a new one. Inode reuse after a
 * delete is caught by {@link Fingerprint}.
 */
public record FileIdentity(String key) {

    public static FileIdentity of(Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        Object fileKey = attrs.fileKey();
        // File systems without keys (rare) fall back to the real path: rotation by rename is then not followed.
        return new FileIdentity(fileKey != null ? fileKey.toString() : "path:" + file.toRealPath());
    }

    private static final Pattern UNIX_KEY = Pattern.compile("\\(dev=[0-9a-fA-F]+,ino=(\\d+)\\)");

    /**
     * The part of the identity every host sees alike: the inode without the device number, which differs
     * between hosts mounting the same shared volume (and between boots for some file systems).
     */
    public String sharedKey() {
        Matcher m = UNIX_KEY.matcher(key);
        return m.matches() ? "ino:" + m.group(1) : key;
    }

    /** A stable, JVM- and host-independent hash, so every task on every worker computes the same owner. */
    public int stableHash() {
        return sharedKey().hashCode();
    }
}
