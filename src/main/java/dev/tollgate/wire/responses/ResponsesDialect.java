package dev.tollgate.wire.responses;

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
import dev.tollgate.wire.canonical.Reasoning;
import dev.tollgate.wire.canonical.ResponseFormat;
import dev.tollgate.wire.canonical.Role;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.Tool;
import dev.tollgate.wire.canonical.ToolChoice;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.OpenAiDialect.Fields;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's Responses API ({@code POST /v1/responses}) as a caller's dialect, translated onto any chat-capable
 * provider through the canonical model. The gateway keeps no state: a request must carry its whole conversation in
 * {@code input}; {@code previous_response_id}, {@code conversation} and {@code background} are refused with a 400
 * naming the parameter, and so are built-in tools (web search, file search, …), which no chat provider runs.
 *
 * <p>Reasoning comes out as a {@code reasoning} item whose summary is the provider's visible reasoning; an Anthropic
 * signature travels as the item's {@code encrypted_content} (a redacted block as {@code redacted.} + its data), so
 * that a caller that sends the item back in {@code input} hands the provider its signature unchanged.
 */
public final class ResponsesDialect implements IngressDialect {
    public static final ResponsesDialect INSTANCE = new ResponsesDialect();

    /** Marks {@code encrypted_content} that carries an Anthropic redacted-thinking block rather than a signature. */
    static final String REDACTED = "redacted.";

    private ResponsesDialect() {}

    @Override
    public String name() {
        return "responses";
    }

    // ---------------------------------------------------------------- requests

    @Override
    public ChatRequest decodeRequest(byte[] body) throws BadRequestException {
        JsonNode root;
        try {
            root = Fields.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadRequestException("The request body is not valid JSON.", null);
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("The request body must be a JSON object.", null);
        }
        for (String stateful : List.of("previous_response_id", "conversation", "prompt")) {
            if (root.hasNonNull(stateful)) {
                throw new BadRequestException(
                        "'" + stateful + "' is not supported: Tollgate keeps no responses between requests. Send the"
                                + " whole conversation in 'input'.",
                        stateful);
            }
        }
        if (root.path("background").asBoolean(false)) {
            throw new BadRequestException("'background' responses are not supported by Tollgate.", "background");
        }
        String model = Fields.requiredText(root, "model");
        List<String> system = new ArrayList<>();
        if (root.hasNonNull("instructions")) {
            system.add(root.get("instructions").asText());
        }
        List<Message> turns = new ArrayList<>();
        JsonNode input = root.get("input");
        if (input == null || input.isNull()) {
            throw new BadRequestException("'input' is required.", "input");
        }
        if (input.isTextual()) {
            turns.add(new Message(Role.USER, List.of(new ContentPart.Text(input.asText()))));
        } else if (input.isArray()) {
            for (int i = 0; i < input.size(); i++) {
                item(input.get(i), "input[" + i + "]", system, turns);
            }
        } else {
            throw new BadRequestException("'input' must be a string or an array of items.", "input");
        }
        if (turns.isEmpty()) {
            throw new BadRequestException("'input' holds no user message.", "input");
        }
        JsonNode text = root.path("text").path("format");
        Integer topLogprobs = Fields.integer(root, "top_logprobs");
        return new ChatRequest(
                model,
                system.isEmpty() ? null : String.join("\n\n", system),
                turns,
                tools(root.get("tools")),
                toolChoice(root.get("tool_choice")),
                Fields.bool(root, "parallel_tool_calls"),
                format(text.isMissingNode() ? null : text),
                List.of(),
                Fields.number(root, "temperature"),
                Fields.number(root, "top_p"),
                null,
                Fields.integer(root, "max_output_tokens"),
                null,
                topLogprobs == null ? null : true,
                topLogprobs,
                reasoning(root.get("reasoning")),
                Boolean.TRUE.equals(Fields.bool(root, "stream")),
                true,
                metadata(root));
    }

