package io.lokiconnect.sink.pipeline;

/**
 * The pipeline cannot go on: a batch failed (retries ran out, an answer no retry fixes), behavior.on.rejected=fail
 * met a refusal, or the dead letter queue refused a record. Thrown by every later call; the task fails with it and
 * nothing after the failed records is committed.
 */
public final class PipelineFailure extends RuntimeException {
    PipelineFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
