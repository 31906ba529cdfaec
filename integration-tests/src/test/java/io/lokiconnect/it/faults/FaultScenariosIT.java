package io.lokiconnect.it.faults;

import java.time.Duration;

/**
 * The short variants of the fault scenarios, run by {@code mvn -B verify} (CI): 10 s of steady load at 300 lines/s
 * per scenario, a 10 s outage, a 6 s 429 storm, 30,000 lines at full speed for the rotation storms.
 */
class FaultScenariosIT extends FaultScenarios {

    @Override
    Scale scale() {
        return new Scale(Duration.ofSeconds(10), 300, Duration.ofSeconds(10), Duration.ofSeconds(6), 30_000,
                Duration.ofSeconds(5), 3, Duration.ofSeconds(120));
    }

    @Override
    String suite() {
        return "short";
    }
}
