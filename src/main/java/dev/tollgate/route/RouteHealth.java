package dev.tollgate.route;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.Routing;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The health of every deployment, keyed by deployment id ({@code provider/model}), and the step after the
 * {@link RoutePlanner} that puts deployments with an open breaker behind the healthy ones. Lives across
 * configuration snapshots: a reload keeps the health of every deployment whose id is unchanged.
 */
public final class RouteHealth {
    private final Clock clock;
    private final ConcurrentMap<String, DeploymentHealth> deployments = new ConcurrentHashMap<>();
    private volatile Routing.Breaker settings;

    public RouteHealth(GatewayConfig config, Clock clock) {
        this.clock = clock;
        this.settings = config.routing().breaker();
        reconfigure(config);
    }

    /**
     * Follows a new configuration: deployments no longer configured are forgotten, new ones start closed. Changed
     * breaker settings start every breaker afresh (a breaker's settings are fixed when it is made).
     */
    public void reconfigure(GatewayConfig config) {
        Routing.Breaker next = config.routing().breaker();
        if (!next.equals(settings)) {
            settings = next;
            deployments.clear();
        }
        Set<String> ids = new HashSet<>();
        for (List<DeploymentConfig> list : config.models().values()) {
            for (DeploymentConfig d : list) {
                ids.add(d.id());
                health(d.id());
            }
        }
        deployments.keySet().retainAll(ids);
    }

    /** Forgets everything that was observed: every breaker closed, every counter zero. */
    public void reset() {
        deployments.clear();
    }

    /** The health of every configured deployment, for metrics and the admin API. */
    public List<DeploymentHealth.Snapshot> snapshots() {
        return deployments.values().stream().map(DeploymentHealth::snapshot).toList();
    }

    public DeploymentHealth health(String deploymentId) {
        return deployments.computeIfAbsent(deploymentId, id -> new DeploymentHealth(id, settings, clock));
    }

    /**
     * Orders a plan by health: the deployments whose breaker grants a slot keep their relative order, and those
     * whose breaker is open follow, in their planned order, as a last resort. O(deployments), no I/O. The caller must
     * report every attempt to the returned order and {@link HealthOrder#releaseUnused()} at the end.
     */
    public HealthOrder order(List<Deployment> plan) {
        int n = plan.size();
        DeploymentHealth[] health = new DeploymentHealth[n];
        boolean[] permitted = new boolean[n];
        int admitted = 0;
        for (int i = 0; i < n; i++) {
            health[i] = health(plan.get(i).id());
            permitted[i] = health[i].tryAcquire();
            if (permitted[i]) {
                admitted++;
            }
        }
        if (admitted == n) {
            return new HealthOrder(plan, health, permitted, n);
        }
        List<Deployment> ordered = new ArrayList<>(n);
        DeploymentHealth[] h = new DeploymentHealth[n];
        boolean[] p = new boolean[n];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                if (permitted[i] == (pass == 0)) {
                    ordered.add(plan.get(i));
                    h[k] = health[i];
                    p[k] = permitted[i];
                    k++;
                }
            }
        }
        return new HealthOrder(List.copyOf(ordered), h, p, admitted);
    }

    /** The moving-average latency of a deployment in microseconds, -1 when unknown; no allocation, for the planner. */
    public long latencyMicros(String deploymentId) {
        DeploymentHealth h = deployments.get(deploymentId);
        return h == null ? -1 : h.latencyMicros();
    }

    /**
     * The outcome of one active health check of a provider, applied to each of {@code deploymentIds}: a live host
     * moves open breakers to half-open, a dead one opens closed ones ({@code kind} says how it failed, null when
     * alive). Returns the ids whose breaker changed state, for the log.
     */
    public List<String> probed(Collection<String> deploymentIds, AttemptFailure kind) {
        List<String> changed = new ArrayList<>();
        for (String id : deploymentIds) {
            DeploymentHealth h = deployments.get(id);
            if (h != null && (kind == null ? h.probeSucceeded() : h.probeFailed(kind))) {
                changed.add(id);
            }
        }
        return changed;
    }

    /**
     * Outlier ejection over every model of {@code table}: a deployment whose average latency exceeds both
     * {@code minLatency} and {@code factor} times the median of its model's other measured deployments is ejected
     * (its breaker opened) as long as another deployment of the model is closed. Returns the ejected ids.
     */
    public List<String> ejectOutliers(RouteTable table, Routing.Outlier outlier) {
        List<String> ejected = new ArrayList<>();
        long floor = outlier.minLatency().toNanos() / 1000;
        for (List<Deployment> model : table.allRoutes()) {
            if (model.size() < 2) {
                continue;
            }
            long[] latency = new long[model.size()];
            DeploymentHealth[] health = new DeploymentHealth[model.size()];
            for (int i = 0; i < latency.length; i++) {
                health[i] = deployments.get(model.get(i).id());
                latency[i] = health[i] == null ? -1 : health[i].latencyMicros();
            }
            for (int i = 0; i < latency.length; i++) {
                if (latency[i] <= floor
                        || health[i].state() != io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
                    continue;
                }
                long[] peers = new long[latency.length];
                int n = 0;
                boolean anotherClosed = false;
                for (int j = 0; j < latency.length; j++) {
                    if (j != i && latency[j] >= 0) {
                        peers[n++] = latency[j];
                    }
                    if (j != i
                            && health[j] != null
                            && health[j].state() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
                        anotherClosed = true;
                    }
                }
                if (n == 0 || !anotherClosed) {
                    continue;
                }
                java.util.Arrays.sort(peers, 0, n);
                double median = n % 2 == 1 ? peers[n / 2] : (peers[n / 2 - 1] + peers[n / 2]) / 2.0;
                if (latency[i] > outlier.factor() * median) {
                    health[i].eject();
                    latency[i] = -1;
                    ejected.add(model.get(i).id());
                }
            }
        }
        return ejected;
    }

    /** One deployment as the admin API shows it. */
    public record Candidate(Deployment deployment, DeploymentHealth.Snapshot health, boolean deferred) {}

    /**
     * How a request planned now would order {@code plan}, without taking any breaker slot: for the admin API. A
     * deployment open for longer than {@code open_for} counts as available, as the next request would probe it.
     */
    public List<Candidate> preview(List<Deployment> plan) {
        List<Candidate> available = new ArrayList<>();
        List<Candidate> deferred = new ArrayList<>();
        for (Deployment d : plan) {
            DeploymentHealth h = health(d.id());
            boolean ok = h.looksAvailable(settings.openFor());
            (ok ? available : deferred).add(new Candidate(d, h.snapshot(), !ok));
        }
        available.addAll(deferred);
        return available;
    }
}
