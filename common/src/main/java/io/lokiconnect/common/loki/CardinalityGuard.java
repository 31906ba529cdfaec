package io.lokiconnect.common.loki;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the distinct values each label takes in one plugin instance (one Connect task): the first
 * {@code maxValues} distinct values of a label are admitted, a further new value is not, and the caller sends
 * {@link #OVERFLOW_VALUE} instead. A label that explodes (a request id mistaken for a label) thus costs Loki one more
 * stream, not millions. The first overflow of each label is logged once, with the hint of the plugin that uses it
 * (its keys). Thread-safe. Used by the transform (label.fields) and the sink (labels taken from the record, and, in a
 * guard of their own, its tenants, which it refuses rather than replace).
 */
public final class CardinalityGuard {

    /** The value sent instead of a value beyond the limit. */
    public static final String OVERFLOW_VALUE = "__overflow__";

    private static final Logger LOG = LoggerFactory.getLogger(CardinalityGuard.class);

    private final int maxValues;
    private final String limitKey;
    private final String consequence;
    private final String fix;
    private final ConcurrentMap<String, Seen> labels = new ConcurrentHashMap<>();

    /** The transform's guard: {@code label.values.max}. */
    public CardinalityGuard(int maxValues) {
        this(maxValues, "label.values.max", "Move the field to metadata.fields or raise label.values.max.");
    }

    /**
     * @param limitKey the config key of {@code maxValues}, named in the log
     * @param fix      what the user can do, logged with the first overflow of a label
     */
    public CardinalityGuard(int maxValues, String limitKey, String fix) {
        this(maxValues, limitKey, "its further new values are sent as '" + OVERFLOW_VALUE + "'", fix);
    }

    /**
     * A guard whose caller does something else than send {@link #OVERFLOW_VALUE} with a value it does not admit.
     *
     * @param consequence what the caller does with a value not admitted, logged with the first overflow of a label
     */
    public CardinalityGuard(int maxValues, String limitKey, String consequence, String fix) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("maxValues must be at least 1, not " + maxValues);
        }
        this.maxValues = maxValues;
        this.limitKey = limitKey;
        this.consequence = consequence;
        this.fix = fix;
    }

    /** True when {@code value} may be sent for {@code label}: it was seen before, or the label has room left. */
    public boolean admits(String label, String value) {
        Seen seen = labels.computeIfAbsent(label, l -> new Seen());
        if (seen.recentlyAdmitted(value) || seen.values.contains(value)) {
            return true;
        }
        synchronized (seen) {
            if (seen.values.size() < maxValues) {
                seen.values.add(value);
                seen.remember(value);
                return true;
            }
            if (!seen.warned) {
                seen.warned = true;
                LOG.warn("Label '{}' reached {}={} distinct values in this task: {}. {}", label, limitKey, maxValues,
                        consequence, fix);
            }
            return false;
        }
    }

    private static final class Seen {
        final Set<String> values = ConcurrentHashMap.newKeySet();
        /**
         * Some admitted values, compared before the set is asked: a label takes few values, and a value read from a
         * line is a new string whose hashing costs more than a few {@code equals}. Written under the lock, read
         * without it: every value ever written here was admitted, so any value read is a right answer.
         */
        final String[] recent = new String[8];
        int nextRecent;
        boolean warned;

        boolean recentlyAdmitted(String value) {
            for (String admitted : recent) {
                if (value.equals(admitted)) {
                    return true;
                }
            }
            return false;
        }

        void remember(String value) {
            recent[nextRecent] = value;
            nextRecent = (nextRecent + 1) % recent.length;
        }
    }
}
