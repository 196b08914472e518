package dev.tollgate.server;

import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.openai.OpenAiDialect;

/** Which dialect serves which path and which provider type; the one place to add a dialect to the server. */
final class Dialects {
    static final String MESSAGES_PATH = "/v1/messages";

    private Dialects() {}

    /** The caller's dialect for a request path: errors on {@code /v1/messages} go out in Anthropic's shape. */
    static IngressDialect ingress(String path) {
        return MESSAGES_PATH.equals(path) ? AnthropicDialect.INSTANCE : OpenAiDialect.INSTANCE;
    }

    /** The provider's dialect for its config {@code type}. */
    static UpstreamDialect upstream(String type) {
        return switch (type) {
            case "anthropic" -> AnthropicDialect.INSTANCE;
            default -> OpenAiDialect.INSTANCE;
        };
    }
}
