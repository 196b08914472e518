package dev.tollgate.wire.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.UpstreamErrorText;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.ChatResponse;
import dev.tollgate.wire.canonical.ContentPart;
import dev.tollgate.wire.canonical.FinishReason;
import dev.tollgate.wire.canonical.JsonTrees;
import dev.tollgate.wire.canonical.Message;
import dev.tollgate.wire.canonical.ProviderError;
import dev.tollgate.wire.canonical.ResponseFormat;
import dev.tollgate.wire.canonical.Role;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.Tool;
import dev.tollgate.wire.canonical.UnsupportedParameterException;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.canonical.UpstreamRequest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Google's Gemini API ({@code generateContent} / {@code streamGenerateContent?alt=sse}), in its two URL forms: Google
 * AI ({@code /v1beta/models/{model}}) and Vertex AI ({@code /v1/projects/{p}/locations/{l}/publishers/google/models/
 * {model}}). The body is the same for both; the transport adds {@code x-goog-api-key} or a Vertex bearer token.
 */
public final class GeminiDialect implements UpstreamDialect {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Gemini reads no URL but {@code gs://} and YouTube ones; the gateway inlines http(s) images before encoding. */
    private final String modelsPath;

    private GeminiDialect(String modelsPath) {
        this.modelsPath = modelsPath;
    }

    /** The Gemini Developer API: {@code https://generativelanguage.googleapis.com/v1beta/models/...}. */
    public static GeminiDialect googleAi() {
        return new GeminiDialect("/v1beta/models/");
    }

    /** Vertex AI: {@code https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/...}. */
    public static GeminiDialect vertex(String project, String location) {
        return new GeminiDialect(
                "/v1/projects/" + segment(project) + "/locations/" + segment(location) + "/publishers/google/models/");
    }

    @Override
    public String type() {
        return "gemini";
    }

    /** It does not fetch URLs: the gateway inlines them first (wire.canonical.ImageInliner). */
    @Override
    public boolean acceptsImageUrls() {
        return false;
    }

