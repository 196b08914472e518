package dev.tollgate.route;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.Routing;
import dev.tollgate.price.PriceCatalogue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The deployments of every model, resolved against their providers once per configuration snapshot, with each model's
 * strategy, its fallback models (flattened breadth first, aliases resolved) and the per-tenant pins. A model whose
 * deployments all have distinct priorities has one fixed order, which the planner hands out without allocating.
 */
public final class RouteTable {
    /**
     * One model's route: its deployments in priority order ({@code fixedOrder} when no two share a priority), how they
     * are ordered, and the models whose deployments follow them.
     */
    record ModelRoute(
            String model,
            List<Deployment> byPriority,
            boolean fixedOrder,
            Routing.Strategy strategy,
            List<String> fallbackChain) {}

    private final Map<String, ModelRoute> routes;
    /** Every name a caller may ask for (models and aliases) to the model with deployments it means. */
    private final Map<String, String> canonical;

    private final Map<String, Map<String, String>> pins;
    private final PriceCatalogue prices;

    private RouteTable(
            Map<String, ModelRoute> routes,
            Map<String, String> canonical,
            Map<String, Map<String, String>> pins,
            PriceCatalogue prices) {
        this.routes = Map.copyOf(routes);
        this.canonical = Map.copyOf(canonical);
        this.pins = pins;
        this.prices = prices;
    }

    public static RouteTable of(GatewayConfig config) {
        Routing routing = config.routing();
        Map<String, String> canonical = new HashMap<>();
        config.models().keySet().forEach(name -> {
            String target = routing.of(name).aliasOf();
            canonical.put(name, target == null ? name : target);
        });
        Map<String, ModelRoute> routes = new HashMap<>();
        config.models().forEach((model, deployments) -> {
            if (!canonical.get(model).equals(model)) {
                return; // an alias: served by the route of the model it stands for
            }
            List<DeploymentConfig> sorted = new ArrayList<>(deployments);
            sorted.sort(java.util.Comparator.comparingInt(DeploymentConfig::priority));
            boolean fixed = true;
            List<Deployment> resolved = new ArrayList<>(sorted.size());
            for (int i = 0; i < sorted.size(); i++) {
                DeploymentConfig d = sorted.get(i);
                resolved.add(new Deployment(d, config.providers().get(d.provider()), model));
                if (i > 0 && sorted.get(i - 1).priority() == d.priority()) {
                    fixed = false;
                }
            }
            Routing.ModelRouting r = routing.of(model);
            routes.put(
                    model,
                    new ModelRoute(
                            model, List.copyOf(resolved), fixed, r.strategy(), chain(model, routing, canonical)));
        });
        return new RouteTable(
                routes, canonical, routing.pins(), config.billing().prices());
    }

    /** The fallback models of {@code model}, breadth first, each once, never the model itself. */
    private static List<String> chain(String model, Routing routing, Map<String, String> canonical) {
        Set<String> out = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>(List.of(model));
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(model));
        while (!queue.isEmpty()) {
            for (String f : routing.of(queue.poll()).fallback()) {
                String c = canonical.getOrDefault(f, f);
                if (seen.add(c)) {
                    out.add(c);
                    queue.add(c);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The deployments of {@code model} (an alias means its target) by priority, ties in file order; without fallback
     * models; null for an unknown model.
     */
    public List<Deployment> deployments(String model) {
        ModelRoute route = route(model);
        return route == null ? null : route.byPriority();
    }

    /** The model with deployments that {@code name} means (itself unless it is an alias), or null when unknown. */
    public String canonical(String name) {
        return canonical.get(name);
    }

    /** The fallback models of {@code model}, in the order their deployments are tried. */
    public List<String> fallbacks(String model) {
        ModelRoute route = route(model);
        return route == null ? List.of() : route.fallbackChain();
    }

    /** The strategy of {@code model} (an alias: of its target); priority for an unknown model. */
    public Routing.Strategy strategy(String model) {
        ModelRoute route = route(model);
        return route == null ? Routing.Strategy.PRIORITY : route.strategy();
    }

    /** The deployment id {@code tenant} is pinned to for {@code model} (as asked, else its target), or null. */
    String pin(String tenant, String model) {
        if (tenant == null || pins.isEmpty()) {
            return null;
        }
        Map<String, String> byModel = pins.get(tenant);
        if (byModel == null) {
            return null;
        }
        String pinned = byModel.get(model);
        return pinned != null ? pinned : byModel.get(canonical.get(model));
    }

    /** The own deployments of every model with deployments (aliases not repeated), for outlier ejection. */
    List<List<Deployment>> allRoutes() {
        List<List<Deployment>> all = new ArrayList<>(routes.size());
        for (ModelRoute r : routes.values()) {
            all.add(r.byPriority());
        }
        return all;
    }

    /** The provider names of every deployment, each with the ids of its deployments: what a health check probes. */
    public Map<String, Set<String>> deploymentsByProvider() {
        Map<String, Set<String>> out = new HashMap<>();
        for (ModelRoute r : routes.values()) {
            for (Deployment d : r.byPriority()) {
                out.computeIfAbsent(d.provider().name(), k -> new LinkedHashSet<>())
                        .add(d.id());
            }
        }
        return out;
    }

    PriceCatalogue prices() {
        return prices;
    }

    ModelRoute route(String model) {
        String c = canonical.get(model);
        return c == null ? null : routes.get(c);
    }
}
