package io.lokiconnect.sink.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackPressureTest {

    /** A consumer as Connect drives it: pause/resume state per partition, re-paused on rebalance. */
    private static final class Consumer implements BackPressure.Partitions<String> {
        final Set<String> paused = new LinkedHashSet<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public void pause(Collection<String> partitions) {
            paused.addAll(partitions);
            calls.add("pause " + partitions);
        }

        @Override
        public void resume(Collection<String> partitions) {
            paused.removeAll(partitions);
            calls.add("resume " + partitions);
        }
    }

    private final Consumer consumer = new Consumer();
    private final AtomicInteger pauses = new AtomicInteger();
    private final AtomicLong tracked = new AtomicLong();
    private final BackPressure<String> pressure = new BackPressure<>(1000, 100, tracked::get, 50, consumer,
            pauses::incrementAndGet);

    @Test
    void belowTheBoundNothingIsPaused() throws Exception {
        pressure.opened(List.of("p0", "p1"));
        pressure.add(999);
        pressure.afterPut(() -> false);
        assertThat(consumer.paused).isEmpty();
        assertThat(pauses).hasValue(0);
    }

    @Test
    void atTheBoundItWaitsThenPausesAndResumesBelowHalf() throws Exception {
        pressure.opened(List.of("p0", "p1"));
        pressure.add(1000);
        long started = System.nanoTime();
        pressure.afterPut(() -> false);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(40));
        assertThat(consumer.paused).containsExactlyInAnyOrder("p0", "p1");
        assertThat(pauses).hasValue(1);
        pressure.release(500); // 500: not below half
        pressure.check();
        assertThat(consumer.paused).hasSize(2);
        pressure.release(1); // 499
        pressure.check();
        assertThat(consumer.paused).isEmpty();
    }

    /** One batch retried for long while later ones complete: the offsets tracked behind it are bounded too. */
    @Test
    void tooManyTrackedRecordsPauseLikeAFullBuffer() throws Exception {
        pressure.opened(List.of("p0"));
        tracked.set(99);
        pressure.afterPut(() -> false);
        assertThat(consumer.paused).isEmpty();
        tracked.set(100);
        pressure.afterPut(() -> false);
        assertThat(consumer.paused).containsExactly("p0");
        tracked.set(50);
        pressure.check();
        assertThat(consumer.paused).containsExactly("p0");
        tracked.set(49);
        pressure.check();
        assertThat(consumer.paused).isEmpty();
    }

    @Test
    void whilePausedPutDoesNotWaitAgain() throws Exception {
        pressure.opened(List.of("p0"));
        pressure.add(2000);
        pressure.afterPut(() -> false);
        long started = System.nanoTime();
        pressure.afterPut(() -> false);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(40));
    }

    @Test
    void aReleaseFromAnotherThreadEndsTheWait() throws Exception {
        BackPressure<String> slow = new BackPressure<>(1000, 100, tracked::get, 10_000, consumer, () -> { });
        slow.opened(List.of("p0"));
        slow.add(1000);
        Thread releaser = new Thread(() -> {
            sleep(100);
            slow.release(1000);
        });
        releaser.start();
        long started = System.nanoTime();
        slow.afterPut(() -> false);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(consumer.paused).isEmpty();
        releaser.join();
    }

    /**
     * The rebalance bug: Connect closes every partition, re-pauses the ones the task paused and still owns, then opens
     * them. The task must still resume them once the buffer drains; otherwise it runs and consumes nothing, forever.
     */
    @Test
    void partitionsKeptAcrossARebalanceWhilePausedAreResumedWhenTheBufferDrains() throws Exception {
        pressure.opened(List.of("p0", "p1"));
        pressure.add(1000);
        pressure.afterPut(() -> false);
        assertThat(consumer.paused).containsExactlyInAnyOrder("p0", "p1");

        // Eager rebalance: p1 moves to another task; p0 is kept and re-paused by Connect; p2 is new.
        pressure.closed(List.of("p0", "p1"));
        consumer.paused.remove("p1");
        pressure.opened(List.of("p0", "p2"));
        assertThat(consumer.paused).as("a new partition is paused while the buffer is full").contains("p0", "p2");

        pressure.release(1000);
        pressure.afterPut(() -> false);
        assertThat(consumer.paused).isEmpty();
        assertThat(consumer.calls).last().isEqualTo("resume [p0, p2]");
    }

    @Test
    void aPartitionOpenedWhileNotFullIsResumedInCaseConnectPausedIt() {
        consumer.paused.add("p0"); // left paused from an earlier assignment
        pressure.opened(List.of("p0"));
        assertThat(consumer.paused).isEmpty();
    }

    @Test
    void aFailedTaskStopsWaiting() throws Exception {
        BackPressure<String> slow = new BackPressure<>(1000, 100, tracked::get, 10_000, consumer, () -> { });
        slow.add(5000);
        long started = System.nanoTime();
        slow.afterPut(() -> true);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
