package dev.tollgate.meter;

import dev.tollgate.wire.Usage;
import java.time.Instant;

/**
 * What one request consumed: the unit of metering, written once to the append-only usage ledger.
 *
 * @param requestId unique; writing the same id twice is a no-op, which makes replays after a crash safe
 * @param model the model the caller asked for
 * @param upstreamModel the name the serving deployment knows the model by
 * @param deployment the deployment id ({@code provider/model}) that served, or the last one tried
 * @param estimated true when the upstream never reported usage and tokens were counted by the gateway
 * @param httpStatus the status the caller received
 * @param attempts how many deployments were tried
 * @param costMicros the price of this request in micro-units (millionths) of {@code currency}, computed from the price
 *     catalogue when the record was made; 0 when the model has no price
 * @param currency ISO 4217 code of {@code costMicros}; null when the model has no price
 */
public record UsageRecord(
        String requestId,
        Instant time,
        String tenant,
        String keyId,
        String endpoint,
        String model,
        String provider,
        String upstreamModel,
        String deployment,
        String region,
        Usage usage,
        boolean estimated,
        UsageStatus status,
        int httpStatus,
        long latencyMillis,
        boolean stream,
        int attempts,
        long costMicros,
        String currency) {

    /** A record without a price (a model without a price in the catalogue). */
    public UsageRecord(
            String requestId,
            Instant time,
            String tenant,
            String keyId,
            String endpoint,
            String model,
            String provider,
            String upstreamModel,
            String deployment,
            String region,
            Usage usage,
            boolean estimated,
            UsageStatus status,
            int httpStatus,
            long latencyMillis,
            boolean stream,
            int attempts) {
        this(
                requestId,
                time,
                tenant,
                keyId,
                endpoint,
                model,
                provider,
                upstreamModel,
                deployment,
                region,
                usage,
                estimated,
                status,
                httpStatus,
                latencyMillis,
                stream,
                attempts,
                0,
                null);
    }
}
