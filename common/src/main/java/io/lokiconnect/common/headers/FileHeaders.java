package io.lokiconnect.common.headers;

/**
 * Headers the file source can put on its records: where the line came from, each only when chosen in its
 * {@code headers} key (none by default), and {@link #LINE_PART} whenever a line or event was cut.
 * The sink can fold them into the Loki line ({@code line.format=json|logfmt}) or use them as labels.
 */
public final class FileHeaders {

    /** Absolute path of the file the line was read from. */
    public static final String FILE_PATH = "log.file.path";
    /** File name without its directory. */
    public static final String FILE_NAME = "log.file.name";
    /** Byte offset of the first byte of the line in the file (a long, as a string). */
    public static final String FILE_OFFSET = "log.file.offset";
    /** Host name of the worker that read the line. */
    public static final String HOST = "log.host";
    /**
     * Present when a line was longer than {@code line.max.bytes}, or a multiline event went past
     * {@code multiline.max.lines} or {@code multiline.max.bytes}: the part number ({@code 1}, {@code 2}, ...) and
     * {@code n/n} on the last part; for a line cut with {@code line.overflow=truncate}, {@code truncated}.
     */
    public static final String LINE_PART = "log.line.part";

    private FileHeaders() {
    }
}
