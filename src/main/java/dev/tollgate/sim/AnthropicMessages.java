package dev.tollgate.sim;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Anthropic's Messages API ({@code POST /v1/messages}) as the simulator speaks it, checked against the types of the
 * official anthropic-java SDK: {@code x-api-key} (or Bearer) and a required {@code anthropic-version}; the request
 * rules Anthropic enforces (required {@code max_tokens}, roles, non-empty text blocks, temperature ≤ 1, thinking
 * budget ≥ 1,024 and below {@code max_tokens}); answers with thinking blocks and signatures when thinking is
 * enabled, parallel {@code tool_use} blocks when tools are offered, text otherwise (cut at a stop sequence or at
 * {@code max_tokens}); usage with cache tokens (a request that marks anything {@code cache_control} has half its
 * prompt read from the cache); named stream events; errors in Anthropic's shape (529 {@code overloaded_error}).
 */
final class AnthropicMessages {
    private static final String VERSION_HEADER = "anthropic-version";
    private static final int ARGUMENT_FRAGMENT = 8;

    private final Vertx vertx;
    private final SimulatorOptions options;
    private final StatsCounter stats;
    private final AtomicLong sequence = new AtomicLong();

    AnthropicMessages(Vertx vertx, SimulatorOptions options, StatsCounter stats) {
        this.vertx = vertx;
        this.options = options;
        this.stats = stats;
    }

    /** A message ready to go: its content blocks, stop reason and usage. */
    record Answer(
            String id,
            String model,
            List<JsonObject> blocks,
            String stopReason,
            String stopSequence,
            int inputTokens,
            int cacheReadTokens,
            int outputTokens) {}

    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    void handle(HttpServerRequest request, Buffer body, Fault fault) {
        HttpServerResponse response = request.response();
        response.putHeader("request-id", Ids.random("req_", 24));
        if (request.method() != HttpMethod.POST) {
            error(response, 405, "invalid_request_error", "Method not allowed");
            return;
        }
        String key = request.getHeader("x-api-key");
        String bearer = request.getHeader("authorization");
        if (options.apiKey() != null
                && !options.apiKey().equals(key)
                && !("Bearer " + options.apiKey()).equals(bearer)) {
            error(response, 401, "authentication_error", "invalid x-api-key");
            return;
        }
        if (request.getHeader(VERSION_HEADER) == null) {
            error(response, 400, "invalid_request_error", "anthropic-version: header is required");
            return;
        }
        switch (fault) {
            case Fault.Status status -> {
                if (status.retryAfter() != null) {
                    response.putHeader(
                            "retry-after", Long.toString((status.retryAfter().toMillis() + 999) / 1000));
                }
                error(
                        response,
                        status.code(),
                        errorType(status.code()),
                        "Simulated " + status.code() + " from " + options.name()
                                + (status.code() == 529 ? ": Overloaded" : ""));
                return;
            }
            case Fault.ResetConnection reset -> {
                request.connection().close();
                return;
            }
            case Fault.Hang hang -> {
                return;
            }
            case Fault.SlowFirstByte slow -> {
                vertx.setTimer(Math.max(1, slow.delay().toMillis()), t -> answer(request, body, Fault.none()));
                return;
            }
            default -> answer(request, body, fault);
        }
    }

