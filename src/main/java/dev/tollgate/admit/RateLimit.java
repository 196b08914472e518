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
    /** Bucket4j refills at most one unit per nanosecond. */
    public static final long MAX_PER_MINUTE = 60_000_000_000L;

    public RateLimit {
        if (requestsPerMinute < 0 || tokensPerMinute < 0 || concurrentStreams < 0) {
            throw new IllegalArgumentException("rate limits are zero (none) or positive");
        }
        if (requestsPerMinute > MAX_PER_MINUTE || tokensPerMinute > MAX_PER_MINUTE) {
            throw new IllegalArgumentException("at most " + MAX_PER_MINUTE + " per minute");
        }
    }

    public boolean isNone() {
        return requestsPerMinute == 0 && tokensPerMinute == 0 && concurrentStreams == 0;
    }
}
