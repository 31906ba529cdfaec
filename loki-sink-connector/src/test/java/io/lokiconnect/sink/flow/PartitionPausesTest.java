package io.lokiconnect.sink.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Back-pressure and alignment pause the same partitions; neither's resume undoes the other's pause. */
class PartitionPausesTest {

    private final Set<String> paused = new HashSet<>();
    private final PartitionPauses<String> pauses = new PartitionPauses<>(new BackPressure.Partitions<>() {
        @Override
        public void pause(Collection<String> partitions) {
            paused.addAll(partitions);
        }

        @Override
        public void resume(Collection<String> partitions) {
            paused.removeAll(partitions);
        }
    });
    private final List<String> assigned = List.of("p0", "p1", "p2");

    @Test
    void aPartitionStaysPausedWhileEitherReasonHoldsIt() {
        assertThat(pauses.align(Set.of("p0"), assigned)).isEqualTo(1);
        assertThat(paused).containsExactly("p0");
        pauses.pause(assigned);
        assertThat(paused).containsExactlyInAnyOrder("p0", "p1", "p2");
        pauses.resume(assigned); // the buffer drained: alignment still holds p0
        assertThat(paused).containsExactly("p0");
        pauses.pause(assigned);
        assertThat(pauses.align(Set.of(), assigned)).isZero(); // alignment lets go: back-pressure still holds all
        assertThat(paused).containsExactlyInAnyOrder("p0", "p1", "p2");
        pauses.resume(assigned);
        assertThat(paused).isEmpty();
    }

    @Test
    void alignmentPausesOnlyAssignedPartitionsAndForgetsRevokedOnes() {
        pauses.align(Set.of("p0", "gone"), assigned);
        assertThat(paused).containsExactly("p0");
        pauses.forget(List.of("p0"));
        assertThat(pauses.pausedForAlignment()).isEmpty();
        assertThat(pauses.align(Set.of("p1"), assigned)).isEqualTo(1);
        assertThat(pauses.align(Set.of("p1"), assigned)).as("already paused").isZero();
        assertThat(paused).contains("p1");
    }
}