    private void answer(HttpServerRequest request, Buffer body, Fault fault) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        JsonObject json;
        Answer answer;
        try {
            try {
                json = new JsonObject(body);
            } catch (DecodeException e) {
                throw new Invalid("The request body is not valid JSON.");
            }
            answer = compose(json);
        } catch (Invalid e) {
            error(response, 400, "invalid_request_error", e.getMessage());
            return;
        }
        boolean stream = Boolean.TRUE.equals(json.getValue("stream"));
        Runnable completed = () ->
                stats.completed(answer.model(), answer.inputTokens() + answer.cacheReadTokens(), answer.outputTokens());
        if (!stream) {
            Buffer bytes = Buffer.buffer(message(answer).encode());
            response.putHeader("content-type", "application/json");
            if (fault instanceof Fault.MalformedBody) {
                response.end(bytes.getBuffer(0, bytes.length() / 2));
            } else {
                response.end(bytes).onSuccess(done -> completed.run());
            }
            return;
        }
        List<Buffer> events = events(answer);
        StreamWriter writer = switch (fault) {
            case Fault.CutStreamAfter cut ->
                new StreamWriter(
                        vertx,
                        request,
                        events,
                        options.tokenDelay(),
                        Math.min(cut.chunks(), events.size() - 2),
                        true,
                        completed);
            case Fault.StallStreamAfter stall ->
                new StreamWriter(
                        vertx,
                        request,
                        events,
                        options.tokenDelay(),
                        Math.min(stall.chunks(), events.size() - 2),
                        false,
                        completed);
            case Fault.StreamErrorAfter error -> {
                List<Buffer> cut = new ArrayList<>(events.subList(0, Math.min(error.chunks(), events.size() - 2)));
                cut.add(event(
                        "error",
                        new JsonObject()
                                .put("type", "error")
                                .put(
                                        "error",
                                        new JsonObject()
                                                .put("type", error.errorType())
                                                .put("message", "Overloaded"))));
                yield new StreamWriter(vertx, request, cut, options.tokenDelay(), -1, false, () -> {});
            }
            case Fault.MalformedBody malformed ->
                new StreamWriter(
                        vertx,
                        request,
                        List.of(events.get(0), Buffer.buffer("event: ping\ndata: {\"type\": oops\n\n")),
                        options.tokenDelay(),
                        -1,
                        false,
                        () -> {});
            default -> new StreamWriter(vertx, request, events, options.tokenDelay(), -1, false, completed);
        };
        writer.start();
    }

    Answer compose(JsonObject json) throws Invalid {
        if (!(json.getValue("model") instanceof String model) || model.isEmpty()) {
            throw new Invalid("model: Field required");
        }
        if (!(json.getValue("max_tokens") instanceof Number max) || max.intValue() < 1) {
            throw new Invalid("max_tokens: Field required");
        }
        int maxTokens = max.intValue();
        if (json.getValue("temperature") instanceof Number t && (t.doubleValue() < 0 || t.doubleValue() > 1)) {
            throw new Invalid("temperature: Input should be less than or equal to 1");
        }
        if (!(json.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
            throw new Invalid("messages: Field required");
        }
        int prompt = 0;
        String lastUser = "";
        Object system = json.getValue("system");
        if (system instanceof String s) {
            prompt += TokenCounter.count(s);
        } else if (system instanceof JsonArray blocks) {
            prompt += TokenCounter.count(blocks.encode());
        } else if (system != null) {
            throw new Invalid("system: Input should be a valid string or list");
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!(messages.getValue(i) instanceof JsonObject m)) {
                throw new Invalid("messages." + i + ": Input should be an object");
            }
            Object role = m.getValue("role");
            if (!"user".equals(role) && !"assistant".equals(role)) {
                throw new Invalid("messages." + i + ".role: Input should be 'user' or 'assistant'");
            }
            Object content = m.getValue("content");
            String text;
            if (content instanceof String s) {
                if (s.isEmpty() && i < messages.size() - 1) {
                    throw new Invalid("messages." + i + ": all messages must have non-empty content");
                }
                text = s;
            } else if (content instanceof JsonArray blocks) {
                if (blocks.isEmpty()) {
                    throw new Invalid("messages." + i + ": all messages must have non-empty content");
                }
                StringBuilder b = new StringBuilder();
                for (int k = 0; k < blocks.size(); k++) {
                    JsonObject block = blocks.getJsonObject(k);
                    String type = block.getString("type", "");
                    if (type.equals("text")) {
                        String t = block.getString("text", "");
                        if (t.isEmpty()) {
                            throw new Invalid("messages." + i + ".content." + k + ".text: text content blocks must be"
                                    + " non-empty");
                        }
                        b.append(t).append(' ');
                    } else if (type.equals("thinking")
                            && block.getString("signature", "").isEmpty()) {
                        throw new Invalid("messages." + i + ".content." + k + ".signature: Field required");
                    } else if (!List.of("image", "tool_use", "tool_result", "thinking", "redacted_thinking")
                            .contains(type)) {
                        throw new Invalid("messages." + i + ".content." + k + ".type: invalid block type");
                    }
                    // Text counts as its words; other blocks as their JSON (a rough but deterministic cost).
                    prompt += type.equals("text")
                            ? TokenCounter.count(block.getString("text", ""))
                            : TokenCounter.count(block.encode());
                }
                text = b.toString();
            } else {
                throw new Invalid("messages." + i + ".content: Field required");
            }
            prompt += TokenCounter.PER_MESSAGE + (content instanceof String s ? TokenCounter.count(s) : 0);
            if ("user".equals(role) && !text.isBlank()) {
                lastUser = text;
            }
        }
        List<JsonObject> tools = new ArrayList<>();
        if (json.getValue("tools") instanceof JsonArray ts) {
            prompt += TokenCounter.count(ts.encode());
            for (int i = 0; i < ts.size(); i++) {
                tools.add(ts.getJsonObject(i));
            }
        }
        JsonObject choice = json.getJsonObject("tool_choice", new JsonObject().put("type", "auto"));
        JsonObject thinking = json.getJsonObject("thinking");
        boolean thinks = thinking != null && "enabled".equals(thinking.getString("type"));
        if (thinks) {
            int budget = thinking.getInteger("budget_tokens", 0);
            if (budget < 1024) {
                throw new Invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
            }
            if (budget >= maxTokens) {
                throw new Invalid("`max_tokens` must be greater than `thinking.budget_tokens`");
            }
        }
        List<String> stops = new ArrayList<>();
        if (json.getValue("stop_sequences") instanceof JsonArray ss) {
            ss.forEach(s -> stops.add(String.valueOf(s)));
        }
        prompt += TokenCounter.REPLY_PRIMING;
        int cacheRead = json.encode().contains("cache_control") ? prompt / 2 : 0;

        String said = said(lastUser);
        List<JsonObject> blocks = new ArrayList<>();
        int output = 0;
        if (thinks) {
            String thought = "The user said \"" + said + "\". I should answer briefly.";
            blocks.add(new JsonObject()
                    .put("type", "thinking")
                    .put("thinking", thought)
                    .put("signature", signature(thought)));
            output += TokenCounter.count(thought);
        }
        String stopReason;
        String stopSequence = null;
        String toolMode = choice.getString("type", "auto");
        if (!tools.isEmpty() && !toolMode.equals("none")) {
            List<JsonObject> called = new ArrayList<>();
            if (toolMode.equals("tool")) {
                for (JsonObject t : tools) {
                    if (t.getString("name", "").equals(choice.getString("name"))) {
                        called.add(t);
                    }
                }
            } else {
                boolean single = choice.getBoolean("disable_parallel_tool_use", false);
                called.addAll(tools.subList(0, Math.min(single ? 1 : 2, tools.size())));
            }
            for (JsonObject t : called) {
                JsonObject input = ChatAnswer.arguments(t.getJsonObject("input_schema", new JsonObject()));
                blocks.add(new JsonObject()
                        .put("type", "tool_use")
                        .put("id", Ids.random("toolu_", 24))
                        .put("name", t.getString("name"))
                        .put("input", input));
                output += TokenCounter.PER_MESSAGE
                        + TokenCounter.count(t.getString("name"))
                        + TokenCounter.count(input.encode());
            }
            stopReason = "tool_use";
        } else {
            String text = "Hello from " + options.name() + ": you said \"" + said + "\".";
            stopReason = "end_turn";
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (!stop.isEmpty() && at >= 0) {
                    text = text.substring(0, at);
                    stopReason = "stop_sequence";
                    stopSequence = stop;
                }
            }
            int budget = maxTokens - output;
            if (TokenCounter.count(text) > budget) {
                String[] words = text.split(" ");
                int n = words.length;
                while (n > 0
                        && TokenCounter.count(
                                        String.join(" ", Arrays.asList(words).subList(0, n)))
                                > budget) {
                    n--;
                }
                text = String.join(" ", Arrays.asList(words).subList(0, n));
                stopReason = "max_tokens";
                stopSequence = null;
            }
            if (!text.isEmpty()) {
                blocks.add(new JsonObject().put("type", "text").put("text", text));
            }
            output += TokenCounter.count(text);
        }
        String id = "msg_" + options.name().replaceAll("[^A-Za-z0-9]", "") + sequence.incrementAndGet()
                + Ids.random("", 12);
        return new Answer(id, model, blocks, stopReason, stopSequence, prompt - cacheRead, cacheRead, output);
    }

    private static String said(String text) {
        String[] words = text.strip().isEmpty() ? new String[0] : text.strip().split("\\s+");
        if (words.length == 0) {
            return "nothing";
        }
        return String.join(" ", Arrays.asList(words).subList(0, Math.min(8, words.length)))
                + (words.length > 8 ? "..." : "");
    }

    /** A deterministic stand-in for Anthropic's opaque signature: base64 of the thought's SHA-256. */
    static String signature(String thought) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(thought.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject usage(Answer a, int output) {
        return new JsonObject()
                .put("input_tokens", a.inputTokens())
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", a.cacheReadTokens())
                .put("output_tokens", output);
    }

    static JsonObject message(Answer a) {
        return new JsonObject()
                .put("id", a.id())
                .put("type", "message")
                .put("role", "assistant")
                .put("model", a.model())
                .put("content", new JsonArray(new ArrayList<>(a.blocks())))
                .put("stop_reason", a.stopReason())
                .put("stop_sequence", a.stopSequence())
                .put("usage", usage(a, a.outputTokens()));
    }

    /** The stream: message_start, ping, the blocks with their deltas, message_delta, message_stop. */
    List<Buffer> events(Answer a) {
        List<Buffer> events = new ArrayList<>();
        JsonObject start = message(a)
                .put("content", new JsonArray())
                .putNull("stop_reason")
                .putNull("stop_sequence")
                .put("usage", usage(a, 1));
        events.add(event(
                "message_start", new JsonObject().put("type", "message_start").put("message", start)));
        events.add(event("ping", new JsonObject().put("type", "ping")));
        for (int i = 0; i < a.blocks().size(); i++) {
            JsonObject block = a.blocks().get(i);
            String type = block.getString("type");
            JsonObject empty = switch (type) {
                case "thinking" ->
                    new JsonObject().put("type", "thinking").put("thinking", "").put("signature", "");
                case "tool_use" ->
                    new JsonObject()
                            .put("type", "tool_use")
                            .put("id", block.getString("id"))
                            .put("name", block.getString("name"))
                            .put("input", new JsonObject());
                default -> new JsonObject().put("type", "text").put("text", "");
            };
            events.add(event(
                    "content_block_start",
                    new JsonObject()
                            .put("type", "content_block_start")
                            .put("index", i)
                            .put("content_block", empty)));
            switch (type) {
                case "thinking" -> {
                    for (String piece : ChatWire.pieces(block.getString("thinking"), options.chunkTokens())) {
                        events.add(delta(
                                i,
                                new JsonObject().put("type", "thinking_delta").put("thinking", piece)));
                    }
                    events.add(delta(
                            i,
                            new JsonObject()
                                    .put("type", "signature_delta")
                                    .put("signature", block.getString("signature"))));
                }
                case "tool_use" -> {
                    String input = block.getJsonObject("input").encode();
                    for (int at = 0; at < input.length(); at += ARGUMENT_FRAGMENT) {
                        events.add(delta(
                                i,
                                new JsonObject()
                                        .put("type", "input_json_delta")
                                        .put(
                                                "partial_json",
                                                input.substring(
                                                        at, Math.min(input.length(), at + ARGUMENT_FRAGMENT)))));
                    }
                }
                default -> {
                    for (String piece : ChatWire.pieces(block.getString("text"), options.chunkTokens())) {
                        events.add(delta(
                                i, new JsonObject().put("type", "text_delta").put("text", piece)));
                    }
                }
            }
            events.add(event(
                    "content_block_stop",
                    new JsonObject().put("type", "content_block_stop").put("index", i)));
        }
        events.add(event(
                "message_delta",
                new JsonObject()
                        .put("type", "message_delta")
                        .put(
                                "delta",
                                new JsonObject()
                                        .put("stop_reason", a.stopReason())
                                        .put("stop_sequence", a.stopSequence()))
                        .put("usage", usage(a, a.outputTokens()))));
        events.add(event("message_stop", new JsonObject().put("type", "message_stop")));
        return events;
    }

    private static Buffer delta(int index, JsonObject delta) {
        return event(
                "content_block_delta",
                new JsonObject()
                        .put("type", "content_block_delta")
                        .put("index", index)
                        .put("delta", delta));
    }

    static Buffer event(String name, JsonObject data) {
        return Buffer.buffer("event: " + name + "\ndata: " + data.encode() + "\n\n");
    }

    private static String errorType(int status) {
        return switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    private static void error(HttpServerResponse response, int status, String type, String message) {
        response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(new JsonObject()
                        .put("type", "error")
                        .put("error", new JsonObject().put("type", type).put("message", message))
                        .put("request_id", response.headers().get("request-id"))
                        .encode());
    }
}
