package dev.tollgate.server;

import dev.tollgate.admit.Admission;
import dev.tollgate.admit.BudgetSettings;
import dev.tollgate.admit.Credits;
import dev.tollgate.admit.Spending;
import dev.tollgate.meter.TokenEstimator;
import dev.tollgate.meter.UsageLedger;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.route.Deployment;
import dev.tollgate.route.RouteHealth;
import dev.tollgate.route.RoutePlanner;
import dev.tollgate.tenant.Principal;
import dev.tollgate.tenant.TenantDirectory;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.LoggerFactory;

/** What every event loop of the gateway shares. Everything here is safe to read from any thread. */
final class GatewayState {
    private final AtomicReference<RuntimeConfig> config;
    final TenantDirectory tenants;
    final UsageLedger ledger;
    final TokenEstimator estimator = new TokenEstimator();
    final RoutePlanner planner;
    final Clock clock;
    final RouteHealth health;
    final LongAdder inFlight = new LongAdder();
    final GatewayMetrics metrics;
    final Admission admission = new Admission();
    /** Grants and prepaid balances; loaded from the store at start-up. */
    final Credits credits;

    final Spending spending;
    /** Budgets set through the admin API (they override the file's per scope). */
    final BudgetSettings budgetSettings;
    /** The compliance policy hook after the planner (docs/policy.md). */
    final PolicyStep policy = new PolicyStep(this);
    /** Set last in the constructor: it registers itself with the ledger. */
    final AdmissionStep admit;
    /** The distillation guard; set by {@link Gateway#start} (it needs the store) before any listener starts. */
    GuardStep guard;

    GatewayState(RuntimeConfig config, TenantDirectory tenants, UsageLedger ledger, Clock clock) {
        this(config, tenants, ledger, clock, new Credits(), new BudgetSettings());
    }

    GatewayState(
            RuntimeConfig config,
            TenantDirectory tenants,
            UsageLedger ledger,
            Clock clock,
            Credits credits,
            BudgetSettings budgetSettings) {
        this.credits = credits;
        this.budgetSettings = budgetSettings;
        this.spending = new Spending(
                clock, alert -> LoggerFactory.getLogger(Spending.class).warn("budget alert: {}", alert));
        this.config = new AtomicReference<>(config);
        this.tenants = tenants;
        this.ledger = ledger;
        this.clock = clock;
        this.health = new RouteHealth(config.config(), clock);
        this.planner = new RoutePlanner(null, health::latencyMicros, clock);
        this.metrics =
                new GatewayMetrics(new GatewayMetrics.Sources(inFlight::sum, ledger::backlog, health::snapshots));
        ledger.onStored(metrics::recordStored);
        this.admit = new AdmissionStep(this);
    }

    /**
     * Every deployment a request for {@code model} by {@code principal} may try, in order: the model's own (by its
     * strategy and the tenant's pin), then its fallback models', each tagged with the model it serves
     * ({@link Deployment#model()}). The one place a request's candidates are decided, first and on every retry pass.
     */
    List<Deployment> plan(RuntimeConfig config, Principal principal, String model) {
        return planner.plan(config.routes(), model, principal == null ? null : principal.tenant());
    }

    RuntimeConfig config() {
        return config.get();
    }

    void swap(RuntimeConfig next) {
        health.reconfigure(next.config());
        RuntimeConfig previous = config.getAndSet(next);
        policy.changed(previous, next);
    }
}
