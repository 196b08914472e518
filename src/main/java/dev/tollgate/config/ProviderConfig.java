package dev.tollgate.config;

import java.net.URI;
import java.util.Map;

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
    public ProviderConfig {
        headers = Map.copyOf(headers);
    }
}
