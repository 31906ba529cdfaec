package io.lokiconnect.source.tail;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads one file line by line from a position, through rotation (it holds the file by identity, not name),
 * truncation (copytruncate: size below position restarts at 0), over-long lines (split or truncated at
 * {@code lineMaxBytes}) and a last line without newline (emitted after {@code partialFlushMs} of quiet, and
 * its late newline is not emitted again). Memory: one 64 KiB read buffer and at most one line.
 *
 * <p>The cutting of bytes into lines is its {@link LineSplitter}'s; this class reads the bytes, follows the file
 * and tells when it changed.
 */
public final class FileTailer {

    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int BINARY_PROBE_BYTES = 1024;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int MAX_CHECKPOINTS = 16;

    private final FileIdentity identity;
    private final TailerSettings settings;
    private final TailerStats stats;
    private final LineSplitter splitter;
    /** Lines and bytes read since the counters were last published: two atomic updates per read, not per line. */
    private long unpublishedLines;
    private long unpublishedBytes;
    private Path path;
    private FileChannel channel;
    /** Allocated while the handle is open: thousands of idle tracked files hold no read buffer. */
    private ByteBuffer readBuffer = EMPTY;
    private long lastGrowthMillis;
    private long lastBytesBehind;
    /** The furthest position ever read: bytes read again after a reopen are not growth. */
    private long highWater;
    /** Where the last read found the end of the file; -1 when it stopped at a batch limit before the end. */
    private long eofAt = -1;
    private long lastActivityMillis;
    private long fingerprint;
    private int fingerprintLength;
    private boolean atEof;
    /** (position, checksum) at the line starts where recent reads ended: what a copy of this file is checked on. */
    private final ArrayDeque<long[]> checkpoints = new ArrayDeque<>();
    private List<long[]> checkpointsBeforeTruncation;
    /**
     * The last line start read before the latest truncation, while its copy is not found: carried in every offset,
     * so a task restarted before the copy could be seen (its directory unlistable, say) still recognises it.
     */
    private long[] copySource;
    private final ResumePoint start;
    private boolean startedAsArchive;
    private boolean startMarkerDue;
    /** Just opened: compare the first bytes with those read before. */
    private boolean checkFirstBytes;
    /** How the file is stored; null until its first bytes tell (an empty file may be an archive being written). */
    private Compression compression;
    /** The decompressed content while the handle of a compressed file is open. */
    private DecompressedContent content;
    /** A compressed file read to its end (or given up on): never opened again. */
    private boolean finished;
    /** Whether the record that stores {@link #finished} was handed out (it is, once). */
    private boolean finishedReported;
    /** The compressed size when its content was last found incomplete: it is read again once that changes. */
    private long incompleteAtRawSize = -1;
    /** Size and modification time (ns) of the name when last looked at: a change of either says the file changed. */
    private long seenSize = -1;
    private long seenMtimeNanos = Long.MIN_VALUE;
    /**
     * The content was checked against what was read since size and modification time last changed (or they were
     * from before the last read, a clock tick apart): unchanged size and time then mean an unchanged file.
     */
    private boolean seenVerified;
    /** At the next read: check the bytes already read (first bytes, and the prefix checksum up to a bound). */
    private boolean verifyContent;
    /** When the name is to be looked at next (task clock): a closed handle at its end costs one stat per interval. */
    private long nextLookMillis;
    private boolean writtenSinceLook;
    private long lastLook = Long.MIN_VALUE;
    /** The file system's key object of the file (cheap to compare; its text is in {@link #identity}). */
    private Object fileKey;

    public FileTailer(FileIdentity identity, Path path, ResumePoint start, TailerSettings settings,
                      TailerStats stats, long nowMillis) {
        this.identity = identity;
        this.path = path;
        this.settings = settings;
        this.stats = stats;
        this.splitter = new LineSplitter(settings.lineMaxBytes(), settings.splitLongLines(), settings.charset(), stats,
                start.position(), start.partialFlushed(), start.prefixCrc(), start.prefixCrcKnown(), start.linePart(),
                start.skippingLine());
        this.highWater = start.position();
        this.fingerprint = start.fingerprint();
        this.fingerprintLength = start.fingerprintLength();
        this.lastGrowthMillis = nowMillis;
        this.lastActivityMillis = nowMillis;
        this.start = start;
        this.finished = start.archiveDone();
        if (start.prefixCrcKnown() && start.position() > 0) {
            // Where a restart resumes is the first read checkpoint (with its line state: it may lie inside a split
            // line): a copy made before the next read ends is still recognised.
            checkpoints.addLast(CopyRecognizer.checkpointOf(start));
        }
        this.finishedReported = start.archiveDone();
        this.copySource = start.copySource();
    }

