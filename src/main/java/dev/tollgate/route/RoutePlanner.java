package dev.tollgate.route;

import dev.tollgate.config.Routing;
import dev.tollgate.price.Price;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToLongFunction;
import java.util.random.RandomGenerator;

/**
 * Orders the deployments a request may use: those of the model asked for (an alias means its target) by the model's
 * strategy, a tenant's pinned deployment first, then the deployments of each fallback model by that model's strategy.
 * Each {@link Deployment} carries the model it serves. O(deployments) on in-memory state (the sort is over a handful),
 * and no allocation for the common case of a model with distinct priorities, priority order, no fallback and no pin.
 *
 * <p>Strategies: {@code priority} (lower priority first; equal priorities in weighted random order, so traffic splits
 * by weight and every deployment of the tier is still a fallback for the others); {@code least-latency} (lowest moving
 * average time to first byte first, deployments never measured before all others so they get measured, ties by
 * priority then weight); {@code least-cost} (cheapest input plus output price per million tokens in effect now first,
 * unpriced deployments last, ties by priority then weight).
 */
public final class RoutePlanner {
    private final RandomGenerator random;
    private final ToLongFunction<String> latencyMicros;
    private final Clock clock;

    /** A planner drawing from the calling thread's random generator (no contention between event loops). */
    public RoutePlanner() {
        this(null, id -> -1, Clock.systemUTC());
    }

    /** A planner with a given generator, for reproducible tests. */
    public RoutePlanner(RandomGenerator random) {
        this(random, id -> -1, Clock.systemUTC());
    }

    /**
     * @param random null for the calling thread's generator
     * @param latencyMicros the moving-average latency of a deployment id, -1 when never measured
     */
    public RoutePlanner(RandomGenerator random, ToLongFunction<String> latencyMicros, Clock clock) {
        this.random = random;
        this.latencyMicros = latencyMicros;
        this.clock = clock;
    }

    /** The plan for {@code model} without a tenant (no pin applies). */
    public List<Deployment> plan(RouteTable table, String model) {
        return plan(table, model, null);
    }

    /**
     * Every deployment a request for {@code model} by {@code tenant} may try, in the order to try them: the model's
     * own, then its fallback models'. Empty for an unknown model. The list is immutable.
     */
    public List<Deployment> plan(RouteTable table, String model, String tenant) {
        RouteTable.ModelRoute route = table.route(model);
        if (route == null) {
            return List.of();
        }
        String pin = table.pin(tenant, model);
        if (route.fallbackChain().isEmpty()
                && pin == null
                && route.strategy() == Routing.Strategy.PRIORITY
                && route.fixedOrder()) {
            return route.byPriority();
        }
        List<Deployment> plan = new ArrayList<>();
        order(table, route, pin, plan);
        if (!route.fallbackChain().isEmpty()) {
            Set<String> ids = new HashSet<>();
            for (Deployment d : plan) {
                ids.add(d.id());
            }
            List<Deployment> more = new ArrayList<>();
            for (String fallback : route.fallbackChain()) {
                more.clear();
                order(table, table.route(fallback), null, more);
                for (Deployment d : more) {
                    // The same upstream deployment under two models is one deployment: tried once.
                    if (ids.add(d.id())) {
                        plan.add(d);
                    }
                }
            }
        }
        return List.copyOf(plan);
    }

    private void order(RouteTable table, RouteTable.ModelRoute route, String pin, List<Deployment> out) {
        if (route == null) {
            return;
        }
        List<Deployment> deployments = route.byPriority();
        if (route.strategy() == Routing.Strategy.PRIORITY && route.fixedOrder()) {
            out.addAll(deployments);
        } else {
            RandomGenerator random = this.random != null ? this.random : ThreadLocalRandom.current();
            Instant now = route.strategy() == Routing.Strategy.LEAST_COST ? clock.instant() : null;
            List<Ranked> ranked = new ArrayList<>(deployments.size());
            for (Deployment d : deployments) {
                // Efraimidis–Spirakis: sorting by u^(1/w) descending is a weighted sample without replacement.
                double key = Math.pow(
                        random.nextDouble(), 1.0 / Math.max(1, d.config().weight()));
                ranked.add(
                        new Ranked(d, measure(table, route, d, now), d.config().priority(), key));
            }
            ranked.sort(Comparator.comparingDouble(Ranked::measure)
                    .thenComparingInt(Ranked::priority)
                    .thenComparing(Ranked::key, Comparator.reverseOrder()));
            for (Ranked r : ranked) {
                out.add(r.deployment());
            }
        }
        if (pin != null) {
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).id().equals(pin)) {
                    out.add(0, out.remove(i));
                    break;
                }
            }
        }
    }

    /** What the strategy sorts by, lowest first: 0 for everyone under {@code priority}. */
    private double measure(RouteTable table, RouteTable.ModelRoute route, Deployment d, Instant now) {
        return switch (route.strategy()) {
            case PRIORITY -> 0;
            case LEAST_LATENCY -> latencyMicros.applyAsLong(d.id()); // -1 (never measured) sorts first
            case LEAST_COST -> {
                Price p = table.prices().priceOf(route.model(), d.id(), now);
                yield p == null
                        ? Double.MAX_VALUE
                        : p.inputPerMillion().add(p.outputPerMillion()).doubleValue();
            }
        };
    }

    private record Ranked(Deployment deployment, double measure, int priority, double key) {}
}
