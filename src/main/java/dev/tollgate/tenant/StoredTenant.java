package dev.tollgate.tenant;

import java.time.Instant;

/** A tenant created through the admin API (tenants may also be declared in the configuration file). */
public record StoredTenant(String name, String country, Instant createdAt) {}
