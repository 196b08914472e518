package dev.tollgate.route;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.GatewayConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployments of every model, resolved against their providers once per configuration snapshot. A model whose
 * deployments all have distinct priorities has one fixed order, which the planner hands out without allocating.
 */
public final class RouteTable {
    /** The deployments of one model in priority order; {@code fixedOrder} when no two share a priority. */
    record ModelRoute(List<Deployment> byPriority, boolean fixedOrder) {}

    private final Map<String, ModelRoute> routes;

    private RouteTable(Map<String, ModelRoute> routes) {
        this.routes = Map.copyOf(routes);
    }

    public static RouteTable of(GatewayConfig config) {
        Map<String, ModelRoute> routes = new HashMap<>();
        config.models().forEach((model, deployments) -> {
            List<DeploymentConfig> sorted = new ArrayList<>(deployments);
            sorted.sort(java.util.Comparator.comparingInt(DeploymentConfig::priority));
            boolean fixed = true;
            List<Deployment> resolved = new ArrayList<>(sorted.size());
            for (int i = 0; i < sorted.size(); i++) {
                DeploymentConfig d = sorted.get(i);
                resolved.add(new Deployment(d, config.providers().get(d.provider())));
                if (i > 0 && sorted.get(i - 1).priority() == d.priority()) {
                    fixed = false;
                }
            }
            routes.put(model, new ModelRoute(List.copyOf(resolved), fixed));
        });
        return new RouteTable(routes);
    }

    /** The deployments of {@code model} by priority (ties in file order), or null for an unknown model. */
    public List<Deployment> deployments(String model) {
        ModelRoute route = routes.get(model);
        return route == null ? null : route.byPriority();
    }

    ModelRoute route(String model) {
        return routes.get(model);
    }
}
