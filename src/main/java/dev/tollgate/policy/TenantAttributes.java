package dev.tollgate.policy;

import java.math.BigDecimal;
import java.util.Map;

/**
 * What the policy knows of a tenant besides its name and country.
 *
 * @param region a region name of the operator's choosing (e.g. {@code eu}, {@code cn}); null when not given
 * @param tier the verification tier (e.g. {@code unverified}, {@code verified}, {@code enterprise}); null when not given
 * @param sector the tenant's sector (e.g. {@code finance}); null when not given
 * @param ownership percentage of the tenant owned from each country (ISO 3166 alpha-2), at most two decimals
 * @param labels any further attributes, name to value
 */
public record TenantAttributes(
        String region, String tier, String sector, Map<String, BigDecimal> ownership, Map<String, String> labels) {
    public static final TenantAttributes NONE = new TenantAttributes(null, null, null, Map.of(), Map.of());

    public TenantAttributes {
        ownership = Map.copyOf(ownership);
        labels = Map.copyOf(labels);
    }
}
