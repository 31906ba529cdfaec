package io.lokiconnect.it.faults;

import java.time.Duration;
import org.junit.jupiter.api.Tag;

/**
 * The long variants of the fault scenarios, for RELIABILITY.md: 90 s of steady load at 1,000 lines/s per scenario, a
 * 60 s outage, a 30 s 429 storm, 300,000 lines at full speed for the rotation storms. Not run by CI (tag
 * {@code long}); docs/development.md gives the command.
 */
@Tag("long")
class FaultScenariosLongIT extends FaultScenarios {

    @Override
    Scale scale() {
        return new Scale(Duration.ofSeconds(90), 1_000, Duration.ofSeconds(60), Duration.ofSeconds(30), 300_000,
                Duration.ofSeconds(30), 20, Duration.ofSeconds(300));
    }

    @Override
    String suite() {
        return "long";
    }
}
