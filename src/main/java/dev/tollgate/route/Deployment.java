package dev.tollgate.route;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.ProviderConfig;

/** A deployment resolved against its provider: everything needed to send it one request. */
public record Deployment(DeploymentConfig config, ProviderConfig provider) {
    public String id() {
        return config.id();
    }

    public String upstreamModel() {
        return config.model();
    }
}
