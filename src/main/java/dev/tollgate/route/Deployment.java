package dev.tollgate.route;

import dev.tollgate.config.DeploymentConfig;
import dev.tollgate.config.ProviderConfig;

/**
 * A deployment resolved against its provider: everything needed to send it one request.
 *
 * @param model the client-facing model this deployment serves in a plan: the model asked for (after aliases), or the
 *     fallback model whose deployment it is; null when built outside a route table
 */
public record Deployment(DeploymentConfig config, ProviderConfig provider, String model) {
    public Deployment(DeploymentConfig config, ProviderConfig provider) {
        this(config, provider, null);
    }

    public String id() {
        return config.id();
    }

    public String upstreamModel() {
        return config.model();
    }
}
