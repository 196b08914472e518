package dev.tollgate.sim;

import java.util.Map;

/**
 * Totals over the successful answers the simulator wrote completely; errors, faults and cut streams are not counted.
 *
 * @param byModel the same totals per requested model name
 */
public record SimulatorStats(long requests, long promptTokens, long completionTokens, Map<String, ModelStats> byModel) {

    public SimulatorStats {
        byModel = Map.copyOf(byModel);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    public record ModelStats(long requests, long promptTokens, long completionTokens) {}
}
