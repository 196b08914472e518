package dev.tollgate.wire.canonical;

/**
 * What an upstream dialect needs to know about the deployment a request goes to.
 *
 * @param model the provider's model name
 * @param deployment the deployment id ({@code provider/model}), named in errors
 * @param defaultMaxTokens sent when the caller gave no {@code max_tokens} and the provider requires one
 * @param maxTokensLimit the model's maximum output; a larger request is clamped to it (0 = no clamp)
 * @param dropUnsupported drop parameters the provider cannot honour instead of refusing the request
 */
public record UpstreamCall(
        String model, String deployment, int defaultMaxTokens, int maxTokensLimit, boolean dropUnsupported) {

    /**
     * Refuses a parameter the provider cannot honour with a message naming the parameter and this deployment, or
     * lets the dialect leave it out when the configuration says to drop such parameters.
     */
    public void refuseUnlessDropped(String param, String provider, String why) throws UnsupportedParameterException {
        if (!dropUnsupported) {
            throw new UnsupportedParameterException(
                    param,
                    "Parameter '" + param + "' is not supported by deployment '" + deployment + "' (" + provider + ": "
                            + why + ").");
        }
    }
}
