package dev.tollgate.config;

import dev.tollgate.admit.TenantLimits;
import dev.tollgate.policy.TenantAttributes;
import java.util.List;
import java.util.Objects;

/**
 * A tenant declared in the configuration file. Tenants and keys may also live only in the store (admin API).
 *
 * @param keys plain keys for simple set-ups (normally {@code ${ENV}} references); hashed when loaded
 * @param models the client-facing models this tenant may use; empty means all
 * @param limits rate limits of the tenant as a whole and of each of its keys ({@code limits}, {@code key_limits});
 *     they apply to keys created in the store for this tenant too
 * @param attributes what the compliance policy knows of the tenant besides its country (region, tier, sector,
 *     ownership, labels); they apply to keys created in the store for this tenant too
 */
public record TenantConfig(
        String name,
        String country,
        List<Secret> keys,
        List<String> models,
        TenantLimits limits,
        TenantAttributes attributes) {
    public TenantConfig {
        keys = List.copyOf(keys);
        models = List.copyOf(models);
        Objects.requireNonNull(limits, "limits");
        attributes = attributes == null ? TenantAttributes.NONE : attributes;
    }

    /** A tenant without policy attributes besides its country. */
    public TenantConfig(String name, String country, List<Secret> keys, List<String> models, TenantLimits limits) {
        this(name, country, keys, models, limits, TenantAttributes.NONE);
    }

    /** A tenant without rate limits. */
    public TenantConfig(String name, String country, List<Secret> keys, List<String> models) {
        this(name, country, keys, models, TenantLimits.NONE);
    }
}
