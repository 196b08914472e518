package dev.tollgate.server;

import java.util.random.RandomGenerator;

/**
 * How long to wait before another pass over a model's deployments once all of them failed: what the upstream asked
 * for ({@code retry-after}) plus a little jitter, else exponential back-off with full jitter. The same rule as the
 * fast path's {@code Exchange}, so a translated request is retried exactly like a byte-spliced one.
 */
final class RetryWait {
    private RetryWait() {}

    /**
     * @param baseMillis {@code routing.backoff_base}
     * @param retriesSoFar how many retry passes already ran (0 before the first)
     * @param retryAfterMillis what the last upstream asked to wait, -1 when it did not say
     */
    static long millis(long baseMillis, int retriesSoFar, long retryAfterMillis, RandomGenerator random) {
        if (retryAfterMillis >= 0) {
            // Callers told the same wait should not all come back in the same millisecond.
            long jitter = Math.max(1, Math.min(baseMillis, retryAfterMillis / 10 + 1));
            return retryAfterMillis + random.nextLong(jitter);
        }
        long cap = baseMillis << Math.min(retriesSoFar, 20);
        return random.nextLong(Math.max(1, cap) + 1); // full jitter: uniform in [0, base * 2^retry]
    }
}
