package io.lokiconnect.receiver;

/**
 * Which Loki's answers the receiver gives; they differ only in wording and in how many refusals one answer lists.
 * Taken from Loki's source: {@code pkg/validation/validate.go}, {@code pkg/distributor/distributor.go},
 * {@code pkg/ingester/stream.go}, {@code pkg/chunkenc/interface.go}.
 */
public enum LokiVersion {
    /**
     * Loki 2.9: the distributor answers with the last refused entry only; "entry too far behind, oldest acceptable
     * timestamp is: ...".
     */
    V2_9,
    /**
     * Loki 3.x: the distributor groups every refusal ({@code util.GroupedErrors}: "N errors like: ..." joined by
     * "; "); "entry too far behind, entry timestamp is: ..., oldest acceptable timestamp is: ...".
     */
    V3
}
