package dev.tollgate.sim;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's Gemini API as the simulator speaks it: {@code models/{model}:generateContent} and
 * {@code :streamGenerateContent} (with {@code alt=sse}: one whole GenerateContentResponse per {@code data:} event,
 * events separated by CRLF CRLF like Google's servers; without it: one JSON array), in both URL forms: Google AI
 * ({@code /v1beta/models/...}, key in {@code x-goog-api-key}) and Vertex AI ({@code
 * /v1/projects/{p}/locations/{l}/publishers/google/models/...}, OAuth bearer token). It enforces what the real API
 * refuses (empty {@code contents}, a role other than user/model, a part with no data, temperature outside [0, 2]) and
 * answers with thought parts ({@code thought: true}) when {@code thinkingConfig.includeThoughts}, parallel
 * {@code functionCall} parts (no ids, like Gemini; the first carries a {@code thoughtSignature}) when functions are
 * declared, text otherwise; {@code usageMetadata} with {@code thoughtsTokenCount} and {@code cachedContentTokenCount};
 * errors as {@code {"error":{"code","message","status"}}} with a {@code RetryInfo} detail on 429.
 */
final class GeminiGenerate {
    private static final Pattern PATH = Pattern.compile(
            "/(?:v1beta|v1|v1beta1)/(?:projects/[^/]+/locations/[^/]+/publishers/google/)?models/([^/:]+)"
                    + ":(generateContent|streamGenerateContent)");
    private static final Set<String> DATA_FIELDS =
            Set.of("text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode");

    private final Vertx vertx;
    private final SimulatorOptions options;
    private final StatsCounter stats;

    GeminiGenerate(Vertx vertx, SimulatorOptions options, StatsCounter stats) {
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
        Matcher m = PATH.matcher(request.path());
        if (!m.matches() || request.method() != HttpMethod.POST) {
            error(response, 404, "NOT_FOUND", "Method not found.", null);
            return;
        }
        boolean vertex = request.path().contains("/projects/");
        if (options.apiKey() != null) {
            if (vertex && !("Bearer " + options.apiKey()).equals(request.getHeader("authorization"))) {
                error(
                        response,
                        401,
                        "UNAUTHENTICATED",
                        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie"
                                + " or other valid authentication credential.",
                        null);
                return;
            }
            String key = request.getHeader("x-goog-api-key");
            if (!vertex && key == null) {
                error(
                        response,
                        403,
                        "PERMISSION_DENIED",
                        "Method doesn't allow unregistered callers (callers"
                                + " without established identity). Please use API Key or other form of API consumer"
                                + " identity to call this API.",
                        null);
                return;
            }
            if (!vertex && !options.apiKey().equals(key)) {
                error(response, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", null);
                return;
            }
        }
        String model = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        boolean stream = m.group(2).equals("streamGenerateContent");
        boolean sse = "sse".equals(request.getParam("alt"));
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
                        Math.max(1, slow.delay().toMillis()),
                        t -> answer(request, body, model, stream, sse, Fault.none()));
                return;
            }
            default -> answer(request, body, model, stream, sse, fault);
        }
    }

    private void failWith(HttpServerResponse response, Fault.Status status) {
        int code = status.code();
        if (code == 400 && "context_length_exceeded".equals(status.errorType())) {
            error(
                    response,
                    400,
                    "INVALID_ARGUMENT",
                    "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
                    null);
            return;
        }
        String state = switch (code) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> "INTERNAL";
        };
        String message = switch (code) {
            case 429 ->
                "You exceeded your current quota, please check your plan and billing details. (simulated by "
                        + options.name() + ")";
            case 503 -> "The model is overloaded. Please try again later.";
            default -> "Simulated " + code + " from " + options.name();
        };
        JsonArray details = null;
        if (status.retryAfter() != null) {
            // Gemini sends no retry-after header: the wait is a google.rpc.RetryInfo detail, in whole seconds.
            details = new JsonArray()
                    .add(new JsonObject()
                            .put("@type", "type.googleapis.com/google.rpc.RetryInfo")
                            .put("retryDelay", (status.retryAfter().toMillis() + 999) / 1000 + "s"));
        }
        error(response, code, state, message, details);
    }

    private void answer(
            HttpServerRequest request, Buffer body, String model, boolean stream, boolean sse, Fault fault) {
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
                throw new Invalid("Invalid JSON payload received.");
            }
            answer = compose(json);
        } catch (Invalid e) {
            error(response, 400, "INVALID_ARGUMENT", e.getMessage(), null);
            return;
        }
        String responseId = Ids.random("", 22);
        Runnable completed = () -> stats.completed(model, answer.promptTokens(), answer.outputTokens());
        if (!stream || !sse) {
            List<JsonObject> chunks = stream ? chunks(answer, model, responseId) : List.of();
            String text = stream
                    ? new JsonArray(new ArrayList<>(chunks)).encode()
                    : whole(answer, model, responseId).encode();
            Buffer bytes = Buffer.buffer(text);
            response.putHeader("content-type", "application/json; charset=UTF-8");
            if (fault instanceof Fault.MalformedBody || fault instanceof Fault.CutStreamAfter) {
                response.end(bytes.getBuffer(0, bytes.length() / 2));
            } else {
                response.end(bytes).onSuccess(done -> completed.run());
            }
            return;
        }
        List<Buffer> events = new ArrayList<>();
        for (JsonObject chunk : chunks(answer, model, responseId)) {
            events.add(sse(chunk));
        }
        StreamWriter writer = switch (fault) {
            case Fault.CutStreamAfter cut ->
                new StreamWriter(
                        vertx,
                        request,
                        events,
                        options.tokenDelay(),
                        Math.min(cut.chunks(), events.size() - 1),
                        true,
                        completed);
            case Fault.StallStreamAfter stall ->
                new StreamWriter(
                        vertx,
                        request,
                        events,
                        options.tokenDelay(),
                        Math.min(stall.chunks(), events.size() - 1),
                        false,
                        completed);
            case Fault.StreamErrorAfter failure -> {
                List<Buffer> cut = new ArrayList<>(events.subList(0, Math.min(failure.chunks(), events.size() - 1)));
                boolean quota = failure.errorType().contains("rate")
                        || failure.errorType().equals("RESOURCE_EXHAUSTED");
                cut.add(sse(new JsonObject()
                        .put(
                                "error",
                                new JsonObject()
                                        .put("code", quota ? 429 : 503)
                                        .put(
                                                "message",
                                                quota
                                                        ? "Resource has been exhausted (e.g. check quota)."
                                                        : "The model is overloaded. Please try again later.")
                                        .put("status", quota ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE"))));
                yield new StreamWriter(vertx, request, cut, options.tokenDelay(), -1, false, () -> {});
            }
            case Fault.MalformedBody malformed ->
                new StreamWriter(
                        vertx,
                        request,
                        List.of(events.get(0), Buffer.buffer("data: {\"candidates\": oops\r\n\r\n")),
                        options.tokenDelay(),
                        -1,
                        false,
                        () -> {});
            default -> new StreamWriter(vertx, request, events, options.tokenDelay(), -1, false, completed);
        };
        writer.start();
    }

    private CloudAnswer compose(JsonObject json) throws Invalid {
        if (!(json.getValue("contents") instanceof JsonArray contents) || contents.isEmpty()) {
            throw new Invalid("* GenerateContentRequest.contents: contents is not specified");
        }
        int prompt = 0;
        String lastUser = "";
        if (json.getValue("systemInstruction") instanceof JsonObject system) {
            prompt += partsTokens(system.getJsonArray("parts", new JsonArray()), "systemInstruction");
        }
        for (int i = 0; i < contents.size(); i++) {
            if (!(contents.getValue(i) instanceof JsonObject content)) {
                throw new Invalid("* GenerateContentRequest.contents[" + i + "]: must be an object");
            }
            String role = content.getString("role", "user");
            if (!role.equals("user") && !role.equals("model")) {
                throw new Invalid("Please use a valid role: user, model.");
            }
            JsonArray parts = content.getJsonArray("parts");
            if (parts == null || parts.isEmpty()) {
                throw new Invalid(
                        "* GenerateContentRequest.contents[" + i + "].parts: contents.parts must not be" + " empty.");
            }
            prompt += TokenCounter.PER_MESSAGE + partsTokens(parts, "contents[" + i + "]");
            if (role.equals("user")) {
                StringBuilder text = new StringBuilder();
                for (int k = 0; k < parts.size(); k++) {
                    text.append(parts.getJsonObject(k).getString("text", "")).append(' ');
                }
                if (!text.toString().isBlank()) {
                    lastUser = text.toString();
                }
            }
        }
        JsonObject config = json.getJsonObject("generationConfig", new JsonObject());
        if (config.getValue("temperature") instanceof Number t && (t.doubleValue() < 0 || t.doubleValue() > 2)) {
            throw new Invalid(
                    "* GenerateContentRequest.generation_config.temperature: must be in the range [0.0," + " 2.0]");
        }
        int maxTokens = config.getInteger("maxOutputTokens", 0);
        if (config.containsKey("maxOutputTokens") && maxTokens < 1) {
            throw new Invalid("* GenerateContentRequest.generation_config.max_output_tokens: must be positive");
        }
        JsonObject thinkingConfig = config.getJsonObject("thinkingConfig", new JsonObject());
        boolean thinking = thinkingConfig.getBoolean("includeThoughts", false);
        List<String> stops = new ArrayList<>();
        config.getJsonArray("stopSequences", new JsonArray()).forEach(s -> stops.add(String.valueOf(s)));
        List<CloudAnswer.Offered> offered = new ArrayList<>();
        for (Object tool : json.getJsonArray("tools", new JsonArray())) {
            prompt += TokenCounter.count(((JsonObject) tool).encode());
            for (Object d : ((JsonObject) tool).getJsonArray("functionDeclarations", new JsonArray())) {
                JsonObject declaration = (JsonObject) d;
                JsonObject schema = declaration.getJsonObject(
                        "parametersJsonSchema", declaration.getJsonObject("parameters", new JsonObject()));
                offered.add(new CloudAnswer.Offered(declaration.getString("name"), schema));
            }
        }
        JsonObject calling = json.getJsonObject("toolConfig", new JsonObject())
                .getJsonObject("functionCallingConfig", new JsonObject());
        String mode = calling.getString("mode", "AUTO");
        if (mode.equals("NONE")) {
            offered.clear();
        } else if (calling.getValue("allowedFunctionNames") instanceof JsonArray allowed) {
            offered.removeIf(o -> !allowed.contains(o.name()));
        }
        prompt += TokenCounter.REPLY_PRIMING;
        return CloudAnswer.compose(options.name(), lastUser, prompt, thinking, offered, true, stops, maxTokens, "");
    }

    private static int partsTokens(JsonArray parts, String where) throws Invalid {
        int tokens = 0;
        for (int k = 0; k < parts.size(); k++) {
            if (!(parts.getValue(k) instanceof JsonObject part)) {
                throw new Invalid("* GenerateContentRequest." + where + ".parts[" + k + "]: must be an object");
            }
            long data = part.fieldNames().stream().filter(DATA_FIELDS::contains).count();
            if (data != 1) {
                throw new Invalid("* GenerateContentRequest." + where + ".parts[" + k + "].data: required oneof"
                        + " field 'data' must have one initialized field");
            }
            tokens += part.containsKey("text")
                    ? TokenCounter.count(part.getString("text"))
                    : part.containsKey("inlineData") ? TokenCounter.PER_IMAGE : TokenCounter.count(part.encode());
        }
        return tokens;
    }

    private static String finishReason(CloudAnswer a) {
        return a.finish().equals("length") ? "MAX_TOKENS" : "STOP";
    }

    private static JsonObject usage(CloudAnswer a, int candidates, int thoughts) {
        JsonObject usage = new JsonObject()
                .put("promptTokenCount", a.promptTokens())
                .put("totalTokenCount", a.promptTokens() + candidates + thoughts);
        if (candidates > 0) {
            usage.put("candidatesTokenCount", candidates);
        }
        if (a.cachedTokens() > 0) {
            usage.put("cachedContentTokenCount", a.cachedTokens());
        }
        if (thoughts > 0) {
            usage.put("thoughtsTokenCount", thoughts);
        }
        return usage;
    }

    private static JsonObject response(
            JsonArray parts, String finishReason, JsonObject usage, String model, String responseId) {
        JsonObject candidate = new JsonObject()
                .put("content", new JsonObject().put("parts", parts).put("role", "model"));
        if (finishReason != null) {
            candidate.put("finishReason", finishReason);
        }
        candidate.put("index", 0);
        return new JsonObject()
                .put("candidates", new JsonArray().add(candidate))
                .put("usageMetadata", usage)
                .put("modelVersion", model)
                .put("responseId", responseId);
    }

    private static JsonArray callParts(CloudAnswer a) {
        JsonArray parts = new JsonArray();
        for (int i = 0; i < a.calls().size(); i++) {
            CloudAnswer.Call call = a.calls().get(i);
            JsonObject part = new JsonObject()
                    .put(
                            "functionCall",
                            new JsonObject().put("name", call.name()).put("args", call.arguments()));
            if (i == 0 && a.signature() != null) {
                // Gemini signs the first function call of a thinking turn; the client must send it back.
                part.put("thoughtSignature", a.signature());
            }
            parts.add(part);
        }
        return parts;
    }

    static JsonObject whole(CloudAnswer a, String model, String responseId) {
        JsonArray parts = new JsonArray();
        if (a.thought() != null) {
            parts.add(new JsonObject().put("text", a.thought()).put("thought", true));
        }
        if (a.calls().isEmpty()) {
            JsonObject text = new JsonObject().put("text", a.text());
            if (a.signature() != null) {
                text.put("thoughtSignature", a.signature());
            }
            parts.add(text);
        } else {
            callParts(a).forEach(parts::add);
        }
        return response(parts, finishReason(a), usage(a, a.visibleTokens(), a.thoughtTokens()), model, responseId);
    }

    /** The streamed form: the thought, the text in pieces (usage cumulative in each), the calls whole, the finish. */
    List<JsonObject> chunks(CloudAnswer a, String model, String responseId) {
        List<JsonObject> chunks = new ArrayList<>();
        if (a.thought() != null) {
            chunks.add(response(
                    new JsonArray()
                            .add(new JsonObject().put("text", a.thought()).put("thought", true)),
                    null,
                    usage(a, 0, a.thoughtTokens()),
                    model,
                    responseId));
        }
        if (a.calls().isEmpty()) {
            List<String> pieces = ChatWire.pieces(a.text(), options.chunkTokens());
            if (pieces.isEmpty()) {
                pieces = List.of("");
            }
            StringBuilder sent = new StringBuilder();
            for (int i = 0; i < pieces.size(); i++) {
                sent.append(pieces.get(i));
                boolean last = i == pieces.size() - 1;
                JsonObject part = new JsonObject().put("text", pieces.get(i));
                if (i == 0 && a.signature() != null) {
                    part.put("thoughtSignature", a.signature());
                }
                chunks.add(response(
                        new JsonArray().add(part),
                        last ? finishReason(a) : null,
                        usage(a, last ? a.visibleTokens() : TokenCounter.count(sent.toString()), a.thoughtTokens()),
                        model,
                        responseId));
            }
        } else {
            chunks.add(response(
                    callParts(a), finishReason(a), usage(a, a.visibleTokens(), a.thoughtTokens()), model, responseId));
        }
        return chunks;
    }

    private static Buffer sse(JsonObject data) {
        return Buffer.buffer("data: " + data.encode() + "\r\n\r\n");
    }

    private static void error(HttpServerResponse response, int code, String status, String message, JsonArray details) {
        JsonObject error =
                new JsonObject().put("code", code).put("message", message).put("status", status);
        if (details != null) {
            error.put("details", details);
        }
        response.setStatusCode(code)
                .putHeader("content-type", "application/json; charset=UTF-8")
                .end(new JsonObject().put("error", error).encode());
    }
}
