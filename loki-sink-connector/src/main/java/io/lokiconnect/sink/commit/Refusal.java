package io.lokiconnect.sink.commit;


/**
 * A record that will not reach Loki, why, and whose decision it was; {@code source} is the original record for the
 * dead letter queue (taken when the refusal is made, before the record is marked done).
 */
public record Refusal(PendingRecord record, Cause cause, String reason, Object source) {

    /** A refusal of a record whose original is what {@code record} still holds (null when not kept). */
    public Refusal(PendingRecord record, Cause cause, String reason) {
        this(record, cause, reason, record.source());
    }

    /** Who refused the record; the cause is part of every message, in the log and in the dead letter queue. */
    public enum Cause {
        /** Loki answered 400 (or 413 alone) for the record's entry. */
        LOKI_REFUSED("Loki refused the entry"),
        /**
         * Not sent: Loki would refuse the entry (too far behind its stream's newest entry, larger than a burst), and
         * for any stream but a push's last would drop it while answering 204 (issue 17).
         */
        LOKI_WOULD_DROP("Not sent to Loki: Loki would refuse the entry"),
        /** The record cannot become a Loki entry (no timestamp, a bad loki.timestamp.ns header); never sent. */
        NOT_MAPPABLE("Not sent to Loki: the record cannot become a Loki entry");

        private final String text;

        Cause(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** The message for the log, the task's failure and the dead letter queue's exception header. */
    public String message() {
        return cause.text() + ": " + reason;
    }

    public String describeRecord() {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