    @Override
    public UpstreamRequest encodeRequest(ChatRequest request, UpstreamCall call) throws UnsupportedParameterException {
        ObjectNode body = NODES.objectNode();
        Map<String, String> toolNames = new HashMap<>();
        ArrayNode contents = body.putArray("contents");
        for (int i = 0; i < request.messages().size(); i++) {
            Message message = request.messages().get(i);
            ArrayNode parts = NODES.arrayNode();
            String signature = null;
            for (ContentPart part : message.content()) {
                ObjectNode encoded = null;
                switch (part) {
                    case ContentPart.Text text -> {
                        if (!text.text().isEmpty()) {
                            encoded = NODES.objectNode().put("text", text.text());
                        }
                    }
                    case ContentPart.Image image -> encoded = image(image, i, call.deployment());
                    case ContentPart.ToolUse use -> {
                        toolNames.put(use.id(), use.name());
                        encoded = NODES.objectNode();
                        ObjectNode functionCall = encoded.putObject("functionCall");
                        functionCall.put("name", use.name());
                        functionCall.set("args", JsonTrees.callerObject(use.arguments(), "arguments"));
                    }
                    case ContentPart.ToolResult result -> {
                        encoded = NODES.objectNode();
                        ObjectNode response = encoded.putObject("functionResponse");
                        // Gemini matches a result to its call by name; the canonical model keeps the call's id.
                        response.put("name", toolNames.getOrDefault(result.toolUseId(), result.toolUseId()));
                        response.set("response", toolResponse(result));
                    }
                    case ContentPart.Thinking thinking ->
                        // Thought summaries are not sent back; a signature is, on the part it preceded.
                        signature = thinking.signature();
                    case ContentPart.RedactedThinking redacted -> {
                        // Another provider's encrypted reasoning means nothing to Gemini.
                    }
                }
                if (encoded != null) {
                    if (signature != null) {
                        encoded.put("thoughtSignature", signature);
                        signature = null;
                    }
                    parts.add(encoded);
                }
            }
            if (!parts.isEmpty()) {
                contents.addObject()
                        .put("role", message.role() == Role.USER ? "user" : "model")
                        .set("parts", parts);
            }
        }
        if (request.system() != null && !request.system().isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", request.system());
        }
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (Tool tool : request.tools()) {
                ObjectNode declaration = declarations.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    declaration.put("description", tool.description());
                }
                if (tool.parameters() != null) {
                    // The JSON-Schema field: `parameters` takes only an OpenAPI subset and refuses e.g.
                    // additionalProperties, which OpenAI callers send with strict schemas.
                    declaration.set(
                            "parametersJsonSchema", JsonTrees.callerObject(tool.parameters(), "tools.parameters"));
                }
            }
        }
        if (request.toolChoice() != null) {
            ObjectNode config = body.putObject("toolConfig").putObject("functionCallingConfig");
            switch (request.toolChoice().mode()) {
                case AUTO -> config.put("mode", "AUTO");
                case NONE -> config.put("mode", "NONE");
                case REQUIRED -> config.put("mode", "ANY");
                case TOOL -> {
                    config.put("mode", "ANY");
                    config.putArray("allowedFunctionNames")
                            .add(request.toolChoice().name());
                }
            }
        }
        generationConfig(request, call, body);
        String method = request.stream() ? ":streamGenerateContent?alt=sse" : ":generateContent";
        return new UpstreamRequest(
                modelsPath + segment(call.model()) + method,
                Map.of("content-type", "application/json"),
                JsonTrees.bytes(body));
    }

    private static void generationConfig(ChatRequest request, UpstreamCall call, ObjectNode body)
            throws UnsupportedParameterException {
        ObjectNode config = NODES.objectNode();
        Integer maxTokens = request.maxTokens();
        if (maxTokens == null && call.defaultMaxTokens() > 0) {
            maxTokens = call.defaultMaxTokens();
        }
        if (maxTokens != null && call.maxTokensLimit() > 0 && maxTokens > call.maxTokensLimit()) {
            maxTokens = call.maxTokensLimit();
        }
        if (maxTokens != null) {
            config.put("maxOutputTokens", maxTokens);
        }
        if (request.temperature() != null) {
            config.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            config.put("topP", request.topP());
        }
        if (request.topK() != null) {
            config.put("topK", request.topK());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stops = config.putArray("stopSequences");
            request.stop().forEach(stops::add);
        }
        if (request.n() != null && request.n() > 1) {
            call.refuseUnlessDropped("n", "Gemini", "returns one choice per request through the gateway");
        }
        if (Boolean.TRUE.equals(request.logprobs()) || request.topLogprobs() != null) {
            call.refuseUnlessDropped("logprobs", "Gemini", "log-probabilities are not translated from Gemini");
        }
        // Gemini has OpenAI's seed and penalties under its own names; no logit bias.
        var sampling = request.sampling();
        if (sampling.seed() != null) {
            config.put("seed", sampling.seed());
        }
        if (sampling.presencePenalty() != null) {
            config.put("presencePenalty", sampling.presencePenalty());
        }
        if (sampling.frequencyPenalty() != null) {
            config.put("frequencyPenalty", sampling.frequencyPenalty());
        }
        if (sampling.logitBias() != null) {
            call.refuseUnlessDropped("logit_bias", "Gemini", "Gemini has no logit bias");
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            config.put("responseMimeType", "application/json");
            if (format.type() == ResponseFormat.Type.JSON_SCHEMA && format.schema() != null) {
                config.set(
                        "responseJsonSchema", JsonTrees.callerObject(format.schema(), "response_format.json_schema"));
            }
        }
        if (request.reasoning() != null) {
            ObjectNode thinking = config.putObject("thinkingConfig").put("includeThoughts", true);
            Integer budget = request.reasoning().budgetTokens();
            if (budget == null && request.reasoning().effort() != null) {
                budget = switch (request.reasoning().effort()) {
                    case "minimal", "low" -> 1024;
                    case "high" -> 24576;
                    default -> 8192;
                };
            }
            if (budget != null) {
                thinking.put("thinkingBudget", budget);
            }
        }
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
    }

    private static ObjectNode image(ContentPart.Image image, int message, String deployment)
            throws UnsupportedParameterException {
        ContentPart.Image inline = image.asInline();
        if (inline == null) {
            throw new UnsupportedParameterException(
                    "messages[" + message + "].content.image_url",
                    "Deployment '" + deployment
                            + "' (Gemini) does not fetch image URLs; send the image inline (base64)"
                            + " or as a data: URL.");
        }
        String mediaType = inline.mediaType();
        String data = inline.data();
        ObjectNode part = NODES.objectNode();
        part.putObject("inlineData").put("mimeType", mediaType).put("data", data);
        return part;
    }

    /** Gemini wants a JSON object as the function's response; text that is not one is wrapped. */
    private static JsonNode toolResponse(ContentPart.ToolResult result) {
        String content = result.content() == null ? "" : result.content();
        try {
            JsonNode parsed = JSON.readTree(content);
            if (parsed != null && parsed.isObject() && !result.isError()) {
                return parsed;
            }
        } catch (JsonProcessingException e) {
            // plain text: wrapped below
        }
        return NODES.objectNode().put(result.isError() ? "error" : "result", content);
    }

    @Override
    public ChatResponse decodeResponse(byte[] body) throws UpstreamFormatException {
        JsonNode root = tree(body);
        ResponseReader reader = new ResponseReader();
        List<ContentPart> content = new ArrayList<>();
        JsonNode candidate = root.path("candidates").path(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            reader.part(part, next -> {
                // Gemini signs the part after its thought summary; a caller reads one signed thought, as a stream
                // delivers it (the signature arriving after the thought's text), and sends it back the same way.
                if (next instanceof ContentPart.Thinking signed
                        && signed.text().isEmpty()
                        && !content.isEmpty()
                        && content.getLast() instanceof ContentPart.Thinking thought
                        && thought.signature() == null) {
                    content.set(content.size() - 1, new ContentPart.Thinking(thought.text(), signed.signature()));
                } else {
                    content.add(next);
                }
            });
        }
        return new ChatResponse(
                root.path("responseId").asText(null),
                root.path("modelVersion").asText(null),
                content,
                reader.finish(root),
                null,
                usage(root.get("usageMetadata")));
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new GeminiStreamDecoder();
    }

    static JsonNode tree(byte[] body) throws UpstreamFormatException {
        return tree(body, 0, body.length);
    }

    static JsonNode tree(byte[] body, int offset, int length) throws UpstreamFormatException {
        return JsonTrees.answerObject(body, offset, length, "Gemini");
    }

    /**
     * {@code promptTokenCount} already includes {@code cachedContentTokenCount}; output is candidates plus thoughts,
     * which Gemini counts apart and bills as output.
     */
    static TokenUsage usage(JsonNode metadata) {
        if (metadata == null || !metadata.isObject()) {
            return null;
        }
        long thoughts = metadata.path("thoughtsTokenCount").asLong();
        return new TokenUsage(
                metadata.path("promptTokenCount").asLong()
                        + metadata.path("toolUsePromptTokenCount").asLong(),
                metadata.path("candidatesTokenCount").asLong() + thoughts,
                metadata.path("cachedContentTokenCount").asLong(),
                0,
                thoughts);
    }

    /** Reads candidate parts in order; numbers tool calls and gives them ids, which Gemini often omits. */
    static final class ResponseReader {
        int toolCalls;

        interface Sink {
            void part(ContentPart part);
        }

        void part(JsonNode part, Sink out) throws UpstreamFormatException {
            String signature = part.path("thoughtSignature").asText(null);
            if (part.has("functionCall")) {
                JsonNode call = part.get("functionCall");
                if (signature != null) {
                    out.part(new ContentPart.Thinking("", signature));
                }
                out.part(new ContentPart.ToolUse(callId(call), call.path("name").asText(""), argumentsOf(call)));
                toolCalls++;
            } else if (part.path("thought").asBoolean(false)) {
                out.part(new ContentPart.Thinking(part.path("text").asText(""), signature));
            } else if (part.has("text")) {
                if (signature != null) {
                    out.part(new ContentPart.Thinking("", signature));
                }
                out.part(new ContentPart.Text(part.get("text").asText()));
            } else if (part.has("inlineData")) {
                JsonNode inline = part.get("inlineData");
                out.part(ContentPart.Image.inline(
                        inline.path("mimeType").asText(), inline.path("data").asText()));
            }
        }

        FinishReason finish(JsonNode root) {
            JsonNode candidate = root.path("candidates").path(0);
            if (candidate.isMissingNode() && root.path("promptFeedback").has("blockReason")) {
                return FinishReason.CONTENT_FILTER;
            }
            return finishReason(candidate.path("finishReason").asText("STOP"), toolCalls > 0);
        }
    }

    static String argumentsOf(JsonNode call) throws UpstreamFormatException {
        JsonNode args = call.get("args");
        try {
            return args == null || args.isNull() ? "{}" : JSON.writeValueAsString(args);
        } catch (JsonProcessingException e) {
            throw new UpstreamFormatException("unreadable functionCall.args", e);
        }
    }

    static String callId(JsonNode call) {
        String id = call.path("id").asText("");
        if (!id.isEmpty()) {
            return id;
        }
        StringBuilder synthetic = new StringBuilder("call_");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 24; i++) {
            synthetic.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
        }
        return synthetic.toString();
    }

    /** Gemini ends a tool-calling answer with STOP; only the parts say it called tools. */
    static FinishReason finishReason(String reason, boolean calledTools) {
        return switch (reason) {
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY",
                    "RECITATION",
                    "BLOCKLIST",
                    "PROHIBITED_CONTENT",
                    "SPII",
                    "IMAGE_SAFETY",
                    "IMAGE_PROHIBITED_CONTENT",
                    "LANGUAGE" -> FinishReason.CONTENT_FILTER;
            default -> calledTools ? FinishReason.TOOL_CALLS : FinishReason.STOP;
        };
    }

    @Override
    public ProviderError mapError(int status, Function<String, String> header, byte[] body, long nowMillis) {
        String message = "Gemini answered " + status + ".";
        String googleStatus = "";
        long retryAfter = UpstreamErrorText.retryAfterMillis(header.apply("retry-after"));
        try {
            JsonNode error = JSON.readTree(body).path("error");
            message = error.path("message").asText(message);
            googleStatus = error.path("status").asText("");
            for (JsonNode detail : error.path("details")) {
                if (detail.path("@type").asText("").endsWith("google.rpc.RetryInfo") && retryAfter < 0) {
                    retryAfter = durationMillis(detail.path("retryDelay").asText(""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Google's JSON (a proxy's HTML page, a truncated body): the status alone decides
        }
        return errorFor(status, googleStatus, message, retryAfter);
    }

    static ProviderError errorFor(int status, String googleStatus, String message, long retryAfterMillis) {
        long seconds = retryAfterMillis < 0 ? 0 : (retryAfterMillis + 999) / 1000;
        if (status == 429 || googleStatus.equals("RESOURCE_EXHAUSTED")) {
            return new ProviderError(
                    new GatewayError(429, GatewayError.Kind.RATE_LIMITED, "rate_limited", null, message, seconds),
                    retryAfterMillis,
                    true);
        }
        if (status == 503 || googleStatus.equals("UNAVAILABLE")) {
            return new ProviderError(
                    new GatewayError(503, GatewayError.Kind.UNAVAILABLE, "overloaded", null, message, seconds),
                    retryAfterMillis,
                    true);
        }
        if (status == 504 || googleStatus.equals("DEADLINE_EXCEEDED")) {
            return new ProviderError(
                    new GatewayError(504, GatewayError.Kind.TIMEOUT, "timeout", null, message, 0), -1, true);
        }
        if (status == 401 || status == 403 || message.contains("API key not valid")) {
            // The gateway's own credential was refused: another deployment may hold a good one.
            return new ProviderError(
                    new GatewayError(
                            502,
                            GatewayError.Kind.UPSTREAM,
                            "upstream_auth_failed",
                            null,
                            "The provider refused the gateway's credentials.",
                            0),
                    -1,
                    true);
        }
        if (status == 404) {
            return new ProviderError(
                    new GatewayError(404, GatewayError.Kind.NOT_FOUND, "model_not_found", "model", message, 0),
                    -1,
                    true);
        }
        if (status >= 500) {
            return new ProviderError(
                    new GatewayError(502, GatewayError.Kind.UPSTREAM, "upstream_error", null, message, 0), -1, true);
        }
        if (UpstreamErrorText.isContextOverflow(message)) {
            return new ProviderError(
                    new GatewayError(
                            400, GatewayError.Kind.INVALID_REQUEST, "context_length_exceeded", "messages", message, 0),
                    -1,
                    false);
        }
        return new ProviderError(
                new GatewayError(status, GatewayError.Kind.INVALID_REQUEST, "invalid_request", null, message, 0),
                -1,
                false);
    }

    /** Google's protobuf Duration in JSON: {@code "37s"} or {@code "1.5s"}. */
    static long durationMillis(String duration) {
        if (!duration.endsWith("s")) {
            return -1;
        }
        try {
            return (long) (Double.parseDouble(duration.substring(0, duration.length() - 1)) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