    /** Where this tailer started: a stored offset, a recognised copy's resume point, or the start. */
    public ResumePoint start() {
        return start;
    }

    public FileIdentity identity() {
        return identity;
    }

    public Path path() {
        return path;
    }

    /** The file was renamed (rotation): keep reading it under its new name. */
    public void movedTo(Path newPath) {
        this.path = newPath;
    }

    public long committedPosition() {
        return splitter.committedPosition();
    }

    public boolean isOpen() {
        return channel != null;
    }

    /**
     * Found compressed although it was taken up as a plain file (empty, or too short to tell, then): it is read
     * only once taken up again as an archive, so that it is compared with what the source already read.
     */
    public boolean turnedOutCompressed() {
        return isCompressed() && !startedAsArchive;
    }

    /** Its first bytes were found plain when it was taken up (an empty file is not told yet: it may be an archive). */
    public FileTailer plain() {
        compression = Compression.NONE;
        return this;
    }

    /** Taken up as a compressed file (its first bytes told before this tailer was made). */
    public FileTailer asArchive() {
        startedAsArchive = true;
        return this;
    }

    /** A compressed file: read once, whole, from its decompressed content, never tailed. */
    public boolean isCompressed() {
        return compression != null && compression != Compression.NONE;
    }

    /**
     * Once, after the file finished: a record without a line whose offset says so ({@code archive.done}), so that a
     * restart never opens it again, even when it held no line that was not shipped already.
     */
    public java.util.Optional<TailedLine> takeFinishedMarker() throws IOException {
        if (!finished || finishedReported) {
            return java.util.Optional.empty();
        }
        finishedReported = true;
        long position = splitter.committedPosition();
        return java.util.Optional.of(new TailedLine(identity, path, position, null, null,
                new ResumePoint(position, splitter.partialFlushed(), fingerprint, fingerprintLength, splitter.crc(),
                        splitter.crcKnown(), splitter.partIndex(), splitter.skippingRestOfLine()).withArchiveDone()
                        .withCopySource(copySource)));
    }

    /**
     * It resumes where a recognised copy of lines already read leaves off: the first record it hands out is one
     * without a line that stores that position, as it may hold no line that was not shipped already.
     */
    public FileTailer storeStartNow() {
        startMarkerDue = start.position() > 0;
        return this;
    }

    /**
     * Once, before any line of it ({@link #storeStartNow}): where it resumes, so that a restart does not read a
     * recognised copy again from 0. Handed out before its lines: the worker stores the last offset of a partition.
     */
    public java.util.Optional<TailedLine> takeStartMarker() {
        if (!startMarkerDue) {
            return java.util.Optional.empty();
        }
        startMarkerDue = false;
        return java.util.Optional.of(new TailedLine(identity, path, start.position(), null, null, start));
    }

    /** Gives up on a compressed file that cannot be read further; what was read before stays shipped. */
    public void giveUp() {
        close();
        finished = true;
    }

    /** The compressed content ended early at this compressed size: read it again only once the size changes. */
    public void incompleteAt(long rawSize) {
        incompleteAtRawSize = rawSize;
    }

    /** The checkpoints of the bytes read so far: (position, PrefixCrc of the bytes before it), oldest first. */
    public List<long[]> checkpoints() {
        recordCheckpoint();
        return List.copyOf(checkpoints);
    }

    public long lastActivityMillis() {
        return lastActivityMillis;
    }

    /** When the file last grew, by this tailer's reading. */
    public long lastGrowthMillis() {
        return lastGrowthMillis;
    }

    /**
     * For a closed handle: whether opening it can give anything, from one stat of its name (no descriptor): the
     * file grew, shrank or changed since the last look, a read stopped before the end, a pending last line without
     * newline is due to be flushed, or its content is due for its one check after a change.
     */
    public boolean worthOpening(long size, long mtimeNanos, long nowMillis, long wallNowMillis) {
        if (finished) {
            return false;
        }
        if (isCompressed()) {
            return size != incompleteAtRawSize;
        }
        Change change = look(size, mtimeNanos, wallNowMillis);
        return change != Change.NONE || size != eofAt
                || size > splitter.committedPosition() && nowMillis - lastGrowthMillis >= settings.partialFlushMs();
    }

