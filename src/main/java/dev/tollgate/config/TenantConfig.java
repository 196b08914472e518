package dev.tollgate.config;

import dev.tollgate.admit.TenantBudgets;
import dev.tollgate.admit.TenantLimits;
import dev.tollgate.policy.TenantAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tenant declared in the configuration file. Tenants and keys may also live only in the store (admin API).
 *
 * @param keys plain keys for simple set-ups (normally {@code ${ENV}} references); hashed when loaded
 * @param models the client-facing models this tenant may use; empty means all
 * @param limits rate limits of the tenant as a whole and of each of its keys ({@code limits}, {@code key_limits});
 *     they apply to keys created in the store for this tenant too
 * @param budgets spending limits of the tenant as a whole and of each key ({@code budgets}, {@code key_budgets})
 * @param prepaid {@code payment: prepaid}: a request is sent only when the tenant's credit grants and prepaid balance
 *     cover its worst expected cost (billing.md, "Credits"); postpaid tenants are never refused for credit
 * @param projects scopes between the tenant and its keys, with their own limits and budgets
 * @param attributes what the compliance policy knows of the tenant besides its country (region, tier, sector,
 *     ownership, labels); they apply to keys created in the store for this tenant too
 */
public record TenantConfig(
        String name,
        String country,
        List<Secret> keys,
        List<String> models,
        TenantLimits limits,
        TenantBudgets budgets,
        boolean prepaid,
        Map<String, ProjectConfig> projects,
        TenantAttributes attributes) {
    public TenantConfig {
        keys = List.copyOf(keys);
        models = List.copyOf(models);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(budgets, "budgets");
        projects = Map.copyOf(projects);
        attributes = attributes == null ? TenantAttributes.NONE : attributes;
    }

    /** A tenant without policy attributes besides its country. */
    public TenantConfig(
            String name,
            String country,
            List<Secret> keys,
            List<String> models,
            TenantLimits limits,
            TenantBudgets budgets,
            boolean prepaid,
            Map<String, ProjectConfig> projects) {
        this(name, country, keys, models, limits, budgets, prepaid, projects, TenantAttributes.NONE);
    }

    /** A postpaid tenant without budgets or projects. */
    public TenantConfig(
            String name,
            String country,
            List<Secret> keys,
            List<String> models,
            TenantLimits limits,
            TenantAttributes attributes) {
        this(name, country, keys, models, limits, TenantBudgets.NONE, false, Map.of(), attributes);
    }

    /** A postpaid tenant without budgets, projects or policy attributes. */
    public TenantConfig(String name, String country, List<Secret> keys, List<String> models, TenantLimits limits) {
        this(name, country, keys, models, limits, TenantBudgets.NONE, false, Map.of(), TenantAttributes.NONE);
    }

    /** A tenant without rate limits. */
    public TenantConfig(String name, String country, List<Secret> keys, List<String> models) {
        this(name, country, keys, models, TenantLimits.NONE);
    }
}
