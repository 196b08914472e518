package dev.tollgate.config;

import dev.tollgate.admit.Budget;
import dev.tollgate.admit.RateLimit;
import java.util.List;
import java.util.Objects;

/**
 * A project of a tenant ({@code tenants.<t>.projects.<p>}): a scope between the tenant and its keys, with rate limits
 * and budgets of its own that all keys of the project share.
 */
public record ProjectConfig(String name, RateLimit limits, List<Budget> budgets) {
    public static ProjectConfig unlimited(String name) {
        return new ProjectConfig(name, RateLimit.NONE, List.of());
    }

    public ProjectConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(limits, "limits");
        budgets = List.copyOf(budgets);
    }
}
