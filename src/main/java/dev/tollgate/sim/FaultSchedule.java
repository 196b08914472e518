package dev.tollgate.sim;

import java.util.Objects;

/**
 * Which fault the next chat or embedding request gets: a standing fault, optionally preceded by one that applies to a
 * limited number of requests (for "fail twice, then recover").
 */
final class FaultSchedule {
    private Fault standing = Fault.none();
    private Fault temporary = Fault.none();
    private int remaining;

    synchronized void set(Fault fault) {
        standing = Objects.requireNonNull(fault, "fault");
        remaining = 0;
    }

    synchronized void setFor(Fault fault, int times) {
        if (times < 0) {
            throw new IllegalArgumentException("times must not be negative");
        }
        temporary = Objects.requireNonNull(fault, "fault");
        remaining = times;
    }

    synchronized Fault next() {
        if (remaining > 0) {
            remaining--;
            return temporary;
        }
        return standing;
    }
}
