package io.lokiconnect.common.config;

import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;

/**
 * How every plugin checks the rules that span keys, one way: the config class lists the problems its values have
 * ({@code crossKeyProblems()}); its constructor throws the first ({@link #enforce}), so a task or transform never
 * starts with them, and the connector's {@code validate()} reports each on its key ({@link #report}), so the
 * REST validate endpoint and the UI show all of them.
 */
public final class CrossKeyRules {

    private CrossKeyRules() {
    }

    /** Throws the first problem as a {@code ConfigException} naming its key. */
    public static void enforce(List<ConfigProblem> problems) {
        if (!problems.isEmpty()) {
            throw problems.get(0).toException();
        }
    }

    /**
     * Adds each problem to the {@link ConfigValue} of its key. Runs the rules only when every key passed its own
     * validator: the rules read parsed values, which a bad key does not have.
     */
    public static Config report(Config validated, Supplier<List<ConfigProblem>> problems) {
        if (!keysValid(validated)) {
            return validated;
        }
        for (ConfigProblem problem : problems.get()) {
            validated.configValues().stream()
                    .filter(v -> v.name().equals(problem.key()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no config value for key " + problem.key()))
                    .addErrorMessage(problem.toException().getMessage());
        }
        return validated;
    }

    /** True when no key of {@code validated} has an error. */
    public static boolean keysValid(Config validated) {
        return validated.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
    }
}
