package dev.tollgate.admit;

import io.github.bucket4j.TimeMeter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Rate limits per key and per tenant, checked before a request is sent: requests per minute, tokens per minute (the
 * prompt estimated before the call, corrected to the upstream's count after) and concurrent streams. All counters
 * are in memory (Bucket4j local buckets, lock-free CAS), so a check does no I/O; on several instances each one
 * enforces the limits on its own share of the traffic (docs/billing.md).
 *
 * <p>Scopes are created on first use and rebuilt when their limits change on a reload (the minute starts afresh;
 * open streams are carried over). One scope per key and per tenant that has limits: bounded by the number of keys.
 */
public final class Admission {
    private final TimeMeter time;
    private final ConcurrentHashMap<String, Scope> tenants = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Scope> keys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Scope> projects = new ConcurrentHashMap<>();

    public Admission() {
        this(System::nanoTime);
    }

    /** With a clock of nanoseconds (tests move it by hand). */
    public Admission(LongSupplier nanoTime) {
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoTime.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
    }

    /**
     * Decides whether a request may go on.
     *
     * @param estimatedTokens the prompt's estimated tokens (taken from the tokens-per-minute buckets now)
     * @param stream whether the answer is streamed (takes a stream slot until {@link Ticket#release})
     */
    public Decision admit(String tenant, String keyId, TenantLimits limits, long estimatedTokens, boolean stream) {
        return admit(tenant, null, keyId, limits, RateLimit.NONE, estimatedTokens, stream);
    }

    /**
     * The same with the limits of the key's project too (checked between the key and the tenant).
     *
     * @param project the key's project, or null
     */
    public Decision admit(
            String tenant,
            String project,
            String keyId,
            TenantLimits limits,
            RateLimit projectLimit,
            long estimatedTokens,
            boolean stream) {
        boolean projectLimited = project != null && !projectLimit.isNone();
        if (limits.isNone() && !projectLimited) {
            return UNLIMITED;
        }
        Scope k = limits.eachKey().isNone() ? null : scope(keys, "key", keyId, limits.eachKey());
        Scope p = projectLimited ? scope(projects, "project", tenant + "/" + project, projectLimit) : null;
        Scope t = limits.tenant().isNone() ? null : scope(tenants, "tenant", tenant, limits.tenant());
        // Every request costs at least one token: Bucket4j takes only positive amounts, and a scope in debt after an
        // underestimate must refuse even a request whose prompt was estimated at nothing.
        long tokens = Math.max(1, estimatedTokens);
        QuotaBuilder quota = new QuotaBuilder();
        if (k != null) {
            Decision.Refused refused = k.take(tokens, stream, quota);
            if (refused != null) {
                return refused;
            }
        }
        if (p != null) {
            Decision.Refused refused = p.take(tokens, stream, quota);
            if (refused != null) {
                if (k != null) {
                    k.giveBack(true, tokens, stream);
                }
                return refused;
            }
        }
        if (t != null) {
            Decision.Refused refused = t.take(tokens, stream, quota);
            if (refused != null) {
                if (k != null) {
                    k.giveBack(true, tokens, stream);
                }
                if (p != null) {
                    p.giveBack(true, tokens, stream);
                }
                return refused;
            }
        }
        return new Decision.Admitted(new Ticket(k, p, t, tokens, stream), quota.build());
    }

    private static final Decision.Admitted UNLIMITED = new Decision.Admitted(Ticket.NONE, Quota.UNLIMITED);

    private Scope scope(ConcurrentHashMap<String, Scope> scopes, String kind, String name, RateLimit limit) {
        Scope current = scopes.get(name);
        if (current != null && current.limit.equals(limit)) {
            return current;
        }
        return scopes.compute(name, (n, old) -> {
            if (old != null && old.limit.equals(limit)) {
                return old;
            }
            return new Scope(kind, n, limit, time, old == null ? new AtomicInteger() : old.streams);
        });
    }
}
