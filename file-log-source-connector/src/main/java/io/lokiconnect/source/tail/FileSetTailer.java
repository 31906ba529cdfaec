package io.lokiconnect.source.tail;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.multiline.MultilineAggregator;
import io.lokiconnect.source.offsets.StoredOffset;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails every file a task owns: re-evaluates the globs every {@code scanIntervalMs}, follows files by identity
 * through rename rotation (the old file is read to its end, the new one from 0), deletion (the open handle is
 * finished, then forgotten) and replacement, resumes each file from its stored offset, keeps at most
 * {@code maxOpenFiles} handles open (least recently active closed first), and hands out lines round-robin
 * within the batch limits. Plain Java: the Connect task only converts its lines into records.
 */
public final class FileSetTailer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileSetTailer.class);

    /** Options that are not about one file. */
    public record Options(boolean startAtEnd, long scanIntervalMs, int maxOpenFiles, Pattern multilineStart,
                          int multilineMaxLines, long multilineFlushMs) {
    }

    private final GlobWatcher watcher;
    private final FileAssignment assignment;
    private final TailerSettings settings;
    private final Options options;
    private final Function<FileIdentity, Optional<StoredOffset>> offsets;
    private final TailerStats stats;
    private final FileProblems problems;
    private final Supplier<Long> clock;
    private final Map<FileIdentity, FileTailer> tailers = new LinkedHashMap<>();
    private final Map<FileIdentity, MultilineAggregator> aggregators = new HashMap<>();
    private final Map<Path, FileIdentity> identityAtPath = new HashMap<>();
    /** Files whose last read failed, and when to try them again. */
    private final Map<FileIdentity, Long> failedUntil = new HashMap<>();
    private Set<FileIdentity> seenInLastScan = Set.of();
    private boolean firstScan = true;
    private long nextScanMillis;
    private int roundRobin;

    public FileSetTailer(GlobWatcher watcher, FileAssignment assignment, TailerSettings settings, Options options,
                         Function<FileIdentity, Optional<StoredOffset>> offsets, TailerStats stats,
                         FileProblems problems, Supplier<Long> clock) {
        this.watcher = watcher;
        this.assignment = assignment;
        this.settings = settings;
        this.options = options;
        this.offsets = offsets;
        this.stats = stats;
        this.problems = problems;
        this.clock = clock;
    }

    /** Lines ready now, at most {@code maxLines} and about {@code maxBytes}; empty when there is nothing new. */
    public List<TailedLine> poll(int maxLines, long maxBytes) {
        long now = clock.get();
        if (now >= nextScanMillis) {
            try {
                scan(now);
            } catch (RuntimeException e) {
                // A scan that breaks forgets nothing: the files already tracked keep being read.
                log.warn("Scanning {} failed; tracked files are still read", "the globs", e);
            }
            nextScanMillis = now + options.scanIntervalMs();
            // One size lookup per file per scan interval, not per poll: the metric lags by at most a scan.
            stats.bytesBehind.set(tailers.values().stream().mapToLong(FileTailer::bytesBehind).sum());
        }
        List<TailedLine> out = new ArrayList<>();
        List<FileTailer> order = new ArrayList<>(tailers.values());
        long bytes = 0;
        for (int i = 0; i < order.size() && out.size() < maxLines && bytes < maxBytes; i++) {
            FileTailer tailer = order.get((roundRobin + i) % order.size());
            bytes += readOne(tailer, maxLines - out.size(), maxBytes - bytes, out, now);
        }
        if (!order.isEmpty()) {
            roundRobin = (roundRobin + 1) % order.size();
        }
        flushIdleEvents(now, out);
        forgetFinishedOrphans();
        limitOpenHandles();
        stats.filesTracked.set(tailers.size());
        return out;
    }

    private long readOne(FileTailer tailer, int maxLines, long maxBytes, List<TailedLine> out, long now) {
        Long retryAt = failedUntil.get(tailer.identity());
        if (retryAt != null && now < retryAt) {
            return 0;
        }
        List<TailedLine> lines = new ArrayList<>();
        try {
            if (!tailer.isOpen() && !seenInLastScan.contains(tailer.identity()) && !relocate(tailer)) {
                // Rotated away while its handle was closed, and not found beside its old name: nothing to finish.
                tailers.remove(tailer.identity());
                return 0;
            }
            long bytes = tailer.read(maxLines, maxBytes, lines, now);
            if (retryAt != null) {
                failedUntil.remove(tailer.identity());
                problems.clear(tailer.path());
            }
            return bytes;
        } catch (NoSuchFileException e) {
            tailer.close();
            tailers.remove(tailer.identity());
            return 0;
        } catch (IOException | RuntimeException | java.nio.charset.CoderMalfunctionError e) {
            // Whatever goes wrong with one file stays with that file: it is reported (once per reason), its handle
            // closed, and it is read again from its last emitted line after scan.interval.ms; the others go on.
            problems.report(tailer.path(), e instanceof UnreadableFileException ? e.getMessage()
                    : "reading failed, retried every scan.interval.ms (" + e + ")");
            if (!(e instanceof IOException)) {
                log.warn("Unexpected failure reading {}", tailer.path(), e);
            }
            tailer.close();
            failedUntil.put(tailer.identity(), now + Math.max(options.scanIntervalMs(), 1));
            return 0;
        } finally {
            // Lines read before a failure were emitted by the tailer (its position moved past them): deliver them.
            deliver(tailer, lines, out, now);
        }
    }

    private void deliver(FileTailer tailer, List<TailedLine> lines, List<TailedLine> out, long now) {
        MultilineAggregator aggregator = aggregators.get(tailer.identity());
        if (aggregator == null) {
            out.addAll(lines);
        } else {
            for (TailedLine line : lines) {
                aggregator.accept(line, now, out);
            }
        }
    }

    private void flushIdleEvents(long now, List<TailedLine> out) {
        for (MultilineAggregator aggregator : aggregators.values()) {
            aggregator.flushIfIdle(now, out);
        }
    }

    /** A file gone from the globs (rotated away, deleted) is dropped once read to its end. */
    private void forgetFinishedOrphans() {
        tailers.values().removeIf(t -> {
            boolean orphan = !seenInLastScan.contains(t.identity());
            MultilineAggregator aggregator = aggregators.get(t.identity());
            boolean done = orphan && t.atEof() && (aggregator == null || !aggregator.hasPending());
            if (done) {
                t.close();
                aggregators.remove(t.identity());
            }
            return done;
        });
    }

    private void limitOpenHandles() {
        List<FileTailer> open = tailers.values().stream().filter(FileTailer::isOpen)
                // Orphans keep their handle: once closed, a deleted file cannot be reopened to finish it.
                .filter(t -> seenInLastScan.contains(t.identity()))
                .sorted(Comparator.comparingLong(FileTailer::lastActivityMillis))
                .toList();
        for (int i = 0; i < open.size() - options.maxOpenFiles(); i++) {
            open.get(i).close();
        }
    }

    /** Looks for a rotated file beside its old name (app.log renamed app.log.1) by its identity. */
    private boolean relocate(FileTailer tailer) {
        Path dir = tailer.path().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> siblings = Files.list(dir)) {
            for (Path sibling : siblings.toList()) {
                try {
                    if (Files.isRegularFile(sibling) && FileIdentity.of(sibling).equals(tailer.identity())) {
                        tailer.movedTo(sibling);
                        return true;
                    }
                } catch (IOException ignored) {
                    // a sibling that vanished meanwhile is not ours
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private void scan(long now) {
        GlobWatcher.Scan found = watcher.scan();
        Map<FileIdentity, Path> current = new LinkedHashMap<>();
        for (Path path : found.files()) {
            try {
                current.put(FileIdentity.of(path), path);
            } catch (IOException e) {
                problems.report(path, "cannot read its attributes (" + e.getMessage() + ")");
            }
        }
        for (Map.Entry<FileIdentity, Path> e : current.entrySet()) {
            FileIdentity identity = e.getKey();
            Path path = e.getValue();
            if (!assignment.owns(identity)) {
                continue;
            }
            FileIdentity previousAtPath = identityAtPath.put(path, identity);
            if (previousAtPath != null && !previousAtPath.equals(identity)) {
                stats.rotations.incrementAndGet();
            }
            FileTailer tailer = tailers.get(identity);
            if (tailer != null) {
                if (!tailer.path().equals(path)) {
                    tailer.movedTo(path);
                }
                continue;
            }
            try {
                tailers.put(identity, newTailer(identity, path, now));
                if (options.multilineStart() != null) {
                    aggregators.put(identity, new MultilineAggregator(options.multilineStart(),
                            options.multilineMaxLines(), options.multilineFlushMs()));
                }
            } catch (IOException | RuntimeException ex) {
                problems.report(path, "cannot open, retried every scan.interval.ms (" + ex + ")");
            }
        }
        if (found.complete()) {
            seenInLastScan = current.keySet();
            identityAtPath.keySet().retainAll(current.values());
        } else {
            // Part of the tree could not be listed: a file not seen may still be there, so none is treated as gone.
            Set<FileIdentity> seen = new HashSet<>(seenInLastScan);
            seen.addAll(current.keySet());
            seenInLastScan = seen;
        }
        failedUntil.keySet().retainAll(tailers.keySet());
        firstScan = false;
    }

    private FileTailer newTailer(FileIdentity identity, Path path, long now) throws IOException {
        Optional<StoredOffset> stored = offsets.apply(identity);
        long size = Files.size(path);
        long position = 0;
        boolean partial = false;
        if (stored.isPresent() && stored.get().position() <= size && sameContent(path, stored.get())) {
            position = stored.get().position();
            partial = stored.get().partialFlushed();
        } else if (stored.isPresent()) {
            // Shorter than the stored position (truncated) or other first bytes (a reused inode): a new file.
            stats.truncations.incrementAndGet();
        } else if (firstScan && options.startAtEnd()) {
            position = size;
        }
        return new FileTailer(identity, path, position, partial, settings, stats, now);
    }

    private static boolean sameContent(Path path, StoredOffset stored) throws IOException {
        if (stored.fingerprintLength() == 0) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return Fingerprint.of(channel, stored.fingerprintLength()) == stored.fingerprint();
        }
    }

    /** The files being tailed now, by path (for tests and metrics). */
    public List<Path> trackedPaths() {
        return tailers.values().stream().map(FileTailer::path).toList();
    }

    @Override
    public void close() {
        tailers.values().forEach(FileTailer::close);
        tailers.clear();
    }
}
