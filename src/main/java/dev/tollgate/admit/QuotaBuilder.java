package dev.tollgate.admit;

/** Collects the tightest remaining quota per dimension over the scopes of one decision. */
final class QuotaBuilder {
    private long limitRequests = -1;
    private long remainingRequests = Long.MAX_VALUE;
    private long resetRequests;
    private long limitTokens = -1;
    private long remainingTokens = Long.MAX_VALUE;
    private long resetTokens;

    void requests(long limit, long remaining, long resetNanos) {
        if (limitRequests < 0 || remaining < remainingRequests) {
            limitRequests = limit;
            remainingRequests = remaining;
            resetRequests = resetNanos;
        }
    }

    void tokens(long limit, long remaining, long resetNanos) {
        if (limitTokens < 0 || remaining < remainingTokens) {
            limitTokens = limit;
            remainingTokens = remaining;
            resetTokens = resetNanos;
        }
    }

    Quota build() {
        return new Quota(
                limitRequests,
                limitRequests < 0 ? -1 : Math.max(0, remainingRequests),
                resetRequests,
                limitTokens,
                limitTokens < 0 ? -1 : Math.max(0, remainingTokens),
                resetTokens);
    }
}
