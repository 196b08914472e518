package dev.tollgate.admit;

import java.util.Objects;

/**
 * The rate limits that apply to a tenant's requests: one budget of the tenant as a whole, and one that every key of
 * the tenant has on its own (so one runaway key cannot take the whole tenant's minute).
 */
public record TenantLimits(RateLimit tenant, RateLimit eachKey) {
    public static final TenantLimits NONE = new TenantLimits(RateLimit.NONE, RateLimit.NONE);

    public TenantLimits {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(eachKey, "eachKey");
    }

    public boolean isNone() {
        return tenant.isNone() && eachKey.isNone();
    }
}
