package io.lokiconnect.sink.entry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;

/** The per-task cache of the last file's shift gives exactly {@link EntryTimes#fileShift}'s shift, in any order. */
class FileShiftsTest {

    @Property(tries = 300)
    void theCachedShiftIsTheComputedOne(@ForAll("records") List<Tuple3<String, String, Long>> records) {
        EntryTimes.FileShifts shifts = new EntryTimes.FileShifts();
        for (Tuple3<String, String, Long> r : records) {
            // new strings each time, as the header converter makes them
            String path = r.get1() == null ? null : new String(r.get1());
            String host = r.get2() == null ? null : new String(r.get2());
            long shift = shifts.shift(path, host);
            assertThat(shift).isEqualTo(EntryTimes.fileShift(path, host));
            long nanos = 1_764_000_000_000_000_000L;
            assertThat(EntryTimes.distinct(nanos, shift, r.get3()))
                    .isEqualTo(EntryTimes.distinct(nanos, EntryTimes.fileShift(path, host), r.get3()));
        }
    }

    @Provide
    Arbitrary<List<Tuple3<String, String, Long>>> records() {
        // Few paths and hosts, so runs of one file alternate with switches; null (no header) and "" included.
        Arbitrary<String> path = Arbitraries.of("/var/log/a.log", "/var/log/b.log", "", "/var/log/ä✓.log")
                .injectNull(0.1);
        Arbitrary<String> host = Arbitraries.of("host-a", "host-b").injectNull(0.2);
        return net.jqwik.api.Combinators.combine(path, host, Arbitraries.longs().between(0, Long.MAX_VALUE / 2))
                .as(Tuple::of).list().ofMaxSize(40);
    }
}
