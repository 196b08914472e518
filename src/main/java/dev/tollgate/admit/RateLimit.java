package dev.tollgate.admit;

/**
 * The rate limits of one scope (a tenant as a whole, or one key). Zero means "no limit" for that dimension.
 *
 * @param requestsPerMinute requests admitted per minute, refilled continuously (a burst of the whole minute is allowed)
 * @param tokensPerMinute input tokens (estimated before the call, corrected to the upstream's count after) plus output
 *     tokens, per minute
 * @param concurrentStreams streamed answers open at once
 */
public record RateLimit(long requestsPerMinute, long tokensPerMinute, int concurrentStreams) {
    public static final RateLimit NONE = new RateLimit(0, 0, 0);

    public RateLimit {
        if (requestsPerMinute < 0 || tokensPerMinute < 0 || concurrentStreams < 0) {
            throw new IllegalArgumentException("rate limits are zero (none) or positive");
        }
    }

    public boolean isNone() {
        return requestsPerMinute == 0 && tokensPerMinute == 0 && concurrentStreams == 0;
    }
}
