package dev.tollgate.observe;

import dev.tollgate.guard.Action;
import dev.tollgate.guard.Guard;
import dev.tollgate.guard.Verdict;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.route.DeploymentHealth;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics.
 *
 * <p>Request, token and latency metrics are derived from usage records on the usage-store thread, after the records
 * are stored ({@link #recordStored}), so the event loops pay nothing for them and a metric never counts a request
 * that has no usage record. They lag the answers by the ledger's batching delay (tens of milliseconds). Gauges
 * (requests in flight, ledger backlog, circuit breakers) are read when Prometheus scrapes.
 *
 * <p>Labels are bounded by the configuration (model, provider, deployment, endpoint, status); tenants and keys are
 * deliberately not labels, as their number is not bounded: per-tenant figures come from the admin usage API.
 */
public final class GatewayMetrics {
    /** What the gauges read; every supplier must be cheap and safe to call from any thread. */
    public record Sources(
            Supplier<Long> inFlight,
            Supplier<Long> ledgerBacklog,
            Supplier<List<DeploymentHealth.Snapshot>> deployments) {}

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MultiGauge breakerState;
    private final MultiGauge breakerFailureRate;
    private final Supplier<List<DeploymentHealth.Snapshot>> deployments;
    private final Counter reloadsApplied;
    private final ConcurrentMap<Series.Key, Series> series = new ConcurrentHashMap<>();

    public GatewayMetrics(Sources sources) {
        this.deployments = sources.deployments();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gauge("tollgate.requests.in.flight", "Requests being served now", sources.inFlight());
        gauge("tollgate.ledger.backlog", "Usage records journaled but not yet in the store", sources.ledgerBacklog());
        breakerState = MultiGauge.builder("tollgate.deployment.breaker.state")
                .description("Circuit breaker of a deployment: 0 closed, 1 half-open, 2 open, 3 other")
                .register(registry);
        breakerFailureRate = MultiGauge.builder("tollgate.deployment.failure.rate")
                .description("Failure rate (percent) over the breaker's recent calls; -1 until enough calls")
                .register(registry);
        reloadsApplied = Counter.builder("tollgate.config.reloads")
                .description("Configuration changes applied while running")
                .register(registry);
    }

    private void gauge(String name, String help, Supplier<? extends Number> source) {
        Gauge.builder(name, source, s -> {
                    Number n = s.get();
                    return n == null ? Double.NaN : n.doubleValue();
                })
                .description(help)
                // The suppliers are lambdas nobody else holds: a weak reference (the default) would lose them.
                .strongReference(true)
                .register(registry);
    }

    /** Counts stored usage records; called on the usage-store thread with each stored batch. */
    public void recordStored(List<UsageRecord> records) {
        for (UsageRecord r : records) {
            Series.Key key = new Series.Key(
                    r.endpoint(),
                    r.model(),
                    r.provider() == null ? "none" : r.provider(),
                    r.status().wire());
            Series s = series.computeIfAbsent(key, k -> new Series(registry, k));
            s.requests.increment();
            s.duration.record(r.latencyMillis(), TimeUnit.MILLISECONDS);
            s.attempts.record(r.attempts());
            s.promptTokens.increment(r.usage().promptTokens());
            s.completionTokens.increment(r.usage().completionTokens());
            s.cachedTokens.increment(r.usage().cachedTokens());
            s.reasoningTokens.increment(r.usage().reasoningTokens());
            if (r.estimated()) {
                s.estimated.increment();
            }
        }
    }

    /**
     * The meters of one label combination, looked up once: building meter ids per record would cost more than the
     * counting itself.
     */
    private static final class Series {
        record Key(String endpoint, String model, String provider, String status) {}

        final Counter requests;
        final Timer duration;
        final DistributionSummary attempts;
        final Counter promptTokens;
        final Counter completionTokens;
        final Counter cachedTokens;
        final Counter reasoningTokens;
        final Counter estimated;

        Series(PrometheusMeterRegistry registry, Key k) {
            Tags tags = Tags.of(
                    "endpoint", k.endpoint(), "model", k.model(), "provider", k.provider(), "status", k.status());
            requests = Counter.builder("tollgate.requests")
                    .description("Requests with a usage record, by outcome")
                    .tags(tags)
                    .register(registry);
            duration = Timer.builder("tollgate.request.duration")
                    .description("Time from the request's arrival to the end of its answer")
                    .tags(tags)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry);
            attempts = DistributionSummary.builder("tollgate.request.attempts")
                    .description("Upstream attempts per request (fallbacks and retries included)")
                    .tags(tags)
                    .register(registry);
            promptTokens = tokens(registry, tags, "prompt");
            completionTokens = tokens(registry, tags, "completion");
            cachedTokens = tokens(registry, tags, "cached");
            reasoningTokens = tokens(registry, tags, "reasoning");
            estimated = Counter.builder("tollgate.usage.estimated")
                    .description("Usage records whose tokens were estimated (stream cut before usage arrived)")
                    .tags(tags)
                    .register(registry);
        }

        private static Counter tokens(PrometheusMeterRegistry registry, Tags tags, String kind) {
            return Counter.builder("tollgate.tokens")
                    .description("Tokens served, as reported by the upstream (or estimated when marked so)")
                    .tags(tags.and("kind", kind))
                    .register(registry);
        }
    }

    /**
     * The guard's meters, read at scrape: accounts per verdict in force, verdict changes, refused requests per action,
     * the feed's queue depth and its observed, dropped and failed samples.
     */
    public void bindGuard(Guard guard) {
        for (Verdict v : Verdict.values()) {
            if (v != Verdict.CLEAR) {
                Gauge.builder(
                                "tollgate.guard.accounts",
                                guard,
                                g -> g.detector().verdictCounts()[v.ordinal()])
                        .description("Accounts with this verdict in force (detector, override or allowlist)")
                        .tag("verdict", v.wire())
                        .register(registry);
            }
            FunctionCounter.builder(
                            "tollgate.guard.verdict.changes",
                            guard,
                            g -> g.counts().changesTo()[v.ordinal()])
                    .description("Changes of an account's verdict in force, by the new verdict")
                    .tag("verdict", v.wire())
                    .register(registry);
        }
        for (Action a : Action.values()) {
            if (a != Action.FLAG) {
                FunctionCounter.builder(
                                "tollgate.guard.refusals",
                                guard,
                                g -> g.counts().refusals()[a.ordinal()])
                        .description("Requests refused or held back by a guard action")
                        .tag("action", a.wire())
                        .register(registry);
            }
        }
        Gauge.builder("tollgate.guard.queue.depth", guard, g -> g.counts().queued())
                .description("Completed exchanges waiting for the detector")
                .register(registry);
        FunctionCounter.builder("tollgate.guard.samples", guard, g -> g.counts().observed())
                .description("Completed exchanges handed to the guard, by outcome")
                .tag("outcome", "observed")
                .register(registry);
        FunctionCounter.builder("tollgate.guard.samples", guard, g -> g.counts().dropped())
                .description("Completed exchanges handed to the guard, by outcome")
                .tag("outcome", "dropped")
                .register(registry);
        FunctionCounter.builder("tollgate.guard.samples", guard, g -> g.counts().failed())
                .description("Completed exchanges handed to the guard, by outcome")
                .tag("outcome", "unreadable")
                .register(registry);
    }

    public void reloadApplied() {
        reloadsApplied.increment();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        List<MultiGauge.Row<?>> states = new ArrayList<>();
        List<MultiGauge.Row<?>> rates = new ArrayList<>();
        for (DeploymentHealth.Snapshot d : deployments.get()) {
            Tags tags = Tags.of("deployment", d.id());
            states.add(MultiGauge.Row.of(tags, stateValue(d.state())));
            rates.add(MultiGauge.Row.of(tags, d.failureRate()));
        }
        breakerState.register(states, true);
        breakerFailureRate.register(rates, true);
        return registry.scrape();
    }

    /** The content type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    private static int stateValue(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
            default -> 3;
        };
    }
}
