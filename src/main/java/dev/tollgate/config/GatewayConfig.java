package dev.tollgate.config;

import dev.tollgate.policy.Policy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One validated, immutable configuration snapshot. Requests capture the snapshot they start with, so a hot reload
 * never changes the rules under an in-flight request.
 *
 * @param source the file it was read from (null when built in code, e.g. by {@code demo})
 * @param models client-facing model name to its deployments, ordered by priority (lowest number first)
 * @param billing prices (and later limits and budgets); {@link Billing#NONE} when the file has none
 * @param policy the compliance policy ({@code policy:}); {@link Policy#NONE} (everything allowed) when the file has none
 */
public record GatewayConfig(
        Path source,
        HostPort listen,
        AdminConfig admin,
        String store,
        Map<String, ProviderConfig> providers,
        Map<String, List<DeploymentConfig>> models,
        Map<String, TenantConfig> tenants,
        Limits limits,
        Timeouts timeouts,
        Routing routing,
        Billing billing,
        Policy policy) {

    public GatewayConfig {
        providers = Map.copyOf(providers);
        models = Map.copyOf(models);
        tenants = Map.copyOf(tenants);
        billing = billing == null ? Billing.NONE : billing;
        policy = policy == null ? Policy.NONE : policy;
    }

    /** A configuration without a compliance policy (everything allowed). */
    public GatewayConfig(
            Path source,
            HostPort listen,
            AdminConfig admin,
            String store,
            Map<String, ProviderConfig> providers,
            Map<String, List<DeploymentConfig>> models,
            Map<String, TenantConfig> tenants,
            Limits limits,
            Timeouts timeouts,
            Routing routing,
            Billing billing) {
        this(source, listen, admin, store, providers, models, tenants, limits, timeouts, routing, billing, Policy.NONE);
    }

    /** A configuration without prices, limits or budgets. */
    public GatewayConfig(
            Path source,
            HostPort listen,
            AdminConfig admin,
            String store,
            Map<String, ProviderConfig> providers,
            Map<String, List<DeploymentConfig>> models,
            Map<String, TenantConfig> tenants,
            Limits limits,
            Timeouts timeouts,
            Routing routing) {
        this(
                source,
                listen,
                admin,
                store,
                providers,
                models,
                tenants,
                limits,
                timeouts,
                routing,
                Billing.NONE,
                Policy.NONE);
    }

    public Optional<List<DeploymentConfig>> deploymentsOf(String model) {
        return Optional.ofNullable(models.get(model));
    }
}
