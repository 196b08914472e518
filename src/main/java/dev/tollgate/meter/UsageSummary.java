package dev.tollgate.meter;

import java.util.Map;

/**
 * Usage added up over a query.
 *
 * @param requests answers delivered in full (status ok) — what the upstreams served
 * @param byStatus every metered request by how it ended
 * @param byModel the same totals per client-facing model
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
        Map<String, ModelTotals> byModel) {

    public record ModelTotals(long requests, long promptTokens, long completionTokens) {}
}
