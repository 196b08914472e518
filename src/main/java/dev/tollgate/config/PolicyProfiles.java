package dev.tollgate.config;

import dev.tollgate.policy.DeploymentAttributes;
import dev.tollgate.policy.DeploymentProfile;
import dev.tollgate.policy.PolicyGate;
import dev.tollgate.policy.TenantProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The compliance policy of a configuration snapshot, with the attributes of its tenants and deployments resolved. */
public final class PolicyProfiles {
    private PolicyProfiles() {}

    /**
     * The gate of {@code config}: each declared tenant with its country and attributes; each deployment with its
     * provider's hosting region and attributes, overridden by its own under {@code policy.deployments}.
     */
    public static PolicyGate gate(GatewayConfig config) {
        List<TenantProfile> tenants = new ArrayList<>();
        for (TenantConfig t : config.tenants().values()) {
            tenants.add(new TenantProfile(t.name(), t.country(), t.attributes()));
        }
        Map<String, DeploymentProfile> deployments = new LinkedHashMap<>();
        for (List<DeploymentConfig> list : config.models().values()) {
            for (DeploymentConfig d : list) {
                ProviderConfig p = config.providers().get(d.provider());
                DeploymentAttributes base = p == null ? DeploymentAttributes.NONE : p.attributes();
                DeploymentAttributes own = config.policy().deployments().get(d.id());
                deployments.put(
                        d.id(),
                        new DeploymentProfile(
                                d.id(),
                                d.provider(),
                                d.model(),
                                p == null ? null : p.region(),
                                own == null ? base : own.over(base)));
            }
        }
        return PolicyGate.of(config.policy(), tenants, deployments.values());
    }
}
