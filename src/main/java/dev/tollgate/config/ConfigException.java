package dev.tollgate.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration file that cannot be used. Lists every problem found, so one edit can fix them all. */
public final class ConfigException extends Exception {
    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(describe(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String describe(List<ConfigProblem> problems) {
        String heading = problems.size() == 1 ? "invalid configuration:" : problems.size() + " configuration problems:";
        return problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n", heading + "\n", ""));
    }
}
