package dev.tollgate.admit;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Credit handed to a tenant: an amount of money or of tokens, usable for some models (or all) until it expires.
 *
 * @param id unique; granting the same id twice grants once
 * @param currency ISO 4217 code of a money grant ({@code amount} in micro-units); null for a grant of tokens
 * @param amount micro-units of {@code currency}, or tokens (prompt + completion as the upstream counts them)
 * @param models the client-facing models the grant pays for; empty means every model
 * @param priority which grants are used first (promotional before paid; the prepaid balance after every grant)
 * @param expiresAt from this instant on the grant pays for nothing; null: never
 */
public record Grant(
        String id,
        String tenant,
        String currency,
        long amount,
        Set<String> models,
        Priority priority,
        Instant expiresAt,
        Instant createdAt,
        String reason) {

    /** The order grants are consumed in; within one priority the grant that expires first goes first. */
    public enum Priority {
        PROMOTIONAL,
        PAID
    }

    public Grant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(createdAt, "createdAt");
        models = Set.copyOf(models);
        if (amount <= 0) {
            throw new IllegalArgumentException("a grant is positive");
        }
        if (expiresAt != null && !expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("a grant expires after it is made");
        }
    }

    public boolean tokens() {
        return currency == null;
    }
}
