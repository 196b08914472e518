package dev.tollgate.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects problems instead of stopping at the first, so one run reports everything that needs fixing. */
final class Problems {
    private final Path file;
    private final List<ConfigProblem> found = new ArrayList<>();
    private final Set<Position> explained = new HashSet<>();

    Problems(Path file) {
        this.file = file;
    }

    void add(Position at, String field, String message) {
        // An unset variable leaves an empty value behind; saying "must not be empty" there as well is just noise.
        if (!explained.contains(at)) {
            found.add(new ConfigProblem(file, at.line(), at.column(), field, message));
        }
    }

    /** Records a root cause at {@code at} and silences the follow-up problems other checks would find there. */
    void addRootCause(Position at, String field, String message) {
        found.add(new ConfigProblem(file, at.line(), at.column(), field, message));
        explained.add(at);
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    ConfigException toException() {
        List<ConfigProblem> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
        return new ConfigException(sorted);
    }
}
