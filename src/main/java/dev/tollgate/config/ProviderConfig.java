package dev.tollgate.config;

import dev.tollgate.policy.DeploymentAttributes;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * An upstream provider endpoint.
 *
 * @param type the adapter family: {@code openai} (OpenAI itself, or any endpoint that needs no translation),
 *     {@code openai-compatible} (a vendor's OpenAI-shaped API with its quirks), {@code azure}, {@code anthropic},
 *     {@code gemini}, {@code bedrock}
 * @param baseUrl written the way the provider's official SDK takes it, e.g. {@code https://api.openai.com/v1}
 * @param apiKey null when the upstream needs no key (a local vLLM or Ollama)
 * @param region where the deployment is hosted; recorded on every usage record
 * @param headers extra headers sent upstream on every request (e.g. an organisation id)
 * @param maxTokensDefault {@code max_tokens} sent when the caller gave none and the provider requires one (Anthropic)
 * @param maxTokensLimit the largest {@code max_tokens} sent (larger requests are clamped); 0 = no clamp
 * @param dropUnsupported drop parameters the provider cannot honour ({@code n > 1}, logprobs on Anthropic) instead of
 *     answering 400
 * @param cloud Vertex AI or AWS SigV4 access for {@code gemini} and {@code bedrock}; null when an API key (or nothing)
 *     is the credential
 * @param vendor for {@code openai-compatible}: whose quirks apply ({@code deepseek}, {@code zhipu}, …); else null
 * @param apiVersion for {@code azure}: the {@code api-version} of deployment URLs; null for Azure's v1 endpoint
 * @param jwtAuth for vendor {@code zhipu}: sign short-lived JWTs with the {@code id.secret} key instead of sending it
 * @param attributes what the compliance policy knows of every deployment on this provider (vendor, vendor country,
 *     family, licence, labels); the hosting region is {@code region}
 */
public record ProviderConfig(
        String name,
        String type,
        URI baseUrl,
        Secret apiKey,
        String region,
        Map<String, String> headers,
        int maxTokensDefault,
        int maxTokensLimit,
        boolean dropUnsupported,
        CloudAccess cloud,
        String vendor,
        String apiVersion,
        boolean jwtAuth,
        DeploymentAttributes attributes) {
    /** The adapter families this build can talk to. The loader rejects any other {@code type}. */
    public static final Set<String> KNOWN_TYPES =
            Set.of("openai", "openai-compatible", "azure", "anthropic", "gemini", "bedrock");

    public static final int DEFAULT_MAX_TOKENS = 4096;

    public ProviderConfig {
        headers = Map.copyOf(headers);
        attributes = attributes == null ? DeploymentAttributes.NONE : attributes;
    }

    public ProviderConfig(
            String name, String type, URI baseUrl, Secret apiKey, String region, Map<String, String> headers) {
        this(name, type, baseUrl, apiKey, region, headers, DEFAULT_MAX_TOKENS, 0, false, null);
    }

    public ProviderConfig(
            String name,
            String type,
            URI baseUrl,
            Secret apiKey,
            String region,
            Map<String, String> headers,
            int maxTokensDefault,
            int maxTokensLimit,
            boolean dropUnsupported) {
        this(name, type, baseUrl, apiKey, region, headers, maxTokensDefault, maxTokensLimit, dropUnsupported, null);
    }

    public ProviderConfig(
            String name,
            String type,
            URI baseUrl,
            Secret apiKey,
            String region,
            Map<String, String> headers,
            int maxTokensDefault,
            int maxTokensLimit,
            boolean dropUnsupported,
            CloudAccess cloud) {
        this(
                name,
                type,
                baseUrl,
                apiKey,
                region,
                headers,
                maxTokensDefault,
                maxTokensLimit,
                dropUnsupported,
                cloud,
                null,
                null,
                false,
                null);
    }

    /** A provider without policy attributes. */
    public ProviderConfig(
            String name,
            String type,
            URI baseUrl,
            Secret apiKey,
            String region,
            Map<String, String> headers,
            int maxTokensDefault,
            int maxTokensLimit,
            boolean dropUnsupported,
            CloudAccess cloud,
            String vendor,
            String apiVersion,
            boolean jwtAuth) {
        this(
                name,
                type,
                baseUrl,
                apiKey,
                region,
                headers,
                maxTokensDefault,
                maxTokensLimit,
                dropUnsupported,
                cloud,
                vendor,
                apiVersion,
                jwtAuth,
                null);
    }

    /** Header values may be credentials (an organisation token, a gateway key): only their names are shown. */
    @Override
    public String toString() {
        return "ProviderConfig[name=" + name + ", type=" + type + ", baseUrl=" + baseUrl + ", apiKey=" + apiKey
                + ", region=" + region + ", headers=" + headers.keySet() + ", cloud=" + cloud
                + (vendor == null ? "" : ", vendor=" + vendor)
                + (apiVersion == null ? "" : ", apiVersion=" + apiVersion) + ", attributes=" + attributes + "]";
    }
}
