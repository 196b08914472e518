package dev.tollgate.admit;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an admitted request holds: the tokens it was admitted with (an estimate of its prompt) and, for a stream, a
 * stream slot. {@link #settle} replaces the estimate by the real count once the usage is known; {@link #release}
 * frees the stream slot when the answer is over. Both happen at most once, whatever the order and however often
 * they are called, so every path out of a request may call them.
 */
public final class Ticket {
    /** The ticket of a request no limit applies to. */
    public static final Ticket NONE = new Ticket(null, null, null, 0, false);

    private final Scope key;
    private final Scope project;
    private final Scope tenant;
    private final long estimatedTokens;
    private final boolean stream;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    Ticket(Scope key, Scope project, Scope tenant, long estimatedTokens, boolean stream) {
        this.key = key;
        this.project = project;
        this.tenant = tenant;
        this.estimatedTokens = estimatedTokens;
        this.stream = stream;
    }

    public long estimatedTokens() {
        return estimatedTokens;
    }

    /** Corrects the token buckets to {@code actualTokens} (prompt + completion as the upstream counted them). */
    public void settle(long actualTokens) {
        if ((key == null && project == null && tenant == null) || !settled.compareAndSet(false, true)) {
            return;
        }
        long delta = actualTokens - estimatedTokens;
        if (key != null) {
            key.correct(delta);
        }
        if (project != null) {
            project.correct(delta);
        }
        if (tenant != null) {
            tenant.correct(delta);
        }
    }

    /** The answer is over: frees the stream slot. An unsettled ticket keeps its estimate. */
    public void release() {
        if (!stream || !released.compareAndSet(false, true)) {
            return;
        }
        if (key != null) {
            key.endStream();
        }
        if (project != null) {
            project.endStream();
        }
        if (tenant != null) {
            tenant.endStream();
        }
    }
}
