package io.lokiconnect.source.offsets;

/**
 * Where reading a file resumes, as stored in Connect's source offsets.
 *
 * @param position          byte position just after the last line written to Kafka
 * @param partialFlushed    the last line was emitted without its newline: skip that newline when it arrives
 * @param fingerprint       CRC32 of the first {@code fingerprintLength} bytes, to detect a reused inode
 */
public record StoredOffset(long position, boolean partialFlushed, long fingerprint, int fingerprintLength) {
}
