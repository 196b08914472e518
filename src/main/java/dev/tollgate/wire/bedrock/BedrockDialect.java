package dev.tollgate.wire.bedrock;

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
import dev.tollgate.wire.canonical.ToolChoice;
import dev.tollgate.wire.canonical.UnsupportedParameterException;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.canonical.UpstreamRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Amazon Bedrock's Converse API ({@code POST /model/{modelId}/converse} and {@code /converse-stream}): one message
 * shape for every model family on Bedrock. The stream is AWS's binary event-stream ({@link BedrockStreamDecoder}).
 * The transport signs the encoded request with SigV4 (service {@code bedrock}) or adds a Bedrock API key as bearer.
 */
public final class BedrockDialect implements UpstreamDialect {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Converse has no JSON mode; this instruction is what the gateway can do instead (documented in providers.md). */
    static final String JSON_INSTRUCTION = "Answer with one valid JSON object and nothing else.";

    public static final BedrockDialect INSTANCE = new BedrockDialect();

    private BedrockDialect() {}

    @Override
    public String type() {
        return "bedrock";
    }

    /** It does not fetch URLs: the gateway inlines them first (wire.canonical.ImageInliner). */
    @Override
    public boolean acceptsImageUrls() {
        return false;
    }

    @Override
    public UpstreamRequest encodeRequest(ChatRequest request, UpstreamCall call) throws UnsupportedParameterException {
        ObjectNode body = NODES.objectNode();
        boolean historyHasTools = false;
        ArrayNode messages = body.putArray("messages");
        for (int i = 0; i < request.messages().size(); i++) {
            Message message = request.messages().get(i);
            ArrayNode content = NODES.arrayNode();
            for (ContentPart part : message.content()) {
                switch (part) {
                    case ContentPart.Text text -> {
                        // Bedrock refuses blank text blocks (a tool-call-only turn often carries content "").
                        if (!text.text().isBlank()) {
                            content.addObject().put("text", text.text());
                        }
                    }
                    case ContentPart.Image image -> content.add(image(image, i, call.deployment()));
                    case ContentPart.ToolUse use -> {
                        historyHasTools = true;
                        ObjectNode block = content.addObject().putObject("toolUse");
                        block.put("toolUseId", use.id()).put("name", use.name());
                        block.set(
                                "input",
                                JsonTrees.callerObject(use.arguments(), "messages[" + i + "].tool_calls.arguments"));
                    }
                    case ContentPart.ToolResult result -> {
                        historyHasTools = true;
                        ObjectNode block = content.addObject().putObject("toolResult");
                        block.put("toolUseId", result.toolUseId());
                        ArrayNode resultContent = block.putArray("content");
                        JsonNode json = parsedObject(result.content());
                        if (json != null) {
                            resultContent.addObject().set("json", json);
                        } else {
                            String text =
                                    result.content() == null || result.content().isEmpty()
                                            ? "(empty)"
                                            : result.content();
                            resultContent.addObject().put("text", text);
                        }
                        block.put("status", result.isError() ? "error" : "success");
                    }
                    case ContentPart.Thinking thinking -> {
                        // Claude on Bedrock checks the signature; reasoning without one cannot go back.
                        if (thinking.signature() != null) {
                            content.addObject()
                                    .putObject("reasoningContent")
                                    .putObject("reasoningText")
                                    .put("text", thinking.text())
                                    .put("signature", thinking.signature());
                        }
                    }
                    case ContentPart.RedactedThinking redacted ->
                        content.addObject().putObject("reasoningContent").put("redactedContent", redacted.data());
                }
            }
            if (!content.isEmpty()) {
                messages.addObject()
                        .put("role", message.role() == Role.USER ? "user" : "assistant")
                        .set("content", content);
            }
        }
        String system = request.system();
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            String instruction = format.type() == ResponseFormat.Type.JSON_SCHEMA && format.schema() != null
                    ? JSON_INSTRUCTION + " It must match this JSON schema: " + format.schema()
                    : JSON_INSTRUCTION;
            system = system == null || system.isEmpty() ? instruction : system + "\n\n" + instruction;
        }
        if (system != null && !system.isEmpty()) {
            body.putArray("system").addObject().put("text", system);
        }
        inferenceConfig(request, call, body);
        toolConfig(request, historyHasTools, body);
        ObjectNode additional = NODES.objectNode();
        boolean anthropic = call.model().toLowerCase(Locale.ROOT).contains("anthropic.");
        if (request.topK() != null) {
            if (anthropic) {
                additional.put("top_k", request.topK());
            } else {
                call.refuseUnlessDropped("top_k", "Bedrock", "Converse has no top_k for this model family");
            }
        }
        if (request.reasoning() != null) {
            Integer budget = request.reasoning().budgetTokens();
            if (budget == null) {
                budget = switch (request.reasoning().effort() == null
                        ? "medium"
                        : request.reasoning().effort()) {
                    case "minimal", "low" -> 1024;
                    case "high" -> 16384;
                    default -> 4096;
                };
            }
            if (anthropic) {
                additional.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
            } else {
                additional.putObject("reasoningConfig").put("type", "enabled").put("budget_tokens", budget);
            }
        }
        if (!additional.isEmpty()) {
            body.set("additionalModelRequestFields", additional);
        }
        if (request.n() != null && request.n() > 1) {
            call.refuseUnlessDropped("n", "Bedrock", "Converse returns one answer per request");
        }
        if (Boolean.TRUE.equals(request.logprobs()) || request.topLogprobs() != null) {
            call.refuseUnlessDropped("logprobs", "Bedrock", "Converse returns no log-probabilities");
        }
        if (request.sampling().logitBias() != null) {
            call.refuseUnlessDropped("logit_bias", "Bedrock", "Converse has no logit bias");
        }
        String operation = request.stream() ? "/converse-stream" : "/converse";
        return new UpstreamRequest(
                "/model/" + SigV4.encode(call.model(), false) + operation,
                Map.of("content-type", "application/json", "accept", accept(request.stream())),
                JsonTrees.bytes(body));
    }

    private static String accept(boolean stream) {
        return stream ? "application/vnd.amazon.eventstream" : "application/json";
    }

    private static void inferenceConfig(ChatRequest request, UpstreamCall call, ObjectNode body) {
        ObjectNode config = NODES.objectNode();
        Integer maxTokens = request.maxTokens();
        if (maxTokens == null && call.defaultMaxTokens() > 0) {
            maxTokens = call.defaultMaxTokens();
        }
        if (maxTokens != null && call.maxTokensLimit() > 0 && maxTokens > call.maxTokensLimit()) {
            maxTokens = call.maxTokensLimit();
        }
        if (maxTokens != null) {
            config.put("maxTokens", maxTokens);
        }
        if (request.temperature() != null) {
            config.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            config.put("topP", request.topP());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stops = config.putArray("stopSequences");
            request.stop().forEach(stops::add);
        }
        if (!config.isEmpty()) {
            body.set("inferenceConfig", config);
        }
    }

    private static void toolConfig(ChatRequest request, boolean historyHasTools, ObjectNode body)
            throws UnsupportedParameterException {
        ToolChoice choice = request.toolChoice();
        boolean none = choice != null && choice.mode() == ToolChoice.Mode.NONE;
        // Converse has no "none": leave the tools out, unless the history holds tool blocks, which need them declared.
        if (request.tools().isEmpty() || (none && !historyHasTools)) {
            return;
        }
        ObjectNode config = body.putObject("toolConfig");
        ArrayNode tools = config.putArray("tools");
        for (Tool tool : request.tools()) {
            ObjectNode spec = tools.addObject().putObject("toolSpec").put("name", tool.name());
            if (tool.description() != null && !tool.description().isEmpty()) {
                spec.put("description", tool.description());
            }
            JsonNode schema = tool.parameters() == null
                    ? NODES.objectNode().put("type", "object")
                    : JsonTrees.callerObject(tool.parameters(), "tools.parameters");
            spec.putObject("inputSchema").set("json", schema);
        }
        if (choice != null && !none) {
            ObjectNode toolChoice = config.putObject("toolChoice");
            switch (choice.mode()) {
                case AUTO -> toolChoice.putObject("auto");
                case REQUIRED -> toolChoice.putObject("any");
                case TOOL -> toolChoice.putObject("tool").put("name", choice.name());
                case NONE -> {}
            }
        }
    }

    private static ObjectNode image(ContentPart.Image image, int message, String deployment)
            throws UnsupportedParameterException {
        ContentPart.Image inline = image.asInline();
        if (inline == null) {
            throw new UnsupportedParameterException(
                    "messages[" + message + "].content.image_url",
                    "Deployment '" + deployment
                            + "' (Bedrock) does not fetch image URLs; send the image inline (base64)"
                            + " or as a data: URL.");
        }
        String mediaType = inline.mediaType();
        String data = inline.data();
        String format = mediaType == null ? "" : mediaType.toLowerCase(Locale.ROOT);
        format = switch (format) {
            case "image/png" -> "png";
            case "image/jpeg", "image/jpg" -> "jpeg";
            case "image/gif" -> "gif";
            case "image/webp" -> "webp";
            default ->
                throw new UnsupportedParameterException(
                        "messages[" + message + "].content.image_url",
                        "Bedrock takes PNG, JPEG, GIF and WebP images, not '" + mediaType + "'.");
        };
        ObjectNode block = NODES.objectNode();
        block.putObject("image").put("format", format).putObject("source").put("bytes", data);
        return block;
    }

    private static JsonNode parsedObject(String text) {
        if (text == null || text.isBlank() || text.charAt(0) != '{') {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @Override
    public ChatResponse decodeResponse(byte[] body) throws UpstreamFormatException {
        JsonNode root = tree(body, 0, body.length);
        List<ContentPart> content = new ArrayList<>();
        for (JsonNode block : root.path("output").path("message").path("content")) {
            if (block.has("text")) {
                content.add(new ContentPart.Text(block.get("text").asText()));
            } else if (block.has("toolUse")) {
                JsonNode use = block.get("toolUse");
                content.add(new ContentPart.ToolUse(
                        use.path("toolUseId").asText(), use.path("name").asText(), json(use.get("input"))));
            } else if (block.has("reasoningContent")) {
                JsonNode reasoning = block.get("reasoningContent");
                if (reasoning.has("redactedContent")) {
                    content.add(new ContentPart.RedactedThinking(
                            reasoning.get("redactedContent").asText()));
                } else {
                    JsonNode text = reasoning.path("reasoningText");
                    content.add(new ContentPart.Thinking(
                            text.path("text").asText(""), text.path("signature").asText(null)));
                }
            }
        }
        return new ChatResponse(
                syntheticId(),
                null,
                content,
                finishReason(root.path("stopReason").asText("end_turn")),
                null,
                usage(root.get("usage")));
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new BedrockStreamDecoder();
    }

    static JsonNode tree(byte[] body, int offset, int length) throws UpstreamFormatException {
        return JsonTrees.answerObject(body, offset, length, "Bedrock");
    }

    static String json(JsonNode node) throws UpstreamFormatException {
        try {
            return node == null || node.isNull() ? "{}" : JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UpstreamFormatException("unreadable tool input", e);
        }
    }

    /**
     * Bedrock counts like Anthropic: {@code inputTokens} leaves out the tokens read from and written to the prompt
     * cache. It reports no reasoning-token count.
     */
    static TokenUsage usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        long cacheRead = usage.path("cacheReadInputTokens").asLong();
        long cacheWrite = usage.path("cacheWriteInputTokens").asLong();
        return new TokenUsage(
                usage.path("inputTokens").asLong() + cacheRead + cacheWrite,
                usage.path("outputTokens").asLong(),
                cacheRead,
                cacheWrite,
                0);
    }

    static FinishReason finishReason(String stopReason) {
        return switch (stopReason) {
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "max_tokens" -> FinishReason.LENGTH;
            case "stop_sequence" -> FinishReason.STOP_SEQUENCE;
            case "guardrail_intervened", "content_filtered" -> FinishReason.CONTENT_FILTER;
            case "model_context_window_exceeded" -> FinishReason.CONTEXT_WINDOW_EXCEEDED;
            default -> FinishReason.STOP;
        };
    }

    /** Converse bodies carry no id (only the {@code x-amzn-requestid} header); the caller's dialects want one. */
    static String syntheticId() {
        StringBuilder id = new StringBuilder("msg_bdrk_");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 24; i++) {
            id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
        }
        return id.toString();
    }

    @Override
    public ProviderError mapError(int status, Function<String, String> header, byte[] body, long nowMillis) {
        String type = header.apply("x-amzn-errortype");
        String message = "Bedrock answered " + status + ".";
        try {
            JsonNode root = JSON.readTree(body);
            message = root.path("message").asText(root.path("Message").asText(message));
            if (type == null) {
                type = root.path("__type").asText(null);
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the status and the header decide
        }
        return errorFor(
                status, exceptionName(type), message, UpstreamErrorText.retryAfterMillis(header.apply("retry-after")));
    }

    /** {@code ThrottlingException:http://internal.amazon.com/coral/...} or {@code com.amazon...#ThrottlingException}. */
    static String exceptionName(String type) {
        if (type == null) {
            return "";
        }
        String name = type;
        int colon = name.indexOf(':');
        if (colon >= 0) {
            name = name.substring(0, colon);
        }
        int hash = name.lastIndexOf('#');
        return hash >= 0 ? name.substring(hash + 1) : name;
    }

    static ProviderError errorFor(int status, String exception, String message, long retryAfterMillis) {
        String name = exception.toLowerCase(Locale.ROOT);
        long seconds = retryAfterMillis < 0 ? 0 : (retryAfterMillis + 999) / 1000;
        if (status == 429 || name.startsWith("throttling") || name.startsWith("modelnotready")) {
            return new ProviderError(
                    new GatewayError(429, GatewayError.Kind.RATE_LIMITED, "rate_limited", null, message, seconds),
                    retryAfterMillis,
                    true);
        }
        if (status == 503 || name.startsWith("serviceunavailable")) {
            return new ProviderError(
                    new GatewayError(503, GatewayError.Kind.UNAVAILABLE, "overloaded", null, message, seconds),
                    retryAfterMillis,
                    true);
        }
        if (status == 408 || name.startsWith("modeltimeout")) {
            return new ProviderError(
                    new GatewayError(504, GatewayError.Kind.TIMEOUT, "timeout", null, message, 0), -1, true);
        }
        if (status == 401
                || status == 403
                || name.startsWith("accessdenied")
                || name.startsWith("unrecognizedclient")) {
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
        if (status == 404 || name.startsWith("resourcenotfound")) {
            return new ProviderError(
                    new GatewayError(404, GatewayError.Kind.NOT_FOUND, "model_not_found", "model", message, 0),
                    -1,
                    true);
        }
        if (status >= 500 || status == 424 || name.startsWith("internalserver") || name.startsWith("modelstream")) {
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
                new GatewayError(
                        status >= 400 && status < 500 ? status : 400,
                        GatewayError.Kind.INVALID_REQUEST,
                        "invalid_request",
                        null,
                        message,
                        0),
                -1,
                false);
    }
}
