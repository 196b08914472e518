package dev.tollgate.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Orders the deployments of a model for one request: lower priority first; among equal priorities, a weighted
 * random order, so traffic splits by weight and every deployment of the tier is still a fallback for the others.
 * O(deployments) on in-memory state, and no allocation when no two deployments share a priority.
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

    public List<Deployment> plan(RouteTable table, String model) {
        RouteTable.ModelRoute route = table.route(model);
        if (route == null) {
            return List.of();
        }
        if (route.fixedOrder()) {
            return route.byPriority();
        }
        RandomGenerator random = this.random != null ? this.random : ThreadLocalRandom.current();
        List<Ranked> ranked = new ArrayList<>(route.byPriority().size());
        for (Deployment d : route.byPriority()) {
            // Efraimidis–Spirakis: sorting by u^(1/w) descending is a weighted sample without replacement.
            double key =
                    Math.pow(random.nextDouble(), 1.0 / Math.max(1, d.config().weight()));
            ranked.add(new Ranked(d, d.config().priority(), key));
        }
        ranked.sort(Comparator.comparingInt(Ranked::priority).thenComparing(Ranked::key, Comparator.reverseOrder()));
        List<Deployment> plan = new ArrayList<>(ranked.size());
        for (Ranked r : ranked) {
            plan.add(r.deployment());
        }
        return plan;
    }

    private record Ranked(Deployment deployment, int priority, double key) {}
}
