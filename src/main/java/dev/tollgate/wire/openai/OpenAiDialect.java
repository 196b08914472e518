package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.tollgate.wire.canonical.Sampling;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.Tool;
import dev.tollgate.wire.canonical.ToolChoice;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.canonical.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * OpenAI Chat Completions as a translating dialect, both ways: as the caller's API when the provider is not OpenAI,
 * and as the provider's API (config {@code type: openai}) when the caller is not OpenAI. OpenAI → OpenAI never comes
 * here: those bytes are spliced ({@link OpenAiRequest}).
 *
 * <p>Reasoning is read from {@code reasoning_content} (DeepSeek, Qwen, Moonshot) or {@code reasoning} (vLLM) and
 * written as {@code reasoning_content}. Tool results are {@code role: tool} messages; a run of them plus the user
 * message right after form one canonical user turn.
 */
public final class OpenAiDialect implements IngressDialect, UpstreamDialect {
    public static final OpenAiDialect INSTANCE = new OpenAiDialect();

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonFactory JSON = MAPPER.getFactory();

    private OpenAiDialect() {}

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public String type() {
        return "openai";
    }

    // ---------------------------------------------------------------- requests

    @Override
    public ChatRequest decodeRequest(byte[] body) throws BadRequestException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new BadRequestException("The request body is not valid JSON.", null);
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("The request body must be a JSON object.", null);
        }
        String model = Fields.requiredText(root, "model");
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new BadRequestException("'messages' must be a non-empty array.", "messages");
        }
        List<String> system = new ArrayList<>();
        List<Message> turns = new ArrayList<>();
        boolean openToolTurn = false;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw new BadRequestException("'" + param + "' must be an object.", param);
            }
            String role = Fields.requiredText(m, "role", param + ".role");
            switch (role) {
                case "system", "developer" -> system.add(textOf(m.get("content"), param + ".content"));
                case "user" -> {
                    List<ContentPart> parts = userParts(m.get("content"), param + ".content");
                    if (openToolTurn) {
                        Message last = turns.removeLast();
                        List<ContentPart> merged = new ArrayList<>(last.content());
                        merged.addAll(parts);
                        turns.add(new Message(Role.USER, merged));
                    } else {
                        turns.add(new Message(Role.USER, parts));
                    }
                    openToolTurn = false;
                }
                case "assistant" -> {
                    turns.add(new Message(Role.ASSISTANT, assistantParts(m, param)));
                    openToolTurn = false;
                }
                case "tool" -> {
                    String id = Fields.requiredText(m, "tool_call_id", param + ".tool_call_id");
                    ContentPart result =
                            new ContentPart.ToolResult(id, textOf(m.get("content"), param + ".content"), false);
                    if (openToolTurn) {
                        Message last = turns.removeLast();
                        List<ContentPart> merged = new ArrayList<>(last.content());
                        merged.add(result);
                        turns.add(new Message(Role.USER, merged));
                    } else {
                        turns.add(new Message(Role.USER, List.of(result)));
                    }
                    openToolTurn = true;
                }
                default ->
                    throw new BadRequestException(
                            "Invalid value for '" + param + ".role': '" + role + "'.", param + ".role");
            }
        }
        List<Tool> tools = new ArrayList<>();
        JsonNode toolsNode = root.get("tools");
        if (toolsNode != null && !toolsNode.isNull()) {
            if (!toolsNode.isArray()) {
                throw new BadRequestException("'tools' must be an array.", "tools");
            }
            for (int i = 0; i < toolsNode.size(); i++) {
                JsonNode f = toolsNode.get(i).get("function");
                if (f == null || !f.isObject()) {
                    throw new BadRequestException("'tools[" + i + "].function' is required.", "tools[" + i + "]");
                }
                tools.add(new Tool(
                        Fields.requiredText(f, "name", "tools[" + i + "].function.name"),
                        Fields.text(f, "description"),
                        Fields.json(f.get("parameters"))));
            }
        }
        JsonNode so = root.get("stream_options");
        return new ChatRequest(
                model,
                system.isEmpty() ? null : String.join("\n\n", system),
                turns,
                tools,
                toolChoice(root.get("tool_choice")),
                Fields.bool(root, "parallel_tool_calls"),
                responseFormat(root.get("response_format")),
                stop(root.get("stop")),
                Fields.number(root, "temperature"),
                Fields.number(root, "top_p"),
                null,
                Fields.integer(root, root.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens"),
                Fields.integer(root, "n"),
                Fields.bool(root, "logprobs"),
                Fields.integer(root, "top_logprobs"),
                root.hasNonNull("reasoning_effort") ? new Reasoning(null, Fields.text(root, "reasoning_effort")) : null,
                Boolean.TRUE.equals(Fields.bool(root, "stream")),
                so != null && so.path("include_usage").asBoolean(false),
                metadata(root),
                sampling(root));
    }

    private static Sampling sampling(JsonNode root) throws BadRequestException {
        JsonNode seed = root.get("seed");
        if (seed != null && !seed.isNull() && !seed.isIntegralNumber()) {
            throw new BadRequestException("'seed' must be an integer.", "seed");
        }
        JsonNode bias = root.get("logit_bias");
        if (bias != null && !bias.isNull() && !bias.isObject()) {
            throw new BadRequestException("'logit_bias' must be an object.", "logit_bias");
        }
        return new Sampling(
                seed == null || seed.isNull() ? null : seed.asLong(),
                Fields.number(root, "presence_penalty"),
                Fields.number(root, "frequency_penalty"),
                bias == null || bias.isNull() || bias.isEmpty() ? null : Fields.json(bias));
    }

    private static String textOf(JsonNode content, String param) throws BadRequestException {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : content) {
                if ("text".equals(part.path("type").asText())) {
                    b.append(part.path("text").asText());
                }
            }
            return b.toString();
        }
        throw new BadRequestException("'" + param + "' must be a string or an array of parts.", param);
    }

    private static List<ContentPart> userParts(JsonNode content, String param) throws BadRequestException {
        if (content == null || content.isNull() || content.isTextual()) {
            return List.of(new ContentPart.Text(content == null || content.isNull() ? "" : content.asText()));
        }
        if (!content.isArray()) {
            throw new BadRequestException("'" + param + "' must be a string or an array of parts.", param);
        }
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String type = part.path("type").asText();
            switch (type) {
                case "text" -> parts.add(new ContentPart.Text(part.path("text").asText()));
                case "image_url" ->
                    parts.add(image(part.path("image_url").path("url").asText()));
                default ->
                    throw new BadRequestException(
                            "Unsupported content part type '" + type + "' in '" + param + "[" + i + "]'.",
                            param + "[" + i + "].type");
            }
        }
        return parts;
    }

    /** A {@code data:} URL becomes an inline image, anything else stays a URL. */
    static ContentPart.Image image(String url) {
        if (url.startsWith("data:")) {
            int semi = url.indexOf(";base64,");
            if (semi > 5) {
                return ContentPart.Image.inline(url.substring(5, semi), url.substring(semi + 8));
            }
        }
        return ContentPart.Image.ofUrl(url);
    }

    private static List<ContentPart> assistantParts(JsonNode m, String param) throws BadRequestException {
        List<ContentPart> parts = new ArrayList<>();
        String reasoning = reasoningOf(m);
        if (reasoning != null && !reasoning.isEmpty()) {
            parts.add(new ContentPart.Thinking(reasoning, null));
        }
        String text = textOf(m.get("content"), param + ".content");
        if (!text.isEmpty()) {
            parts.add(new ContentPart.Text(text));
        }
        JsonNode calls = m.get("tool_calls");
        if (calls != null && calls.isArray()) {
            for (int i = 0; i < calls.size(); i++) {
                JsonNode c = calls.get(i);
                String p = param + ".tool_calls[" + i + "]";
                parts.add(new ContentPart.ToolUse(
                        Fields.requiredText(c, "id", p + ".id"),
                        Fields.requiredText(c.path("function"), "name", p + ".function.name"),
                        c.path("function").path("arguments").asText("{}")));
            }
        }
        return parts;
    }

    /**
     * Visible reasoning of a message or stream delta, whichever field the vendor uses: {@code reasoning_content}
     * (DeepSeek, Qwen, Moonshot, Zhipu), {@code reasoning} (vLLM, Ollama) or {@code reasoning_details} (MiniMax, a list
     * of parts with {@code text}); null when none.
     */
    static String reasoningOf(JsonNode m) {
        String reasoning = Fields.text(m, "reasoning_content");
        if (reasoning == null) {
            JsonNode r = m.get("reasoning");
            // OpenRouter-style {"reasoning": {...}} objects are not text.
            reasoning = r != null && r.isTextual() ? r.asText() : null;
        }
        if (reasoning == null) {
            JsonNode details = m.get("reasoning_details");
            if (details != null && details.isArray()) {
                StringBuilder b = new StringBuilder();
                details.forEach(d -> b.append(d.path("text").asText("")));
                reasoning = b.toString();
            }
        }
        return reasoning;
    }

    private static ToolChoice toolChoice(JsonNode node) throws BadRequestException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return switch (node.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw new BadRequestException("Invalid value for 'tool_choice'.", "tool_choice");
            };
        }
        String name = node.path("function").path("name").asText(null);
        if (name == null) {
            throw new BadRequestException("'tool_choice.function.name' is required.", "tool_choice");
        }
        return ToolChoice.tool(name);
    }

    private static ResponseFormat responseFormat(JsonNode node) throws BadRequestException {
        if (node == null || node.isNull()) {
            return null;
        }
        return switch (node.path("type").asText()) {
            case "text" -> new ResponseFormat(ResponseFormat.Type.TEXT, null, null, null);
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode s = node.path("json_schema");
                yield new ResponseFormat(
                        ResponseFormat.Type.JSON_SCHEMA,
                        Fields.text(s, "name"),
                        Fields.json(s.get("schema")),
                        Fields.bool(s, "strict"));
            }
            default -> throw new BadRequestException("Invalid value for 'response_format.type'.", "response_format");
        };
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        List<String> stop = new ArrayList<>();
        node.forEach(s -> stop.add(s.asText()));
        return stop;
    }

    private static Map<String, String> metadata(JsonNode root) {
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode m = root.get("metadata");
        if (m != null && m.isObject()) {
            m.properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        }
        if (root.hasNonNull("user")) {
            metadata.put("user_id", root.get("user").asText());
        }
        return metadata;
    }

    @Override
    public UpstreamRequest encodeRequest(ChatRequest r, UpstreamCall call) {
        byte[] body = Fields.write(g -> writeRequest(g, r, call.model(), VendorProfile.OPENAI, Set.of(), null));
        return new UpstreamRequest(
                "/chat/completions", Map.of("accept", r.stream() ? "text/event-stream" : "application/json"), body);
    }

    /** OpenAI's request body; {@code model} is the provider's model name. */
    static void writeRequest(JsonGenerator g, ChatRequest r, String model) throws IOException {
        writeRequest(g, r, model, VendorProfile.OPENAI, Set.of(), null);
    }

    /**
     * OpenAI's request body as {@code vendor} takes it: {@code omit} names the parameters left out (refused ones the
     * configuration drops, ignored ones), {@code maxTokens} replaces the caller's (defaulted or clamped; null = the
     * caller's).
     */
    static void writeRequest(
            JsonGenerator g, ChatRequest r, String model, VendorProfile vendor, Set<String> omit, Integer maxTokens)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("model", model);
        g.writeArrayFieldStart("messages");
        if (r.system() != null) {
            g.writeStartObject();
            g.writeStringField("role", "system");
            g.writeStringField("content", r.system());
            g.writeEndObject();
        }
        for (Message m : r.messages()) {
            if (m.role() == Role.USER) {
                writeUser(g, m);
            } else {
                writeAssistant(g, m, vendor.reasoningField());
            }
        }
        g.writeEndArray();
        if (!r.tools().isEmpty()) {
            g.writeArrayFieldStart("tools");
            for (Tool t : r.tools()) {
                g.writeStartObject();
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", t.name());
                if (t.description() != null) {
                    g.writeStringField("description", t.description());
                }
                if (t.parameters() != null) {
                    g.writeFieldName("parameters");
                    g.writeRawValue(t.parameters());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (r.toolChoice() != null) {
            g.writeFieldName("tool_choice");
            switch (r.toolChoice().mode()) {
                case AUTO -> g.writeString("auto");
                case NONE -> g.writeString("none");
                case REQUIRED -> g.writeString("required");
                case TOOL -> {
                    g.writeStartObject();
                    g.writeStringField("type", "function");
                    g.writeObjectFieldStart("function");
                    g.writeStringField("name", r.toolChoice().name());
                    g.writeEndObject();
                    g.writeEndObject();
                }
            }
        }
        if (r.parallelToolCalls() != null && !r.tools().isEmpty() && !omit.contains("parallel_tool_calls")) {
            g.writeBooleanField("parallel_tool_calls", r.parallelToolCalls());
        }
        ResponseFormat f = r.responseFormat();
        if (f != null) {
            g.writeObjectFieldStart("response_format");
            switch (f.type()) {
                case TEXT -> g.writeStringField("type", "text");
                case JSON_OBJECT -> g.writeStringField("type", "json_object");
                case JSON_SCHEMA -> {
                    g.writeStringField("type", "json_schema");
                    g.writeObjectFieldStart("json_schema");
                    g.writeStringField("name", f.name() == null ? "response" : f.name());
                    if (f.schema() != null) {
                        g.writeFieldName("schema");
                        g.writeRawValue(f.schema());
                    }
                    if (f.strict() != null) {
                        g.writeBooleanField("strict", f.strict());
                    }
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        if (!r.stop().isEmpty()) {
            g.writeArrayFieldStart("stop");
            for (String s : r.stop()) {
                g.writeString(s);
            }
            g.writeEndArray();
        }
        if (r.temperature() != null) {
            g.writeNumberField("temperature", r.temperature());
        }
        if (r.topP() != null) {
            g.writeNumberField("top_p", r.topP());
        }
        Integer max = maxTokens != null ? maxTokens : r.maxTokens();
        if (max != null) {
            g.writeNumberField("max_tokens", max);
        }
        if (r.n() != null && !omit.contains("n")) {
            g.writeNumberField("n", r.n());
        }
        if (r.logprobs() != null && !omit.contains("logprobs")) {
            g.writeBooleanField("logprobs", r.logprobs());
        }
        if (r.topLogprobs() != null && !omit.contains("top_logprobs")) {
            g.writeNumberField("top_logprobs", r.topLogprobs());
        }
        Sampling s = r.sampling();
        if (s.seed() != null && !omit.contains("seed")) {
            g.writeNumberField("seed", s.seed());
        }
        if (s.presencePenalty() != null && !omit.contains("presence_penalty")) {
            g.writeNumberField("presence_penalty", s.presencePenalty());
        }
        if (s.frequencyPenalty() != null && !omit.contains("frequency_penalty")) {
            g.writeNumberField("frequency_penalty", s.frequencyPenalty());
        }
        if (s.logitBias() != null && !omit.contains("logit_bias")) {
            g.writeFieldName("logit_bias");
            g.writeRawValue(s.logitBias());
        }
        writeThinking(g, r, vendor, omit);
        String user = r.metadata().get("user_id");
        if (user != null && !omit.contains("user")) {
            g.writeStringField("user", user);
        }
        if (r.stream()) {
            g.writeBooleanField("stream", true);
            if (vendor.streamUsageOption()) {
                // Always: metering must never guess when a stream ends normally.
                g.writeObjectFieldStart("stream_options");
                g.writeBooleanField("include_usage", true);
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    private static void writeThinking(JsonGenerator g, ChatRequest r, VendorProfile vendor, Set<String> omit)
            throws IOException {
        if (vendor.thinking() == VendorProfile.Thinking.REASONING_SPLIT) {
            g.writeBooleanField("reasoning_split", true);
            return;
        }
        if (r.reasoning() == null || omit.contains("reasoning_effort")) {
            return;
        }
        switch (vendor.thinking()) {
            case REASONING_EFFORT -> {
                String effort = r.reasoning().effort();
                if (effort == null && r.reasoning().budgetTokens() != null) {
                    effort = effortOf(r.reasoning().budgetTokens());
                }
                if (effort != null) {
                    g.writeStringField("reasoning_effort", effort);
                }
            }
            case ENABLE_THINKING_STREAM_ONLY -> {
                g.writeBooleanField("enable_thinking", true);
                if (r.reasoning().budgetTokens() != null) {
                    g.writeNumberField("thinking_budget", r.reasoning().budgetTokens());
                }
            }
            case THINKING_OBJECT -> {
                g.writeObjectFieldStart("thinking");
                g.writeStringField("type", "enabled");
                g.writeEndObject();
            }
            case REASONING_SPLIT, BY_MODEL -> {}
        }
    }

    /** An Anthropic-style thinking budget as OpenAI's coarse effort. */
    static String effortOf(int budgetTokens) {
        return budgetTokens < 4096 ? "low" : budgetTokens < 16384 ? "medium" : "high";
    }

    private static void writeUser(JsonGenerator g, Message m) throws IOException {
        List<ContentPart> rest = new ArrayList<>();
        for (ContentPart p : m.content()) {
            if (p instanceof ContentPart.ToolResult tr) {
                g.writeStartObject();
                g.writeStringField("role", "tool");
                g.writeStringField("tool_call_id", tr.toolUseId());
                g.writeStringField("content", tr.content());
                g.writeEndObject();
            } else {
                rest.add(p);
            }
        }
        if (rest.isEmpty()) {
            return;
        }
        g.writeStartObject();
        g.writeStringField("role", "user");
        if (rest.size() == 1 && rest.getFirst() instanceof ContentPart.Text t) {
            g.writeStringField("content", t.text());
        } else {
            g.writeArrayFieldStart("content");
            for (ContentPart p : rest) {
                switch (p) {
                    case ContentPart.Text t -> {
                        g.writeStartObject();
                        g.writeStringField("type", "text");
                        g.writeStringField("text", t.text());
                        g.writeEndObject();
                    }
                    case ContentPart.Image img -> {
                        g.writeStartObject();
                        g.writeStringField("type", "image_url");
                        g.writeObjectFieldStart("image_url");
                        g.writeStringField(
                                "url", img.isUrl() ? img.url() : "data:" + img.mediaType() + ";base64," + img.data());
                        g.writeEndObject();
                        g.writeEndObject();
                    }
                    default -> {} // thinking in a user turn has no OpenAI counterpart
                }
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void writeAssistant(JsonGenerator g, Message m) throws IOException {
        writeAssistant(g, m, "reasoning_content");
    }

    private static void writeAssistant(JsonGenerator g, Message m, String reasoningField) throws IOException {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<ContentPart.ToolUse> calls = new ArrayList<>();
        for (ContentPart p : m.content()) {
            switch (p) {
                case ContentPart.Text t -> text.append(t.text());
                case ContentPart.Thinking t -> reasoning.append(t.text());
                case ContentPart.ToolUse u -> calls.add(u);
                default -> {}
            }
        }
        g.writeStartObject();
        g.writeStringField("role", "assistant");
        if (text.isEmpty() && !calls.isEmpty()) {
            g.writeNullField("content");
        } else {
            g.writeStringField("content", text.toString());
        }
        if (!reasoning.isEmpty()) {
            if ("reasoning_details".equals(reasoningField)) {
                g.writeArrayFieldStart("reasoning_details");
                g.writeStartObject();
                g.writeStringField("type", "reasoning.text");
                g.writeStringField("text", reasoning.toString());
                g.writeEndObject();
                g.writeEndArray();
            } else {
                g.writeStringField(reasoningField, reasoning.toString());
            }
        }
        if (!calls.isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ContentPart.ToolUse u : calls) {
                g.writeStartObject();
                g.writeStringField("id", u.id());
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", u.name());
                g.writeStringField("arguments", u.arguments());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- responses

    @Override
    public byte[] encodeResponse(ChatResponse response, ChatRequest request, String requestId) {
        return Fields.write(g -> {
            g.writeStartObject();
            g.writeStringField("id", response.id());
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", System.currentTimeMillis() / 1000);
            g.writeStringField("model", request.model());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeFieldName("message");
            writeAssistant(g, new Message(Role.ASSISTANT, response.content()));
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finishReason(response.finishReason()));
            g.writeEndObject();
            g.writeEndArray();
            if (response.usage() != null) {
                g.writeFieldName("usage");
                writeUsage(g, response.usage());
            }
            g.writeEndObject();
        });
    }

    static void writeUsage(JsonGenerator g, TokenUsage u) throws IOException {
        g.writeStartObject();
        g.writeNumberField("prompt_tokens", u.inputTokens());
        g.writeNumberField("completion_tokens", u.outputTokens());
        g.writeNumberField("total_tokens", u.inputTokens() + u.outputTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", u.cacheReadTokens());
        g.writeEndObject();
        g.writeObjectFieldStart("completion_tokens_details");
        g.writeNumberField("reasoning_tokens", u.reasoningTokens());
        g.writeEndObject();
        g.writeEndObject();
    }

    static String finishReason(FinishReason reason) {
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case STOP, STOP_SEQUENCE, PAUSE_TURN -> "stop";
            case LENGTH, CONTEXT_WINDOW_EXCEEDED -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
        };
    }

    static FinishReason finishReason(String reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "length" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }

    @Override
    public ChatResponse decodeResponse(byte[] body) throws UpstreamFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UpstreamFormatException("the answer is not JSON", e);
        }
        if (root == null
                || !root.path("choices").isArray()
                || root.path("choices").isEmpty()) {
            throw new UpstreamFormatException("the answer has no choices");
        }
        JsonNode choice = root.path("choices").get(0);
        JsonNode message = choice.path("message");
        List<ContentPart> parts;
        try {
            parts = assistantParts(message, "choices[0].message");
        } catch (BadRequestException e) {
            throw new UpstreamFormatException(e.getMessage());
        }
        return new ChatResponse(
                root.path("id").asText(""),
                root.path("model").asText(""),
                parts,
                finishReason(choice.path("finish_reason").asText(null)),
                null,
                usage(root.get("usage")));
    }

    static TokenUsage usage(JsonNode u) {
        if (u == null || !u.isObject()) {
            return null;
        }
        // Cached prompt tokens: OpenAI's prompt_tokens_details.cached_tokens, DeepSeek's prompt_cache_hit_tokens,
        // Moonshot's top-level cached_tokens.
        long cached = u.path("prompt_tokens_details").path("cached_tokens").asLong();
        if (cached == 0) {
            cached = u.path("prompt_cache_hit_tokens")
                    .asLong(u.path("cached_tokens").asLong());
        }
        return new TokenUsage(
                u.path("prompt_tokens").asLong(),
                u.path("completion_tokens").asLong(),
                cached,
                0,
                u.path("completion_tokens_details").path("reasoning_tokens").asLong());
    }

    // ---------------------------------------------------------------- streams and errors

    @Override
    public StreamEncoder streamEncoder(ChatRequest request, String requestId) {
        return new OpenAiStreamEncoder(request, requestId);
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new OpenAiStreamDecoder();
    }

    @Override
    public byte[] encodeError(GatewayError error, String requestId) {
        return OpenAiErrorBody.encode(error, requestId);
    }

    @Override
    public ProviderError mapError(int status, Function<String, String> header, byte[] body, long nowMillis) {
        String message = null;
        String code = null;
        try {
            JsonNode root = MAPPER.readTree(body);
            JsonNode error = root == null ? null : root.get("error");
            if (error != null && error.isObject()) {
                message = Fields.text(error, "message");
                code = error.hasNonNull("code") ? error.get("code").asText() : Fields.text(error, "type");
            } else if (error != null && error.isTextual()) {
                message = error.asText();
            }
        } catch (IOException e) {
            message = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
        return ProviderErrors.classify(status, code, message, false, header, nowMillis);
    }

    /** Small helpers for reading and writing JSON shared by the dialects. */
    public static final class Fields {
        private Fields() {}

        /** Writes with a generator and returns the bytes. */
        public interface Writer {
            void write(JsonGenerator g) throws IOException;
        }

        public static byte[] write(Writer writer) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            try (JsonGenerator g = JSON.createGenerator(out)) {
                writer.write(g);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        public static String text(JsonNode node, String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }

        public static String requiredText(JsonNode node, String field) throws BadRequestException {
            return requiredText(node, field, field);
        }

        public static String requiredText(JsonNode node, String field, String param) throws BadRequestException {
            JsonNode v = node.get(field);
            if (v == null || !v.isTextual()) {
                throw new BadRequestException("'" + param + "' is required and must be a string.", param);
            }
            return v.asText();
        }

        public static Double number(JsonNode node, String field) throws BadRequestException {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isNumber()) {
                throw new BadRequestException("'" + field + "' must be a number.", field);
            }
            return v.asDouble();
        }

        public static Integer integer(JsonNode node, String field) throws BadRequestException {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new BadRequestException("'" + field + "' must be an integer.", field);
            }
            return v.asInt();
        }

        public static Boolean bool(JsonNode node, String field) throws BadRequestException {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isBoolean()) {
                throw new BadRequestException("'" + field + "' must be a boolean.", field);
            }
            return v.asBoolean();
        }

        /** A JSON value as compact JSON text, or null. */
        public static String json(JsonNode node) {
            if (node == null || node.isNull()) {
                return null;
            }
            try {
                return MAPPER.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        public static JsonNode parse(String data) throws IOException {
            return MAPPER.readTree(data);
        }

        public static ObjectNode object() {
            return MAPPER.createObjectNode();
        }
    }
}