    /** One input item, appended to {@code turns} (consecutive items of one role form one turn). */
    private static void item(JsonNode item, String param, List<String> system, List<Message> turns)
            throws BadRequestException {
        if (!item.isObject()) {
            throw new BadRequestException("'" + param + "' must be an object.", param);
        }
        String type = item.hasNonNull("type") ? item.get("type").asText() : "message";
        switch (type) {
            case "message" -> {
                String role = Fields.requiredText(item, "role", param + ".role");
                JsonNode content = item.get("content");
                switch (role) {
                    case "system", "developer" -> system.add(text(content, param + ".content"));
                    case "user" -> add(turns, Role.USER, userParts(content, param + ".content"));
                    case "assistant" -> {
                        String t = text(content, param + ".content");
                        if (!t.isEmpty()) {
                            add(turns, Role.ASSISTANT, List.of(new ContentPart.Text(t)));
                        }
                    }
                    default ->
                        throw new BadRequestException(
                                "Invalid value for '" + param + ".role': '" + role + "'.", param + ".role");
                }
            }
            case "function_call" ->
                add(
                        turns,
                        Role.ASSISTANT,
                        List.of(new ContentPart.ToolUse(
                                Fields.requiredText(item, "call_id", param + ".call_id"),
                                Fields.requiredText(item, "name", param + ".name"),
                                item.path("arguments").asText("{}"))));
            case "function_call_output" -> {
                JsonNode output = item.get("output");
                add(
                        turns,
                        Role.USER,
                        List.of(new ContentPart.ToolResult(
                                Fields.requiredText(item, "call_id", param + ".call_id"),
                                output == null || output.isTextual()
                                        ? (output == null ? "" : output.asText())
                                        : text(output, param + ".output"),
                                false)));
            }
            case "reasoning" -> {
                StringBuilder summary = new StringBuilder();
                item.path("summary").forEach(s -> summary.append(s.path("text").asText("")));
                String encrypted = Fields.text(item, "encrypted_content");
                ContentPart part = encrypted != null && encrypted.startsWith(REDACTED)
                        ? new ContentPart.RedactedThinking(encrypted.substring(REDACTED.length()))
                        : new ContentPart.Thinking(summary.toString(), encrypted);
                add(turns, Role.ASSISTANT, List.of(part));
            }
            default ->
                throw new BadRequestException(
                        "Input items of type '" + type + "' are not supported by Tollgate (it translates messages,"
                                + " function calls, their outputs and reasoning).",
                        param + ".type");
        }
    }

    private static void add(List<Message> turns, Role role, List<ContentPart> parts) {
        if (!turns.isEmpty() && turns.getLast().role() == role) {
            Message last = turns.removeLast();
            List<ContentPart> merged = new ArrayList<>(last.content());
            merged.addAll(parts);
            turns.add(new Message(role, merged));
        } else {
            turns.add(new Message(role, parts));
        }
    }

