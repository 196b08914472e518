package dev.tollgate.meter;

import java.util.Map;

/**
 * Usage added up over a query.
 *
 * @param requests answers delivered in full (status ok) — what the upstreams served
 * @param byStatus every metered request by how it ended
 * @param byModel the same totals per client-facing model
 * @param costMicros what the requests cost, in micro-units per currency (models without a price are not counted)
 */
public record UsageSummary(
        String tenant,
        long requests,
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long reasoningTokens,
        long estimatedRequests,
        Map<String, Long> byStatus,
        Map<String, ModelTotals> byModel,
        Map<String, Long> costMicros) {

    public UsageSummary {
        costMicros = costMicros == null ? Map.of() : Map.copyOf(costMicros);
    }

    public UsageSummary(
            String tenant,
            long requests,
            long promptTokens,
            long completionTokens,
            long cachedTokens,
            long reasoningTokens,
            long estimatedRequests,
            Map<String, Long> byStatus,
            Map<String, ModelTotals> byModel) {
        this(
                tenant,
                requests,
                promptTokens,
                completionTokens,
                cachedTokens,
                reasoningTokens,
                estimatedRequests,
                byStatus,
                byModel,
                Map.of());
    }

    /** @param costMicros what the model's requests cost, in micro-units per currency */
    public record ModelTotals(long requests, long promptTokens, long completionTokens, Map<String, Long> costMicros) {
        public ModelTotals {
            costMicros = costMicros == null ? Map.of() : Map.copyOf(costMicros);
        }

        public ModelTotals(long requests, long promptTokens, long completionTokens) {
            this(requests, promptTokens, completionTokens, Map.of());
        }
    }
}
