package io.lokiconnect.sink.shaping;

import io.lokiconnect.sink.labels.LabelSet;

/** The newest entry time of a stream that may be sent now (see {@link PartitionAlignment}). */
@FunctionalInterface
public interface SendHorizon {

    /** No horizon: everything may go. */
    SendHorizon NONE = labels -> Long.MAX_VALUE;

    /** Entries of {@code stream} newer than this (Unix ns) wait; {@link Long#MAX_VALUE} when none need to. */
    long newestSendable(LabelSet stream);
}
