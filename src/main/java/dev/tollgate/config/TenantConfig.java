package dev.tollgate.config;

import dev.tollgate.admit.TenantBudgets;
import dev.tollgate.admit.TenantLimits;
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
 */
public record TenantConfig(
        String name,
        String country,
        List<Secret> keys,
        List<String> models,
        TenantLimits limits,
        TenantBudgets budgets,
        boolean prepaid,
        Map<String, ProjectConfig> projects) {
    public TenantConfig {
        keys = List.copyOf(keys);
        models = List.copyOf(models);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(budgets, "budgets");
        projects = Map.copyOf(projects);
    }

    /** A postpaid tenant without budgets or projects. */
    public TenantConfig(String name, String country, List<Secret> keys, List<String> models, TenantLimits limits) {
        this(name, country, keys, models, limits, TenantBudgets.NONE, false, Map.of());
    }

    /** A tenant without rate limits. */
    public TenantConfig(String name, String country, List<Secret> keys, List<String> models) {
        this(name, country, keys, models, TenantLimits.NONE);
    }
}
