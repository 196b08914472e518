package dev.tollgate.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * What the policy knows of a deployment besides its id, provider and hosting region: given on a provider (for every
 * deployment it serves) and per deployment under {@code policy.deployments} (merged over the provider's).
 *
 * @param vendor who makes the model (e.g. {@code openai}, {@code meta}); null when not given
 * @param vendorCountry the vendor's home country (ISO 3166 alpha-2); null when not given
 * @param family the model family (e.g. {@code gpt-4o}, {@code llama-3.1}); null when not given
 * @param license the open-weights licence (e.g. {@code apache-2.0}); null for a closed-weights model
 * @param labels any further attributes, name to value
 */
public record DeploymentAttributes(
        String vendor, String vendorCountry, String family, String license, Map<String, String> labels) {
    public static final DeploymentAttributes NONE = new DeploymentAttributes(null, null, null, null, Map.of());

    public DeploymentAttributes {
        labels = Map.copyOf(labels);
    }

    /** These attributes where given, {@code base}'s elsewhere; labels are merged, these winning. */
    public DeploymentAttributes over(DeploymentAttributes base) {
        Map<String, String> merged = new HashMap<>(base.labels);
        merged.putAll(labels);
        return new DeploymentAttributes(
                vendor != null ? vendor : base.vendor,
                vendorCountry != null ? vendorCountry : base.vendorCountry,
                family != null ? family : base.family,
                license != null ? license : base.license,
                merged);
    }
}