    /**
     * How long a modification time may lag the last write in the same clock tick: the coarsest file systems keep
     * 2 s (FAT), ext3 and HFS+ 1 s; ext4 and XFS a kernel tick. A write within a tick of the time seen leaves the
     * time as it was, so a file seen at the same size and time is trusted as unchanged only once it was checked
     * after that tick.
     */
    static final long MTIME_GRANULARITY_MS = 2_000;
    /** A file changed without growing has its bytes already read checked up to this many (checksum); beyond, its first bytes. */
    static final long VERIFY_PREFIX_MAX_BYTES = 1 << 20;

    /** What one look at the name (its size and modification time) says since the previous one. */
    public enum Change {
        /** Same size and time, and the content checked since they last changed: nothing to read. */
        NONE,
        /** Size or time changed: read what is new; the bytes already read are checked (growth: the first bytes). */
        CHANGED,
        /** Same size and time, not checked since the last change, whose clock tick is over: check once. */
        VERIFY
    }

    /**
     * One stat of the name: compares its size and modification time with the previous look. A change that leaves
     * the size as it was (truncated and written again to the same length, or only touched) has the bytes already
     * read checked at the next read: first bytes and, up to {@link #VERIFY_PREFIX_MAX_BYTES}, the checksum of every
     * byte before the position; other bytes mean the file is read again from 0. A file not checked since its last
     * change is checked once that change's clock tick is over: a second write within the tick leaves size and time
     * unchanged.
     */
    public Change look(long size, long mtimeNanos, long wallNowMillis) {
        boolean same = size == seenSize && mtimeNanos == seenMtimeNanos;
        boolean written = writtenSinceLook;
        writtenSinceLook = false;
        boolean sameSize = size == seenSize;
        seenSize = size;
        seenMtimeNanos = mtimeNanos;
        if (!same) {
            seenVerified = false;
            checkFirstBytes = true;
            verifyContent |= sameSize;
            return Change.CHANGED;
        }
        if (!written && (seenVerified || mtimeNanos / 1_000_000L >= wallNowMillis - MTIME_GRANULARITY_MS)) {
            return Change.NONE;
        }
        verifyContent = true;
        return Change.VERIFY;
    }

    /**
     * The first look, made by the scan that found the file: trusted as checked when its last change is a clock tick
     * older than now (a resumed file's first bytes were compared with its stored offset's).
     */
    public FileTailer seen(long size, long mtimeNanos, long wallNowMillis) {
        seenSize = size;
        seenMtimeNanos = mtimeNanos;
        seenVerified = mtimeNanos / 1_000_000L < wallNowMillis - MTIME_GRANULARITY_MS;
        if (size == splitter.committedPosition() && !isCompressed() && start.position() == size && !start.partialFlushed()) {
            eofAt = size; // resumed at its end: nothing to read until it changes (a restart opens nothing)
        }
        return this;
    }

    /**
     * The kernel said the file was written to (inotify): at the next look, the same size and time do not mean
     * unchanged (a rewrite within the time's clock tick); its content is checked.
     */
    public void written() {
        writtenSinceLook = true;
    }

    /** The size the name had when last looked at (-1 before); bytes behind for a closed handle. */
    public long seenSize() {
        return seenSize;
    }

    /** The tailer set's count of looks when this file was last looked at (a stat of its name, or a read). */
    public long lastLook() {
        return lastLook;
    }

    public void lookedAt(long look) {
        lastLook = look;
    }

    public long nextLookMillis() {
        return nextLookMillis;
    }

    public void nextLookAt(long millis) {
        nextLookMillis = millis;
    }

    /**
     * Whether the file may hold bytes not read: its last read stopped before the end, a last line without newline
     * waits, or it was not read yet. Such a file is looked at every poll, not every look interval.
     */
    public boolean mayHaveUnread() {
        return !finished && (eofAt < 0 || splitter.committedPosition() < eofAt);
    }

    /** Whether {@code key} (a stat's file key) is this file's: compared as an object after the first match. */
    public boolean isFile(Object key) {
        if (key == null) {
            // A file system without file keys: files are known by their real path (FileIdentity), so the name holds
            // the file it held.
            return identity.key().startsWith("path:");
        }
        if (key.equals(fileKey)) {
            return true;
        }
        if (key.toString().equals(identity.key())) {
            fileKey = key;
            return true;
        }
        return false;
    }

