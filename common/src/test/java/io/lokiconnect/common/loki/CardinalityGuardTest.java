package io.lokiconnect.common.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CardinalityGuardTest {

    @Test
    void admitsKnownValuesAndUpToTheLimitOfNewOnesPerLabel() {
        CardinalityGuard guard = new CardinalityGuard(2);

        assertThat(guard.admits("service", "a")).isTrue();
        assertThat(guard.admits("service", "b")).isTrue();
        assertThat(guard.admits("service", "c")).isFalse();
        assertThat(guard.admits("service", "a")).isTrue();
        assertThat(guard.admits("level", "c")).isTrue();
        assertThat(guard.admits("service", "d")).as("the limit holds after a label of its own").isFalse();
    }

    @Test
    void neverAdmitsMoreThanTheLimitUnderConcurrency() throws Exception {
        CardinalityGuard guard = new CardinalityGuard(100);
        AtomicInteger admitted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            pool.submit(() -> {
                for (int i = 0; i < 1000; i++) {
                    if (guard.admits("id", thread + "-" + i)) {
                        admitted.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(admitted.get()).isEqualTo(100);
        assertThat(guard.admits("id", "one-more")).isFalse();
    }
}
