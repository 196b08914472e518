package dev.tollgate.server;

import dev.tollgate.provider.UpstreamTarget;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.bedrock.BedrockDialect;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.gemini.GeminiDialect;
import dev.tollgate.wire.openai.OpenAiCompatibleDialect;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.VendorProfile;
import dev.tollgate.wire.responses.ResponsesDialect;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Which dialect serves which path and which provider type; the one place to add a dialect to the server. */
final class Dialects {
    static final String MESSAGES_PATH = "/v1/messages";
    static final String RESPONSES_PATH = "/v1/responses";

    private static final GeminiDialect GOOGLE_AI = GeminiDialect.googleAi();
    /** One Vertex dialect per project and location (its path prefix): as many as the configuration names. */
    private static final Map<String, GeminiDialect> VERTEX = new ConcurrentHashMap<>();

    private Dialects() {}

    /** The caller's dialect for a request path: errors on {@code /v1/messages} go out in Anthropic's shape. */
    static IngressDialect ingress(String path) {
        return switch (path) {
            case MESSAGES_PATH -> AnthropicDialect.INSTANCE;
            case RESPONSES_PATH -> ResponsesDialect.INSTANCE;
            default -> OpenAiDialect.INSTANCE;
        };
    }

    /** The provider's dialect for its config {@code type}. */
    static UpstreamDialect upstream(String type) {
        return switch (type) {
            case "anthropic" -> AnthropicDialect.INSTANCE;
            case "gemini" -> GOOGLE_AI;
            case "bedrock" -> BedrockDialect.INSTANCE;
            default -> OpenAiDialect.INSTANCE;
        };
    }

    /** One adapter per vendor profile and per Azure API version: as many as the configuration names. */
    private static final Map<String, OpenAiCompatibleDialect> COMPATIBLE = new ConcurrentHashMap<>();

    /**
     * The provider's dialect for a resolved target: a Vertex AI provider's paths name its project and location, an
     * OpenAI-compatible one's quirks its vendor, an Azure one's URLs its API version.
     */
    static UpstreamDialect upstream(UpstreamTarget target) {
        if ("openai-compatible".equals(target.type()) && target.vendor() != null) {
            return COMPATIBLE.computeIfAbsent(
                    "vendor\n" + target.vendor(),
                    k -> OpenAiCompatibleDialect.vendor(VendorProfile.of(target.vendor())));
        }
        if ("azure".equals(target.type())) {
            String version = target.apiVersion();
            return COMPATIBLE.computeIfAbsent(
                    "azure\n" + (version == null ? "v1" : version), k -> OpenAiCompatibleDialect.azure(version));
        }
        var vertex = target.vertex();
        if (vertex == null) {
            return upstream(target.type());
        }
        return VERTEX.computeIfAbsent(
                vertex.project() + '\n' + vertex.location(),
                k -> GeminiDialect.vertex(vertex.project(), vertex.location()));
    }

    /**
     * Whether a 2xx answer with this content type is a stream: server-sent events, or AWS's binary event stream
     * (Bedrock ConverseStream answers {@code application/vnd.amazon.eventstream}).
     */
    static boolean isStream(String contentType) {
        return contentType != null
                && (contentType.startsWith("text/event-stream")
                        || contentType.startsWith("application/vnd.amazon.eventstream"));
    }
}
