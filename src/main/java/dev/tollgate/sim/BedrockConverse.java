package dev.tollgate.sim;

import dev.tollgate.wire.bedrock.EventStreamFrames;
import dev.tollgate.wire.bedrock.SigV4;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Amazon Bedrock's Converse API as the simulator speaks it: {@code POST /model/{modelId}/converse} (JSON) and
 * {@code /converse-stream} ({@code application/vnd.amazon.eventstream} binary frames: messageStart,
 * contentBlockStart for tool calls, contentBlockDelta, contentBlockStop, messageStop, metadata with usage). With an
 * API key configured, every request must carry either that key as a Bedrock API key ({@code Authorization: Bearer})
 * or a SigV4 signature (service {@code bedrock}) by access key id {@link ProviderSimulator#AWS_ACCESS_KEY_ID} with the
 * key as its secret; a missing, unknown, expired or wrong signature gets AWS's 403s. The request rules Bedrock
 * enforces are checked (a first user turn, alternating roles, no blank text, maxTokens ≥ 1); reasoning is answered
 * when {@code additionalModelRequestFields} asks for {@code thinking} (Anthropic models) or {@code reasoningConfig}.
 * Errors are {@code {"message"}} with {@code x-amzn-ErrorType}, and mid-stream ones are exception frames.
 */
final class BedrockConverse {
    private static final Pattern PATH = Pattern.compile("/model/([^/]+)/(converse|converse-stream)");
    static final String EVENT_STREAM = "application/vnd.amazon.eventstream";
    private static final int ARGUMENT_FRAGMENT = 8;

    private final Vertx vertx;
    private final SimulatorOptions options;
    private final StatsCounter stats;

    BedrockConverse(Vertx vertx, SimulatorOptions options, StatsCounter stats) {
        this.vertx = vertx;
        this.options = options;
        this.stats = stats;
    }

    static boolean handles(String path) {
        return PATH.matcher(path).matches();
    }

    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    void handle(HttpServerRequest request, Buffer body, Fault fault) {
        HttpServerResponse response = request.response();
        response.putHeader("x-amzn-RequestId", UUID.randomUUID().toString());
        Matcher m = PATH.matcher(request.path());
        if (!m.matches() || request.method() != HttpMethod.POST) {
            error(response, 404, "UnknownOperationException", null);
            return;
        }
        if (options.apiKey() != null && !authenticated(request, body)) {
            return;
        }
        String model = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        boolean stream = m.group(2).equals("converse-stream");
        switch (fault) {
            case Fault.Status status -> {
                failWith(response, status);
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
                vertx.setTimer(
                        Math.max(1, slow.delay().toMillis()), t -> answer(request, body, model, stream, Fault.none()));
                return;
            }
            default -> answer(request, body, model, stream, fault);
        }
    }

    /** A Bedrock API key, or a SigV4 signature checked the way AWS checks it; refused with AWS's 403 otherwise. */
    private boolean authenticated(HttpServerRequest request, Buffer body) {
        String authorization = request.getHeader("authorization");
        if (authorization != null && authorization.equals("Bearer " + options.apiKey())) {
            return true;
        }
        HttpServerResponse response = request.response();
        if (authorization != null && authorization.startsWith("Bearer ")) {
            error(
                    response,
                    403,
                    "UnrecognizedClientException",
                    "The security token included in the request is invalid.");
            return false;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        String query = request.query();
        SigV4.Verdict verdict = SigV4.verify(
                new SigV4.Request(
                        request.method().name(), request.path(), query == null ? "" : query, headers, body.getBytes()),
                id -> ProviderSimulator.AWS_ACCESS_KEY_ID.equals(id) ? options.apiKey() : null,
                "bedrock",
                Instant.now(),
                true);
        switch (verdict) {
            case VALID -> {
                return true;
            }
            case MISSING -> error(response, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
            case UNKNOWN_KEY ->
                error(
                        response,
                        403,
                        "UnrecognizedClientException",
                        "The security token included in the request is" + " invalid.");
            case EXPIRED -> error(response, 403, "InvalidSignatureException", "Signature expired.");
            case MALFORMED, MISMATCH ->
                error(
                        response,
                        403,
                        "InvalidSignatureException",
                        "The request signature we calculated does not match the signature you provided. Check your"
                                + " AWS Secret Access Key and signing method. Consult the service documentation for"
                                + " details.");
        }
        return false;
    }

    private void failWith(HttpServerResponse response, Fault.Status status) {
        int code = status.code();
        if (code == 400 && "context_length_exceeded".equals(status.errorType())) {
            error(response, 400, "ValidationException", "Input is too long for requested model.");
            return;
        }
        if (status.retryAfter() != null) {
            response.putHeader("retry-after", Long.toString((status.retryAfter().toMillis() + 999) / 1000));
        }
        switch (code) {
            case 429 ->
                error(response, 429, "ThrottlingException", "Too many requests, please wait before trying again.");
            case 503 ->
                error(response, 503, "ServiceUnavailableException", "Bedrock is unable to process your" + " request.");
            case 400 -> error(response, 400, "ValidationException", "Simulated 400 from " + options.name());
            case 403 ->
                error(
                        response,
                        403,
                        "AccessDeniedException",
                        "You don't have access to the model with the" + " specified model ID.");
            case 404 -> error(response, 404, "ResourceNotFoundException", "Could not resolve the foundation model.");
            default ->
                error(response, code, "InternalServerException", "Simulated " + code + " from " + options.name());
        }
    }

    private void answer(HttpServerRequest request, Buffer body, String model, boolean stream, Fault fault) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        CloudAnswer answer;
        try {
            JsonObject json;
            try {
                json = new JsonObject(body);
            } catch (DecodeException | ClassCastException e) {
                throw new Invalid("Malformed input request, please reformat your input and try again.");
            }
            answer = compose(json);
        } catch (Invalid e) {
            error(response, 400, "ValidationException", e.getMessage());
            return;
        }
        Runnable completed = () -> stats.completed(model, answer.promptTokens(), answer.outputTokens());
        if (!stream) {
            Buffer bytes = Buffer.buffer(whole(answer).encode());
            response.putHeader("content-type", "application/json");
            if (fault instanceof Fault.MalformedBody || fault instanceof Fault.CutStreamAfter) {
                response.end(bytes.getBuffer(0, bytes.length() / 2));
            } else {
                response.end(bytes).onSuccess(done -> completed.run());
            }
            return;
        }
        List<Buffer> frames = frames(answer);
        StreamWriter writer = switch (fault) {
            case Fault.CutStreamAfter cut ->
                new StreamWriter(
                        vertx,
                        request,
                        frames,
                        options.tokenDelay(),
                        Math.min(cut.chunks(), frames.size() - 1),
                        true,
                        completed);
            case Fault.StallStreamAfter stall ->
                new StreamWriter(
                        vertx,
                        request,
                        frames,
                        options.tokenDelay(),
                        Math.min(stall.chunks(), frames.size() - 1),
                        false,
                        completed);
            case Fault.StreamErrorAfter failure -> {
                List<Buffer> cut = new ArrayList<>(frames.subList(0, Math.min(failure.chunks(), frames.size() - 1)));
                boolean throttled = failure.errorType().contains("rate")
                        || failure.errorType().contains("hrottl");
                cut.add(Buffer.buffer(EventStreamFrames.exception(
                        throttled ? "throttlingException" : "serviceUnavailableException",
                        new JsonObject()
                                .put(
                                        "message",
                                        throttled
                                                ? "Too many requests, please wait before trying again."
                                                : "Bedrock is unable to process your request.")
                                .encode())));
                yield new StreamWriter(vertx, request, cut, options.tokenDelay(), -1, false, () -> {});
            }
            case Fault.MalformedBody malformed -> {
                byte[] broken = frames.get(1).getBytes();
                broken[broken.length - 1] ^= 0x55; // a bad message CRC, which AWS's codec refuses
                yield new StreamWriter(
                        vertx,
                        request,
                        List.of(frames.get(0), Buffer.buffer(broken)),
                        options.tokenDelay(),
                        -1,
                        false,
                        () -> {});
            }
            default -> new StreamWriter(vertx, request, frames, options.tokenDelay(), -1, false, completed);
        };
        writer.contentType(EVENT_STREAM).start();
    }

    private CloudAnswer compose(JsonObject json) throws Invalid {
        if (!(json.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
            throw new Invalid("A conversation must start with a user message. Try again with a conversation that"
                    + " starts with a user message.");
        }
        int prompt = 0;
        for (Object s : json.getJsonArray("system", new JsonArray())) {
            prompt += TokenCounter.count(((JsonObject) s).getString("text", ""));
        }
        String lastUser = "";
        String previous = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonObject message = messages.getJsonObject(i);
            String role = message.getString("role", "");
            if (!role.equals("user") && !role.equals("assistant")) {
                throw new Invalid("1 validation error detected: Value '" + role + "' at 'messages." + (i + 1)
                        + ".member.role' failed to satisfy constraint: Member must satisfy enum value set:"
                        + " [user, assistant]");
            }
            if (i == 0 && !role.equals("user")) {
                throw new Invalid("A conversation must start with a user message. Try again with a conversation that"
                        + " starts with a user message.");
            }
            if (role.equals(previous)) {
                throw new Invalid("A conversation must alternate between user and assistant roles. Make sure the"
                        + " conversation alternates between user and assistant roles and try again.");
            }
            previous = role;
            JsonArray content = message.getJsonArray("content", new JsonArray());
            if (content.isEmpty()) {
                throw new Invalid("The content field in the Message object at messages." + i + " is empty. Add a"
                        + " ContentBlock object to the content field and try again.");
            }
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < content.size(); k++) {
                JsonObject block = content.getJsonObject(k);
                if (block.containsKey("text")) {
                    String t = block.getString("text", "");
                    if (t.isBlank()) {
                        throw new Invalid("The text field in the ContentBlock object at messages." + i + ".content." + k
                                + " is blank. Add text to the text field, and try again.");
                    }
                    text.append(t).append(' ');
                    prompt += TokenCounter.count(t);
                } else {
                    prompt += block.containsKey("image") ? TokenCounter.PER_IMAGE : TokenCounter.count(block.encode());
                }
            }
            prompt += TokenCounter.PER_MESSAGE;
            if (role.equals("user") && !text.toString().isBlank()) {
                lastUser = text.toString();
            }
        }
        JsonObject inference = json.getJsonObject("inferenceConfig", new JsonObject());
        int maxTokens = inference.getInteger("maxTokens", 0);
        if (inference.containsKey("maxTokens") && maxTokens < 1) {
            throw new Invalid("1 validation error detected: Value '" + maxTokens + "' at 'inferenceConfig.maxTokens'"
                    + " failed to satisfy constraint: Member must have value greater than or equal to 1");
        }
        List<String> stops = new ArrayList<>();
        inference.getJsonArray("stopSequences", new JsonArray()).forEach(s -> stops.add(String.valueOf(s)));
        JsonObject additional = json.getJsonObject("additionalModelRequestFields", new JsonObject());
        JsonObject thinkingField = additional.getJsonObject("thinking", additional.getJsonObject("reasoningConfig"));
        boolean thinking = thinkingField != null && "enabled".equals(thinkingField.getString("type"));
        List<CloudAnswer.Offered> offered = new ArrayList<>();
        JsonObject toolConfig = json.getJsonObject("toolConfig");
        if (toolConfig != null) {
            prompt += TokenCounter.count(toolConfig.encode());
            for (Object t : toolConfig.getJsonArray("tools", new JsonArray())) {
                JsonObject spec = ((JsonObject) t).getJsonObject("toolSpec", new JsonObject());
                offered.add(new CloudAnswer.Offered(
                        spec.getString("name"),
                        spec.getJsonObject("inputSchema", new JsonObject()).getJsonObject("json", new JsonObject())));
            }
            JsonObject choice = toolConfig.getJsonObject("toolChoice", new JsonObject());
            if (choice.getValue("tool") instanceof JsonObject named) {
                offered.removeIf(o -> !o.name().equals(named.getString("name")));
            }
        }
        prompt += TokenCounter.REPLY_PRIMING;
        return CloudAnswer.compose(
                options.name(), lastUser, prompt, thinking, offered, true, stops, maxTokens, "tooluse_");
    }

    private static String stopReason(CloudAnswer a) {
        return switch (a.finish()) {
            case "length" -> "max_tokens";
            case "stop_sequence" -> "stop_sequence";
            case "tool_use" -> "tool_use";
            default -> "end_turn";
        };
    }

    private static JsonObject usage(CloudAnswer a) {
        // Bedrock's inputTokens is the uncached part; cache reads are counted beside it.
        int input = a.promptTokens() - a.cachedTokens();
        JsonObject usage = new JsonObject()
                .put("inputTokens", input)
                .put("outputTokens", a.outputTokens())
                .put("totalTokens", a.promptTokens() + a.outputTokens());
        if (a.cachedTokens() > 0) {
            usage.put("cacheReadInputTokens", a.cachedTokens()).put("cacheWriteInputTokens", 0);
        }
        return usage;
    }

    static JsonObject whole(CloudAnswer a) {
        JsonArray content = new JsonArray();
        if (a.thought() != null) {
            content.add(new JsonObject()
                    .put(
                            "reasoningContent",
                            new JsonObject()
                                    .put(
                                            "reasoningText",
                                            new JsonObject()
                                                    .put("text", a.thought())
                                                    .put("signature", a.signature()))));
        }
        if (a.calls().isEmpty()) {
            if (!a.text().isEmpty()) {
                content.add(new JsonObject().put("text", a.text()));
            }
        } else {
            for (CloudAnswer.Call call : a.calls()) {
                content.add(new JsonObject()
                        .put(
                                "toolUse",
                                new JsonObject()
                                        .put("toolUseId", call.id())
                                        .put("name", call.name())
                                        .put("input", call.arguments())));
            }
        }
        return new JsonObject()
                .put(
                        "output",
                        new JsonObject()
                                .put(
                                        "message",
                                        new JsonObject()
                                                .put("role", "assistant")
                                                .put("content", content)))
                .put("stopReason", stopReason(a))
                .put("usage", usage(a))
                .put("metrics", new JsonObject().put("latencyMs", 42));
    }

    /** The ConverseStream frames of one answer, in Bedrock's order. */
    List<Buffer> frames(CloudAnswer a) {
        List<Buffer> frames = new ArrayList<>();
        frames.add(event("messageStart", new JsonObject().put("role", "assistant")));
        int block = 0;
        if (a.thought() != null) {
            for (String piece : ChatWire.pieces(a.thought(), options.chunkTokens())) {
                frames.add(delta(block, new JsonObject().put("reasoningContent", new JsonObject().put("text", piece))));
            }
            frames.add(delta(
                    block, new JsonObject().put("reasoningContent", new JsonObject().put("signature", a.signature()))));
            frames.add(event("contentBlockStop", new JsonObject().put("contentBlockIndex", block)));
            block++;
        }
        if (a.calls().isEmpty()) {
            for (String piece : ChatWire.pieces(a.text(), options.chunkTokens())) {
                frames.add(delta(block, new JsonObject().put("text", piece)));
            }
            frames.add(event("contentBlockStop", new JsonObject().put("contentBlockIndex", block)));
        } else {
            for (CloudAnswer.Call call : a.calls()) {
                frames.add(event(
                        "contentBlockStart",
                        new JsonObject()
                                .put("contentBlockIndex", block)
                                .put(
                                        "start",
                                        new JsonObject()
                                                .put(
                                                        "toolUse",
                                                        new JsonObject()
                                                                .put("toolUseId", call.id())
                                                                .put("name", call.name())))));
                String input = call.arguments().encode();
                for (int at = 0; at < input.length(); at += ARGUMENT_FRAGMENT) {
                    frames.add(delta(
                            block,
                            new JsonObject()
                                    .put(
                                            "toolUse",
                                            new JsonObject()
                                                    .put(
                                                            "input",
                                                            input.substring(
                                                                    at,
                                                                    Math.min(
                                                                            input.length(),
                                                                            at + ARGUMENT_FRAGMENT))))));
                }
                frames.add(event("contentBlockStop", new JsonObject().put("contentBlockIndex", block)));
                block++;
            }
        }
        frames.add(event("messageStop", new JsonObject().put("stopReason", stopReason(a))));
        frames.add(event(
                "metadata",
                new JsonObject().put("usage", usage(a)).put("metrics", new JsonObject().put("latencyMs", 42))));
        return frames;
    }

    private static Buffer delta(int block, JsonObject delta) {
        return event(
                "contentBlockDelta",
                new JsonObject().put("contentBlockIndex", block).put("delta", delta));
    }

    private static Buffer event(String type, JsonObject payload) {
        // Bedrock pads every event with a "p" field of varying length, so frame sizes do not reveal token lengths.
        payload.put(
                "p",
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
                        .substring(0, 1 + (payload.encode().length() % 30)));
        return Buffer.buffer(EventStreamFrames.event(type, payload.encode()));
    }

    private static void error(HttpServerResponse response, int code, String type, String message) {
        response.setStatusCode(code)
                .putHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                .putHeader("content-type", "application/json");
        response.end(
                message == null
                        ? "{}"
                        : new JsonObject().put("message", message).encode());
    }
}
