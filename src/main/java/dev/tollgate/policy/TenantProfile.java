package dev.tollgate.policy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * A tenant as the policy sees it. Ownership is kept in hundredths of a percent, so sums and thresholds are exact.
 *
 * @param country ISO 3166 alpha-2, or null when unknown
 */
public record TenantProfile(String name, String country, TenantAttributes attributes) {
    public TenantProfile {
        attributes = attributes == null ? TenantAttributes.NONE : attributes;
    }

    /** Hundredths of a percent owned from {@code country}; 0 when none is declared. */
    long ownershipHundredths(String country) {
        BigDecimal share = attributes.ownership().get(country);
        return share == null ? 0 : share.movePointRight(2).longValue();
    }

    /** A copy of the ownership map in hundredths, for the admin API. */
    Map<String, Long> ownershipHundredths() {
        Map<String, Long> out = new HashMap<>();
        attributes.ownership().forEach((k, v) -> out.put(k, v.movePointRight(2).longValue()));
        return out;
    }
}
