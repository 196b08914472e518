package dev.tollgate.guard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live guard: a bounded queue of completed exchanges, one thread that turns them into {@link Observation}s (the
 * replay's code path, {@link Observations}) and feeds the {@link Detector}, the actions each verdict calls for, and
 * the audit trail of every change.
 *
 * <p>The request path touches only {@link #offer} (a few field copies and a non-blocking queue offer: when the
 * queue is full the sample is dropped and counted, the request is never held) and {@link #check} (one lock-free map
 * read for an account with no verdict). Parsing the request, masking the prompt and every feature are the guard
 * thread's work.
 */
public final class Guard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Guard.class);
    /** Bytes of request bodies waiting at most, whatever the count: a queue of big prompts must not eat the heap. */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    private static final long MINUTE_NANOS = 60_000_000_000L;

    /**
     * One completed exchange as the request path hands it over: references and numbers only, no parsing.
     *
     * @param body the request as the caller sent it (OpenAI or Anthropic JSON); read on the guard thread
     * @param ip the caller's address; {@code paymentFp}, {@code clientFp} from request metadata headers (may be null)
     */
    public record Sample(
            Instant time,
            String account,
            String org,
            byte[] body,
            long promptTokens,
            long completionTokens,
            long reasoningTokens,
            String ip,
            String paymentFp,
            String clientFp) {}

    /** Why a request is refused: the action, HTTP status, stable code, message and (429) when to retry. */
    public record Refusal(Action action, int status, String code, String message, long retryAfterSeconds) {}

    /** Counts for metrics; all cheap to read from any thread. */
    public record Counts(
            long offered, long dropped, long observed, long failed, int queued, long[] changesTo, long[] refusals) {}

    private final Detector detector;
    private final GuardAudit store;
    private final ArrayBlockingQueue<Sample> queue;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LongAdder offered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong observed = new AtomicLong();
    private final LongAdder[] changesTo = adders(Verdict.values().length);
    private final LongAdder[] refusals = adders(Action.values().length);
    private final ConcurrentLinkedQueue<GuardAudit.Entry> pendingAudit = new ConcurrentLinkedQueue<>();
    /** Request counts of throttled accounts in the current minute; an entry lives while its account is throttled. */
    private final ConcurrentHashMap<String, Window> throttled = new ConcurrentHashMap<>();

    private final ObjectMapper json;
    private final Thread thread;
    private volatile GuardPolicy policy;
    private volatile boolean closing;

    private static final class Window {
        long start;
        int count;
    }

    /** Builds the detector from {@code settings} (the policy's allowlist added) and starts the guard thread. */
    public static Guard start(GuardPolicy policy, GuardSettings settings, GuardAudit store) {
        Guard g = new Guard(policy, settings, store);
        g.thread.start();
        return g;
    }

    private Guard(GuardPolicy policy, GuardSettings settings, GuardAudit store) {
        this.policy = policy;
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(policy.queueCapacity());
        this.detector = new Detector(settings.withAllowlist(policy.allowlist()), this::audit);
        this.json = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(
                        StreamReadConstraints.builder().maxNestingDepth(256).build())
                .build());
        this.thread = Thread.ofPlatform().name("tollgate-guard").daemon().unstarted(this::run);
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public Detector detector() {
        return detector;
    }

    public GuardPolicy policy() {
        return policy;
    }

    /** A new policy: actions apply from the next request, the allowlist from the next observation. */
    public void reconfigure(GuardPolicy next) {
        policy = next;
        detector.reconfigure(detector.settings().withAllowlist(next.allowlist()));
    }

    // ---- the request path ----

    /** Hands a completed exchange to the guard thread; false (and counted) when disabled or the queue is full. */
    public boolean offer(Sample sample) {
        if (!policy.enabled() || closing) {
            return false;
        }
        offered.increment();
        int size = sample.body() == null ? 0 : sample.body().length;
        if (queuedBytes.addAndGet(size) > MAX_QUEUED_BYTES || !queue.offer(sample)) {
            queuedBytes.addAndGet(-size);
            dropped.increment();
            return false;
        }
        return true;
    }

    /**
     * Whether the account's requests may pass now; null when they may (the common case: no verdict, one map read),
     * else the refusal to send.
     */
    public Refusal check(String tenant, String account) {
        Verdict verdict = detector.verdictOf(account);
        if (verdict == Verdict.CLEAR) {
            return null;
        }
        Action action = policy.action(tenant, verdict);
        Refusal refusal = switch (action) {
            case FLAG -> null;
            case THROTTLE -> throttle(account);
            case REQUIRE_VERIFICATION ->
                new Refusal(
                        action,
                        403,
                        "verification_required",
                        "This account must be verified before it may make more requests"
                                + " (verification_required): its traffic matches automated output harvesting."
                                + " Contact the operator of this gateway to verify the account.",
                        0);
            case BLOCK ->
                new Refusal(
                        action,
                        403,
                        "account_blocked",
                        "This account is blocked (account_blocked): its traffic matches automated harvesting of"
                                + " model outputs. Contact the operator of this gateway if this is wrong.",
                        0);
        };
        if (refusal != null) {
            refusals[action.ordinal()].increment();
        }
        return refusal;
    }

    private Refusal throttle(String account) {
        int perMinute = policy.throttlePerMinute();
        Window w = throttled.computeIfAbsent(account, k -> new Window());
        long now = System.nanoTime();
        long wait;
        synchronized (w) {
            if (w.count == 0 || now - w.start >= MINUTE_NANOS) {
                w.start = now;
                w.count = 0;
            }
            if (w.count < perMinute) {
                w.count++;
                return null;
            }
            wait = MINUTE_NANOS - (now - w.start);
        }
        return new Refusal(
                Action.THROTTLE,
                429,
                "account_throttled",
                "This account is throttled to " + perMinute + " requests per minute (account_throttled): its"
                        + " traffic matches automated harvesting of model outputs. Retry later or contact the"
                        + " operator of this gateway.",
                Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999L)));
    }

    // ---- operators ----

    /** Sets (or with a null verdict, lifts) an operator's verdict; audited like any change. */
    public Optional<AccountReport> override(String account, Verdict verdict, String reason, Instant at) {
        detector.override(account, verdict, reason, at);
        flushAudit();
        return detector.report(account);
    }

    /** The audit trail of an account, newest first (the store's, plus what is not written yet). */
    public List<GuardAudit.Entry> history(String account, int limit) throws Exception {
        flushAudit();
        return store.history(account, limit);
    }

    /** The action in force for an account of {@code tenant} now (null when none). */
    public Action actionOf(String tenant, String account) {
        return policy.action(tenant, detector.verdictOf(account));
    }

    public Counts counts() {
        long[] changes = new long[changesTo.length];
        for (int i = 0; i < changes.length; i++) {
            changes[i] = changesTo[i].sum();
        }
        long[] refused = new long[refusals.length];
        for (int i = 0; i < refused.length; i++) {
            refused[i] = refusals[i].sum();
        }
        return new Counts(offered.sum(), dropped.sum(), observed.get(), failed.sum(), queue.size(), changes, refused);
    }

    // ---- the guard thread ----

    private void run() {
        List<Sample> batch = new ArrayList<>(256);
        while (!closing || !queue.isEmpty()) {
            try {
                Sample first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, 255);
                    for (Sample s : batch) {
                        queuedBytes.addAndGet(-(s.body() == null ? 0 : s.body().length));
                        observe(s);
                    }
                    batch.clear();
                }
                flushAudit();
            } catch (InterruptedException e) {
                if (!closing) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (RuntimeException e) {
                log.error("guard thread: an observation failed; continuing", e);
            }
        }
        flushAudit();
    }

    /** Builds the observation the replay would build from the same request, and feeds it. */
    void observe(Sample s) {
        try {
            JsonNode request = s.body() == null ? json.createObjectNode() : json.readTree(s.body());
            if (request == null || !request.isObject()) {
                failed.increment();
                return;
            }
            detector.observe(Observations.of(
                    s.time(),
                    s.account(),
                    s.org(),
                    request,
                    s.promptTokens(),
                    s.completionTokens(),
                    s.reasoningTokens(),
                    new Observations.Fingerprints(s.ip(), s.paymentFp(), s.clientFp())));
            observed.incrementAndGet();
        } catch (java.io.IOException | RuntimeException e) {
            failed.increment();
            log.debug("guard: request of {} not observed: {}", s.account(), e.toString());
        }
    }

    /** The detector's callback, on whichever thread changed the verdict: log now, store soon. */
    private void audit(VerdictChange c) {
        Action action = policy.action(c.org(), c.to());
        changesTo[c.to().ordinal()].increment();
        if (c.to().compareTo(Verdict.SUSPECT) < 0 || action == null || action != Action.THROTTLE) {
            throttled.remove(c.account());
        }
        log.warn(
                "guard: account {} (tenant {}) {} -> {}, action {}, score {}, by {}; {}",
                c.account(),
                c.org(),
                c.from().wire(),
                c.to().wire(),
                action == null ? "none" : action.wire(),
                String.format(java.util.Locale.ROOT, "%.3f", c.score()),
                c.cause(),
                c.reasons());
        pendingAudit.add(new GuardAudit.Entry(
                c.time(), c.account(), c.org(), c.from(), c.to(), action, c.score(), c.cause(), c.reasons()));
    }

    /** Writes pending audit entries to the store; on failure they stay in the log only (and the error is logged). */
    synchronized void flushAudit() {
        if (pendingAudit.isEmpty()) {
            return;
        }
        List<GuardAudit.Entry> entries = new ArrayList<>();
        GuardAudit.Entry e;
        while ((e = pendingAudit.poll()) != null) {
            entries.add(e);
        }
        try {
            store.append(entries);
        } catch (Exception ex) {
            log.error("guard: {} audit entries could not be stored (they are in this log)", entries.size(), ex);
        }
    }

    /** Observes what is queued, writes the audit trail, and stops the guard thread. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushAudit();
    }
}
