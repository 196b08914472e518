package dev.tollgate.config;

import dev.tollgate.guard.GuardPolicy;
import dev.tollgate.policy.Policy;
import dev.tollgate.settle.SettlementTerms;
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
 * @param guard distillation detection: feed, actions per verdict, allowlist ({@link GuardPolicy#DEFAULTS} when absent)
 * @param settlement parties and agreements ({@code settlement:}); {@link SettlementTerms#NONE} when the file has none
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
        GuardPolicy guard,
        SettlementTerms settlement,
        Policy policy) {

    public GatewayConfig {
        providers = Map.copyOf(providers);
        models = Map.copyOf(models);
        tenants = Map.copyOf(tenants);
        billing = billing == null ? Billing.NONE : billing;
        guard = guard == null ? GuardPolicy.DEFAULTS : guard;
        settlement = settlement == null ? SettlementTerms.NONE : settlement;
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
            Billing billing,
            GuardPolicy guard,
            SettlementTerms settlement) {
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
                billing,
                guard,
                settlement,
                null);
    }

    /** A configuration without settlement. */
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
            Billing billing,
            GuardPolicy guard,
            Policy policy) {
        this(
                source, listen, admin, store, providers, models, tenants, limits, timeouts, routing, billing, guard,
                null, policy);
    }

    /** A configuration with the default guard policy, without settlement and compliance policy. */
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
        this(
                source, listen, admin, store, providers, models, tenants, limits, timeouts, routing, billing, null,
                null, null);
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
                null,
                null,
                null);
    }

    public Optional<List<DeploymentConfig>> deploymentsOf(String model) {
        return Optional.ofNullable(models.get(model));
    }
}