    /** Read to the file's real end (its size looked up now) with nothing buffered left to consume. */
    public boolean readToEnd() throws IOException {
        if (isCompressed() || finished) {
            return finished;
        }
        long size = channel != null ? channel.size() : Files.size(path);
        return !readBuffer.hasRemaining() && size <= splitter.readPosition();
    }

    /** Emits a pending last line without newline now (the file is being forgotten); returns the bytes emitted. */
    public long flushPending(List<TailedLine> out) throws IOException {
        if (splitter.hasPendingText() && channel != null) {
            try {
                return splitter.flushPartial(false, into(out));
            } finally {
                publishStats();
            }
        }
        return 0;
    }

    /**
     * Bytes not yet read as of the last look at the name (no stat: the metric of thousands of files costs nothing);
     * exact for an open handle.
     */
    public long bytesBehindAsSeen() {
        if (channel != null || seenSize < 0) {
            return bytesBehind();
        }
        if (finished) {
            return 0;
        }
        return isCompressed() ? lastBytesBehind : Math.max(0, seenSize - splitter.committedPosition());
    }

    /** Bytes not yet read; the last known figure when the size cannot be read (an unreadable file is not "0 behind"). */
    public long bytesBehind() {
        try {
            long size = channel == null ? Files.size(path) : channel.size();
            if (finished) {
                lastBytesBehind = 0;
            } else if (isCompressed()) {
                // Compressed bytes not yet decoded: the decompressed size is not known before the end.
                lastBytesBehind = Math.max(0, size - (content == null ? 0 : content.rawPosition()));
            } else {
                lastBytesBehind = Math.max(0, size - splitter.committedPosition());
            }
        } catch (IOException e) {
            // keep the last figure
        }
        return lastBytesBehind;
    }

    /**
     * Appends up to {@code maxLines} lines / {@code maxBytes} bytes to {@code out}; returns the bytes appended.
     * Stops at the end of the file.
     */
    public long read(int maxLines, long maxBytes, List<TailedLine> out, long nowMillis) throws IOException {
        try {
            return readLines(maxLines, maxBytes, out, nowMillis);
        } finally {
            publishStats();
        }
    }

    private void publishStats() {
        if (unpublishedLines > 0) {
            stats.linesRead.addAndGet(unpublishedLines);
            stats.bytesRead.addAndGet(unpublishedBytes);
            unpublishedLines = 0;
            unpublishedBytes = 0;
        }
    }

    private long readLines(int maxLines, long maxBytes, List<TailedLine> out, long nowMillis) throws IOException {
        if (finished) {
            return 0;
        }
        open();
        if (compression == null || turnedOutCompressed()) {
            return 0; // too few bytes yet to tell whether it is compressed; or an archive to be taken up anew
        }
        if (!isCompressed()) {
            long size = detectTruncation();
            if (eofAt >= 0 && size == eofAt && splitter.readPosition() == eofAt && !readBuffer.hasRemaining()
                    && !(splitter.hasPendingText() && nowMillis - lastGrowthMillis >= settings.partialFlushMs())) {
                return 0; // at the end it found last time, and the file has not changed: one fstat, no read
            }
        }
        int startSize = out.size();
        long emittedBytes = 0;
        atEof = false;
        eofAt = -1;
        LineSplitter.LineSink sink = into(out);
        while (out.size() - startSize < maxLines && emittedBytes < maxBytes) {
            if (!readBuffer.hasRemaining() && !fill(nowMillis)) {
                atEof = true;
                eofAt = splitter.readPosition();
                break;
            }
            emittedBytes += splitter.consume(readBuffer, maxLines - (out.size() - startSize),
                    maxBytes - emittedBytes, sink);
        }
        boolean wholeArchive = atEof && content != null && content.ended();
        if (atEof && splitter.hasPendingText()
                && (wholeArchive || nowMillis - lastGrowthMillis >= settings.partialFlushMs())) {
            // An archive's end is final: its last line without newline is complete now.
            emittedBytes += splitter.flushPartial(true, sink);
        }
        if (out.size() > startSize) {
            lastActivityMillis = nowMillis;
        }
        recordCheckpoint();
        if (wholeArchive && !splitter.hasPendingText()) {
            finished = true;
            close(); // read once, whole: its handle is not needed again
        }
        return emittedBytes;
    }

