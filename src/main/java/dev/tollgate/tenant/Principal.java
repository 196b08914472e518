package dev.tollgate.tenant;

import java.util.Set;

/**
 * Who is calling, as established from a virtual key: the tenant the usage is charged to and what the key may do.
 *
 * @param keyId the key's public id (never the key itself)
 * @param models client-facing models this key may use, when {@code anyModel} is false
 * @param project the tenant's project the key belongs to, or null
 */
public record Principal(
        String tenant, String keyId, String country, boolean anyModel, Set<String> models, String project) {
    public Principal {
        models = Set.copyOf(models);
    }

    /** A key of no project. */
    public Principal(String tenant, String keyId, String country, boolean anyModel, Set<String> models) {
        this(tenant, keyId, country, anyModel, models, null);
    }

    public boolean mayUse(String model) {
        return anyModel || models.contains(model);
    }
}
