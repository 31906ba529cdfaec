package io.lokiconnect.source.discovery;

import io.lokiconnect.common.files.GlobBase;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the files that match the configured globs ({@code *}, {@code **}, {@code ?}, {@code {a,b}}, {@code [..]},
 * with the JDK's glob syntax) and none of the excludes. Each glob is walked from its longest literal directory,
 * only as deep as it can match. Directories, dangling symlinks, unreadable files and files outside
 * {@code paths.allowed.roots} are reported to {@link FileProblems} and skipped.
 */
public final class GlobWatcher {

    private record Glob(Path base, PathMatcher matcher, int maxDepth) {
    }

    private final List<Glob> includes = new ArrayList<>();
    private final List<PathMatcher> excludes = new ArrayList<>();
    private final List<Path> allowedRoots;
    /** {@link #allowedRoots} resolved at the start of the current scan. */
    private List<Path> realRoots = List.of();
    /** The names the current scan looks at. */
    private java.util.function.Predicate<Path> wanted = path -> true;
    /** Real paths of the directories met in the current scan: one resolution per directory, not per file. */
    private final Map<Path, Path> realDirectories = new HashMap<>();
    /** The file keys of the names found readable by the last complete scan, and by the current one. */
    private Map<Path, Object> readableLastScan = new HashMap<>();
    private Map<Path, Object> readableNow = new HashMap<>();
    /** The attributes of the files found by the current scan. */
    private Map<Path, BasicFileAttributes> attributes;
    private final FileProblems problems;
    private final Set<Path> unlistable = new HashSet<>();
    private final DirectoryLister lister;

    public GlobWatcher(List<String> globs, List<String> excludeGlobs, List<String> allowedRoots, FileProblems problems) {
        this(globs, excludeGlobs, allowedRoots, problems, Files::newDirectoryStream);
    }

    public GlobWatcher(List<String> globs, List<String> excludeGlobs, List<String> allowedRoots, FileProblems problems,
                       DirectoryLister lister) {
        this.lister = lister;
        for (String glob : globs) {
            includes.add(compile(glob.trim()));
        }
        for (String exclude : excludeGlobs) {
            excludes.add(FileSystems.getDefault().getPathMatcher("glob:" + GlobBase.absolute(exclude.trim())));
        }
        this.allowedRoots = allowedRoots.stream().map(r -> Paths.get(r.trim()).toAbsolutePath().normalize()).toList();
        this.problems = problems;
    }

    /** True when {@code path} (already absolute and normalised) is inside one of {@code roots}. */
    public static boolean isUnder(Path path, List<Path> roots) {
        return roots.stream().anyMatch(path::startsWith);
    }

    /**
     * The roots as the file system resolves them now (symbolic links followed: macOS {@code /var} is
     * {@code /private/var}), so that they compare with the real paths of the files; a root that does not exist (yet)
     * as written. Resolved at every scan: a root link made or re-pointed after the start is honoured.
     */
    public static List<Path> resolved(List<Path> roots) {
        List<Path> real = new ArrayList<>(roots.size());
        for (Path root : roots) {
            try {
                real.add(root.toRealPath());
            } catch (IOException | SecurityException e) {
                real.add(root); // not there yet: nothing below it exists to be read either
            }
        }
        return real;
    }

    private static Glob compile(String glob) {
        String absolute = GlobBase.absolute(glob);
        Path base = GlobBase.of(absolute);
        int depth = absolute.contains("**") ? Integer.MAX_VALUE
                : Paths.get(absolute).getNameCount() - base.getNameCount();
        return new Glob(base, FileSystems.getDefault().getPathMatcher("glob:" + absolute), depth);
    }

    /**
     * What one scan found: the readable regular files that match, in a stable order, and whether every directory
     * could be listed. An incomplete scan says nothing about the files it did not see.
     *
     * @param attributes each file's attributes as the scan read them (one stat: identity, size, modification time)
     */
    public record Scan(Set<Path> files, boolean complete, Map<Path, BasicFileAttributes> attributes) {

        public Scan(Set<Path> files, boolean complete) {
            this(files, complete, Map.of());
        }
    }

    /** Opens a directory for listing: {@link Files#newDirectoryStream(Path)}, or a stand-in that fails at will. */
    @FunctionalInterface
    public interface DirectoryLister {
        DirectoryStream<Path> open(Path dir) throws IOException;
    }

    /** Walks every glob; a directory that cannot be listed (permissions, vanished) is reported and skipped. */
    public Scan scan() {
        return scan(path -> true);
    }

    /**
     * Walks every glob, looking only at the files {@code wanted} accepts (by name, before any stat): a task skips
     * the files another task owns, so that each file costs one task a stat per scan, not every task.
     */
    public Scan scan(java.util.function.Predicate<Path> wanted) {
        this.wanted = wanted;
        realRoots = resolved(allowedRoots);
        realDirectories.clear();
        Set<Path> files = new LinkedHashSet<>();
        attributes = new HashMap<>();
        boolean[] complete = {true};
        for (Glob glob : includes) {
            if (glob.maxDepth() == 0) {
                consider(glob.base(), glob, files);
                continue;
            }
            if (!Files.exists(glob.base())) {
                continue; // nothing there yet: an application that has not logged is not an error
            }
            walk(glob.base(), 0, glob, files, complete);
        }
        Map<Path, BasicFileAttributes> found = attributes;
        attributes = null;
        if (complete[0]) {
            readableLastScan = readableNow;
        } else {
            readableLastScan.putAll(readableNow);
        }
        readableNow = new HashMap<>();
        realDirectories.clear();
        return new Scan(files, complete[0], found);
    }

    /**
     * Lists {@code dir} and goes down into its directories while the glob can still match. Unlike
     * {@link Files#walk}, which stops at the first directory it cannot read, this goes on with the next entry.
     */
    private void walk(Path dir, int depth, Glob glob, Set<Path> files, boolean[] complete) {
        List<Path> subdirectories = new ArrayList<>();
        try (DirectoryStream<Path> entries = lister.open(dir)) {
            for (Path entry : entries) {
                consider(entry, glob, files);
                if (depth + 1 < glob.maxDepth() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    subdirectories.add(entry);
                }
            }
            if (unlistable.remove(dir)) {
                problems.clear(dir); // readable again: a new failure is logged again
            }
        } catch (IOException | DirectoryIteratorException | SecurityException e) {
            complete[0] = false;
            unlistable.add(dir);
            problems.report(dir, "cannot list the directory; files below it are kept but new ones are not seen "
                    + "until it can be listed (" + describe(e) + ")");
        }
        for (Path subdirectory : subdirectories) {
            walk(subdirectory, depth + 1, glob, files, complete);
        }
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof DirectoryIteratorException ? e.getCause() : e;
        return cause instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : cause instanceof java.nio.file.NoSuchFileException ? "it vanished during the scan" : cause.toString();
    }

    /** A file that is no symbolic link is where its directory really is: the directory is resolved once a scan. */
    private Path realPathOfPlainFile(Path path) throws IOException {
        Path dir = path.getParent();
        Path name = path.getFileName();
        if (dir == null || name == null) {
            return path.toRealPath();
        }
        Path realDir = realDirectories.get(dir);
        if (realDir == null) {
            realDir = dir.toRealPath();
            realDirectories.put(dir, realDir);
        }
        return realDir.resolve(name);
    }

    private void consider(Path path, Glob glob, Set<Path> files) {
        if (path.equals(glob.base()) && glob.maxDepth() != 0 || !glob.matcher().matches(path)) {
            return;
        }
        for (PathMatcher exclude : excludes) {
            if (exclude.matches(path)) {
                return;
            }
        }
        if (!wanted.test(path)) {
            return;
        }
        // One lstat for most files (a stat more for a symbolic link): the scan of thousands of files costs a
        // system call or two per file, and the attributes serve the tailer too (identity, size, time).
        BasicFileAttributes attrs;
        boolean link;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            link = attrs.isSymbolicLink();
            if (link) {
                try {
                    attrs = Files.readAttributes(path, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    problems.report(path, "dangling symbolic link");
                    return;
                }
            }
        } catch (NoSuchFileException e) {
            problems.report(path, "not a regular file"); // (gone, or a glob without wildcard naming no file yet)
            return;
        } catch (IOException | SecurityException e) {
            problems.report(path, "cannot read its attributes (" + describe(e) + ")");
            return;
        }
        if (attrs.isDirectory()) {
            problems.report(path, "a directory matches the glob");
            return;
        }
        if (!attrs.isRegularFile()) {
            problems.report(path, "not a regular file");
            return;
        }
        if (!allowedRoots.isEmpty()) {
            try {
                Path real = link ? path.toRealPath() : realPathOfPlainFile(path);
                if (!isUnder(real, realRoots)) {
                    problems.report(path, "resolves to " + real + ", outside paths.allowed.roots " + allowedRoots);
                    return;
                }
            } catch (IOException e) {
                problems.report(path, "cannot resolve its real path (" + e.getMessage() + ")");
                return;
            }
        }
        // Asked again only of a name that holds another file than at the last scan (a file made unreadable while
        // tracked fails at its next open, which reports it).
        Object key = attrs.fileKey();
        if ((key == null || !key.equals(readableLastScan.get(path))) && !Files.isReadable(path)) {
            problems.report(path, "not readable (check its permissions and the volume mount)");
            return;
        }
        if (key != null) {
            readableNow.put(path, key);
        }
        attributes.put(path, attrs);
        files.add(path);
    }
}
