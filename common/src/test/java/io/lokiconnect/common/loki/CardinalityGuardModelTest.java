package io.lokiconnect.common.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;

/**
 * The guard (with its few recently admitted values compared before its set) against a model that is a plain set per
 * label: the same answer for every value, at, below and above the limit, with runs and rotations of values, and
 * values that are equal but not the same string (as read from each line).
 */
class CardinalityGuardModelTest {

    @Property(tries = 300)
    void admitsExactlyWhatTheModelAdmits(@ForAll @IntRange(min = 1, max = 12) int maxValues,
                                         @ForAll("calls") List<Tuple2<String, String>> calls) {
        CardinalityGuard guard = new CardinalityGuard(maxValues);
        Map<String, Set<String>> model = new HashMap<>();
        for (Tuple2<String, String> call : calls) {
            Set<String> seen = model.computeIfAbsent(call.get1(), l -> new HashSet<>());
            boolean expected = seen.contains(call.get2()) || seen.size() < maxValues;
            if (expected) {
                seen.add(call.get2());
            }
            assertThat(guard.admits(call.get1(), new String(call.get2()))).as("%s=%s", call.get1(), call.get2())
                    .isEqualTo(expected);
        }
    }

    @Provide
    Arbitrary<List<Tuple2<String, String>>> calls() {
        Arbitrary<String> label = Arbitraries.of("level", "service");
        // Up to 20 distinct values: more than the 8 remembered, more than the limit.
        Arbitrary<String> value = Arbitraries.integers().between(0, 19).map(i -> "v" + i + (i % 3 == 0 ? "é" : ""));
        return net.jqwik.api.Combinators.combine(label, value).as(Tuple::of).list().ofMaxSize(200);
    }
}
