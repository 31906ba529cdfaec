package io.lokiconnect.sink.flow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place that pauses and resumes the task's partitions for two reasons at once: back-pressure (the buffer
 * is full: {@link BackPressure} pauses and resumes every partition) and alignment (partitions ahead of a lagging
 * partition of the same stream). A partition is paused while either wants it paused, and resumed only when neither
 * does; so one reason's resume never undoes the other's pause.
 *
 * @param <P> the partition type
 */
public final class PartitionPauses<P> implements BackPressure.Partitions<P> {

    private final BackPressure.Partitions<P> consumer;
    private final Set<P> forBackPressure = new HashSet<>();
    private final Set<P> forAlignment = new HashSet<>();

    /** @param consumer what actually pauses and resumes (Connect's context, through the task) */
    public PartitionPauses(BackPressure.Partitions<P> consumer) {
        this.consumer = consumer;
    }

    /** Back-pressure pauses these. */
    @Override
    public synchronized void pause(Collection<P> partitions) {
        List<P> newly = new ArrayList<>();
        for (P p : partitions) {
            if (forBackPressure.add(p) && !forAlignment.contains(p)) {
                newly.add(p);
            }
        }
        if (!newly.isEmpty()) {
            consumer.pause(newly);
        }
    }

    /** Back-pressure resumes these: those alignment keeps paused stay paused. */
    @Override
    public synchronized void resume(Collection<P> partitions) {
        List<P> resumed = new ArrayList<>();
        for (P p : partitions) {
            forBackPressure.remove(p);
            if (!forAlignment.contains(p)) {
                resumed.add(p); // also a partition Connect paused on its own (assignment): resumed, as before
            }
        }
        if (!resumed.isEmpty()) {
            consumer.resume(resumed);
        }
    }

    /** Alignment wants exactly {@code leading} paused (of {@code assigned}); returns how many it newly paused. */
    public synchronized int align(Set<P> leading, Collection<P> assigned) {
        List<P> pause = new ArrayList<>();
        List<P> resume = new ArrayList<>();
        for (P p : leading) {
            if (assigned.contains(p) && forAlignment.add(p) && !forBackPressure.contains(p)) {
                pause.add(p);
            }
        }
        for (P p : new ArrayList<>(forAlignment)) {
            if (!leading.contains(p) || !assigned.contains(p)) {
                forAlignment.remove(p);
                if (!forBackPressure.contains(p) && assigned.contains(p)) {
                    resume.add(p);
                }
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        return pause.size();
    }

    /** Partitions taken from the task: forgotten. */
    public synchronized void forget(Collection<P> removed) {
        forBackPressure.removeAll(removed);
        forAlignment.removeAll(removed);
    }

    public synchronized Set<P> pausedForAlignment() {
        return Set.copyOf(forAlignment);
    }
}
