package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.BadRequestException;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.ChatResponse;
import dev.tollgate.wire.canonical.ContentPart;
import dev.tollgate.wire.canonical.FinishReason;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.Message;
import dev.tollgate.wire.canonical.ProviderError;
import dev.tollgate.wire.canonical.ProviderErrors;
import dev.tollgate.wire.canonical.Reasoning;
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
import dev.tollgate.wire.openai.OpenAiDialect.Fields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Anthropic Messages as a translating dialect, both ways: the caller's API at {@code POST /v1/messages} and the
 * provider's API for config {@code type: anthropic} ({@code {base_url}/v1/messages}).
 *
 * <p>Encoding for Anthropic: system outside the messages; consecutive turns of one role merged (Anthropic wants them
 * alternating); empty text blocks dropped (Anthropic refuses them); {@code max_tokens} defaulted and clamped;
 * {@code temperature} clamped to Anthropic's 0–1; JSON mode emulated by an instruction in the system prompt;
 * {@code n > 1}, {@code logprobs} and {@code top_logprobs} refused (or dropped when configured).
 */
public final class AnthropicDialect implements IngressDialect, UpstreamDialect {
    public static final AnthropicDialect INSTANCE = new AnthropicDialect();
    public static final String VERSION = "2023-06-01";

    /** Thinking budgets for OpenAI's {@code reasoning_effort} levels (Anthropic's minimum budget is 1,024). */
    private static final Map<String, Integer> EFFORT_BUDGET =
            Map.of("minimal", 1024, "low", 2048, "medium", 8192, "high", 24576);

    private AnthropicDialect() {}

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public String type() {
        return "anthropic";
    }

    // ---------------------------------------------------------------- requests

