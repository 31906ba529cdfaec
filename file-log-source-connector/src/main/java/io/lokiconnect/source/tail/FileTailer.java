package io.lokiconnect.source.tail;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one file line by line from a position, through rotation (it holds the file by identity, not name),
 * truncation (copytruncate: size below position restarts at 0), over-long lines (split or truncated at
 * {@code lineMaxBytes}) and a last line without newline (emitted after {@code partialFlushMs} of quiet, and
 * its late newline is not emitted again). Memory: one 64 KiB read buffer and at most one line.
 *
 * <p>Two positions: {@code readPosition} is how far bytes were consumed into the pending line;
 * {@code committedPosition} is just after the last emitted line, the only position ever stored.
 */
public final class FileTailer {

    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int BINARY_PROBE_BYTES = 1024;
    private static final int PENDING_INITIAL_BYTES = 256;
    /** A line buffer grown past this by a long line is given back once that line is emitted. */
    private static final int PENDING_KEEP_BYTES = 64 * 1024;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int MAX_CHECKPOINTS = 16;

    private final FileIdentity identity;
    private final TailerSettings settings;
    private final TailerStats stats;
    private final CharsetDecoder decoder;
    /**
     * UTF-8, US-ASCII or ISO-8859-1: decoded by {@code new String}, whose check for non-ASCII bytes is a JVM
     * intrinsic and which copies an all-ASCII line once; other charsets go through the decoder.
     */
    private final boolean jdkDecodes;
    /** Lines and bytes read since the counters were last published: two atomic updates per read, not per line. */
    private long unpublishedLines;
    private long unpublishedBytes;
    private Path path;
    private FileChannel channel;
    /** Allocated while the handle is open: thousands of idle tracked files hold no read buffer. */
    private ByteBuffer readBuffer = EMPTY;
    private byte[] pending = new byte[PENDING_INITIAL_BYTES];
    private int pendingLength;
    private long readPosition;
    private long committedPosition;
    private long lineStart;
    private int partIndex;
    private boolean skippingRestOfLine;
    private boolean partialFlushed;
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
    /** PrefixCrc of the bytes before committedPosition; unknown after an offset written by an older version. */
    private long crc;
    private boolean crcKnown;
    /** While the rest of a truncated line is skipped: PrefixCrc of the bytes before readPosition. */
    private long skipCrc;
    /** (position, checksum) at the line starts where recent reads ended: what a copy of this file is checked on. */
    private final ArrayDeque<long[]> checkpoints = new ArrayDeque<>();
    private List<long[]> checkpointsBeforeTruncation;
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
        this.decoder = settings.charset().newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        Charset charset = settings.charset();
        this.jdkDecodes = charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)
                || charset.equals(StandardCharsets.ISO_8859_1);
        long position = start.position();
        this.readPosition = position;
        this.committedPosition = position;
        this.lineStart = position;
        this.highWater = position;
        this.partialFlushed = start.partialFlushed();
        this.fingerprint = start.fingerprint();
        this.fingerprintLength = start.fingerprintLength();
        this.crc = start.prefixCrc();
        this.crcKnown = start.prefixCrcKnown();
        this.skipCrc = crc;
        this.partIndex = start.linePart();
        this.skippingRestOfLine = start.skippingLine();
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
        return committedPosition;
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

    /** A compressed file read to its end (or given up on): nothing more will come from it. */
    public boolean isFinished() {
        return finished;
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
        return java.util.Optional.of(new TailedLine(identity, path, committedPosition, null, null,
                new ResumePoint(committedPosition, partialFlushed, fingerprint, fingerprintLength, crc, crcKnown,
                        partIndex, skippingRestOfLine).withArchiveDone()));
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
                || size > committedPosition && nowMillis - lastGrowthMillis >= settings.partialFlushMs();
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
        if (size == committedPosition && !isCompressed() && start.position() == size && !start.partialFlushed()) {
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
        return !finished && (eofAt < 0 || committedPosition < eofAt);
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
        return !readBuffer.hasRemaining() && size <= readPosition;
    }

    /** Emits a pending last line without newline now (the file is being forgotten); returns the bytes emitted. */
    public long flushPending(List<TailedLine> out) throws IOException {
        if (pendingLength > 0 && !skippingRestOfLine && channel != null) {
            try {
                return emitPartial(out);
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
        return isCompressed() ? lastBytesBehind : Math.max(0, seenSize - committedPosition);
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
                lastBytesBehind = Math.max(0, size - committedPosition);
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
            if (eofAt >= 0 && size == eofAt && readPosition == eofAt && !readBuffer.hasRemaining()
                    && !(pendingLength > 0 && !skippingRestOfLine
                    && nowMillis - lastGrowthMillis >= settings.partialFlushMs())) {
                return 0; // at the end it found last time, and the file has not changed: one fstat, no read
            }
        }
        int startSize = out.size();
        long emittedBytes = 0;
        atEof = false;
        eofAt = -1;
        while (out.size() - startSize < maxLines && emittedBytes < maxBytes) {
            if (!readBuffer.hasRemaining() && !fill(nowMillis)) {
                atEof = true;
                eofAt = readPosition;
                break;
            }
            emittedBytes += scan(out, startSize, maxLines, maxBytes - emittedBytes);
        }
        boolean wholeArchive = atEof && content != null && content.ended();
        if (atEof && pendingLength > 0 && !skippingRestOfLine
                && (wholeArchive || nowMillis - lastGrowthMillis >= settings.partialFlushMs())) {
            // An archive's end is final: its last line without newline is complete now.
            emittedBytes += fitToLoki(out, true);
            if (!skippingRestOfLine) {
                emittedBytes += emitPartial(out);
            }
        }
        if (out.size() > startSize) {
            lastActivityMillis = nowMillis;
        }
        recordCheckpoint();
        if (wholeArchive && (pendingLength == 0 || skippingRestOfLine)) {
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
            if (compression != null && !isCompressed() && committedPosition == 0) {
                probeBinary();
            }
        }
        if (compression == null) {
            // Told by the first bytes, once there are enough of them (an empty file may be an archive being made).
            compression = Compression.of(channel);
            if (compression != null && !isCompressed() && committedPosition == 0) {
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
        boolean otherBytes = verify && !otherFirstBytes && crcKnown && committedPosition > fingerprintLength
                && committedPosition <= VERIFY_PREFIX_MAX_BYTES && size >= committedPosition
                && prefixCrc(committedPosition) != crc;
        if (size < Math.max(committedPosition, highWater) || otherFirstBytes || otherBytes) {
            stats.truncations.incrementAndGet();
            // What was read before the truncation, for recognising the copy copytruncate made of it.
            recordCheckpoint();
            checkpointsBeforeTruncation = List.copyOf(checkpoints);
            checkpoints.clear();
            resetTo(0);
            partialFlushed = false;
            fingerprintLength = 0;
            crc = 0;
            crcKnown = true;
            skipCrc = 0;
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
                return ~crc; // shorter than it was a moment ago: certainly not the bytes read
            }
            value = PrefixCrc.update(value, buffer.array(), 0, n);
            position += n;
        }
        return value;
    }

    private void recordCheckpoint() {
        if (crcKnown && partIndex == 0 && !skippingRestOfLine && !partialFlushed && committedPosition > 0
                && (checkpoints.isEmpty() || checkpoints.peekLast()[0] < committedPosition)) {
            if (checkpoints.size() == MAX_CHECKPOINTS) {
                checkpoints.removeFirst();
            }
            checkpoints.addLast(new long[] {committedPosition, crc});
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

    /** Consumes buffered bytes until the buffer is empty or the line or byte budget is spent. */
    private long scan(List<TailedLine> out, int startSize, int maxLines, long maxBytes) throws IOException {
        long emitted = 0;
        while (readBuffer.hasRemaining() && out.size() - startSize < maxLines && emitted < maxBytes) {
            if (!partialFlushed && !skippingRestOfLine) {
                copyRun();
                if (!readBuffer.hasRemaining()) {
                    break;
                }
            }
            byte b = readBuffer.get();
            readPosition++;
            if (partialFlushed) {
                partialFlushed = false;
                if (b == '\n') {
                    // The newline that ends a line already emitted at its flush: nothing new to emit.
                    crc = PrefixCrc.update(crc, b);
                    committedPosition = readPosition;
                    lineStart = readPosition;
                    continue;
                }
            }
            if (b == '\n') {
                if (!skippingRestOfLine) {
                    emitted += fitToLoki(out, false);
                }
                if (skippingRestOfLine) {
                    skippingRestOfLine = false;
                    crc = PrefixCrc.update(skipCrc, b);
                    committedPosition = readPosition;
                    lineStart = readPosition;
                    pendingLength = 0;
                } else {
                    int length = pendingLength;
                    if (length > 0 && pending[length - 1] == '\r') {
                        length--;
                    }
                    String part = partIndex > 0 ? (partIndex + 1) + "/" + (partIndex + 1) : null;
                    crc = PrefixCrc.update(PrefixCrc.update(crc, pending, 0, pendingLength), b);
                    emitted += emit(out, length, part, false);
                }
                continue;
            }
            if (skippingRestOfLine) {
                skipCrc = PrefixCrc.update(skipCrc, b);
                continue;
            }
            // The line is full and this byte does not end it: emit a part first. One byte of room is kept for a
            // '\r' that may turn out to be the CR of a CRLF, so a line of exactly lineMaxBytes stays whole.
            int limit = settings.lineMaxBytes();
            if (pendingLength > limit || pendingLength == limit && b != '\r') {
                emitted += overflow(out, b);
                if (skippingRestOfLine) {
                    skipCrc = PrefixCrc.update(skipCrc, b);
                    continue;
                }
            }
            append(b);
        }
        return emitted;
    }

    /**
     * Copies the bytes up to the next newline (or the buffer's end) into the pending line in one go, as long as
     * the line stays within {@code lineMaxBytes}: the byte loop in {@link #scan} then only sees newlines and the
     * bytes that make a line overflow, so it decides exactly what it decided byte by byte.
     */
    private void copyRun() {
        int room = settings.lineMaxBytes() - pendingLength;
        if (room <= 0 || !readBuffer.hasArray()) {
            return;
        }
        byte[] array = readBuffer.array();
        int from = readBuffer.arrayOffset() + readBuffer.position();
        int end = from + Math.min(readBuffer.remaining(), room);
        int i = from;
        while (i < end && array[i] != '\n') {
            i++;
        }
        int run = i - from;
        if (run == 0) {
            return;
        }
        if (pendingLength + run > pending.length) {
            // At most lineMaxBytes + 1: a full line and the '\r' that may end it.
            pending = Arrays.copyOf(pending, (int) Math.min(Math.max(Math.max(pending.length * 2L, 256),
                    pendingLength + (long) run), settings.lineMaxBytes() + 1L));
        }
        System.arraycopy(array, from, pending, pendingLength, run);
        pendingLength += run;
        readBuffer.position(readBuffer.position() + run);
        readPosition += run;
    }

    private long overflow(List<TailedLine> out, byte next) throws IOException {
        return overflowAt(out, fitCut(utf8Boundary(settings.lineMaxBytes(), next)));
    }

    /**
     * Loki counts a line's UTF-8 bytes, not the file's: a Latin-1 'é' is 2 bytes there, a malformed byte a U+FFFD
     * of 3. A pending line whose text would be longer than line.max.bytes in UTF-8 is emitted in parts (or
     * truncated) like a line of too many file bytes. Only lines of more than a third of the limit can be: no byte
     * becomes more than 3 UTF-8 bytes (a supplementary character takes at least 2 bytes in any charset).
     */
    private long fitToLoki(List<TailedLine> out, boolean partial) throws IOException {
        int limit = settings.lineMaxBytes();
        long emitted = 0;
        while (true) {
            int textLength = partial || pendingLength == 0 || pending[pendingLength - 1] != '\r'
                    ? pendingLength : pendingLength - 1;
            if (textLength <= limit / 3 || utf8Length(textLength) <= limit) {
                return emitted;
            }
            emitted += overflowAt(out, fitCut(textLength));
            if (skippingRestOfLine) {
                return emitted;
            }
        }
    }

    /** UTF-8 bytes of the text the first {@code length} pending bytes decode to (as {@link #decode} makes it). */
    private int utf8Length(int length) {
        return io.lokiconnect.common.loki.Utf8.encodedLength(new String(pending, 0, length, settings.charset()));
    }

    /** The largest cut at or below {@code cut}, at a character boundary, whose text fits line.max.bytes in UTF-8. */
    private int fitCut(int cut) {
        int limit = settings.lineMaxBytes();
        if (cut <= limit / 3 || utf8Length(cut) <= limit) {
            return cut;
        }
        int lo = 1;
        int hi = cut;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (utf8Length(mid) <= limit) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int c = boundaryAtOrBefore(lo);
        // A cut inside a sequence decodes to a U+FFFD that the whole sequence would not: step back until it fits.
        while (c > 1 && utf8Length(c) > limit) {
            c = boundaryAtOrBefore(c - 1);
        }
        return Math.max(c, 1);
    }

    /** {@code c}, or the start of the UTF-8 sequence that {@code c} falls inside. */
    private int boundaryAtOrBefore(int c) {
        if (!settings.charset().equals(StandardCharsets.UTF_8) || c >= pendingLength
                || (pending[c] & 0xC0) != 0x80) {
            return c;
        }
        int lead = c - 1;
        while (lead > c - 4 && lead > 0 && (pending[lead] & 0xC0) == 0x80) {
            lead--;
        }
        int length = sequenceLength(pending[lead]);
        return length > 0 && lead + length > c && lead > 0 ? lead : c;
    }

    private long overflowAt(List<TailedLine> out, int cut) throws IOException {
        if (settings.splitLongLines()) {
            stats.linesSplit.incrementAndGet();
            partIndex++;
            int rest = pendingLength - cut;
            crc = PrefixCrc.update(crc, pending, 0, cut);
            long bytes = emitPart(out, cut, String.valueOf(partIndex));
            System.arraycopy(pending, cut, pending, 0, rest);
            pendingLength = rest;
            return bytes;
        }
        stats.linesTruncated.incrementAndGet();
        crc = PrefixCrc.update(crc, pending, 0, cut);
        skippingRestOfLine = true;
        long bytes = emitPart(out, cut, "truncated");
        skipCrc = PrefixCrc.update(crc, pending, cut, pendingLength - cut);
        pendingLength = 0;
        return bytes;
    }

    /**
     * Where to cut a full line of {@code limit} bytes whose next byte is {@code next}: never inside a UTF-8
     * sequence. Only bytes really read are looked at (the array beyond {@code pendingLength} holds stale bytes).
     */
    private int utf8Boundary(int limit, byte next) {
        if (!settings.charset().equals(StandardCharsets.UTF_8)) {
            return limit;
        }
        // The first byte after the cut: the '\r' kept at pending[limit], or else the next byte read.
        byte after = pendingLength > limit ? pending[limit] : next;
        if ((after & 0xC0) != 0x80) {
            return limit; // the cut falls before a lead byte or an ASCII byte: a boundary
        }
        int lead = limit - 1;
        while (lead > limit - 4 && lead > 0 && (pending[lead] & 0xC0) == 0x80) {
            lead--;
        }
        int length = sequenceLength(pending[lead]);
        // Cut before the lead byte when its sequence runs past the cut; invalid input is cut where it is.
        return length > 0 && lead + length > limit && lead > 0 ? lead : limit;
    }

    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        return b >= 0xF8 ? 0 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    }

    /** Emits the first {@code length} pending bytes as a part of a longer line; the rest stays pending. */
    private long emitPart(List<TailedLine> out, int length, String part) throws IOException {
        long position = lineStart + length;
        out.add(line(length, position, part, false, skippingRestOfLine ? 0 : partIndex, skippingRestOfLine));
        committedPosition = position;
        lineStart = position;
        return length;
    }

    /** Emits the pending bytes of a last line that has no newline (yet); its newline will emit nothing. */
    private long emitPartial(List<TailedLine> out) throws IOException {
        String part = partIndex > 0 ? (partIndex + 1) + "/" + (partIndex + 1) : null;
        crc = PrefixCrc.update(crc, pending, 0, pendingLength);
        long bytes = emit(out, pendingLength, part, true);
        partialFlushed = true;
        return bytes;
    }

    private long emit(List<TailedLine> out, int length, String part, boolean partial) throws IOException {
        out.add(line(length, readPosition, part, partial, 0, false));
        committedPosition = readPosition;
        lineStart = readPosition;
        pendingLength = 0;
        partIndex = 0;
        shrinkLineBuffer();
        return length;
    }

    private TailedLine line(int length, long position, String part, boolean partial, int partAfter,
                            boolean skipAfter) throws IOException {
        updateFingerprint();
        unpublishedLines++;
        unpublishedBytes += position - lineStart;
        return new TailedLine(identity, path, lineStart, decode(length), part, new ResumePoint(position, partial,
                fingerprint, fingerprintLength, crc, crcKnown, partAfter, skipAfter));
    }

    private String decode(int length) {
        if (jdkDecodes) {
            // Most log lines are ASCII: one intrinsic scan and one copy, no decoder (which would copy into a
            // CharBuffer, then into a String). new String replaces malformed input with U+FFFD, as the strict
            // path below does after counting it; only a line that shows a U+FFFD (a Latin-1 string, i.e. every
            // ASCII line, answers that without scanning) is decoded again strictly, to tell a malformed line
            // from one that really contains U+FFFD.
            String text = new String(pending, 0, length, settings.charset());
            if (text.indexOf('\uFFFD') >= 0 && strictlyDecoded(length) == null) {
                stats.malformedLines.incrementAndGet();
            }
            return text;
        }
        String text = strictlyDecoded(length);
        if (text == null) {
            stats.malformedLines.incrementAndGet();
            return new String(pending, 0, length, settings.charset());
        }
        return text;
    }

    /** The first {@code length} pending bytes by the charset's reporting decoder; null when they are malformed. */
    private String strictlyDecoded(int length) {
        try {
            return decoder.reset().decode(ByteBuffer.wrap(pending, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
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

    private void append(byte b) {
        if (pendingLength == pending.length) {
            // At most lineMaxBytes + 1: a full line and the '\r' that may end it.
            pending = Arrays.copyOf(pending, (int) Math.min(Math.max(pending.length * 2L, 256),
                    settings.lineMaxBytes() + 1L));
        }
        pending[pendingLength++] = b;
    }

    private void resetTo(long position) {
        highWater = position;
        eofAt = -1;
        readPosition = position;
        committedPosition = position;
        lineStart = position;
        pendingLength = 0;
        partIndex = 0;
        skippingRestOfLine = false;
        readBuffer.clear().limit(0);
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
        readPosition = committedPosition;
        lineStart = committedPosition;
        pendingLength = 0;
        skipCrc = crc; // a skipped rest of line is read, and hashed, again from the committed position
        readBuffer = EMPTY;
        shrinkLineBuffer();
    }

    /** Skips the line at the committed position (its rest up to the newline); the handle must be closed. */
    public void skipLine() {
        skippingRestOfLine = true;
        skipCrc = crc;
        partIndex = 0;
        partialFlushed = false;
    }

    /** Bytes this tailer holds in buffers now (the read buffer while open, the line buffer). */
    public long bufferBytes() {
        return readBuffer.capacity() + pending.length;
    }

    private void shrinkLineBuffer() {
        if (pending.length > PENDING_KEEP_BYTES && pendingLength <= PENDING_INITIAL_BYTES) {
            pending = Arrays.copyOf(pending, PENDING_INITIAL_BYTES);
        }
    }
}
