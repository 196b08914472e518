package dev.tollgate.config;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * An upstream provider endpoint.
 *
 * @param type the adapter family; {@code openai} for OpenAI and OpenAI-compatible endpoints
 * @param baseUrl written the way the provider's official SDK takes it, e.g. {@code https://api.openai.com/v1}
 * @param apiKey null when the upstream needs no key (a local vLLM or Ollama)
 * @param region where the deployment is hosted; recorded on every usage record
 * @param headers extra headers sent upstream on every request (e.g. an organisation id)
 */
public record ProviderConfig(
        String name, String type, URI baseUrl, Secret apiKey, String region, Map<String, String> headers) {
    /** The adapter families this build can talk to. The loader rejects any other {@code type}. */
    public static final Set<String> KNOWN_TYPES = Set.of("openai");

    public ProviderConfig {
        headers = Map.copyOf(headers);
    }

    /** Header values may be credentials (an organisation token, a gateway key): only their names are shown. */
    @Override
    public String toString() {
        return "ProviderConfig[name=" + name + ", type=" + type + ", baseUrl=" + baseUrl + ", apiKey=" + apiKey
                + ", region=" + region + ", headers=" + headers.keySet() + "]";
    }
}
