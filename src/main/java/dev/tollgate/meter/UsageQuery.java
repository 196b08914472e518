package dev.tollgate.meter;

import java.time.Instant;

/** Which usage records to add up: one tenant, optionally one key and model, within [from, to). */
public record UsageQuery(String tenant, String keyId, String model, Instant from, Instant to) {}
