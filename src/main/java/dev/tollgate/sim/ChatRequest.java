package dev.tollgate.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The parts of a {@code POST /v1/chat/completions} body the simulator answers from, validated the way OpenAI does.
 *
 * @param tools function tools the reply will call; empty when tool_choice is "none" or no tools were sent
 * @param maxTokens completion budget from max_completion_tokens or max_tokens; 0 means unlimited
 * @param lastUserText text of the last user message, used to echo the caller
 * @param reasoningEffort {@code reasoning_effort} (minimal, low, medium, high) or null: the answer then reports hidden
 *     reasoning tokens, as OpenAI's reasoning models do
 */
record ChatRequest(
        String model,
        boolean stream,
        boolean includeUsage,
        List<ToolSpec> tools,
        int n,
        int maxTokens,
        String lastUserText,
        int promptTokens,
        String reasoningEffort) {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    /** A function the reply may call, with the parameter schema its arguments are derived from. */
    record ToolSpec(String name, JsonObject parameters) {}

    static ChatRequest parse(Buffer body) {
        JsonObject json = JsonBody.object(body);
        String model = JsonBody.requiredString(json, "model");
        JsonArray messages = json.getValue("messages") instanceof JsonArray a ? a : null;
        if (messages == null) {
            throw new InvalidRequest("Missing required parameter: 'messages'.", "messages");
        }
        if (messages.isEmpty()) {
            throw new InvalidRequest(
                    "Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages");
        }
        boolean stream = JsonBody.optionalBoolean(json, "stream", false);
        boolean includeUsage = false;
        Object streamOptions = json.getValue("stream_options");
        if (streamOptions instanceof JsonObject options) {
            if (!stream) {
                throw new InvalidRequest(
                        "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
            }
            includeUsage = JsonBody.optionalBoolean(options, "include_usage", false);
        } else if (streamOptions != null) {
            throw new InvalidRequest("Invalid type for 'stream_options': expected an object.", "stream_options");
        }
        int n = JsonBody.optionalInt(json, "n", 1, 1, 128);
        int maxTokens = json.containsKey("max_completion_tokens")
                ? JsonBody.optionalInt(json, "max_completion_tokens", 0, 1, Integer.MAX_VALUE)
                : JsonBody.optionalInt(json, "max_tokens", 0, 1, Integer.MAX_VALUE);

        int promptTokens = TokenCounter.REPLY_PRIMING;
        String lastUserText = "";
        for (int i = 0; i < messages.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(messages.getValue(i) instanceof JsonObject message)) {
                throw new InvalidRequest("Invalid type for '" + param + "': expected an object.", param);
            }
            if (!(message.getValue("role") instanceof String role) || !ROLES.contains(role)) {
                throw new InvalidRequest(
                        "Invalid value for '" + param + ".role': expected one of " + ROLES + ".", param + ".role");
            }
            String text = contentText(message.getValue("content"), param + ".content");
            promptTokens += TokenCounter.PER_MESSAGE
                    + TokenCounter.count(role)
                    + TokenCounter.count(text)
                    + imageCount(message.getValue("content")) * TokenCounter.PER_IMAGE;
            if (message.getValue("name") instanceof String name) {
                promptTokens += 1 + TokenCounter.count(name);
            }
            if (message.getValue("tool_calls") instanceof JsonArray calls) {
                promptTokens += TokenCounter.count(calls.encode());
            }
            if (role.equals("user")) {
                lastUserText = text;
            }
        }

        List<ToolSpec> tools = parseTools(json);
        if (!tools.isEmpty()) {
            // Tool definitions are injected into the prompt, so they cost prompt tokens.
            promptTokens += TokenCounter.count(json.getJsonArray("tools").encode());
        }
        tools = chooseTools(tools, json.getValue("tool_choice"));
        if (Boolean.FALSE.equals(json.getValue("parallel_tool_calls")) && tools.size() > 1) {
            tools = tools.subList(0, 1);
        }
        String effort = json.getValue("reasoning_effort") instanceof String e ? e : null;
        if (json.getValue("reasoning_effort") != null
                && (effort == null
                        || !Set.of("minimal", "low", "medium", "high").contains(effort))) {
            throw new InvalidRequest(
                    "Invalid value for 'reasoning_effort': expected one of minimal, low, medium, high.",
                    "reasoning_effort");
        }
        return new ChatRequest(model, stream, includeUsage, tools, n, maxTokens, lastUserText, promptTokens, effort);
    }

    private static String contentText(Object content, String param) {
        if (content == null || content instanceof String) {
            return (String) content;
        }
        if (!(content instanceof JsonArray parts)) {
            throw new InvalidRequest(
                    "Invalid type for '" + param + "': expected a string or an array of content parts.", param);
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < parts.size(); j++) {
            String partParam = param + "[" + j + "]";
            if (!(parts.getValue(j) instanceof JsonObject part) || !(part.getValue("type") instanceof String type)) {
                throw new InvalidRequest("Invalid content part at '" + partParam + "'.", partParam);
            }
            if (type.equals("text")) {
                if (!(part.getValue("text") instanceof String partText)) {
                    throw new InvalidRequest("Missing required parameter: '" + partParam + ".text'.", partParam);
                }
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(partText);
            } else if (type.equals("image_url") && !(part.getValue("image_url") instanceof JsonObject)) {
                throw new InvalidRequest(
                        "Missing required parameter: '" + partParam + ".image_url'.", partParam + ".image_url");
            }
        }
        return text.toString();
    }

    // Images, audio and files are accepted and billed a flat amount each.
    private static int imageCount(Object content) {
        int count = 0;
        if (content instanceof JsonArray parts) {
            for (Object part : parts) {
                if (part instanceof JsonObject p && !"text".equals(p.getValue("type"))) {
                    count++;
                }
            }
        }
        return count;
    }

    private static List<ToolSpec> parseTools(JsonObject json) {
        Object value = json.getValue("tools");
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw new InvalidRequest("Invalid type for 'tools': expected an array.", "tools");
        }
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String param = "tools[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject tool)) {
                throw new InvalidRequest("Invalid type for '" + param + "': expected an object.", param);
            }
            if (!"function".equals(tool.getValue("type"))) {
                continue; // custom tools exist but the simulator only calls functions
            }
            if (!(tool.getValue("function") instanceof JsonObject function)
                    || !(function.getValue("name") instanceof String name)
                    || name.isEmpty()) {
                throw new InvalidRequest(
                        "Missing required parameter: '" + param + ".function.name'.", param + ".function.name");
            }
            JsonObject parameters = function.getValue("parameters") instanceof JsonObject p ? p : new JsonObject();
            tools.add(new ToolSpec(name, parameters));
        }
        return List.copyOf(tools);
    }

    private static List<ToolSpec> chooseTools(List<ToolSpec> tools, Object choice) {
        if (choice == null || "auto".equals(choice) || "required".equals(choice)) {
            // Two calls are enough to exercise parallel tool calls without flooding the answer.
            return tools.size() > 2 ? tools.subList(0, 2) : tools;
        }
        if ("none".equals(choice)) {
            return List.of();
        }
        if (choice instanceof JsonObject named
                && named.getValue("function") instanceof JsonObject function
                && function.getValue("name") instanceof String name) {
            return tools.stream()
                    .filter(t -> t.name().equals(name))
                    .findFirst()
                    .map(List::of)
                    .orElseThrow(() -> new InvalidRequest(
                            "Invalid value for 'tool_choice': no function named '" + name + "' in 'tools'.",
                            "tool_choice"));
        }
        throw new InvalidRequest(
                "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or a named function.",
                "tool_choice");
    }

    /** JSON decoding and typed field access that fail with OpenAI-style messages. */
    static final class JsonBody {
        private JsonBody() {}

        static JsonObject object(Buffer body) {
            try {
                if (body.length() > 0 && Json.decodeValue(body) instanceof JsonObject o) {
                    return o;
                }
            } catch (DecodeException e) {
                // fall through to the same answer OpenAI gives
            }
            throw new InvalidRequest(
                    "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.", null);
        }

        static String requiredString(JsonObject json, String field) {
            Object value = json.getValue(field);
            if (value == null) {
                throw new InvalidRequest("Missing required parameter: '" + field + "'.", field);
            }
            if (!(value instanceof String s) || s.isEmpty()) {
                throw new InvalidRequest("Invalid value for '" + field + "': expected a non-empty string.", field);
            }
            return s;
        }

        static boolean optionalBoolean(JsonObject json, String field, boolean otherwise) {
            Object value = json.getValue(field);
            if (value == null) {
                return otherwise;
            }
            if (!(value instanceof Boolean b)) {
                throw new InvalidRequest("Invalid type for '" + field + "': expected a boolean.", field);
            }
            return b;
        }

        static int optionalInt(JsonObject json, String field, int otherwise, int min, int max) {
            Object value = json.getValue(field);
            if (value == null) {
                return otherwise;
            }
            if (!(value instanceof Integer || value instanceof Long)
                    || ((Number) value).longValue() < min
                    || ((Number) value).longValue() > max) {
                throw new InvalidRequest(
                        "Invalid value for '" + field + "': expected an integer between " + min + " and " + max + ".",
                        field);
            }
            return ((Number) value).intValue();
        }
    }
}
