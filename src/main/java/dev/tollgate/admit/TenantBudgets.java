package dev.tollgate.admit;

import java.util.List;

/** The budgets of a tenant as a whole and of each of its keys on its own. */
public record TenantBudgets(List<Budget> tenant, List<Budget> eachKey) {
    public static final TenantBudgets NONE = new TenantBudgets(List.of(), List.of());

    public TenantBudgets {
        tenant = List.copyOf(tenant);
        eachKey = List.copyOf(eachKey);
    }

    public boolean isNone() {
        return tenant.isEmpty() && eachKey.isEmpty();
    }
}
