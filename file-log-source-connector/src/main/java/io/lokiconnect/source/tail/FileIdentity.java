package io.lokiconnect.source.tail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

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

    /** A stable, JVM-independent hash, so every task computes the same owner for a file. */
    public int stableHash() {
        return key.hashCode();
    }
}
