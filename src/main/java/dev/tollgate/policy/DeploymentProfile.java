package dev.tollgate.policy;

/**
 * A deployment as the policy sees it.
 *
 * @param id {@code provider/model}, as in usage records and the admin API
 * @param upstreamModel the model name the provider knows
 * @param region the provider's hosting region; null when not given
 */
public record DeploymentProfile(
        String id, String provider, String upstreamModel, String region, DeploymentAttributes attributes) {
    public DeploymentProfile {
        attributes = attributes == null ? DeploymentAttributes.NONE : attributes;
    }

    /** "true" when the deployment serves an open-weights model (it has a licence), else "false". */
    String openWeights() {
        return attributes.license() != null ? "true" : "false";
    }
}
