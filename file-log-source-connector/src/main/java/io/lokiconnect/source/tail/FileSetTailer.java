package io.lokiconnect.source.tail;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import io.lokiconnect.source.multiline.MultilineAggregator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
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

    private final GlobWatcher watcher;
    private final FileAssignment assignment;
    private final TailerSettings settings;
    private final StoredOffsets offsets;
    private final TailerStats stats;
    private final FileProblems problems;
    private final Supplier<Long> clock;
    private final Map<FileIdentity, FileTailer> tailers = new LinkedHashMap<>();
    /**
     * The open handles, least recently opened or active first (closed ones are dropped when met): files.max.open
     * is kept by closing from the head, without going over every tracked file per open.
     */
    private final LinkedHashMap<FileIdentity, FileTailer> openOrder = new LinkedHashMap<>();
    private final Map<FileIdentity, MultilineAggregator> aggregators = new HashMap<>();
    private final Map<Path, FileIdentity> identityAtPath = new HashMap<>();
    /** Files not seen by the last complete scan (rotated away, deleted), and since when. */
    private final Map<FileIdentity, Long> orphanSince = new HashMap<>();
    /** New files held back because they may be a copy about to be made by copytruncate, and since when. */
    private final Map<FileIdentity, Long> deferredSince = new HashMap<>();
    private final CopyRecognizer copies;
    /** The kernel's word on which files were written to: files at their end in watched directories need no looks. */
    private final ChangeWatch changes;
    /** A line whose reading fails this many times in a row is skipped, so one bad line cannot stop its file. */
    static final int SKIP_AFTER_FAILURES = 3;
    /** Per failing file: the position of its last failures and how many in a row. */
    private final Map<FileIdentity, long[]> repeatedFailures = new HashMap<>();
    /** Files whose last read failed, and when to try them again. */
    private final Map<FileIdentity, Long> failedUntil = new HashMap<>();
    private Set<FileIdentity> seenInLastScan = Set.of();
    /** What the last scan learnt of each name: its file's key, identity, and whether this task owns the name. */
    private record Known(Object fileKey, FileIdentity identity, boolean owned) {
    }

    private Map<Path, Known> knownPaths = new HashMap<>();
    /** During a scan: the first-bytes checksums of the tracked files, built when a new file needs them. */
    private Map<Long, List<FileTailer>> trackedFingerprints;
    /** Counts the looks at files (stats of closed ones, reads of open ones): orders them against a copy's deferral. */
    private long looks;
    /** The look count when each deferred file was first held back. */
    private final Map<FileIdentity, Long> deferredAtLook = new HashMap<>();
    private boolean firstScan = true;
    /** start.position=end applies in this scan: the first one, and no file matching the globs has an offset. */
    private boolean startAtEndNow;
    /** start.position=end was applied by this run and the record that stores it not handed out yet. */
    private boolean startMarkerDue;
    /** The wall clock, for file modification times only (ignore.older.than.ms); deadlines use {@link #clock}. */
    private final Supplier<Long> wallClock = System::currentTimeMillis;
    private long nextScanMillis;
    private int roundRobin;

    public FileSetTailer(GlobWatcher watcher, FileAssignment assignment, TailerSettings settings,
                         StoredOffsets offsets, TailerStats stats, FileProblems problems, Supplier<Long> clock) {
        this.watcher = watcher;
        this.assignment = assignment;
        this.settings = settings;
        this.offsets = offsets;
        this.stats = stats;
        this.problems = problems;
        this.clock = clock;
        this.copies = new CopyRecognizer(Math.max(settings.rotateWaitMs(), 2 * settings.scanIntervalMs()));
        this.changes = settings.watchWrites() ? ChangeWatch.open() : ChangeWatch.none();
    }

    /** Lines ready now, at most {@code maxLines} and about {@code maxBytes}; empty when there is nothing new. */
    public List<TailedLine> poll(int maxLines, long maxBytes) {
        long now = clock.get();
        applyWrites(now);
        if (now >= nextScanMillis) {
            try {
                scan(now);
            } catch (RuntimeException e) {
                // A scan that breaks forgets nothing: the files already tracked keep being read.
                log.warn("Scanning {} failed; tracked files are still read", "the globs", e);
            }
            nextScanMillis = now + settings.scanIntervalMs();
            // The sizes the scan and the looks saw (an fstat for open handles): no stat per file for the metric.
            stats.bytesBehind.set(tailers.values().stream().mapToLong(FileTailer::bytesBehindAsSeen).sum());
            stats.bufferBytes.set(tailers.values().stream().mapToLong(FileTailer::bufferBytes).sum()
                    + aggregators.values().stream().mapToLong(MultilineAggregator::bufferBytes).sum());
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
        forgetFinishedOrphans(now, out);
        limitOpenHandles();
        stats.filesTracked.set(tailers.size());
        return out;
    }

    /** Files the kernel says were written to are looked at in this poll; all of a directory whose events were lost. */
    private void applyWrites(long now) {
        ChangeWatch.Changes written = changes.poll();
        for (Path path : written.written()) {
            FileIdentity identity = identityAtPath.get(path);
            FileTailer tailer = identity == null ? null : tailers.get(identity);
            if (tailer != null) {
                tailer.written();
                tailer.nextLookAt(now);
            }
        }
        if (!written.lostDirectories().isEmpty()) {
            for (FileTailer tailer : tailers.values()) {
                if (written.lostDirectories().contains(tailer.path().getParent())) {
                    tailer.written();
                    tailer.nextLookAt(now);
                }
            }
        }
    }

    /** How long until a closed file at its end is looked at again: long in a watched directory. */
    private long lookIntervalOf(FileTailer tailer) {
        return changes.isWatched(tailer.path().getParent())
                ? Math.max(ChangeWatch.WATCHED_LOOK_INTERVAL_MS, settings.lookIntervalMs()) : settings.lookIntervalMs();
    }

    private long readOne(FileTailer tailer, int maxLines, long maxBytes, List<TailedLine> out, long now) {
        Long retryAt = failedUntil.get(tailer.identity());
        if (retryAt != null && now < retryAt) {
            return 0;
        }
        tailer.takeStartMarker().ifPresent(out::add);
        List<TailedLine> lines = new ArrayList<>();
        try {
            if (!tailer.isOpen()) {
                if (now < tailer.nextLookMillis() && !tailer.mayHaveUnread()) {
                    return 0; // at its end when last looked at: one stat per look interval, not one per poll
                }
                tailer.nextLookAt(now + lookIntervalOf(tailer));
                tailer.lookedAt(++looks);
                // Reopened by name: make sure the name still holds this file (it may have been rotated meanwhile).
                BasicFileAttributes attrs = attributes(tailer.path());
                boolean gone = !seenInLastScan.contains(tailer.identity()) || attrs == null
                        || !tailer.isFile(attrs.fileKey());
                if (gone) {
                    if (!relocate(tailer)) {
                        // Rotated away while its handle was closed, and not found beside its old name: nothing to
                        // finish.
                        forget(tailer, out);
                        return 0;
                    }
                    attrs = attributes(tailer.path());
                    if (attrs == null) {
                        return 0;
                    }
                }
                if (!tailer.worthOpening(attrs.size(), mtimeNanos(attrs), now, wallClock.get())
                        && openOrder.size() >= settings.maxOpenFiles()) {
                    // One stat instead of a descriptor: files.max.open holds within a poll too. Below it, a file is
                    // held open even with nothing to read: a handle finishes a file deleted right after a write.
                    return 0;
                }
                makeRoomForOneMoreHandle(tailer);
            } else {
                tailer.lookedAt(++looks); // an open handle sees growth and truncation at every read
            }
            if (tailer.isOpen() && now >= tailer.nextLookMillis()) {
                // An open handle sees growth by itself; a look at the name sees a change that kept the size.
                tailer.nextLookAt(now + settings.lookIntervalMs());
                BasicFileAttributes attrs = attributes(tailer.path());
                if (attrs != null && tailer.isFile(attrs.fileKey()) && !tailer.isCompressed()) {
                    tailer.look(attrs.size(), mtimeNanos(attrs), wallClock.get());
                }
            }
            long bytes;
            try {
                bytes = tailer.read(maxLines, maxBytes, lines, now);
            if (tailer.turnedOutCompressed()) {
                // Tracked before its first bytes told: the next scan takes it up as an archive (recognised, or read
                // whole from its beginning).
                tailer.close();
                tailers.remove(tailer.identity());
                aggregators.remove(tailer.identity());
                return 0;
            }
            } catch (FileReplacedException e) {
                // Rotated (or replaced) between the check above and the open: found under its new name it is read
                // at the next poll; else it is gone, like a file rotated away while its handle was closed.
                if (!relocate(tailer)) {
                    forget(tailer, out);
                }
                return 0;
            } catch (DecompressedContent.Incomplete e) {
                incomplete(tailer, e, now);
                return 0;
            } catch (DecompressedContent.Corrupt e) {
                problems.report(tailer.path(), e.getMessage() + ": the lines before the damage are shipped, the rest "
                        + "cannot be read");
                tailer.giveUp();
                return 0;
            }
            if (tailer.isOpen() && (!lines.isEmpty() || !openOrder.containsKey(tailer.identity()))) {
                openOrder.remove(tailer.identity());
                openOrder.put(tailer.identity(), tailer);
            }
            List<long[]> beforeTruncation = tailer.takeCheckpointsBeforeTruncation();
            if (beforeTruncation != null) {
                copies.truncated(beforeTruncation, now);
                nextScanMillis = now; // look for its copy now rather than at the next scan
            }
            if (retryAt != null) {
                failedUntil.remove(tailer.identity());
                repeatedFailures.remove(tailer.identity());
                problems.clear(tailer.path());
            }
            return bytes;
        } catch (NoSuchFileException e) {
            // Deleted while its handle was closed: nothing left to read.
            forget(tailer, out);
            return 0;
        } catch (IOException | RuntimeException | java.nio.charset.CoderMalfunctionError e) {
            // Whatever goes wrong with one file stays with that file: it is reported (once per reason), its handle
            // closed, and it is read again from its last emitted line after scan.interval.ms; the others go on.
            boolean first = problems.report(tailer.path(), e instanceof UnreadableFileException ? e.getMessage()
                    : "reading failed, retried every scan.interval.ms (" + e + ")");
            if (first && !(e instanceof IOException)) {
                log.warn("Unexpected failure reading {}", tailer.path(), e);
            }
            tailer.close();
            if (!(e instanceof IOException) && failedAgainAtTheSamePlace(tailer)) {
                // Not the file (that would be an IOException) but its next line, every time: skip that one line
                // rather than stop the file for good. Counted and logged with its offset.
                log.warn("Skipping the line at byte {} of {}: reading it failed {} times in a row ({})",
                        tailer.committedPosition(), tailer.path(), SKIP_AFTER_FAILURES, e.toString());
                tailer.skipLine();
                stats.linesSkipped.incrementAndGet();
                repeatedFailures.remove(tailer.identity());
            }
            failedUntil.put(tailer.identity(), now + Math.max(settings.scanIntervalMs(), 1));
            return 0;
        } finally {
            // Lines read before a failure were emitted by the tailer (its position moved past them): deliver them.
            deliver(tailer, lines, out, now);
            deliverFinishedMarker(tailer, out);
        }
    }

    /**
     * A compressed file whose content ends early: it is being written (gzip fills the archive it created), so it is
     * read again once its size changes; when it has not changed for rotate.wait.ms it was cut short: what could be
     * read is shipped, the rest is reported lost.
     */
    private void incomplete(FileTailer tailer, IOException e, long now) throws IOException {
        long size = Files.size(tailer.path());
        long quietMs = wallClock.get() - Files.getLastModifiedTime(tailer.path()).toMillis();
        if (quietMs >= settings.rotateWaitMs()) {
            problems.report(tailer.path(), e.getMessage() + "; unchanged for rotate.wait.ms: the lines before the cut "
                    + "are shipped, the rest of the archive is lost");
            tailer.giveUp();
            return;
        }
        tailer.close();
        tailer.incompleteAt(size);
        log.debug("{} is not complete yet; read again once it grows ({})", tailer.path(), e.getMessage());
    }

    /**
     * Records without a line that store an offset: where a recognised copy resumes (before its lines), and, after a
     * compressed file's last line, that it is done (after its pending event).
     */
    private void deliverFinishedMarker(FileTailer tailer, List<TailedLine> out) {
        try {
            Optional<TailedLine> marker = tailer.takeFinishedMarker();
            if (marker.isPresent()) {
                MultilineAggregator aggregator = aggregators.get(tailer.identity());
                if (aggregator != null) {
                    aggregator.flushAll(out);
                }
                out.add(marker.get());
            }
        } catch (IOException e) {
            problems.report(tailer.path(), "cannot record that it was read whole (" + e + ")");
        }
    }

    /**
     * Once, after the first scan applied start.position=end: the task stores it (a record without a line), so that
     * no later run starts a file at its end.
     */
    public boolean takeStartPositionApplied() {
        boolean due = startMarkerDue;
        startMarkerDue = false;
        return due;
    }

    /** Counts failures at the same position in a row; true when there were {@link #SKIP_AFTER_FAILURES}. */
    private boolean failedAgainAtTheSamePlace(FileTailer tailer) {
        long[] previous = repeatedFailures.get(tailer.identity());
        long position = tailer.committedPosition();
        int count = previous != null && previous[0] == position ? (int) previous[1] + 1 : 1;
        repeatedFailures.put(tailer.identity(), new long[] {position, count});
        return count >= SKIP_AFTER_FAILURES;
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

    /**
     * A file gone from the globs (rotated away, deleted) is forgotten only once it has not grown for rotate.wait.ms
     * (a writer holding the old handle may still append) and it is read to its real end, its size looked up now,
     * not as of the last read. Its pending last line and multi-line event are emitted then.
     */
    private void forgetFinishedOrphans(long now, List<TailedLine> out) {
        if (orphanSince.isEmpty()) {
            return;
        }
        for (Map.Entry<FileIdentity, Long> orphan : new ArrayList<>(orphanSince.entrySet())) {
            FileTailer tailer = tailers.get(orphan.getKey());
            Long since = orphan.getValue();
            if (tailer == null || now - Math.max(since, tailer.lastGrowthMillis()) < settings.rotateWaitMs()) {
                continue;
            }
            try {
                // Closed handles too (files.max.open, a failed read): found under its new name, a file with unread
                // bytes is kept until a poll reopens and finishes it, never forgotten with its rest unread.
                if (!tailer.isOpen() && !holds(tailer.path(), tailer.identity()) && !relocate(tailer)) {
                    problems.report(tailer.path(), "was rotated away while its handle was closed (files.max.open) "
                            + "and is no longer beside its old name: what it held after the last read is not shipped");
                    forget(tailer, out);
                    continue;
                }
                if (!tailer.readToEnd()) {
                    continue;
                }
                tailer.flushPending(out);
            } catch (IOException | RuntimeException e) {
                problems.report(tailer.path(), "could not be read to its end after it was rotated away (" + e + ")");
            }
            forget(tailer, out);
        }
    }

    /** Stops tracking a file; a multi-line event still pending is emitted, so no line read is lost. */
    private void forget(FileTailer tailer, List<TailedLine> out) {
        if (!tailer.isCompressed()) {
            // A compressed archive of it (logrotate's compress, after the rename) may appear: recognised by these.
            copies.forgotten(tailer.checkpoints(), clock.get());
        }
        MultilineAggregator aggregator = aggregators.remove(tailer.identity());
        if (aggregator != null) {
            aggregator.flushAll(out);
        }
        tailer.close();
        tailers.remove(tailer.identity());
        openOrder.remove(tailer.identity());
        orphanSince.remove(tailer.identity());
        failedUntil.remove(tailer.identity());
        repeatedFailures.remove(tailer.identity());
    }

    private boolean isOrphan(FileTailer tailer) {
        return orphanSince.containsKey(tailer.identity());
    }

    /**
     * Closes the least recently active handles so that opening one more keeps the task within files.max.open.
     * Files rotated away keep theirs: once closed, a deleted file cannot be reopened to finish it (they are few,
     * and only for rotate.wait.ms).
     */
    private void makeRoomForOneMoreHandle(FileTailer opening) {
        closeLeastRecent(settings.maxOpenFiles() - 1, opening);
    }

    private void limitOpenHandles() {
        closeLeastRecent(settings.maxOpenFiles(), null);
    }

    /** Closes the least recently active open handles (not {@code keep}, not orphans') until at most {@code max}. */
    private void closeLeastRecent(int max, FileTailer keep) {
        int open = 0;
        for (var it = openOrder.values().iterator(); it.hasNext(); ) {
            FileTailer t = it.next();
            if (!t.isOpen() || tailers.get(t.identity()) != t) {
                it.remove(); // closed elsewhere (a failure, an archive finished) or forgotten
            } else if (!isOrphan(t) && t != keep) {
                open++;
            }
        }
        for (var it = openOrder.values().iterator(); it.hasNext() && open > max; ) {
            FileTailer t = it.next();
            if (t != keep && !isOrphan(t)) {
                t.close();
                it.remove();
                open--;
            }
        }
    }

    /** One stat of {@code path} (following links); null when it is gone or cannot be read. */
    private static BasicFileAttributes attributes(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static long mtimeNanos(BasicFileAttributes attrs) {
        return attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Looks for a rotated file beside its old name (app.log renamed app.log.1) by its identity. */
    private static boolean holds(Path path, FileIdentity identity) {
        try {
            return FileIdentity.of(path).equals(identity);
        } catch (IOException e) {
            return false;
        }
    }

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
        // The first scan with start.position=end looks at every file (no file matching the globs may have an offset);
        // every other scan only at the names this task owns.
        GlobWatcher.Scan found = firstScan && settings.startAtEnd() ? watcher.scan() : watcher.scan(assignment::owns);
        long wallNow = wallClock.get();
        int expected = found.files().size() * 4 / 3 + 16;
        Map<FileIdentity, Path> current = new LinkedHashMap<>(expected);
        Map<Path, BasicFileAttributes> attributes = new HashMap<>(expected);
        Set<Path> ownedPaths = new HashSet<>(expected);
        Map<Path, Known> knownNow = new HashMap<>(expected);
        for (Path path : found.files()) {
            try {
                BasicFileAttributes attrs = found.attributes().get(path);
                if (attrs == null) {
                    attrs = Files.readAttributes(path, BasicFileAttributes.class);
                }
                // The same file under the same name as at the last scan: its identity and owner are known.
                Known known = knownPaths.get(path);
                Object key = attrs.fileKey();
                if (known == null || key == null || !key.equals(known.fileKey())) {
                    known = new Known(key, FileIdentity.of(path, attrs), assignment.owns(path));
                }
                knownNow.put(path, known);
                current.put(known.identity(), path);
                attributes.put(path, attrs);
                if (known.owned()) {
                    ownedPaths.add(path);
                }
            } catch (IOException e) {
                problems.report(path, "cannot read its attributes (" + e.getMessage() + ")");
            }
        }
        boolean decideStart = firstScan && settings.startAtEnd();
        // One batch of offset lookups per scan: the files this task does not track yet (all files at the first
        // scan with start.position=end, which looks at every file matching the globs).
        List<FileIdentity> lookUp = new ArrayList<>();
        for (Map.Entry<FileIdentity, Path> e : current.entrySet()) {
            if (decideStart || ownedPaths.contains(e.getValue()) && !tailers.containsKey(e.getKey())) {
                lookUp.add(e.getKey());
            }
        }
        Map<FileIdentity, ResumePoint> stored = lookUp.isEmpty() ? Map.of() : offsets.of(lookUp);
        if (decideStart) {
            // "end" is for the connector's first run only: no earlier run stored that it applied it (a file renamed
            // out of the globs while the task was down leaves no offset behind), and, for offsets written before
            // that record existed, no file matching the globs (rotated ones included) has an offset.
            startAtEndNow = !offsets.startPositionApplied() && stored.isEmpty();
            startMarkerDue = startAtEndNow;
        }
        // Files with an offset first: one found truncated while the task was down may have left a copy among the
        // files without one.
        List<Map.Entry<FileIdentity, Path>> withOffset = new ArrayList<>();
        List<Map.Entry<FileIdentity, Path>> others = new ArrayList<>();
        for (Map.Entry<FileIdentity, Path> e : current.entrySet()) {
            if (!ownedPaths.contains(e.getValue())) {
                continue;
            }
            (!tailers.containsKey(e.getKey()) && stored.containsKey(e.getKey()) ? withOffset : others).add(e);
        }
        // Newest first among those with an offset, as before: each was put at the front of the list.
        java.util.Collections.reverse(withOffset);
        List<Map.Entry<FileIdentity, Path>> ordered = withOffset;
        ordered.addAll(others);
        trackedFingerprints = null;
        for (Map.Entry<FileIdentity, Path> e : ordered) {
            FileIdentity identity = e.getKey();
            Path path = e.getValue();
            FileIdentity previousAtPath = identityAtPath.get(path);
            if (previousAtPath != identity) {
                identityAtPath.put(path, identity);
                if (previousAtPath != null && !previousAtPath.equals(identity)) {
                    stats.rotations.incrementAndGet();
                }
            }
            FileTailer tailer = tailers.get(identity);
            if (tailer != null) {
                if (!tailer.path().equals(path)) {
                    tailer.movedTo(path);
                }
                continue;
            }
            try {
                BasicFileAttributes attrs = attributes.get(path);
                if (tooOld(attrs, wallNow)) {
                    continue; // never opened; looked at again each scan, and read like a new file once written to
                }
                FileTailer created = newTailer(identity, path, Optional.ofNullable(stored.get(identity)), now);
                if (created == null) {
                    continue; // perhaps the copy of a file about to be truncated: decided at a later scan
                }
                created.seen(attrs.size(), mtimeNanos(attrs), wallNow);
                tailers.put(identity, created);
                if (trackedFingerprints != null) {
                    indexFingerprint(created);
                }
                if (settings.multilineStart() != null) {
                    MultilineAggregator aggregator = new MultilineAggregator(settings.multilineStart(),
                            settings.multilineMaxLines(), settings.multilineMaxBytes(), settings.multilineFlushMs());
                    ResumePoint from = created.start();
                    aggregator.resume(from.eventPart(), from.linePart() > 0 || from.skippingLine());
                    aggregators.put(identity, aggregator);
                }
            } catch (IOException | RuntimeException ex) {
                problems.report(path, "cannot open, retried every scan.interval.ms (" + ex + ")");
            }
        }
        trackedFingerprints = null;
        // Seen: under a name this task owns. A file renamed out of its rotation family belongs to another task now:
        // this one finishes it like a file rotated away, and forgets it.
        Set<FileIdentity> owned = new HashSet<>();
        current.forEach((identity, path) -> {
            if (ownedPaths.contains(path)) {
                owned.add(identity);
            }
        });
        if (found.complete()) {
            knownPaths = knownNow;
            Set<Path> directories = new HashSet<>();
            for (FileTailer tailer : tailers.values()) {
                Path dir = tailer.path().getParent();
                if (directories.add(dir)) {
                    changes.watch(dir);
                }
            }
            changes.retain(directories);
        } else {
            knownPaths.putAll(knownNow);
        }
        if (found.complete()) {
            seenInLastScan = owned;
            // A set, not current.values(): retainAll asks contains() of every key (10,000 files made it quadratic).
            identityAtPath.keySet().retainAll(knownPaths.keySet());
            orphanSince.keySet().retainAll(tailers.keySet());
            orphanSince.keySet().removeAll(seenInLastScan);
            for (FileIdentity identity : tailers.keySet()) {
                if (!seenInLastScan.contains(identity)) {
                    orphanSince.putIfAbsent(identity, now);
                }
            }
        } else {
            // Part of the tree could not be listed: a file not seen may still be there, so none is treated as gone.
            Set<FileIdentity> seen = new HashSet<>(seenInLastScan);
            seen.addAll(owned);
            seenInLastScan = seen;
        }
        failedUntil.keySet().retainAll(tailers.keySet());
        deferredSince.keySet().retainAll(current.keySet());
        deferredAtLook.keySet().retainAll(deferredSince.keySet());
        firstScan = false;
    }

    /** ignore.older.than.ms: a file last modified longer ago than that is never opened. */
    private boolean tooOld(BasicFileAttributes attrs, long wallNow) {
        return settings.ignoreOlderThanMs() > 0
                && wallNow - attrs.lastModifiedTime().toMillis() > settings.ignoreOlderThanMs();
    }

    /** A tailer at the stored offset, at a recognised copy's resume point, or at 0; null to decide later. */
    private FileTailer newTailer(FileIdentity identity, Path path, Optional<ResumePoint> stored, long now)
            throws IOException {
        Compression compression;
        long size;
        ResumePoint start = ResumePoint.START;
        // One open for what a new file needs to be told: compressed or not, its size, whether its first bytes are
        // those of its stored offset, whether it may be a copy about to be made.
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            compression = Compression.of(channel);
            // Empty, or too short to tell (null): tracked as plain, so a rename out of the globs is followed; should
            // its first bytes turn out compressed (an archive gzip has just created), it is handed back (readOne).
            if (compression != null && compression != Compression.NONE) {
                channel.close();
                return newArchiveTailer(identity, path, compression, stored, now);
            }
            size = channel.size();
            if (stored.isPresent() && stored.get().position() <= size && sameContent(channel, stored.get())) {
                start = stored.get();
            } else if (stored.isEmpty() && firstScan && startAtEndNow) {
                start = ResumePoint.at(size, 0, false);
            } else {
                // No offset, or one this file does not match: shorter than the stored position (truncated while the
                // task was down) or other first bytes (a reused inode: often a copytruncate copy taking a deleted
                // file's inode). A new file either way, so perhaps a copy: compared with earlier truncations first,
                // then its own truncation is noted for a copy of it.
                Optional<ResumePoint> copy = copies.recognise(path, size, now);
                if (stored.isPresent() && !deferredSince.containsKey(identity)) {
                    stats.truncations.incrementAndGet();
                    if (stored.get().prefixCrcKnown() && stored.get().position() > size) {
                        copies.truncated(List.of(CopyRecognizer.checkpointOf(stored.get())), now);
                    }
                }
                if (copy.isPresent()) {
                    stats.copiesRecognized.incrementAndGet();
                    log.info("{} is a copy of a truncated file already read up to byte {}: resuming there",
                            path, copy.get().position());
                    deferredSince.remove(identity);
                    deferredAtLook.remove(identity);
                    start = copy.get();
                } else if (mayBecomeACopy(identity, channel, size, now)) {
                    return null;
                }
            }
        }
        deferredSince.remove(identity);
        deferredAtLook.remove(identity);
        FileTailer created = new FileTailer(identity, path, start, settings, stats, now);
        if (compression == Compression.NONE) {
            // Told now, while it has bytes: a file truncated to nothing before its first read is still seen truncated.
            created.plain();
        }
        return start == ResumePoint.START || stored.isPresent() && start == stored.get() ? created
                : created.storeStartNow();
    }

    /**
     * A compressed file: read once, whole, from its stored offset (in decompressed bytes; none once it was read to
     * its end), or from where its decompressed content leaves what the source already read of the file it was made
     * from ({@code app.log.1.gz} made of {@code app.log}), or from its beginning; null to decide at a later scan.
     */
    private FileTailer newArchiveTailer(FileIdentity identity, Path path, Compression compression,
                                        Optional<ResumePoint> stored, long now) throws IOException {
        if (stored.isPresent() && sameContent(path, stored.get())) {
            return new FileTailer(identity, path, stored.get(), settings, stats, now).asArchive();
        }
        if (firstScan && startAtEndNow) {
            // Its end is its whole content: nothing of it is read, and the record that says so is stored.
            FileTailer skipped = new FileTailer(identity, path, ResumePoint.START, settings, stats, now).asArchive();
            skipped.giveUp();
            return skipped;
        }
        ResumePoint start = ResumePoint.START;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            DecompressedContent content = new DecompressedContent(channel, compression);
            ByteBuffer head = ByteBuffer.allocate(Fingerprint.MAX_BYTES);
            int n;
            while (head.hasRemaining() && (n = content.read(head, head.position())) > 0) {
                // the first MAX_BYTES decompressed bytes, or all of a shorter content
            }
            if (head.position() == Fingerprint.MAX_BYTES) {
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(head.array(), 0, Fingerprint.MAX_BYTES);
                long fingerprint = crc.getValue();
                List<List<long[]>> tracked = new ArrayList<>();
                for (FileTailer tailer : tailers.values()) {
                    if (tailer.isCompressed() || tailer.fingerprintLength() != Fingerprint.MAX_BYTES
                            || tailer.fingerprint() != fingerprint) {
                        continue;
                    }
                    if (tailer.bytesBehind() > 0 || isOrphan(tailer)) {
                        // The file it was made from is still being read (or finished after its rotation): wait,
                        // so the archive is compared with all the source read of it, not what it read so far.
                        return null;
                    }
                    tracked.add(tailer.checkpoints());
                }
                Optional<ResumePoint> match = copies.recogniseArchive(content::read, tracked, now);
                if (match.isPresent()) {
                    stats.copiesRecognized.incrementAndGet();
                    log.info("{} is a compressed copy of lines already read; reading it from byte {} of its content",
                            path, match.get().position());
                    start = match.get();
                }
            }
        } catch (DecompressedContent.Incomplete e) {
            long quietMs = wallClock.get() - Files.getLastModifiedTime(path).toMillis();
            if (quietMs < settings.rotateWaitMs()) {
                return null; // still being written: compared once it is whole
            }
        } catch (DecompressedContent.Corrupt e) {
            // read from its beginning: the tailer reports the damage and ships what comes before it
        }
        return new FileTailer(identity, path, start, settings, stats, now).asArchive().storeStartNow();
    }

    /**
     * A new file whose first bytes equal those of a tracked file may be the copy copytruncate made a moment before
     * truncating that file: wait (at most two scans) for the truncation before reading it from 0.
     */
    private boolean mayBecomeACopy(FileIdentity identity, FileChannel channel, long size, long now)
            throws IOException {
        if (size < Fingerprint.MAX_BYTES) {
            return false;
        }
        long fingerprint = Fingerprint.of(channel, Fingerprint.MAX_BYTES);
        if (trackedFingerprints == null) {
            // Built once per scan, not one pass over every tracked file per new file (10,000 new files at a start).
            trackedFingerprints = new HashMap<>();
            for (FileTailer tailer : tailers.values()) {
                indexFingerprint(tailer);
            }
        }
        List<FileTailer> originals = trackedFingerprints.get(fingerprint);
        if (originals == null) {
            deferredSince.remove(identity);
            deferredAtLook.remove(identity);
            return false;
        }
        long since = deferredSince.computeIfAbsent(identity, k -> now);
        long sinceLook = deferredAtLook.computeIfAbsent(identity, k -> looks);
        // The wait counts only once each file it may be a copy of was looked at since it appeared: a closed handle
        // is looked at every look interval, and a truncation not yet seen would make the copy look new.
        boolean lookedAt = true;
        for (FileTailer original : originals) {
            if (original.lastLook() <= sinceLook) {
                lookedAt = false;
                original.nextLookAt(now); // at this poll
            }
        }
        return !(lookedAt && now - since >= copyWaitMs());
    }

    private void indexFingerprint(FileTailer tailer) {
        if (tailer.fingerprintLength() == Fingerprint.MAX_BYTES) {
            trackedFingerprints.computeIfAbsent(tailer.fingerprint(), k -> new ArrayList<>(1)).add(tailer);
        }
    }

    private long copyWaitMs() {
        return Math.max(2 * settings.scanIntervalMs(), 1_000);
    }

    private static boolean sameContent(Path path, ResumePoint stored) throws IOException {
        if (stored.fingerprintLength() == 0) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return sameContent(channel, stored);
        }
    }

    private static boolean sameContent(FileChannel channel, ResumePoint stored) throws IOException {
        return stored.fingerprintLength() == 0
                || Fingerprint.of(channel, stored.fingerprintLength()) == stored.fingerprint();
    }

    /**
     * Where each file this task holds a tailer for was last seen: the files the files-tracked metric counts, rotated
     * files still inside rotate.wait.ms and orphans included. Package-private: the tailer tests look at it.
     */
    List<Path> tailedPaths() {
        return tailers.values().stream().map(FileTailer::path).toList();
    }

    @Override
    public void close() {
        changes.close();
        tailers.values().forEach(FileTailer::close);
        tailers.clear();
    }
}
