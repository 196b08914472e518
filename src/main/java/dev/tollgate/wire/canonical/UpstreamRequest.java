package dev.tollgate.wire.canonical;

import java.util.Map;

/**
 * An encoded provider request. The transport adds the base URL's host and path prefix and the credential headers
 * (from {@code provider.UpstreamTarget}); request signing (Bedrock SigV4) happens there too, after encoding.
 *
 * @param path the path below the provider's base URL, with query, e.g. {@code /v1/messages}
 * @param headers dialect headers (e.g. {@code anthropic-version}); never credentials
 */
public record UpstreamRequest(String path, Map<String, String> headers, byte[] body) {
    public UpstreamRequest {
        headers = Map.copyOf(headers);
    }
}
