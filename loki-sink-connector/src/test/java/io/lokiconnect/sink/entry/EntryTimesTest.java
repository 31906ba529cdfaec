package io.lokiconnect.sink.entry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;
import org.junit.jupiter.api.Test;

class EntryTimesTest {

    private static final long SECOND = 1_764_000_000_000_000_000L;

    @Test
    void threeIdenticalLinesUnderOneSecondPrecisionTimeGetThreeTimesWithinTheSameMillisecond() {
        Set<Long> times = new HashSet<>();
        for (long offset : new long[] {0, 61, 122}) {
            long t = EntryTimes.distinct(SECOND, EntryTimes.fileShift("/var/log/app.log", "host-a"), offset);
            assertThat(t / 1_000_000L).isEqualTo(SECOND / 1_000_000L);
            times.add(t);
        }
        assertThat(times).hasSize(3);
    }

    @Test
    void aTimeWithItsOwnSubMillisecondPartIsKept() {
        assertThat(EntryTimes.distinct(SECOND + 1, EntryTimes.partitionShift(0), 5)).isEqualTo(SECOND + 1);
        assertThat(EntryTimes.distinct(SECOND + 999_999, EntryTimes.fileShift("a", "h"), 5)).isEqualTo(SECOND + 999_999);
    }

    @Test
    void theSameLineSentAgainGetsTheSameTime() {
        assertThat(EntryTimes.distinct(SECOND, EntryTimes.fileShift("/var/log/app.log", "h"), 4096))
                .isEqualTo(EntryTimes.distinct(SECOND, EntryTimes.fileShift("/var/log/app.log", "h"), 4096));
        assertThat(EntryTimes.distinct(SECOND, EntryTimes.partitionShift(3), 77))
                .isEqualTo(EntryTimes.distinct(SECOND, EntryTimes.partitionShift(3), 77));
    }

    @Test
    void theSameOffsetInAnotherFileOrPartitionGetsAnotherPart() {
        assertThat(EntryTimes.distinct(SECOND, EntryTimes.fileShift("/var/log/a.log", "h"), 100))
                .isNotEqualTo(EntryTimes.distinct(SECOND, EntryTimes.fileShift("/var/log/b.log", "h"), 100));
        assertThat(EntryTimes.distinct(SECOND, EntryTimes.fileShift("/var/log/a.log", "h1"), 100))
                .isNotEqualTo(EntryTimes.distinct(SECOND, EntryTimes.fileShift("/var/log/a.log", "h2"), 100));
        assertThat(EntryTimes.distinct(SECOND, EntryTimes.partitionShift(0), 100))
                .isNotEqualTo(EntryTimes.distinct(SECOND, EntryTimes.partitionShift(1), 100));
    }

    @Test
    void limitsAroundTheMillisecond() {
        long shift = EntryTimes.partitionShift(0);
        long part = EntryTimes.distinct(0, shift, 0);
        assertThat(part).isBetween(0L, 999_999L);
        // one below a whole millisecond, the millisecond, one above
        assertThat(EntryTimes.distinct(999_999, shift, 0)).isEqualTo(999_999);
        assertThat(EntryTimes.distinct(1_000_000, shift, 0)).isEqualTo(1_000_000 + part);
        assertThat(EntryTimes.distinct(1_000_001, shift, 0)).isEqualTo(1_000_001);
        // negative times (before 1970) and the largest times do not overflow
        assertThat(EntryTimes.distinct(-1_000_000, shift, 0)).isBetween(-1_000_000L, -1L);
        assertThat(EntryTimes.distinct(Long.MAX_VALUE - 807, shift, 0)).isEqualTo(Long.MAX_VALUE - 807);
    }

    /** Model: lines of one file less than 1,000,000 bytes apart, in one millisecond, never collapse. */
    @Property(tries = 300)
    void linesOfOneFileWithinAMegabyteNeverShareATime(
            @ForAll @Size(min = 2, max = 200) @UniqueElements List<@IntRange(min = 0, max = 999_999) Integer> spread,
            @ForAll @LongRange(min = 0, max = 1L << 40) long base, @ForAll("paths") String path) {
        Set<Long> times = new HashSet<>();
        for (int delta : spread) {
            long t = EntryTimes.distinct(SECOND, EntryTimes.fileShift(path, "h"), base + delta);
            assertThat(t - SECOND).isBetween(0L, 999_999L);
            times.add(t);
        }
        assertThat(times).hasSize(spread.size());
    }

    /** Model: records of one partition less than 1,000,000 offsets apart never collapse. */
    @Property(tries = 300)
    void recordsOfOnePartitionNeverShareATime(
            @ForAll @Size(min = 2, max = 200) @UniqueElements List<@IntRange(min = 0, max = 999_999) Integer> spread,
            @ForAll @LongRange(min = 0, max = 1L << 50) long base, @ForAll @IntRange(min = 0, max = 10_000) int partition) {
        Set<Long> times = new HashSet<>();
        for (int delta : spread) {
            times.add(EntryTimes.distinct(SECOND, EntryTimes.partitionShift(partition), base + delta));
        }
        assertThat(times).hasSize(spread.size());
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> paths() {
        return net.jqwik.api.Arbitraries.strings().ofMinLength(1).ofMaxLength(80).map(s -> "/var/log/" + s);
    }
}
