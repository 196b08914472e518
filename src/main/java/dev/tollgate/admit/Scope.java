package dev.tollgate.admit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The counters of one limited scope (a tenant or a key): Bucket4j buckets for requests and tokens per minute, and a
 * plain counter of open streams. Buckets refill greedily (continuously), so a scope that used its minute gets back
 * one request every {@code 60 s / rpm} rather than all of them at the top of the next minute.
 */
final class Scope {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    final String kind;
    final String name;
    final RateLimit limit;
    final Bucket requests;
    final Bucket tokens;
    /** Shared with the scope this one replaced after a reload: streams opened before the reload still count. */
    final AtomicInteger streams;

    Scope(String kind, String name, RateLimit limit, TimeMeter time, AtomicInteger streams) {
        this.kind = kind;
        this.name = name;
        this.limit = limit;
        this.requests = bucket(limit.requestsPerMinute(), time);
        this.tokens = bucket(limit.tokensPerMinute(), time);
        this.streams = streams;
    }

    private static Bucket bucket(long perMinute, TimeMeter time) {
        if (perMinute == 0) {
            return null;
        }
        return Bucket.builder()
                .addLimit(b -> b.capacity(perMinute).refillGreedy(perMinute, MINUTE))
                .withCustomTimePrecision(time)
                .build();
    }

    /**
     * Takes one request, {@code tokens} tokens and (for a stream) a stream slot, all or nothing; returns null when
     * taken, else the refusal. {@code quota} is narrowed to this scope where it is tighter.
     */
    Decision.Refused take(long tokens, boolean stream, QuotaBuilder quota) {
        ConsumptionProbe r = null;
        if (requests != null) {
            r = requests.tryConsumeAndReturnRemaining(1);
            quota.requests(limit.requestsPerMinute(), r.getRemainingTokens(), r.getNanosToWaitForReset());
            if (!r.isConsumed()) {
                return refusal(
                        "requests",
                        r.getNanosToWaitForRefill(),
                        quota,
                        limit.requestsPerMinute() + " requests per minute");
            }
        }
        if (this.tokens != null) {
            long capacity = limit.tokensPerMinute();
            if (tokens > capacity) {
                giveBack(r != null, 0, false);
                return new Decision.Refused(
                        kind,
                        "tokens",
                        60,
                        quota.build(),
                        "This request's prompt is estimated at " + tokens + " tokens, more than the "
                                + kind + " '" + name + "' may use in a minute (" + capacity
                                + " tokens per minute): shorten it or ask for a higher limit.");
            }
            ConsumptionProbe t = this.tokens.tryConsumeAndReturnRemaining(tokens);
            quota.tokens(capacity, t.getRemainingTokens(), t.getNanosToWaitForReset());
            if (!t.isConsumed()) {
                giveBack(r != null, 0, false);
                return refusal("tokens", t.getNanosToWaitForRefill(), quota, capacity + " tokens per minute");
            }
        }
        if (stream && limit.concurrentStreams() > 0) {
            if (streams.incrementAndGet() > limit.concurrentStreams()) {
                streams.decrementAndGet();
                giveBack(r != null, tokens, false);
                // A stream slot frees when some stream ends, which cannot be predicted; one second is a polite poll.
                return refusal("streams", 1_000_000_000L, quota, limit.concurrentStreams() + " concurrent streams");
            }
        }
        return null;
    }

    /** Undoes a successful {@link #take} (when a later scope refused the request). */
    void giveBack(boolean request, long tokens, boolean stream) {
        if (request && requests != null) {
            requests.addTokens(1);
        }
        if (tokens > 0 && this.tokens != null) {
            this.tokens.addTokens(tokens);
        }
        if (stream && limit.concurrentStreams() > 0) {
            streams.decrementAndGet();
        }
    }

    /** The real token count differs from what was taken: take the rest (into debt if need be) or give back. */
    void correct(long delta) {
        if (tokens == null || delta == 0) {
            return;
        }
        if (delta > 0) {
            tokens.consumeIgnoringRateLimits(delta);
        } else {
            tokens.addTokens(-delta);
        }
    }

    void endStream() {
        if (limit.concurrentStreams() > 0) {
            streams.decrementAndGet();
        }
    }

    private Decision.Refused refusal(String dimension, long waitNanos, QuotaBuilder quota, String what) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return new Decision.Refused(
                kind,
                dimension,
                seconds,
                quota.build(),
                "Rate limit reached for " + kind + " '" + name + "': " + what + ". Try again in " + seconds + " s.");
    }
}
