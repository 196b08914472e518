package dev.tollgate.sim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/** Thread-safe running totals behind {@link SimulatorStats}; event loops add, test threads read. */
final class StatsCounter {
    private final Totals all = new Totals();
    private final Map<String, Totals> byModel = new ConcurrentHashMap<>();

    private static final class Totals {
        final LongAdder requests = new LongAdder();
        final LongAdder promptTokens = new LongAdder();
        final LongAdder completionTokens = new LongAdder();

        void add(long prompt, long completion) {
            requests.increment();
            promptTokens.add(prompt);
            completionTokens.add(completion);
        }
    }

    void completed(String model, long promptTokens, long completionTokens) {
        all.add(promptTokens, completionTokens);
        byModel.computeIfAbsent(model, m -> new Totals()).add(promptTokens, completionTokens);
    }

    SimulatorStats snapshot() {
        Map<String, SimulatorStats.ModelStats> models = byModel.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(
                        Map.Entry::getKey,
                        e -> new SimulatorStats.ModelStats(
                                e.getValue().requests.sum(),
                                e.getValue().promptTokens.sum(),
                                e.getValue().completionTokens.sum())));
        return new SimulatorStats(all.requests.sum(), all.promptTokens.sum(), all.completionTokens.sum(), models);
    }

    void reset() {
        all.requests.reset();
        all.promptTokens.reset();
        all.completionTokens.reset();
        byModel.clear();
    }
}
