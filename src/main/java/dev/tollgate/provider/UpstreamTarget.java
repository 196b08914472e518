package dev.tollgate.provider;

import dev.tollgate.config.CloudAccess;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.wire.bedrock.SigV4;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where and how to send a request to a provider: resolved once per configuration snapshot so
 * the hot path does no URL parsing. The headers carry the upstream credential, which never leaves this object
 * except towards that upstream.
 *
 * @param signing AWS SigV4 keys when every request must be signed (Bedrock without an API key); null otherwise
 * @param vertex the Vertex AI project and location of a {@code gemini} provider; null for Google AI and other types
 * @param vendor the vendor of an {@code openai-compatible} provider; null for other types
 * @param apiVersion the {@code api-version} of an {@code azure} provider's deployment URLs; null otherwise
 * @param zhipuTokens signs each request's bearer token (Zhipu's {@code id.secret} JWT form); null otherwise
 */
public record UpstreamTarget(
        String host,
        int port,
        boolean tls,
        String basePath,
        Map<String, String> headers,
        String type,
        Signing signing,
        CloudAccess.Vertex vertex,
        String vendor,
        String apiVersion,
        ZhipuTokens zhipuTokens) {

    /** SigV4 for service {@code bedrock}: the keys, the region, and the {@code host} header value that is signed. */
    public record Signing(SigV4.Credentials credentials, String region, String hostHeader) {
        @Override
        public String toString() {
            return "Signing[" + credentials + ", region=" + region + "]";
        }
    }

    public UpstreamTarget(
            String host, int port, boolean tls, String basePath, Map<String, String> headers, String type) {
        this(host, port, tls, basePath, headers, type, null, null, null, null, null);
    }

    public static UpstreamTarget of(ProviderConfig provider) {
        URI base = provider.baseUrl();
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Map<String, String> headers = new LinkedHashMap<>(provider.headers());
        ZhipuTokens zhipuTokens = null;
        if (provider.apiKey() != null && provider.jwtAuth()) {
            zhipuTokens = new ZhipuTokens(provider.apiKey());
        } else if (provider.apiKey() != null) {
            switch (provider.type()) {
                // Azure OpenAI's key header, for deployment URLs and the v1 endpoint alike.
                case "azure" -> headers.put("api-key", provider.apiKey().value());
                case "anthropic" -> headers.put("x-api-key", provider.apiKey().value());
                // Google AI takes its key in this header (a ?key= query would end up in access logs).
                case "gemini" -> headers.put("x-goog-api-key", provider.apiKey().value());
                // A Bedrock API key is a bearer token like any other.
                default ->
                    headers.put("authorization", "Bearer " + provider.apiKey().value());
            }
        }
        Signing signing = null;
        CloudAccess.Vertex vertex = null;
        switch (provider.cloud()) {
            case CloudAccess.Vertex v -> {
                vertex = v;
                headers.put("authorization", "Bearer " + v.accessToken().value());
            }
            case CloudAccess.Aws aws -> {
                // Vert.x writes the port into Host only when it is not the scheme's default; the signed value must
                // be byte-for-byte the one sent, so the gateway sends this one itself.
                String hostHeader = base.getPort() > 0 && base.getPort() != (tls ? 443 : 80)
                        ? base.getHost() + ":" + base.getPort()
                        : base.getHost();
                signing = new Signing(
                        new SigV4.Credentials(
                                aws.accessKeyId().value(),
                                aws.secretAccessKey().value(),
                                aws.sessionToken() == null
                                        ? null
                                        : aws.sessionToken().value()),
                        aws.region(),
                        hostHeader);
            }
            case null -> {}
        }
        return new UpstreamTarget(
                base.getHost(),
                port,
                tls,
                path,
                Map.copyOf(headers),
                provider.type(),
                signing,
                vertex,
                provider.vendor(),
                provider.apiVersion(),
                zhipuTokens);
    }

    /** The request path of an endpoint, e.g. {@code /v1/chat/completions}. */
    public String path(String endpointPath) {
        return basePath + endpointPath;
    }

    /**
     * The request path of an endpoint for one model: for Azure with an API version, the deployment's URL ({@code
     * /openai/deployments/{model}/embeddings?api-version=…}); for every other provider {@link #path(String)}.
     */
    public String path(String endpointPath, String model) {
        if (!"azure".equals(type) || apiVersion == null) {
            return path(endpointPath);
        }
        return basePath + "/openai/deployments/"
                + java.net.URLEncoder.encode(model, java.nio.charset.StandardCharsets.UTF_8) + endpointPath
                + "?api-version=" + java.net.URLEncoder.encode(apiVersion, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The headers one request carries towards this upstream: the fixed ones, plus a fresh SigV4 signature over the
     * exact URI and body when the upstream wants signed requests.
     *
     * @param uri the request URI as sent (path and query, percent-encoded)
     * @param contentType the request's content type, which is signed with it
     */
    public Map<String, String> headersFor(String uri, String contentType, byte[] body, Instant now) {
        if (zhipuTokens != null) {
            Map<String, String> withToken = new LinkedHashMap<>(headers);
            withToken.put("authorization", "Bearer " + zhipuTokens.token(now));
            return withToken;
        }
        if (signing == null) {
            return headers;
        }
        int q = uri.indexOf('?');
        Map<String, String> signed = new LinkedHashMap<>(headers);
        signed.put("host", signing.hostHeader());
        signed.put("content-type", contentType);
        Map<String, String> added = SigV4.sign(
                new SigV4.Request(
                        "POST",
                        q < 0 ? uri : uri.substring(0, q),
                        q < 0 ? "" : uri.substring(q + 1),
                        Map.of("host", signing.hostHeader(), "content-type", contentType),
                        body),
                signing.credentials(),
                signing.region(),
                "bedrock",
                now,
                true);
        signed.putAll(added);
        return signed;
    }

    @Override
    public String toString() {
        return "UpstreamTarget[" + (tls ? "https" : "http") + "://" + host + ":" + port + basePath + "]";
    }
}
