package dev.tollgate.admit;

import java.time.Instant;
import java.util.Objects;

/**
 * Money paid into a tenant's prepaid balance: used for any model, after every grant, never expiring.
 *
 * @param id unique; the same top-up posted twice counts once
 * @param micros micro-units of {@code currency}
 * @param reference the payment it comes from (an invoice or payment id), for the audit trail
 */
public record TopUp(String id, String tenant, String currency, long micros, Instant at, String reference) {
    public TopUp {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(at, "at");
        if (micros <= 0) {
            throw new IllegalArgumentException("a top-up is positive");
        }
    }
}
