package dev.tollgate.settle;

import dev.tollgate.meter.UsageRecord;
import java.time.Instant;
import java.util.Objects;

/**
 * What one priced request earned. The request id ties every ledger transaction back to the {@link UsageRecord} it
 * came from, and is the idempotency key that makes a replayed record post nothing new.
 */
public record Revenue(
        String requestId,
        Instant time,
        String tenant,
        String model,
        String deployment,
        String provider,
        String region,
        Money amount) {

    public Revenue {
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalArgumentException("request id is required");
        }
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(amount, "amount");
        if (amount.signum() < 0) {
            // A refund is a correction of an earlier event, not negative revenue.
            throw new IllegalArgumentException("revenue cannot be negative: " + amount);
        }
    }

    /** The revenue of a metered request, once a price has turned its tokens into an amount. */
    public static Revenue of(UsageRecord record, Money amount) {
        return new Revenue(
                record.requestId(),
                record.time(),
                record.tenant(),
                record.model(),
                record.deployment(),
                record.provider(),
                record.region() == null ? "" : record.region(),
                amount);
    }
}
