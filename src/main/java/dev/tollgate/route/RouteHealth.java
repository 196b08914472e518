package dev.tollgate.route;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.Routing;
import java.time.Clock;
import java.util.ArrayList;
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