    @Override
    public ChatRequest decodeRequest(byte[] body) throws BadRequestException {
        JsonNode root;
        try {
            root = Fields.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadRequestException("The request body is not valid JSON.", null);
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("The request body must be a JSON object.", null);
        }
        String model = Fields.requiredText(root, "model");
        Integer maxTokens = Fields.integer(root, "max_tokens");
        if (maxTokens == null || maxTokens < 1) {
            throw new BadRequestException("max_tokens: Field required (a positive integer).", "max_tokens");
        }
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray()) {
            throw new BadRequestException("messages: Field required (an array).", "messages");
        }
        List<Message> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages." + i;
            String role = Fields.requiredText(m, "role", param + ".role");
            Role r = switch (role) {
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                default ->
                    throw new BadRequestException(
                            param + ".role: Input should be 'user' or 'assistant'", param + ".role");
            };
            turns.add(new Message(r, blocks(m.get("content"), param + ".content")));
        }
        List<Tool> tools = new ArrayList<>();
        JsonNode toolsNode = root.get("tools");
        if (toolsNode != null && toolsNode.isArray()) {
            for (int i = 0; i < toolsNode.size(); i++) {
                JsonNode t = toolsNode.get(i);
                tools.add(new Tool(
                        Fields.requiredText(t, "name", "tools." + i + ".name"),
                        Fields.text(t, "description"),
                        Fields.json(t.get("input_schema"))));
            }
        }
        ToolChoice choice = null;
        Boolean parallel = null;
        JsonNode tc = root.get("tool_choice");
        if (tc != null && tc.isObject()) {
            choice = switch (tc.path("type").asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "any" -> ToolChoice.REQUIRED;
                case "none" -> ToolChoice.NONE;
                case "tool" -> ToolChoice.tool(Fields.requiredText(tc, "name", "tool_choice.name"));
                default -> throw new BadRequestException("tool_choice.type: invalid value", "tool_choice");
            };
            if (tc.has("disable_parallel_tool_use")) {
                parallel = !tc.path("disable_parallel_tool_use").asBoolean();
            }
        }
        Reasoning reasoning = null;
        JsonNode thinking = root.get("thinking");
        if (thinking != null && "enabled".equals(thinking.path("type").asText())) {
            reasoning = new Reasoning(thinking.path("budget_tokens").asInt(), null);
        }
        List<String> stop = new ArrayList<>();
        JsonNode ss = root.get("stop_sequences");
        if (ss != null && ss.isArray()) {
            ss.forEach(s -> stop.add(s.asText()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode md = root.get("metadata");
        if (md != null && md.hasNonNull("user_id")) {
            metadata.put("user_id", md.get("user_id").asText());
        }
        return new ChatRequest(
                model,
                system(root.get("system")),
                turns,
                tools,
                choice,
                parallel,
                null,
                stop,
                Fields.number(root, "temperature"),
                Fields.number(root, "top_p"),
                Fields.integer(root, "top_k"),
                maxTokens,
                null,
                null,
                null,
                reasoning,
                Boolean.TRUE.equals(Fields.bool(root, "stream")),
                true,
                metadata);
    }

    private static String system(JsonNode node) throws BadRequestException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (!node.isArray()) {
            throw new BadRequestException("system: Input should be a string or a list of text blocks", "system");
        }
        List<String> texts = new ArrayList<>();
        node.forEach(b -> texts.add(b.path("text").asText()));
        return String.join("\n\n", texts);
    }

    static List<ContentPart> blocks(JsonNode content, String param) throws BadRequestException {
        if (content == null || content.isNull()) {
            throw new BadRequestException(param + ": Field required", param);
        }
        if (content.isTextual()) {
            return List.of(new ContentPart.Text(content.asText()));
        }
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode b = content.get(i);
            String type = b.path("type").asText();
            String p = param + "." + i;
            switch (type) {
                case "text" -> parts.add(new ContentPart.Text(b.path("text").asText()));
                case "image" -> {
                    JsonNode src = b.path("source");
                    parts.add(
                            "url".equals(src.path("type").asText())
                                    ? ContentPart.Image.ofUrl(src.path("url").asText())
                                    : ContentPart.Image.inline(
                                            src.path("media_type").asText(),
                                            src.path("data").asText()));
                }
                case "tool_use" ->
                    parts.add(new ContentPart.ToolUse(
                            Fields.requiredText(b, "id", p + ".id"),
                            Fields.requiredText(b, "name", p + ".name"),
                            b.hasNonNull("input") ? Fields.json(b.get("input")) : "{}"));
                case "tool_result" -> {
                    JsonNode c = b.get("content");
                    String text;
                    if (c == null || c.isNull()) {
                        text = "";
                    } else if (c.isTextual()) {
                        text = c.asText();
                    } else {
                        StringBuilder sb = new StringBuilder();
                        c.forEach(x -> sb.append(x.path("text").asText()));
                        text = sb.toString();
                    }
                    parts.add(new ContentPart.ToolResult(
                            Fields.requiredText(b, "tool_use_id", p + ".tool_use_id"),
                            text,
                            b.path("is_error").asBoolean(false)));
                }
                case "thinking" ->
                    parts.add(new ContentPart.Thinking(b.path("thinking").asText(), Fields.text(b, "signature")));
                case "redacted_thinking" ->
                    parts.add(new ContentPart.RedactedThinking(b.path("data").asText()));
                default -> throw new BadRequestException(p + ".type: unsupported content block type '" + type + "'", p);
            }
        }
        return parts;
    }

    @Override
    public UpstreamRequest encodeRequest(ChatRequest r, UpstreamCall call) throws UnsupportedParameterException {
        boolean drop = call.dropUnsupported();
        if (r.n() != null && r.n() > 1 && !drop) {
            throw unsupported("n", "n > 1 (several choices)", call);
        }
        if (Boolean.TRUE.equals(r.logprobs()) && !drop) {
            throw unsupported("logprobs", "logprobs", call);
        }
        if (r.topLogprobs() != null && r.topLogprobs() > 0 && !drop) {
            throw unsupported("top_logprobs", "top_logprobs", call);
        }
        // A seed or a penalty is a hint and is ignored; a logit bias changes what may be said, so it is refused.
        if (r.sampling().logitBias() != null && !drop) {
            throw unsupported("logit_bias", "logit_bias", call);
        }
        byte[] body = Fields.write(g -> writeRequest(g, r, call));
        return new UpstreamRequest(
                "/v1/messages",
                Map.of("anthropic-version", VERSION, "accept", r.stream() ? "text/event-stream" : "application/json"),
                body);
    }

    private static UnsupportedParameterException unsupported(String param, String what, UpstreamCall call) {
        return new UnsupportedParameterException(
                param,
                "Deployment '" + call.deployment() + "' (Anthropic) does not support '" + param + "' (" + what
                        + "). Remove it, or set drop_unsupported: true on the provider to have it dropped.");
    }

    /** The {@code max_tokens} to send: the caller's, else the default, clamped to the model's limit. */
    static int maxTokens(ChatRequest r, UpstreamCall call) {
        int wanted = r.maxTokens() != null ? r.maxTokens() : call.defaultMaxTokens();
        if (call.maxTokensLimit() > 0) {
            wanted = Math.min(wanted, call.maxTokensLimit());
        }
        return Math.max(1, wanted);
    }

    static void writeRequest(JsonGenerator g, ChatRequest r, UpstreamCall call) throws IOException {
        g.writeStartObject();
        g.writeStringField("model", call.model());
        int maxTokens = maxTokens(r, call);
        Integer budget = null;
        if (r.reasoning() != null) {
            budget = r.reasoning().budgetTokens() != null
                    ? r.reasoning().budgetTokens()
                    : EFFORT_BUDGET.getOrDefault(r.reasoning().effort(), 8192);
            if (maxTokens <= budget) {
                // Anthropic requires max_tokens > budget_tokens: the answer gets room after the thinking.
                maxTokens = call.maxTokensLimit() > 0
                        ? Math.min(call.maxTokensLimit(), budget + maxTokens)
                        : budget + maxTokens;
                budget = Math.min(budget, maxTokens - 1);
            }
        }
        g.writeNumberField("max_tokens", maxTokens);
        String system = systemWithFormat(r.system(), r.responseFormat());
        if (system != null && !system.isEmpty()) {
            g.writeStringField("system", system);
        }
        g.writeArrayFieldStart("messages");
        Role open = null;
        boolean any = false;
        for (Message m : r.messages()) {
            List<ContentPart> parts = nonEmpty(m.content());
            if (parts.isEmpty()) {
                continue;
            }
            if (m.role() != open) {
                if (open != null) {
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeStartObject();
                g.writeStringField("role", m.role() == Role.USER ? "user" : "assistant");
                g.writeArrayFieldStart("content");
                open = m.role();
                any = true;
            }
            for (ContentPart p : parts) {
                writeBlock(g, p);
            }
        }
        if (any) {
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        if (!r.tools().isEmpty()) {
            g.writeArrayFieldStart("tools");
            for (Tool t : r.tools()) {
                g.writeStartObject();
                g.writeStringField("name", t.name());
                if (t.description() != null) {
                    g.writeStringField("description", t.description());
                }
                g.writeFieldName("input_schema");
                g.writeRawValue(t.parameters() == null ? "{\"type\":\"object\",\"properties\":{}}" : t.parameters());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if ((r.toolChoice() != null || r.parallelToolCalls() != null)
                && !r.tools().isEmpty()) {
            g.writeObjectFieldStart("tool_choice");
            ToolChoice c = r.toolChoice() == null ? ToolChoice.AUTO : r.toolChoice();
            switch (c.mode()) {
                case AUTO -> g.writeStringField("type", "auto");
                case NONE -> g.writeStringField("type", "none");
                case REQUIRED -> g.writeStringField("type", "any");
                case TOOL -> {
                    g.writeStringField("type", "tool");
                    g.writeStringField("name", c.name());
                }
            }
            if (r.parallelToolCalls() != null && c.mode() != ToolChoice.Mode.NONE) {
                g.writeBooleanField("disable_parallel_tool_use", !r.parallelToolCalls());
            }
            g.writeEndObject();
        }
        if (budget != null) {
            g.writeObjectFieldStart("thinking");
            g.writeStringField("type", "enabled");
            g.writeNumberField("budget_tokens", budget);
            g.writeEndObject();
        }
        if (!r.stop().isEmpty()) {
            g.writeArrayFieldStart("stop_sequences");
            for (String s : r.stop()) {
                g.writeString(s);
            }
            g.writeEndArray();
        }
        if (r.temperature() != null) {
            g.writeNumberField("temperature", Math.min(1.0, Math.max(0.0, r.temperature())));
        }
        if (r.topP() != null) {
            g.writeNumberField("top_p", r.topP());
        }
        if (r.topK() != null) {
            g.writeNumberField("top_k", r.topK());
        }
        String user = r.metadata().get("user_id");
        if (user != null) {
            g.writeObjectFieldStart("metadata");
            g.writeStringField("user_id", user);
            g.writeEndObject();
        }
        if (r.stream()) {
            g.writeBooleanField("stream", true);
        }
        g.writeEndObject();
    }

    /** Anthropic has no JSON mode: the instruction goes into the system prompt. */
    private static String systemWithFormat(String system, ResponseFormat format) {
        if (format == null || format.type() == ResponseFormat.Type.TEXT) {
            return system;
        }
        String instruction = "Respond with a single JSON object and nothing else.";
        if (format.type() == ResponseFormat.Type.JSON_SCHEMA && format.schema() != null) {
            instruction += " It must conform to this JSON schema: " + format.schema();
        }
        return system == null || system.isEmpty() ? instruction : system + "\n\n" + instruction;
    }

    /** Anthropic refuses empty text blocks (a tool-call-only turn written with {@code content: ""}). */
    private static List<ContentPart> nonEmpty(List<ContentPart> parts) {
        List<ContentPart> kept = new ArrayList<>(parts.size());
        for (ContentPart p : parts) {
            if (!(p instanceof ContentPart.Text t) || !t.text().isEmpty()) {
                kept.add(p);
            }
        }
        return kept;
    }

    static void writeBlock(JsonGenerator g, ContentPart p) throws IOException {
        g.writeStartObject();
        switch (p) {
            case ContentPart.Text t -> {
                g.writeStringField("type", "text");
                g.writeStringField("text", t.text());
            }
            case ContentPart.Image img -> {
                g.writeStringField("type", "image");
                g.writeObjectFieldStart("source");
                if (img.isUrl()) {
                    g.writeStringField("type", "url");
                    g.writeStringField("url", img.url());
                } else {
                    g.writeStringField("type", "base64");
                    g.writeStringField("media_type", img.mediaType());
                    g.writeStringField("data", img.data());
                }
                g.writeEndObject();
            }
            case ContentPart.ToolUse u -> {
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", u.id());
                g.writeStringField("name", u.name());
                g.writeFieldName("input");
                String args = u.arguments() == null || u.arguments().isBlank() ? "{}" : u.arguments();
                g.writeRawValue(args);
            }
            case ContentPart.ToolResult tr -> {
                g.writeStringField("type", "tool_result");
                g.writeStringField("tool_use_id", tr.toolUseId());
                g.writeStringField("content", tr.content());
                if (tr.isError()) {
                    g.writeBooleanField("is_error", true);
                }
            }
            case ContentPart.Thinking t -> {
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", t.text());
                g.writeStringField("signature", t.signature() == null ? "" : t.signature());
            }
            case ContentPart.RedactedThinking t -> {
                g.writeStringField("type", "redacted_thinking");
                g.writeStringField("data", t.data());
            }
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- responses

    @Override
    public byte[] encodeResponse(ChatResponse response, ChatRequest request, String requestId) {
        return Fields.write(g -> {
            g.writeStartObject();
            g.writeStringField("id", messageId(response.id(), requestId));
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", request.model());
            g.writeArrayFieldStart("content");
            for (ContentPart p : nonEmpty(response.content())) {
                writeBlock(g, p);
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", stopReason(response.finishReason()));
            g.writeStringField("stop_sequence", response.stopSequence());
            g.writeFieldName("usage");
            writeUsage(g, response.usage() == null ? TokenUsage.ZERO : response.usage());
            g.writeEndObject();
        });
    }

    static String messageId(String upstreamId, String requestId) {
        return upstreamId != null && upstreamId.startsWith("msg_") ? upstreamId : "msg_" + requestId;
    }

    static void writeUsage(JsonGenerator g, TokenUsage u) throws IOException {
        g.writeStartObject();
        g.writeNumberField("input_tokens", u.uncachedInputTokens());
        g.writeNumberField("cache_creation_input_tokens", u.cacheWriteTokens());
        g.writeNumberField("cache_read_input_tokens", u.cacheReadTokens());
        g.writeNumberField("output_tokens", u.outputTokens());
        g.writeEndObject();
    }

    static String stopReason(FinishReason reason) {
        if (reason == null) {
            return "end_turn";
        }
        return switch (reason) {
            case STOP -> "end_turn";
            case STOP_SEQUENCE -> "stop_sequence";
            case LENGTH -> "max_tokens";
            case CONTEXT_WINDOW_EXCEEDED -> "model_context_window_exceeded";
            case TOOL_CALLS -> "tool_use";
            case CONTENT_FILTER -> "refusal";
            case PAUSE_TURN -> "pause_turn";
        };
    }

    static FinishReason finishReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "stop_sequence" -> FinishReason.STOP_SEQUENCE;
            case "max_tokens" -> FinishReason.LENGTH;
            case "model_context_window_exceeded" -> FinishReason.CONTEXT_WINDOW_EXCEEDED;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            case "pause_turn" -> FinishReason.PAUSE_TURN;
            default -> FinishReason.STOP;
        };
    }

    @Override
    public ChatResponse decodeResponse(byte[] body) throws UpstreamFormatException {
        JsonNode root;
        try {
            root = Fields.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UpstreamFormatException("the answer is not JSON", e);
        }
        if (root == null || !"message".equals(root.path("type").asText())) {
            throw new UpstreamFormatException("the answer is not a message");
        }
        List<ContentPart> parts;
        try {
            parts = blocks(root.get("content"), "content");
        } catch (BadRequestException e) {
            throw new UpstreamFormatException(e.getMessage());
        }
        return new ChatResponse(
                root.path("id").asText(""),
                root.path("model").asText(""),
                parts,
                finishReason(Fields.text(root, "stop_reason")),
                Fields.text(root, "stop_sequence"),
                usage(root.get("usage")));
    }

    /** Anthropic usage → canonical: the whole prompt is input + cache writes + cache reads. */
    static TokenUsage usage(JsonNode u) {
        if (u == null || !u.isObject()) {
            return null;
        }
        long input = u.path("input_tokens").asLong();
        long write = u.path("cache_creation_input_tokens").asLong();
        long read = u.path("cache_read_input_tokens").asLong();
        return new TokenUsage(input + write + read, u.path("output_tokens").asLong(), read, write, 0);
    }

    // ---------------------------------------------------------------- streams and errors

    @Override
    public StreamEncoder streamEncoder(ChatRequest request, String requestId) {
        return new AnthropicStreamEncoder(request, requestId);
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new AnthropicStreamDecoder();
    }

    @Override
    public byte[] encodeError(GatewayError error, String requestId) {
        return Fields.write(g -> writeError(g, error, requestId));
    }

    static void writeError(JsonGenerator g, GatewayError error, String requestId) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "error");
        g.writeObjectFieldStart("error");
        g.writeStringField("type", errorType(error));
        g.writeStringField("message", error.message());
        g.writeEndObject();
        g.writeStringField("request_id", requestId);
        g.writeEndObject();
    }

    /** Anthropic's own error type names, so SDK error handling that switches on them keeps working. */
    static String errorType(GatewayError error) {
        return switch (error.type()) {
            case INVALID_REQUEST -> "invalid_request_error";
            case AUTHENTICATION -> "authentication_error";
            case PERMISSION -> "permission_error";
            case NOT_FOUND -> "not_found_error";
            case TOO_LARGE -> "request_too_large";
            case RATE_LIMITED -> "rate_limit_error";
            case BILLING -> "billing_error";
            case UNAVAILABLE -> "overloaded_error";
            case TIMEOUT -> "timeout_error";
            case UPSTREAM, INTERNAL -> "api_error";
        };
    }

    @Override
    public ProviderError mapError(int status, Function<String, String> header, byte[] body, long nowMillis) {
        String type = null;
        String message = null;
        try {
            JsonNode root = Fields.parse(new String(body, StandardCharsets.UTF_8));
            if (root != null) {
                type = root.path("error").path("type").asText(null);
                message = root.path("error").path("message").asText(null);
            }
        } catch (IOException e) {
            message = new String(body, StandardCharsets.UTF_8);
        }
        return ProviderErrors.classify(status, type, message, "overloaded_error".equals(type), header, nowMillis);
    }

    /** The neutral error for an {@code error} event inside a stream. */
    static GatewayError streamError(String type, String message) {
        String text = message == null ? "the upstream reported an error" : message;
        return switch (type == null ? "" : type) {
            case "overloaded_error" ->
                new GatewayError(503, GatewayError.Kind.UNAVAILABLE, "overloaded", null, text, 0);
            case "rate_limit_error" ->
                new GatewayError(429, GatewayError.Kind.RATE_LIMITED, "rate_limited", null, text, 0);
            default -> new GatewayError(502, GatewayError.Kind.UPSTREAM, "upstream_error", null, text, 0);
        };
    }
}
