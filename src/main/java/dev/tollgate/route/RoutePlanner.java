package dev.tollgate.route;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.GatewayConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Orders the deployments of a model for one request: lower priority first; among equal priorities, a weighted
 * random order, so traffic splits by weight and every deployment of the tier is still a fallback for the others.
 * O(deployments log deployments) on in-memory state.
 */
public final class RoutePlanner {
    private final RandomGenerator random;

    /** A planner drawing from the calling thread's random generator (no contention between event loops). */
    public RoutePlanner() {
        this.random = null;
    }

    /** A planner with a given generator, for reproducible tests. */
    public RoutePlanner(RandomGenerator random) {
        this.random = random;
    }

    public List<Deployment> plan(GatewayConfig config, String model) {
        List<DeploymentConfig> deployments = config.models().get(model);
        if (deployments == null) {
            return List.of();
        }
        RandomGenerator random = this.random != null ? this.random : ThreadLocalRandom.current();
        List<Ranked> ranked = new ArrayList<>(deployments.size());
        for (DeploymentConfig d : deployments) {
            // Efraimidis–Spirakis: sorting by u^(1/w) descending is a weighted sample without replacement.
            double key = Math.pow(random.nextDouble(), 1.0 / Math.max(1, d.weight()));
            ranked.add(new Ranked(new Deployment(d, config.providers().get(d.provider())), d.priority(), key));
        }
        ranked.sort(Comparator.comparingInt(Ranked::priority).thenComparing(Ranked::key, Comparator.reverseOrder()));
        return ranked.stream().map(Ranked::deployment).toList();
    }

    private record Ranked(Deployment deployment, int priority, double key) {}
}
