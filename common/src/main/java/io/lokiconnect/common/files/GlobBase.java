package io.lokiconnect.common.files;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The directory a file glob is rooted in: its path components up to the first one holding a wildcard
 * ({@code *}, {@code ?}, {@code {}, {@code [}). The source walks each glob from there and checks it against
 * {@code paths.allowed.roots}; the local runner checks that it exists before starting.
 */
public final class GlobBase {

    private GlobBase() {
    }

    /** The glob made absolute against the working directory. */
    public static String absolute(String glob) {
        return glob.startsWith("/") ? glob : Paths.get("").toAbsolutePath().resolve(glob).toString();
    }

    /** The absolute directory {@code glob} is walked from; for a glob without wildcard, the file's path itself. */
    public static Path of(String glob) {
        Path path = Paths.get(absolute(glob));
        Path base = path.getRoot();
        for (Path part : path) {
            if (hasWildcard(part.toString())) {
                break;
            }
            base = base.resolve(part);
        }
        return base;
    }

    /** True when {@code glob} holds a wildcard anywhere. */
    public static boolean hasWildcard(String glob) {
        return glob.indexOf('*') >= 0 || glob.indexOf('?') >= 0 || glob.indexOf('{') >= 0 || glob.indexOf('[') >= 0;
    }
}
