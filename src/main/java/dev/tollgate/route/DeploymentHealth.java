package dev.tollgate.route;

import dev.tollgate.config.Routing;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The passive health of one deployment: a resilience4j circuit breaker fed with the outcome of every attempt, the
 * failures in a row, a moving average of the latency to the first byte and counters per failure kind. Safe to use
 * from every event loop at once.
 */
public final class DeploymentHealth {
    /** What the admin API shows of one deployment's health. */
    public record Snapshot(
            String id,
            CircuitBreaker.State state,
            float failureRate,
            int recentCalls,
            int recentFailures,
            int consecutiveFailures,
            long latencyMillis,
            Instant openedAt,
            Map<AttemptFailure, Long> failures) {}

    private static final double ALPHA = 0.2;

    private final String id;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final int consecutiveLimit;
    private final AtomicInteger consecutive = new AtomicInteger();
    private final AtomicLong latencyMicros = new AtomicLong(-1);
    private final Map<AttemptFailure, LongAdder> failures = new EnumMap<>(AttemptFailure.class);
    private volatile Instant openedAt;

    DeploymentHealth(String id, Routing.Breaker settings, Clock clock) {
        this.id = id;
        this.clock = clock;
        this.consecutiveLimit = settings.consecutiveFailures();
        for (AttemptFailure f : AttemptFailure.values()) {
            failures.put(f, new LongAdder());
        }
        this.breaker = CircuitBreaker.of(
                id,
                CircuitBreakerConfig.custom()
                        .slidingWindow(
                                settings.window(),
                                settings.minimumCalls(),
                                CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .failureRateThreshold(settings.failureRate())
                        .waitDurationInOpenState(settings.openFor())
                        .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                        .automaticTransitionFromOpenToHalfOpenEnabled(false)
                        .writableStackTraceEnabled(false)
                        .clock(clock)
                        .build());
        // No event consumer on purpose: with one registered, resilience4j builds an event (with a ZonedDateTime) for
        // every recorded call. Transitions to open only happen in onSuccess/onError/transitionToOpenState, so they
        // are noticed there (noteTransition).
    }

    private void noteTransition(CircuitBreaker.State before) {
        CircuitBreaker.State now = breaker.getState();
        if (now != before) {
            openedAt = now == CircuitBreaker.State.OPEN || now == CircuitBreaker.State.FORCED_OPEN
                    ? clock.instant()
                    : null;
        }
    }

    public String id() {
        return id;
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** Asks for a slot: always granted when closed, a probe slot when half-open, refused while open. */
    boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    /** Gives back a slot that {@link #tryAcquire} granted and no attempt used. */
    void release() {
        breaker.releasePermission();
    }

    /** An attempt got its first byte after {@code nanos}; {@code permitted} when it held a breaker slot. */
    void succeeded(long nanos, boolean permitted) {
        consecutive.set(0);
        long micros = TimeUnit.NANOSECONDS.toMicros(nanos);
        latencyMicros.updateAndGet(old -> old < 0 ? micros : Math.round(old + ALPHA * (micros - old)));
        if (permitted) {
            CircuitBreaker.State before = breaker.getState();
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            noteTransition(before);
        }
    }

    /** An attempt failed after {@code nanos}; {@code permitted} when it held a breaker slot. */
    void failed(AttemptFailure kind, long nanos, boolean permitted) {
        failures.get(kind).increment();
        int inARow = consecutive.incrementAndGet();
        CircuitBreaker.State before = breaker.getState();
        if (permitted) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, new AttemptFailedException(kind));
        }
        if (consecutiveLimit > 0 && inARow >= consecutiveLimit && breaker.getState() == CircuitBreaker.State.CLOSED) {
            breaker.transitionToOpenState();
        }
        noteTransition(before);
    }

    /** The moving average of the time to first byte in microseconds, -1 when never measured (or just ejected). */
    long latencyMicros() {
        return latencyMicros.get();
    }

    /**
     * An active health check found the deployment's host serving: an open breaker goes half-open at once, so the next
     * requests probe it without waiting out {@code open_for}. A closed or half-open breaker is left to real traffic.
     */
    boolean probeSucceeded() {
        CircuitBreaker.State before = breaker.getState();
        if (before == CircuitBreaker.State.OPEN) {
            breaker.transitionToHalfOpenState();
            noteTransition(before);
            return true;
        }
        return false;
    }

    /**
     * An active health check found the host down: a closed or half-open breaker opens now, before requests pay for
     * the discovery; an open one stays open from now, so no request probes a host known to be down.
     */
    boolean probeFailed(AttemptFailure kind) {
        failures.get(kind).increment();
        CircuitBreaker.State before = breaker.getState();
        if (before == CircuitBreaker.State.CLOSED || before == CircuitBreaker.State.HALF_OPEN) {
            breaker.transitionToOpenState();
            noteTransition(before);
            return true;
        }
        if (before == CircuitBreaker.State.OPEN) {
            openedAt = clock.instant();
            breaker.transitionToOpenState(); // restarts resilience4j's own open_for
        }
        return false;
    }

    /**
     * Outlier ejection: opens the breaker of a deployment far slower than its peers and forgets its average, so the
     * half-open probes after {@code open_for} measure it afresh rather than against its old slowness.
     */
    void eject() {
        CircuitBreaker.State before = breaker.getState();
        if (before == CircuitBreaker.State.CLOSED || before == CircuitBreaker.State.HALF_OPEN) {
            breaker.transitionToOpenState();
            noteTransition(before);
        }
        latencyMicros.set(-1);
    }

    /**
     * Whether a request planned now would try this deployment among the healthy ones: closed, half-open, or open
     * with its {@code open_for} over (the next request becomes a probe). Reads state only; takes no slot.
     */
    boolean looksAvailable(java.time.Duration openFor) {
        CircuitBreaker.State s = breaker.getState();
        if (s == CircuitBreaker.State.OPEN) {
            Instant since = openedAt;
            return since != null && clock.instant().isAfter(since.plus(openFor)); // as resilience4j: strictly after
        }
        return s != CircuitBreaker.State.FORCED_OPEN;
    }

    public Snapshot snapshot() {
        CircuitBreaker.Metrics m = breaker.getMetrics();
        Map<AttemptFailure, Long> counts = new EnumMap<>(AttemptFailure.class);
        failures.forEach((k, v) -> counts.put(k, v.sum()));
        long micros = latencyMicros.get();
        return new Snapshot(
                id,
                breaker.getState(),
                m.getFailureRate(),
                m.getNumberOfBufferedCalls(),
                m.getNumberOfFailedCalls(),
                consecutive.get(),
                micros < 0 ? -1 : TimeUnit.MICROSECONDS.toMillis(micros),
                openedAt,
                counts);
    }

    /** What the breaker records as the cause of a failed call; no stack trace, it is a value. */
    static final class AttemptFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AttemptFailedException(AttemptFailure kind) {
            super(kind.name(), null, false, false);
        }
    }
}
