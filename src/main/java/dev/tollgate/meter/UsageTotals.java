package dev.tollgate.meter;

/**
 * Usage of one tenant on one model over a period: the rows of the operator's overview.
 *
 * @param requests answers delivered in full (status ok)
 * @param failed metered requests that did not end ok (cut, client closed, upstream failed or rejected)
 */
public record UsageTotals(
        String tenant,
        String model,
        long requests,
        long failed,
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long reasoningTokens) {}
