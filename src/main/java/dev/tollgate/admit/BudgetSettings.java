package dev.tollgate.admit;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Budgets set through the admin API, the latest per scope, in memory: looking one up is a map read. A scope with a
 * setting uses it instead of the configuration file's budgets for that scope.
 */
public final class BudgetSettings {
    private final ConcurrentHashMap<String, BudgetSetting> latest = new ConcurrentHashMap<>();

    /** Applies a setting (settings are applied oldest first, so the latest of a scope wins). */
    public void apply(BudgetSetting setting) {
        latest.put(id(setting.tenant(), setting.scope(), setting.name()), setting);
    }

    public boolean isEmpty() {
        return latest.isEmpty();
    }

    /** The budgets in effect for a scope: the latest setting's, else {@code configured}. */
    public List<Budget> effective(String tenant, String scope, String name, List<Budget> configured) {
        if (latest.isEmpty() || name == null) {
            return configured;
        }
        BudgetSetting s = latest.get(id(tenant, scope, name));
        return s == null ? configured : s.budgets();
    }

    /** The settings of one tenant, or of all when {@code tenant} is null. */
    public List<BudgetSetting> settings(String tenant) {
        return latest.values().stream()
                .filter(s -> tenant == null || s.tenant().equals(tenant))
                .sorted(java.util.Comparator.comparing(BudgetSetting::tenant)
                        .thenComparing(BudgetSetting::scope)
                        .thenComparing(BudgetSetting::name))
                .toList();
    }

    private static String id(String tenant, String scope, String name) {
        return tenant + '\u0000' + scope + '\u0000' + name;
    }
}
