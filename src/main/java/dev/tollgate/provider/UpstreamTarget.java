package dev.tollgate.provider;

import dev.tollgate.config.ProviderConfig;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where and how to send a request to a provider: resolved once per configuration snapshot so
 * the hot path does no URL parsing. The headers carry the upstream credential, which never leaves this object
 * except towards that upstream.
 */
public record UpstreamTarget(
        String host, int port, boolean tls, String basePath, Map<String, String> headers, String type) {

    public static UpstreamTarget of(ProviderConfig provider) {
        URI base = provider.baseUrl();
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Map<String, String> headers = new LinkedHashMap<>(provider.headers());
        if (provider.apiKey() != null) {
            if ("anthropic".equals(provider.type())) {
                headers.put("x-api-key", provider.apiKey().value());
            } else {
                headers.put("authorization", "Bearer " + provider.apiKey().value());
            }
        }
        return new UpstreamTarget(base.getHost(), port, tls, path, Map.copyOf(headers), provider.type());
    }

    /** The request path of an endpoint, e.g. {@code /v1/chat/completions}. */
    public String path(String endpointPath) {
        return basePath + endpointPath;
    }

    @Override
    public String toString() {
        return "UpstreamTarget[" + (tls ? "https" : "http") + "://" + host + ":" + port + basePath + "]";
    }
}
