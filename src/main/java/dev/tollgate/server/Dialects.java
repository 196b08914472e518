package dev.tollgate.server;

import dev.tollgate.provider.UpstreamTarget;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.bedrock.BedrockDialect;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.gemini.GeminiDialect;
import dev.tollgate.wire.openai.OpenAiDialect;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Which dialect serves which path and which provider type; the one place to add a dialect to the server. */
final class Dialects {
    static final String MESSAGES_PATH = "/v1/messages";

    private static final GeminiDialect GOOGLE_AI = GeminiDialect.googleAi();
    /** One Vertex dialect per project and location (its path prefix): as many as the configuration names. */
    private static final Map<String, GeminiDialect> VERTEX = new ConcurrentHashMap<>();

    private Dialects() {}

    /** The caller's dialect for a request path: errors on {@code /v1/messages} go out in Anthropic's shape. */
    static IngressDialect ingress(String path) {
        return MESSAGES_PATH.equals(path) ? AnthropicDialect.INSTANCE : OpenAiDialect.INSTANCE;
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

    /** The provider's dialect for a resolved target: a Vertex AI provider's paths name its project and location. */
    static UpstreamDialect upstream(UpstreamTarget target) {
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
