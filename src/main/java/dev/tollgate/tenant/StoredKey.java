package dev.tollgate.tenant;

import java.time.Instant;
import java.util.List;

/** A virtual key as the store keeps it: the hash, never the key. */
public record StoredKey(
        String id,
        String tenant,
        String name,
        String prefix,
        String hash,
        List<String> models,
        Instant createdAt,
        Instant revokedAt) {
    public StoredKey {
        models = List.copyOf(models);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
