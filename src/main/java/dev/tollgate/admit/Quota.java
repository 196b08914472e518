package dev.tollgate.admit;

/**
 * What is left of the tightest limit per dimension after a decision, for the {@code x-ratelimit-*} headers. A
 * dimension without any limit has {@code limit == -1}.
 *
 * @param resetRequestsNanos time until the requests bucket of the tightest scope is full again
 * @param resetTokensNanos time until the tokens bucket of the tightest scope is full again
 */
public record Quota(
        long limitRequests,
        long remainingRequests,
        long resetRequestsNanos,
        long limitTokens,
        long remainingTokens,
        long resetTokensNanos) {
    public static final Quota UNLIMITED = new Quota(-1, -1, 0, -1, -1, 0);

    public boolean limitsRequests() {
        return limitRequests >= 0;
    }

    public boolean limitsTokens() {
        return limitTokens >= 0;
    }
}