    private void open() throws IOException {
        if (channel == null) {
            FileChannel opened = FileChannel.open(path, StandardOpenOption.READ);
            try {
                verifySameFile(opened);
            } catch (IOException | RuntimeException e) {
                opened.close();
                throw e;
            }
            channel = opened;
            readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES).limit(0);
            if (compression != null && !isCompressed() && splitter.committedPosition() == 0) {
                probeBinary();
            }
        }
        if (compression == null) {
            // Told by the first bytes, once there are enough of them (an empty file may be an archive being made).
            compression = Compression.of(channel);
            if (compression != null && !isCompressed() && splitter.committedPosition() == 0) {
                probeBinary();
            }
        }
        if (isCompressed() && content == null) {
            content = new DecompressedContent(channel, compression);
        }
    }

    /**
     * The name is opened, not the file: between the check of the name and the open a rotation may have put another
     * file there. The file opened must be the one read so far, else nothing is read from it: its bytes would be
     * skipped or credited to the wrong file. (The same inode with other first bytes, truncated and written again or
     * reused after a delete, is read again from 0: see {@link #detectTruncation}.)
     */
    private void verifySameFile(FileChannel opened) throws IOException {
        if (!FileIdentity.of(path).equals(identity)) {
            throw new FileReplacedException(path + " no longer holds the file read so far");
        }
        checkFirstBytes = true;
    }

    private void probeBinary() throws IOException {
        ByteBuffer probe = ByteBuffer.allocate(BINARY_PROBE_BYTES);
        int n = channel.read(probe, 0);
        for (int i = 0; i < n; i++) {
            if (probe.get(i) == 0) {
                throw new UnreadableFileException("binary content (a NUL byte at offset " + i + ")");
            }
        }
    }

    /** A compressed file holding binary content (a .tar.gz) is no log: reported, not shipped as garbage lines. */
    private void probeDecompressed(int n) throws UnreadableFileException {
        for (int i = 0; i < Math.min(n, BINARY_PROBE_BYTES); i++) {
            if (readBuffer.get(i) == 0) {
                throw new UnreadableFileException("binary content once decompressed (a NUL byte at offset " + i + ")");
            }
        }
    }

    /**
     * The file shrank below what was read, or (at an open, or after a look saw it change) its first bytes differ
     * from those read, or (after a change that kept its size) the checksum of the bytes before the position does:
     * it was truncated or written anew, and is read again from 0. Returns its size.
     */
    private long detectTruncation() throws IOException {
        long size = channel.size();
        boolean verify = verifyContent;
        verifyContent = false;
        // Below any byte ever read, not only below the last line emitted: a pending partial line counts too. At an
        // open, other first bytes than those read before say the same of a file that grew back past the position
        // while its handle was closed (or of a reused inode).
        boolean otherFirstBytes = (checkFirstBytes || verify) && fingerprintLength > 0 && size >= fingerprintLength
                && Fingerprint.of(channel, fingerprintLength) != fingerprint;
        checkFirstBytes = false;
        long committed = splitter.committedPosition();
        boolean otherBytes = verify && !otherFirstBytes && splitter.crcKnown() && committed > fingerprintLength
                && committed <= VERIFY_PREFIX_MAX_BYTES && size >= committed
                && prefixCrc(committed) != splitter.crc();
        if (size < Math.max(committed, highWater) || otherFirstBytes || otherBytes) {
            stats.truncations.incrementAndGet();
            // What was read before the truncation, for recognising the copy copytruncate made of it.
            recordCheckpoint();
            checkpointsBeforeTruncation = List.copyOf(checkpoints);
            copySource = lastLineStart(checkpointsBeforeTruncation);
            checkpoints.clear();
            splitter.restartAtZero();
            highWater = 0;
            eofAt = -1;
            readBuffer.clear().limit(0);
            fingerprintLength = 0;
        } else if (verify) {
            seenVerified = true;
        }
        return size;
    }

    /** PrefixCrc of the file's first {@code length} bytes, read through the open handle. */
    private long prefixCrc(long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(READ_BUFFER_BYTES, length));
        long value = 0;
        long position = 0;
        while (position < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
            int n = channel.read(buffer, position);
            if (n <= 0) {
                return ~splitter.crc(); // shorter than it was a moment ago: certainly not the bytes read
            }
            value = PrefixCrc.update(value, buffer.array(), 0, n);
            position += n;
        }
        return value;
    }

    private void recordCheckpoint() {
        long committed = splitter.committedPosition();
        if (splitter.crcKnown() && splitter.partIndex() == 0 && !splitter.skippingRestOfLine()
                && !splitter.partialFlushed() && committed > 0
                && (checkpoints.isEmpty() || checkpoints.peekLast()[0] < committed)) {
            if (checkpoints.size() == MAX_CHECKPOINTS) {
                checkpoints.removeFirst();
            }
            checkpoints.addLast(new long[] {committed, splitter.crc()});
        }
    }

    /** The last line start of {@code checkpoints} long enough to recognise a copy by; null when none is. */
    static long[] lastLineStart(List<long[]> checkpoints) {
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            long[] c = checkpoints.get(i);
            if (c.length < 4 || c[2] == 0 && c[3] == 0) {
                return c[0] >= Fingerprint.MAX_BYTES ? new long[] {c[0], c[1]} : null;
            }
        }
        return null;
    }

    /** The line start whose copy a restart is to look for (carried in the offsets); null when none. */
    public long[] copySource() {
        return copySource;
    }

    /** The copy of {@code source} was found, or is no longer looked for: the offsets stop carrying it. */
    public void copySettled(long[] source) {
        if (java.util.Arrays.equals(copySource, source)) {
            copySource = null; // not a later truncation's
        }
    }

    /** The checkpoints this file had when a truncation was found (once; null when there was none since). */
    public List<long[]> takeCheckpointsBeforeTruncation() {
        List<long[]> taken = checkpointsBeforeTruncation;
        checkpointsBeforeTruncation = null;
        return taken;
    }

    /** CRC32 of the first {@link #fingerprintLength()} bytes. */
    public long fingerprint() {
        return fingerprint;
    }

    public int fingerprintLength() {
        return fingerprintLength;
    }

    private boolean fill(long nowMillis) throws IOException {
        readBuffer.clear();
        long readPosition = splitter.readPosition();
        int n = content != null ? content.read(readBuffer, readPosition) : channel.read(readBuffer, readPosition);
        readBuffer.flip();
        if (n <= 0) {
            readBuffer.limit(0);
            return false;
        }
        if (content != null && readPosition == 0) {
            probeDecompressed(n);
        }
        if (readPosition + n > highWater) {
            // Only bytes never read before are growth: re-reading after a reopen must not restart the clock of
            // a partial last line, or it would never be flushed under files.max.open pressure.
            highWater = readPosition + n;
            lastGrowthMillis = nowMillis;
        }
        return true;
    }

    /** Where the splitter's lines go: into {@code out}, as this file's lines. */
    private LineSplitter.LineSink into(List<TailedLine> out) {
        return (start, end, text, part, partial, partAfter, skipAfter) -> {
            updateFingerprint();
            unpublishedLines++;
            unpublishedBytes += end - start;
            out.add(new TailedLine(identity, path, start, text, part, new ResumePoint(end, partial, fingerprint,
                    fingerprintLength, splitter.crc(), splitter.crcKnown(), partAfter, skipAfter, 0, false,
                    copySource == null ? 0 : copySource[0], copySource == null ? 0 : copySource[1])));
        };
    }

    private void updateFingerprint() throws IOException {
        if (fingerprintLength < Fingerprint.MAX_BYTES) {
            int length = (int) Math.min(Fingerprint.MAX_BYTES, channel.size());
            if (length > fingerprintLength) {
                fingerprint = Fingerprint.of(channel, length);
                fingerprintLength = length;
            }
        }
    }

    /**
     * Releases the handle; the next read reopens at the committed position and reads the bytes not emitted again.
     * What is known about the line at that position (its part number, a truncated line's skipped rest) is kept.
     */
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a read-only handle: nothing to recover
            }
            channel = null;
        }
        content = null;
        splitter.rewind();
        readBuffer = EMPTY;
    }

    /** Skips the line at the committed position (its rest up to the newline); the handle must be closed. */
    public void skipLine() {
        splitter.skipLine();
    }

    /** Bytes this tailer holds in buffers now (the read buffer while open, the line buffer). */
    public long bufferBytes() {
        return readBuffer.capacity() + splitter.bufferBytes();
    }
}
