package dev.tollgate.config;

import java.util.List;

/**
 * A tenant declared in the configuration file. Tenants and keys may also live only in the store (admin API).
 *
 * @param keys plain keys for simple set-ups (normally {@code ${ENV}} references); hashed when loaded
 * @param models the client-facing models this tenant may use; empty means all
 */
public record TenantConfig(String name, String country, List<Secret> keys, List<String> models) {
    public TenantConfig {
        keys = List.copyOf(keys);
        models = List.copyOf(models);
    }
}
