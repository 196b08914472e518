package dev.tollgate.config;

import java.util.Comparator;

/** A 1-based line and column in the original file (before environment substitution). */
record Position(int line, int column) implements Comparable<Position> {
    static final Position FILE = new Position(0, 0);

    private static final Comparator<Position> ORDER =
            Comparator.comparingInt(Position::line).thenComparingInt(Position::column);

    @Override
    public int compareTo(Position other) {
        return ORDER.compare(this, other);
    }
}
