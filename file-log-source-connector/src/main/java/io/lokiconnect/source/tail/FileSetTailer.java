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
import java.util.LinkedHashSet;
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
    /** Every file tracked, in the order they were taken up (the round-robin order): forgetting one is removing it. */
    private final Map<FileIdentity, TrackedFile> files = new LinkedHashMap<>();
    /**
     * The open handles, least recently opened or active first (closed and forgotten ones are dropped when met):
     * files.max.open is kept by closing from the head, without going over every tracked file per open.
     */
    private final LinkedHashSet<TrackedFile> openOrder = new LinkedHashSet<>();
    private final Map<Path, FileIdentity> identityAtPath = new HashMap<>();
    /** New files held back because they may be a copy about to be made by copytruncate. */
    private final Map<FileIdentity, Deferral> deferred = new HashMap<>();

    /** A file held back since {@code since} (task clock), when the count of looks was {@code atLook}. */
    private record Deferral(long since, long atLook) {
    }

    private final CopyRecognizer copies;
    /** The kernel's word on which files were written to: files at their end in watched directories need no looks. */
    private final ChangeWatch changes;
    /** A line whose reading fails this many times in a row is skipped, so one bad line cannot stop its file. */
    static final int SKIP_AFTER_FAILURES = 3;
    private Set<FileIdentity> seenInLastScan = Set.of();
    /** What the last scan learnt of each name: its file's key, identity, and whether this task owns the name. */
    private record Known(Object fileKey, FileIdentity identity, boolean owned) {
    }

    private Map<Path, Known> knownPaths = new HashMap<>();
    /** During a scan: the first-bytes checksums of the tracked files, built when a new file needs them. */
    private Map<Long, List<FileTailer>> trackedFingerprints;
    /** Counts the looks at files (stats of closed ones, reads of open ones): orders them against a copy's deferral. */
    private long looks;
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
                log.warn("Scanning the globs failed; tracked files are still read", e);
            }
            nextScanMillis = now + settings.scanIntervalMs();
            // The sizes the scan and the looks saw (an fstat for open handles): no stat per file for the metric.
            long behind = 0;
            long buffered = 0;
            for (TrackedFile file : files.values()) {
                behind += file.tailer.bytesBehindAsSeen();
                buffered += file.tailer.bufferBytes() + (file.aggregator == null ? 0 : file.aggregator.bufferBytes());
            }
            stats.bytesBehind.set(behind);
            stats.bufferBytes.set(buffered);
        }
        List<TailedLine> out = new ArrayList<>();
        List<TrackedFile> order = new ArrayList<>(files.values());
        long bytes = 0;
        for (int i = 0; i < order.size() && out.size() < maxLines && bytes < maxBytes; i++) {
            TrackedFile file = order.get((roundRobin + i) % order.size());
            bytes += readOne(file, maxLines - out.size(), maxBytes - bytes, out, now);
        }
        if (!order.isEmpty()) {
            roundRobin = (roundRobin + 1) % order.size();
        }
        flushIdleEvents(now, out);
        forgetFinishedOrphans(now, out);
        limitOpenHandles();
        stats.filesTracked.set(files.size());
        return out;
    }

    /** Files the kernel says were written to are looked at in this poll; all of a directory whose events were lost. */
    private void applyWrites(long now) {
        ChangeWatch.Changes written = changes.poll();
        for (Path path : written.written()) {
            FileIdentity identity = identityAtPath.get(path);
            TrackedFile file = identity == null ? null : files.get(identity);
            if (file != null) {
                file.tailer.written();
                file.tailer.nextLookAt(now);
            }
        }
        if (!written.lostDirectories().isEmpty()) {
            for (TrackedFile file : files.values()) {
                FileTailer tailer = file.tailer;
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

    private long readOne(TrackedFile file, int maxLines, long maxBytes, List<TailedLine> out, long now) {
        if (file.waitsAfterFailure(now)) {
            return 0;
        }
        boolean retrying = file.isFailing();
        FileTailer tailer = file.tailer;
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
                        forget(file, out);
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
                makeRoomForOneMoreHandle(file);
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
                files.remove(tailer.identity());
                return 0;
            }
            } catch (FileReplacedException e) {
                // Rotated (or replaced) between the check above and the open: found under its new name it is read
                // at the next poll; else it is gone, like a file rotated away while its handle was closed.
                if (!relocate(tailer)) {
                    forget(file, out);
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
            if (tailer.isOpen() && (!lines.isEmpty() || !openOrder.contains(file))) {
                openOrder.remove(file);
                openOrder.add(file);
            }
            List<long[]> beforeTruncation = tailer.takeCheckpointsBeforeTruncation();
            if (beforeTruncation != null) {
                long[] source = tailer.copySource();
                copies.truncated(beforeTruncation, now, () -> copySettled(tailer.identity(), source));
                nextScanMillis = now; // look for its copy now rather than at the next scan
            }
            if (retrying) {
                file.recovered();
                problems.clear(tailer.path());
            }
            return bytes;
        } catch (NoSuchFileException e) {
            // Deleted while its handle was closed: nothing left to read.
            forget(file, out);
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
            if (!(e instanceof IOException)
                    && file.failedAgainAt(tailer.committedPosition(), SKIP_AFTER_FAILURES)) {
                // Not the file (that would be an IOException) but its next line, every time: skip that one line
                // rather than stop the file for good. Counted and logged with its offset.
                log.warn("Skipping the line at byte {} of {}: reading it failed {} times in a row ({})",
                        tailer.committedPosition(), tailer.path(), SKIP_AFTER_FAILURES, e.toString());
                tailer.skipLine();
                stats.linesSkipped.incrementAndGet();
                file.skippedFailingLine();
            }
            file.failed(now + Math.max(settings.scanIntervalMs(), 1));
            return 0;
        } finally {
            // Lines read before a failure were emitted by the tailer (its position moved past them): deliver them.
            deliver(file, lines, out, now);
            deliverFinishedMarker(file, out);
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
    private void deliverFinishedMarker(TrackedFile file, List<TailedLine> out) {
        try {
            Optional<TailedLine> marker = file.tailer.takeFinishedMarker();
            if (marker.isPresent()) {
                if (file.aggregator != null) {
                    file.aggregator.flushAll(out);
                }
                out.add(marker.get());
            }
        } catch (IOException e) {
            problems.report(file.tailer.path(), "cannot record that it was read whole (" + e + ")");
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

    private void deliver(TrackedFile file, List<TailedLine> lines, List<TailedLine> out, long now) {
        MultilineAggregator aggregator = file.aggregator;
        if (aggregator == null) {
            out.addAll(lines);
        } else {
            for (TailedLine line : lines) {
                aggregator.accept(line, now, out);
            }
        }
    }

    private void flushIdleEvents(long now, List<TailedLine> out) {
        if (settings.multilineStart() == null) {
            return;
        }
        for (TrackedFile file : files.values()) {
            if (file.aggregator != null) {
                file.aggregator.flushIfIdle(now, out);
            }
        }
    }

    /**
     * A file gone from the globs (rotated away, deleted) is forgotten only once it has not grown for rotate.wait.ms
     * (a writer holding the old handle may still append) and it is read to its real end, its size looked up now,
     * not as of the last read. Its pending last line and multi-line event are emitted then.
     */
    private void forgetFinishedOrphans(long now, List<TailedLine> out) {
        List<TrackedFile> due = null;
        for (TrackedFile file : files.values()) {
            if (file.isOrphan()
                    && now - Math.max(file.orphanSince(), file.tailer.lastGrowthMillis()) >= settings.rotateWaitMs()) {
                (due == null ? due = new ArrayList<>() : due).add(file);
            }
        }
        if (due == null) {
            return;
        }
        for (TrackedFile file : due) {
            FileTailer tailer = file.tailer;
            try {
                // Closed handles too (files.max.open, a failed read): found under its new name, a file with unread
                // bytes is kept until a poll reopens and finishes it, never forgotten with its rest unread.
                if (!tailer.isOpen() && !holds(tailer.path(), tailer.identity()) && !relocate(tailer)) {
                    problems.report(tailer.path(), "was rotated away while its handle was closed (files.max.open) "
                            + "and is no longer beside its old name: what it held after the last read is not shipped");
                    forget(file, out);
                    continue;
                }
                if (!tailer.readToEnd()) {
                    continue;
                }
                tailer.flushPending(out);
            } catch (IOException | RuntimeException e) {
                problems.report(tailer.path(), "could not be read to its end after it was rotated away (" + e + ")");
            }
            forget(file, out);
        }
    }

    /** Stops tracking a file; a multi-line event still pending is emitted, so no line read is lost. */
    private void forget(TrackedFile file, List<TailedLine> out) {
        FileTailer tailer = file.tailer;
        if (!tailer.isCompressed()) {
            // A compressed archive of it (logrotate's compress, after the rename) may appear: recognised by these.
            copies.forgotten(tailer.checkpoints(), clock.get());
        }
        if (file.aggregator != null) {
            file.aggregator.flushAll(out);
        }
        tailer.close();
        files.remove(file.identity());
        openOrder.remove(file);
    }

    /**
     * Closes the least recently active handles so that opening one more keeps the task within files.max.open.
     * Files rotated away keep theirs: once closed, a deleted file cannot be reopened to finish it (they are few,
     * and only for rotate.wait.ms).
     */
    private void makeRoomForOneMoreHandle(TrackedFile opening) {
        closeLeastRecent(settings.maxOpenFiles() - 1, opening);
    }

    private void limitOpenHandles() {
        closeLeastRecent(settings.maxOpenFiles(), null);
    }

    /** Closes the least recently active open handles (not {@code keep}, not orphans') until at most {@code max}. */
    private void closeLeastRecent(int max, TrackedFile keep) {
        int open = 0;
        for (var it = openOrder.iterator(); it.hasNext(); ) {
            TrackedFile t = it.next();
            if (!t.tailer.isOpen() || files.get(t.identity()) != t) {
                it.remove(); // closed elsewhere (a failure, an archive finished) or no longer tracked
            } else if (!t.isOrphan() && t != keep) {
                open++;
            }
        }
        for (var it = openOrder.iterator(); it.hasNext() && open > max; ) {
            TrackedFile t = it.next();
            if (t != keep && !t.isOrphan()) {
                t.tailer.close();
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

    /** Whether {@code path} holds the file {@code identity} (false when it cannot be read). */
    private static boolean holds(Path path, FileIdentity identity) {
        try {
            return FileIdentity.of(path).equals(identity);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Looks for a rotated file beside its old name (app.log renamed app.log.1) by its identity; found, the tailer
     * follows it there.
     */
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
        // Truncations whose copy did not come within the window are dropped (and their offsets stop carrying them)
        // even when no new file makes the recogniser look.
        copies.expectsCopies(now);
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
            if (decideStart || ownedPaths.contains(e.getValue()) && !files.containsKey(e.getKey())) {
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
            (!files.containsKey(e.getKey()) && stored.containsKey(e.getKey()) ? withOffset : others).add(e);
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
            TrackedFile tracked = files.get(identity);
            if (tracked != null) {
                if (!tracked.tailer.path().equals(path)) {
                    tracked.tailer.movedTo(path);
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
                MultilineAggregator aggregator = null;
                if (settings.multilineStart() != null) {
                    aggregator = new MultilineAggregator(settings.multilineStart(),
                            settings.multilineMaxLines(), settings.multilineMaxBytes(), settings.multilineFlushMs());
                    ResumePoint from = created.start();
                    aggregator.resume(from.eventPart(), from.linePart() > 0 || from.skippingLine());
                }
                files.put(identity, new TrackedFile(created, aggregator));
                if (trackedFingerprints != null) {
                    indexFingerprint(created);
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
            for (TrackedFile file : files.values()) {
                Path dir = file.tailer.path().getParent();
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
            for (TrackedFile file : files.values()) {
                file.seenByScan(seenInLastScan.contains(file.identity()), now);
            }
        } else {
            // Part of the tree could not be listed: a file not seen may still be there, so none is treated as gone.
            Set<FileIdentity> seen = new HashSet<>(seenInLastScan);
            seen.addAll(owned);
            seenInLastScan = seen;
        }
        deferred.keySet().retainAll(current.keySet());
        firstScan = false;
    }

    /** The copy of a truncation of that file was found (or no longer looked for): its offsets stop carrying it. */
    private void copySettled(FileIdentity identity, long[] source) {
        TrackedFile file = files.get(identity);
        if (file != null && source != null) {
            file.tailer.copySettled(source);
        }
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
        // A truncation whose copy is still looked for: one found before a restart (carried in the stored offset),
        // or one found now, the file shorter than its stored offset.
        long[] copySource = null;
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
                copySource = start.copySource();
                if (copySource != null) {
                    long[] source = copySource;
                    copies.truncated(List.of(source), now, () -> copySettled(identity, source));
                }
            } else if (stored.isEmpty() && firstScan && startAtEndNow) {
                start = ResumePoint.at(size, 0, false);
            } else {
                // No offset, or one this file does not match: shorter than the stored position (truncated while the
                // task was down) or other first bytes (a reused inode: often a copytruncate copy taking a deleted
                // file's inode). A new file either way, so perhaps a copy: compared with earlier truncations first,
                // then its own truncation is noted for a copy of it.
                Optional<ResumePoint> copy = copies.recognise(path, size, now);
                boolean shorter = stored.isPresent() && stored.get().prefixCrcKnown()
                        && stored.get().position() > size;
                if (shorter) {
                    copySource = FileTailer.lastLineStart(List.of(CopyRecognizer.checkpointOf(stored.get())));
                }
                if (stored.isPresent() && !deferred.containsKey(identity)) {
                    stats.truncations.incrementAndGet();
                    if (shorter) {
                        long[] source = copySource;
                        copies.truncated(List.of(CopyRecognizer.checkpointOf(stored.get())), now,
                                () -> copySettled(identity, source));
                    }
                }
                if (copy.isPresent()) {
                    stats.copiesRecognized.incrementAndGet();
                    log.info("{} is a copy of a truncated file already read up to byte {}: resuming there",
                            path, copy.get().position());
                    deferred.remove(identity);
                    start = copy.get();
                } else if (mayBecomeACopy(identity, channel, size, now)) {
                    return null;
                }
            }
        }
        deferred.remove(identity);
        if (start != stored.orElse(null) && copySource != null) {
            start = start.withCopySource(copySource); // carried until its copy is found: a restart may come first
        }
        FileTailer created = new FileTailer(identity, path, start, settings, stats, now);
        if (compression == Compression.NONE) {
            // Told now, while it has bytes: a file truncated to nothing before its first read is still seen truncated.
            created.plain();
        }
        return start.position() == 0 || stored.isPresent() && start == stored.get() ? created
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
                for (TrackedFile file : files.values()) {
                    FileTailer tailer = file.tailer;
                    if (tailer.isCompressed() || tailer.fingerprintLength() != Fingerprint.MAX_BYTES
                            || tailer.fingerprint() != fingerprint) {
                        continue;
                    }
                    if (tailer.bytesBehind() > 0 || file.isOrphan()) {
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
     * truncating that file: wait for the truncation (two scan intervals, at least 1 s, and until each such file
     * was looked at since) before reading it from 0. True: held back for now.
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
            for (TrackedFile file : files.values()) {
                indexFingerprint(file.tailer);
            }
        }
        List<FileTailer> originals = trackedFingerprints.get(fingerprint);
        if (originals == null) {
            deferred.remove(identity);
            return false;
        }
        Deferral deferral = deferred.computeIfAbsent(identity, k -> new Deferral(now, looks));
        long since = deferral.since();
        long sinceLook = deferral.atLook();
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

    @Override
    public void close() {
        changes.close();
        files.values().forEach(file -> file.tailer.close());
        files.clear();
    }
}
