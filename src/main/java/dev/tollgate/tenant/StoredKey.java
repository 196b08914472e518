package dev.tollgate.tenant;

import java.time.Instant;
import java.util.List;

/**
 * A virtual key as the store keeps it: the hash, never the key.
 *
 * @param project the tenant's project the key belongs to (its limits and budgets apply), or null
 */
public record StoredKey(
        String id,
        String tenant,
        String name,
        String prefix,
        String hash,
        List<String> models,
        Instant createdAt,
        Instant revokedAt,
        String project) {
    public StoredKey {
        models = List.copyOf(models);
    }

    /** A key of no project. */
    public StoredKey(
            String id,
            String tenant,
            String name,
            String prefix,
            String hash,
            List<String> models,
            Instant createdAt,
            Instant revokedAt) {
        this(id, tenant, name, prefix, hash, models, createdAt, revokedAt, null);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
