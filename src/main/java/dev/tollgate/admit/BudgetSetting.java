package dev.tollgate.admit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Budgets of one scope set through the admin API; they replace the configuration file's budgets of that scope until
 * set again (an empty list removes them).
 *
 * @param scope {@code tenant}, {@code project} or {@code key}
 * @param name the tenant's name, the project's name, or the key's id
 */
public record BudgetSetting(String tenant, String scope, String name, List<Budget> budgets, Instant at) {
    public BudgetSetting {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(name, "name");
        if (!List.of("tenant", "project", "key").contains(scope)) {
            throw new IllegalArgumentException("scope is tenant, project or key");
        }
        budgets = List.copyOf(budgets);
    }
}
