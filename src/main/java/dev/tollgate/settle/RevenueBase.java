package dev.tollgate.settle;

import java.util.Set;

/**
 * Which revenue an agreement takes its share of. Each set restricts one dimension of a {@link Revenue}; an empty
 * set means any value, so {@link #ANY} is all revenue.
 */
public record RevenueBase(
        Set<String> models, Set<String> deployments, Set<String> providers, Set<String> regions, Set<String> tenants) {

    public static final RevenueBase ANY = new RevenueBase(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());

    public RevenueBase {
        models = Set.copyOf(models);
        deployments = Set.copyOf(deployments);
        providers = Set.copyOf(providers);
        regions = Set.copyOf(regions);
        tenants = Set.copyOf(tenants);
    }

    public static RevenueBase models(String... models) {
        return ANY.withModels(models);
    }

    public RevenueBase withModels(String... values) {
        return new RevenueBase(Set.of(values), deployments, providers, regions, tenants);
    }

    public RevenueBase withDeployments(String... values) {
        return new RevenueBase(models, Set.of(values), providers, regions, tenants);
    }

    public RevenueBase withProviders(String... values) {
        return new RevenueBase(models, deployments, Set.of(values), regions, tenants);
    }

    public RevenueBase withRegions(String... values) {
        return new RevenueBase(models, deployments, providers, Set.of(values), tenants);
    }

    public RevenueBase withTenants(String... values) {
        return new RevenueBase(models, deployments, providers, regions, Set.of(values));
    }

    public boolean matches(Revenue revenue) {
        return allows(models, revenue.model())
                && allows(deployments, revenue.deployment())
                && allows(providers, revenue.provider())
                && allows(regions, revenue.region())
                && allows(tenants, revenue.tenant());
    }

    private static boolean allows(Set<String> values, String value) {
        return values.isEmpty() || values.contains(value);
    }
}
