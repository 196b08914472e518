package dev.tollgate.server;

import dev.tollgate.admit.Admission;
import dev.tollgate.meter.TokenEstimator;
import dev.tollgate.meter.UsageLedger;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.route.RouteHealth;
import dev.tollgate.route.RoutePlanner;
import dev.tollgate.tenant.TenantDirectory;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** What every event loop of the gateway shares. Everything here is safe to read from any thread. */
final class GatewayState {
    private final AtomicReference<RuntimeConfig> config;
    final TenantDirectory tenants;
    final UsageLedger ledger;
    final TokenEstimator estimator = new TokenEstimator();
    final RoutePlanner planner = new RoutePlanner();
    final Clock clock;
    final RouteHealth health;
    final LongAdder inFlight = new LongAdder();
    final GatewayMetrics metrics;
    final Admission admission = new Admission();
    /** The compliance policy hook after the planner (docs/policy.md). */
    final PolicyStep policy = new PolicyStep(this);
    /** Set last in the constructor: it registers itself with the ledger. */
    final AdmissionStep admit;

    GatewayState(RuntimeConfig config, TenantDirectory tenants, UsageLedger ledger, Clock clock) {
        this.config = new AtomicReference<>(config);
        this.tenants = tenants;
        this.ledger = ledger;
        this.clock = clock;
        this.health = new RouteHealth(config.config(), clock);
        this.metrics =
                new GatewayMetrics(new GatewayMetrics.Sources(inFlight::sum, ledger::backlog, health::snapshots));
        ledger.onStored(metrics::recordStored);
        this.admit = new AdmissionStep(this);
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
