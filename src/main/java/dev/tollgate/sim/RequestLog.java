package dev.tollgate.sim;

import java.util.ArrayDeque;
import java.util.List;

/** The most recent requests, oldest first; bounded so a long benchmark run does not grow it without limit. */
final class RequestLog {
    static final int CAPACITY = 100;

    private final ArrayDeque<RecordedRequest> recent = new ArrayDeque<>(CAPACITY);

    synchronized void add(RecordedRequest request) {
        if (recent.size() == CAPACITY) {
            recent.removeFirst();
        }
        recent.addLast(request);
    }

    synchronized List<RecordedRequest> snapshot() {
        return List.copyOf(recent);
    }

    synchronized void clear() {
        recent.clear();
    }
}
