package io.lokiconnect.source.tail;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import java.util.Collection;
import java.util.Map;

/** The offsets Connect stored for files, looked up in batches (one per scan, not one per file). */
@FunctionalInterface
public interface StoredOffsets {

    /** The stored resume points of {@code files}; a file without one is absent from the answer. */
    Map<FileIdentity, ResumePoint> of(Collection<FileIdentity> files);

    /**
     * Whether an earlier run of the connector stored that it applied start.position=end: then no run after it
     * starts a file at its end, even when no file it finds has an offset (one renamed out of the globs while the
     * task was down left none behind).
     */
    default boolean startPositionApplied() {
        return false;
    }
}
