package dev.tollgate.config;

import java.time.Duration;

/**
 * How the gateway routes around failing deployments: retries of a whole request and the circuit breaker every
 * deployment has.
 *
 * @param retries how many times a request is tried again after every deployment failed retryably (default 2)
 * @param backoffBase base of the exponential back-off with full jitter between retries (default 100 ms); a
 *     {@code retry-after} from the upstream replaces it
 * @param breaker the circuit breaker of each deployment
 */
public record Routing(int retries, Duration backoffBase, Breaker breaker) {
    public static final Routing DEFAULTS = new Routing(2, Duration.ofMillis(100), Breaker.DEFAULTS);

    /**
     * A count-based circuit breaker per deployment.
     *
     * @param failureRate percentage of failed attempts among the last {@code window} that opens the breaker
     * @param minimumCalls attempts needed before the failure rate is judged
     * @param window how many recent attempts the failure rate is computed over
     * @param consecutiveFailures this many failures in a row open the breaker whatever the rate (0: off)
     * @param openFor how long an open breaker keeps its deployment behind the healthy ones
     * @param halfOpenCalls probe requests let through after {@code openFor}; they decide whether it closes again
     */
    public record Breaker(
            int failureRate,
            int minimumCalls,
            int window,
            int consecutiveFailures,
            Duration openFor,
            int halfOpenCalls) {
        public static final Breaker DEFAULTS = new Breaker(50, 10, 20, 5, Duration.ofSeconds(10), 3);
    }
}