    private static String text(JsonNode content, String param) throws BadRequestException {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw new BadRequestException("'" + param + "' must be a string or an array of parts.", param);
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode part : content) {
            String type = part.path("type").asText();
            if (type.equals("input_text") || type.equals("output_text") || type.equals("text")) {
                b.append(part.path("text").asText());
            } else if (type.equals("refusal")) {
                b.append(part.path("refusal").asText());
            }
        }
        return b.toString();
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
                case "input_text", "text" ->
                    parts.add(new ContentPart.Text(part.path("text").asText()));
                case "input_image" -> {
                    String url = Fields.text(part, "image_url");
                    if (url == null) {
                        throw new BadRequestException(
                                "'" + param + "[" + i + "].image_url' is required (file_id images are not supported).",
                                param + "[" + i + "].image_url");
                    }
                    parts.add(image(url));
                }
                default ->
                    throw new BadRequestException(
                            "Unsupported content part type '" + type + "' in '" + param + "[" + i + "]'.",
                            param + "[" + i + "].type");
            }
        }
        return parts;
    }

    private static ContentPart.Image image(String url) {
        if (url.startsWith("data:")) {
            int semi = url.indexOf(";base64,");
            if (semi > 5) {
                return ContentPart.Image.inline(url.substring(5, semi), url.substring(semi + 8));
            }
        }
        return ContentPart.Image.ofUrl(url);
    }

    private static List<Tool> tools(JsonNode node) throws BadRequestException {
        List<Tool> tools = new ArrayList<>();
        if (node == null || node.isNull()) {
            return tools;
        }
        if (!node.isArray()) {
            throw new BadRequestException("'tools' must be an array.", "tools");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String type = t.path("type").asText();
            if (!type.equals("function")) {
                throw new BadRequestException(
                        "Tools of type '" + type + "' are not supported by Tollgate: only function tools reach a chat"
                                + " provider.",
                        "tools[" + i + "].type");
            }
            tools.add(new Tool(
                    Fields.requiredText(t, "name", "tools[" + i + "].name"),
                    Fields.text(t, "description"),
                    Fields.json(t.get("parameters"))));
        }
        return tools;
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
        if ("function".equals(node.path("type").asText()) && node.hasNonNull("name")) {
            return ToolChoice.tool(node.get("name").asText());
        }
        throw new BadRequestException(
                "'tool_choice' must be auto, none, required or {\"type\": \"function\", \"name\": …}.", "tool_choice");
    }

    private static ResponseFormat format(JsonNode f) throws BadRequestException {
        if (f == null || f.isNull()) {
            return null;
        }
        return switch (f.path("type").asText()) {
            case "text" -> null;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" ->
                new ResponseFormat(
                        ResponseFormat.Type.JSON_SCHEMA,
                        Fields.text(f, "name"),
                        Fields.json(f.get("schema")),
                        Fields.bool(f, "strict"));
            default -> throw new BadRequestException("Invalid value for 'text.format.type'.", "text.format.type");
        };
    }

    private static Reasoning reasoning(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        String effort = Fields.text(node, "effort");
        return effort == null || effort.equals("none") ? null : new Reasoning(null, effort);
    }

    private static Map<String, String> metadata(JsonNode root) {
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode m = root.get("metadata");
        if (m != null && m.isObject()) {
            m.properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        }
        String user = root.hasNonNull("user") ? root.get("user").asText() : Fields.text(root, "safety_identifier");
        if (user != null) {
            metadata.put("user_id", user);
        }
        return metadata;
    }

    // ---------------------------------------------------------------- responses

    @Override
    public byte[] encodeResponse(ChatResponse response, ChatRequest request, String requestId) {
        List<ResponsesStreamEncoder.Item> items = new ArrayList<>();
        ResponsesStreamEncoder.Item text = null;
        int n = 0;
        for (ContentPart p : response.content()) {
            switch (p) {
                case ContentPart.Text t -> {
                    if (text == null) {
                        text = ResponsesStreamEncoder.Item.message(ids("msg", response.id(), n++));
                        items.add(text);
                    }
                    text.text.append(t.text());
                }
                case ContentPart.Thinking t -> {
                    var item = ResponsesStreamEncoder.Item.reasoning(ids("rs", response.id(), n++));
                    item.text.append(t.text());
                    item.encrypted = t.signature();
                    items.add(item);
                    text = null;
                }
                case ContentPart.RedactedThinking r -> {
                    var item = ResponsesStreamEncoder.Item.reasoning(ids("rs", response.id(), n++));
                    item.encrypted = REDACTED + r.data();
                    items.add(item);
                    text = null;
                }
                case ContentPart.ToolUse u -> {
                    var item = ResponsesStreamEncoder.Item.call(ids("fc", response.id(), n++), u.id(), u.name());
                    item.text.append(u.arguments());
                    items.add(item);
                    text = null;
                }
                default -> {}
            }
        }
        String id = responseId(response.id(), requestId);
        return Fields.write(g -> writeResponse(
                g,
                id,
                System.currentTimeMillis() / 1000,
                request,
                items,
                response.finishReason(),
                response.usage(),
                "completed",
                null));
    }

    static String responseId(String upstreamId, String requestId) {
        return "resp_" + (upstreamId == null || upstreamId.isEmpty() ? requestId : upstreamId.replace("-", ""));
    }

    private static String ids(String prefix, String base, int n) {
        return prefix + "_" + (base == null ? "" : base.replace("-", "")) + "_" + n;
    }

    /**
     * A whole Response object. {@code status} is {@code in_progress} for {@code response.created}; otherwise it
     * follows from {@code finish}: {@code incomplete} for a length or content-filter stop, {@code completed} else
     * ({@code failed} with {@code error} set for a broken stream).
     */
    static void writeResponse(
            JsonGenerator g,
            String id,
            long createdAt,
            ChatRequest request,
            List<ResponsesStreamEncoder.Item> items,
            FinishReason finish,
            TokenUsage usage,
            String status,
            GatewayError error)
            throws IOException {
        String incomplete = null;
        if (status.equals("completed") && finish != null) {
            incomplete = switch (finish) {
                case LENGTH, CONTEXT_WINDOW_EXCEEDED -> "max_output_tokens";
                case CONTENT_FILTER -> "content_filter";
                default -> null;
            };
            if (incomplete != null) {
                status = "incomplete";
            }
        }
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "response");
        g.writeNumberField("created_at", createdAt);
        g.writeStringField("status", status);
        g.writeBooleanField("background", false);
        if (error == null) {
            g.writeNullField("error");
        } else {
            g.writeObjectFieldStart("error");
            g.writeStringField("code", error.code() == null ? "server_error" : error.code());
            g.writeStringField("message", error.message());
            g.writeEndObject();
        }
        if (incomplete == null) {
            g.writeNullField("incomplete_details");
        } else {
            g.writeObjectFieldStart("incomplete_details");
            g.writeStringField("reason", incomplete);
            g.writeEndObject();
        }
        if (request.system() == null) {
            g.writeNullField("instructions");
        } else {
            g.writeStringField("instructions", request.system());
        }
        if (request.maxTokens() == null) {
            g.writeNullField("max_output_tokens");
        } else {
            g.writeNumberField("max_output_tokens", request.maxTokens());
        }
        g.writeStringField("model", request.model());
        g.writeArrayFieldStart("output");
        for (ResponsesStreamEncoder.Item item : items) {
            item.write(g, true);
        }
        g.writeEndArray();
        g.writeBooleanField("parallel_tool_calls", !Boolean.FALSE.equals(request.parallelToolCalls()));
        g.writeNullField("previous_response_id");
        g.writeObjectFieldStart("reasoning");
        if (request.reasoning() == null || request.reasoning().effort() == null) {
            g.writeNullField("effort");
        } else {
            g.writeStringField("effort", request.reasoning().effort());
        }
        g.writeNullField("summary");
        g.writeEndObject();
        g.writeBooleanField("store", false);
        g.writeNumberField("temperature", request.temperature() == null ? 1.0 : request.temperature());
        g.writeObjectFieldStart("text");
        g.writeObjectFieldStart("format");
        g.writeStringField("type", "text");
        g.writeEndObject();
        g.writeEndObject();
        g.writeFieldName("tool_choice");
        ToolChoice choice = request.toolChoice();
        if (choice == null || choice.mode() == ToolChoice.Mode.AUTO) {
            g.writeString("auto");
        } else if (choice.mode() == ToolChoice.Mode.NONE) {
            g.writeString("none");
        } else if (choice.mode() == ToolChoice.Mode.REQUIRED) {
            g.writeString("required");
        } else {
            g.writeStartObject();
            g.writeStringField("type", "function");
            g.writeStringField("name", choice.name());
            g.writeEndObject();
        }
        g.writeArrayFieldStart("tools");
        for (Tool t : request.tools()) {
            g.writeStartObject();
            g.writeStringField("type", "function");
            g.writeStringField("name", t.name());
            if (t.description() != null) {
                g.writeStringField("description", t.description());
            }
            g.writeFieldName("parameters");
            if (t.parameters() != null) {
                g.writeRawValue(t.parameters());
            } else {
                g.writeStartObject();
                g.writeEndObject();
            }
            g.writeBooleanField("strict", false);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("top_p", request.topP() == null ? 1.0 : request.topP());
        g.writeStringField("truncation", "disabled");
        if (usage == null) {
            g.writeNullField("usage");
        } else {
            writeUsage(g, usage);
        }
        g.writeObjectFieldStart("metadata");
        for (var e : request.metadata().entrySet()) {
            if (!e.getKey().equals("user_id")) {
                g.writeStringField(e.getKey(), e.getValue());
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeUsage(JsonGenerator g, TokenUsage u) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", u.inputTokens());
        g.writeObjectFieldStart("input_tokens_details");
        g.writeNumberField("cached_tokens", u.cacheReadTokens());
        g.writeNumberField("cache_write_tokens", u.cacheWriteTokens());
        g.writeEndObject();
        g.writeNumberField("output_tokens", u.outputTokens());
        g.writeObjectFieldStart("output_tokens_details");
        g.writeNumberField("reasoning_tokens", u.reasoningTokens());
        g.writeEndObject();
        g.writeNumberField("total_tokens", u.inputTokens() + u.outputTokens());
        g.writeEndObject();
    }

    @Override
    public StreamEncoder streamEncoder(ChatRequest request, String requestId) {
        return new ResponsesStreamEncoder(request, requestId);
    }

    /** The Responses API answers errors in Chat Completions' shape. */
    @Override
    public byte[] encodeError(GatewayError error, String requestId) {
        return OpenAiDialect.INSTANCE.encodeError(error, requestId);
    }
}
