package dev.tollgate.server;

import dev.tollgate.admit.BudgetSettings;
import dev.tollgate.admit.CreditStore;
import dev.tollgate.admit.Credits;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.HostPort;
import dev.tollgate.guard.Guard;
import dev.tollgate.guard.GuardSettings;
import dev.tollgate.meter.UsageLedger;
import dev.tollgate.policy.AuditTrail;
import dev.tollgate.store.SqlStore;
import dev.tollgate.tenant.TenantDirectory;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the public API on every event loop, the admin API, the store and the usage ledger. Built from
 * one configuration snapshot; {@link #apply} swaps in another without dropping a request.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** How often an instance on a shared store looks for keys changed by other instances. */
    public static final Duration KEY_REFRESH = Duration.ofSeconds(1);
    /** Policy audit records waiting for the store; past this (the store down for long) they are dropped and counted. */
    private static final int AUDIT_QUEUE = 100_000;

    private final Vertx vertx;
    private final SqlStore store;
    private final UsageLedger ledger;
    private final GatewayState state;
    private final List<ApiVerticle> apis;
    private final AdminServer admin;
    private volatile boolean closed;
    private volatile dev.tollgate.settle.SettlementWorker settlement;

    private Gateway(
            Vertx vertx,
            SqlStore store,
            UsageLedger ledger,
            GatewayState state,
            List<ApiVerticle> apis,
            AdminServer admin) {
        this.vertx = vertx;
        this.store = store;
        this.ledger = ledger;
        this.state = state;
        this.apis = apis;
        this.admin = admin;
    }

    /** Starts everything with the journal in its default place ({@link #defaultJournal}). */
    public static Gateway start(GatewayConfig config) throws Exception {
        return start(config, defaultJournal(config));
    }

    /** Starts everything and returns once both listeners accept connections. */
    public static Gateway start(GatewayConfig config, Path journal) throws Exception {
        return start(config, journal, Clock.systemUTC());
    }

    /**
     * Starts everything on {@code clock}: the time compliance rules and circuit breakers see (tests move it to show a
     * rule taking effect at its {@code effective_from}).
     */
    public static Gateway start(GatewayConfig config, Path journal, Clock clock) throws Exception {
        SqlStore store = SqlStore.open(config.store());
        UsageLedger ledger = null;
        AuditTrail audit = null;
        Vertx vertx = null;
        Guard guard = null;
        try {
            // Credits are read before the journal is replayed: a replayed record then consumes only what it has not.
            Credits credits = CreditStore.load(store);
            BudgetSettings budgetSettings = new BudgetSettings();
            store.budgetSettings().forEach(budgetSettings::apply);
            ledger = UsageLedger.open(journal, new CreditingSink(store, store, credits), UsageLedger.Options.DEFAULTS);
            TenantDirectory tenants = new TenantDirectory(store, config, clock);
            GatewayState state =
                    new GatewayState(RuntimeConfig.of(config), tenants, ledger, clock, credits, budgetSettings);
            audit = new AuditTrail(store, AUDIT_QUEUE);
            state.policy.auditTo(audit);
            state.policy.loaded(state.config());
            guard = Guard.start(config.guard(), GuardSettings.defaults(), store);
            state.guard = new GuardStep(guard, state.clock);
            state.metrics.bindGuard(guard);
            int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
            List<ApiVerticle> apis = new CopyOnWriteArrayList<>();
            // One server per event loop on the same port; Vert.x spreads connections among them. Vert.x shares a
            // port only between servers asking for the same number, so port 0 is resolved to a free port first.
            HostPort listen = config.listen().port() == 0
                    ? new HostPort(
                            config.listen().host(), freePort(config.listen().host()))
                    : config.listen();
            await(vertx.deployVerticle(
                    () -> {
                        ApiVerticle api = new ApiVerticle(state, listen);
                        apis.add(api);
                        return api;
                    },
                    new DeploymentOptions().setInstances(loops)));
            await(vertx.deployVerticle(new RouteMonitor(state)));
            AdminServer admin = null;
            if (config.admin() != null) {
                admin = new AdminServer(state, store);
                await(vertx.deployVerticle(admin));
            }
            Gateway gateway = new Gateway(vertx, store, ledger, state, new ArrayList<>(apis), admin);
            if (config.settlement().enabled()) {
                gateway.startSettlement(config);
            }
            if (store.vendor().shared()) {
                followSharedKeys(vertx, tenants);
            }
            if (!vertx.isNativeTransportEnabled()) {
                log.info(
                        "native epoll transport unavailable ({}); using NIO",
                        vertx.unavailableNativeTransportCause() == null
                                ? "not Linux x86_64"
                                : vertx.unavailableNativeTransportCause().toString());
            }
            log.info(
                    "Tollgate listening on {}:{}{}",
                    config.listen().host(),
                    gateway.port(),
                    admin == null
                            ? " (admin API disabled)"
                            : ", admin API on " + config.admin().listen().host() + ":" + admin.port());
            return gateway;
        } catch (Exception | Error e) {
            if (vertx != null) {
                vertx.close().await(10, TimeUnit.SECONDS);
            }
            if (guard != null) {
                guard.close();
            }
            if (ledger != null) {
                ledger.close();
            }
            if (audit != null) {
                audit.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * Settles stored usage records on a thread of its own, woken when a batch is stored and at least every second
     * (records stored by other instances on a shared store). See docs/billing.md.
     */
    private void startSettlement(GatewayConfig config) {
        dev.tollgate.settle.SettlementWorker worker =
                new dev.tollgate.settle.SettlementWorker(store.settlementJournal(), config.settlement());
        settlement = worker;
        Thread thread = Thread.ofPlatform().name("settlement").daemon().unstarted(() -> {
            while (!closed) {
                try {
                    worker.settleAll();
                } catch (Exception e) {
                    log.warn("settlement batch failed; retrying (nothing was half-posted)", e);
                }
                if (worker.problem() != null) {
                    log.error("settlement stopped: {}", worker.problem());
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L);
            }
        });
        ledger.onStored(records -> java.util.concurrent.locks.LockSupport.unpark(thread));
        thread.start();
    }

    /** The settlement worker, or null when the configuration has no {@code settlement:} section. */
    public dev.tollgate.settle.SettlementWorker settlement() {
        return settlement;
    }

    private static int freePort(String host) throws java.io.IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    /**
     * Where the usage journal goes unless {@code serve --journal} says otherwise: beside the embedded store's file,
     * so both move together; for a shared database, {@code tollgate.journal} beside the configuration file (one
     * instance per directory: the journal is locked).
     */
    public static Path defaultJournal(GatewayConfig config) {
        String store = config.store();
        if (SqlStore.Vendor.of(store) == SqlStore.Vendor.SQLITE) {
            if (store.startsWith("jdbc:sqlite:")) {
                store = store.substring("jdbc:sqlite:".length());
            }
            Path file = Path.of(store).toAbsolutePath();
            return file.resolveSibling(file.getFileName() + ".journal");
        }
        Path base = config.source() == null
                ? Path.of("").toAbsolutePath()
                : config.source().toAbsolutePath().getParent();
        return base.resolve("tollgate.journal");
    }

    /**
     * Keys created or revoked through another instance reach this one within {@link #KEY_REFRESH}: a cheap change
     * stamp is polled on a worker thread and the key ring rebuilt only when it moved.
     */
    private static void followSharedKeys(Vertx vertx, TenantDirectory tenants) {
        vertx.setPeriodic(
                KEY_REFRESH.toMillis(),
                id -> vertx.executeBlocking(() -> tenants.refreshIfChanged(), false)
                        .onFailure(e -> log.warn("refreshing keys from the shared store failed; retrying", e)));
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.await(30, TimeUnit.SECONDS);
    }

    public int port() {
        return apis.get(0).port();
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public GatewayConfig config() {
        return state.config().config();
    }

    /** Swaps in a new configuration: requests already running finish on the snapshot they started with. */
    public void apply(GatewayConfig next) throws Exception {
        state.swap(RuntimeConfig.of(next));
        state.tenants.configure(next);
        state.guard.guard.reconfigure(next.guard());
        state.metrics.reloadApplied();
        log.info(
                "configuration applied: {} providers, {} models, {} tenants",
                next.providers().size(),
                next.models().size(),
                next.tenants().size());
    }

    /** The passive health of every deployment (breakers, failure counts, latency). */
    public dev.tollgate.route.RouteHealth health() {
        return state.health;
    }

    /** The distillation guard: its detector, actions and audit trail. */
    public Guard guard() {
        return state.guard.guard;
    }

    public UsageLedger ledger() {
        return ledger;
    }

    public SqlStore store() {
        return store;
    }

    /**
     * Graceful stop: listeners stop accepting, in-flight answers get up to the drain deadline to finish, then every
     * usage record is written to the store before it closes.
     */
    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        Duration drain = state.config().config().timeouts().shutdownDrain();
        log.info(
                "shutting down: draining {} in-flight requests for up to {} s",
                state.inFlight.sum(),
                drain.toSeconds());
        List<Future<Void>> stops = new ArrayList<>();
        for (ApiVerticle api : apis) {
            stops.add(api.shutdown(drain));
        }
        try {
            Future.join(stops).await(drain.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("drain did not finish cleanly: {}", e.toString());
        }
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("event loops did not stop cleanly: {}", e.toString());
        }
        // After the event loops: nothing offers samples any more; what is queued is observed and audited.
        state.guard.guard.close();
        ledger.close();
        AuditTrail audit = state.policy.audit();
        if (audit != null) {
            audit.close();
        }
        store.close();
        log.info("stopped; {} usage records stored", ledger.storedCount());
    }
}
