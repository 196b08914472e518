package dev.tollgate.sim;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** Routes requests to the OpenAI endpoints the simulator speaks, applying the current fault to chat and embeddings. */
final class OpenAiEndpoints implements Handler<HttpServerRequest> {
    private static final String JSON = "application/json";
    private static final List<String> BUILT_IN_MODELS = List.of("sim-chat", "sim-embed");

    private final Vertx vertx;
    private final SimulatorOptions options;
    private final FaultSchedule faults;
    private final StatsCounter stats;
    private final RequestLog log;
    private final long startedAt = Instant.now().getEpochSecond();
    private final AtomicLong sequence = new AtomicLong();
    private final AnthropicMessages anthropic;
    private final GeminiGenerate gemini;
    private final BedrockConverse bedrock;
    // Insertion order keeps /v1/models stable between calls.
    private final Set<String> modelsSeen = new LinkedHashSet<>(BUILT_IN_MODELS);

    OpenAiEndpoints(Vertx vertx, SimulatorOptions options, FaultSchedule faults, StatsCounter stats, RequestLog log) {
        this.vertx = vertx;
        this.options = options;
        this.faults = faults;
        this.stats = stats;
        this.log = log;
        this.anthropic = new AnthropicMessages(vertx, options, stats);
        this.gemini = new GeminiGenerate(vertx, options, stats);
        this.bedrock = new BedrockConverse(vertx, options, stats);
    }

    /** An answer ready to go out, or the error that replaces it. */
    private sealed interface Reply {
        record Json(JsonObject body, String model, int promptTokens, int completionTokens) implements Reply {}

        record Stream(ChatWire.StreamEvents events, String model, int promptTokens, int completionTokens)
                implements Reply {}

        record Error(OpenAiError error) implements Reply {}
    }

    @Override
    public void handle(HttpServerRequest request) {
        request.body().onComplete(body -> {
            if (body.succeeded()) {
                dispatch(request, body.result());
            } else {
                request.connection().close();
            }
        });
    }

    private void dispatch(HttpServerRequest request, Buffer body) {
        log.add(record(request, body));
        HttpServerResponse response = request.response();
        response.putHeader("x-request-id", Ids.random("req_", 24));
        if (request.path().equals("/v1/messages")) {
            anthropic.handle(request, body, request.method() == HttpMethod.POST ? faults.next() : Fault.none());
            return;
        }
        if (GeminiGenerate.handles(request.path())) {
            gemini.handle(request, body, request.method() == HttpMethod.POST ? faults.next() : Fault.none());
            return;
        }
        if (BedrockConverse.handles(request.path())) {
            bedrock.handle(request, body, request.method() == HttpMethod.POST ? faults.next() : Fault.none());
            return;
        }
        VendorQuirks.Vendor vendor = VendorQuirks.route(request.path());
        if (vendor != null && request.method() == HttpMethod.POST) {
            vendorChat(request, body, vendor);
            return;
        }
        if (!authorized(request)) {
            sendError(
                    response,
                    new OpenAiError(
                            401, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key"));
            return;
        }
        String path = request.path();
        HttpMethod method = request.method();
        if (method == HttpMethod.POST && path.equals("/v1/chat/completions")) {
            answer(request, body, this::chat);
        } else if (method == HttpMethod.POST && path.equals("/v1/embeddings")) {
            answer(request, body, this::embeddings);
        } else if (method == HttpMethod.GET && path.equals("/v1/models")) {
            JsonArray data = new JsonArray();
            modelNames().forEach(id -> data.add(model(id)));
            sendJson(response, new JsonObject().put("object", "list").put("data", data));
        } else if (method == HttpMethod.GET && path.startsWith("/v1/models/")) {
            String id = path.substring("/v1/models/".length());
            if (modelNames().contains(id)) {
                sendJson(response, model(id));
            } else {
                sendError(
                        response,
                        new OpenAiError(
                                404,
                                "The model '" + id + "' does not exist",
                                "invalid_request_error",
                                "model",
                                "model_not_found"));
            }
        } else {
            sendError(
                    response,
                    new OpenAiError(
                            404, "Invalid URL (" + method + " " + path + ")", "invalid_request_error", null, null));
        }
    }

    private void answer(HttpServerRequest request, Buffer body, Function<Buffer, Reply> compose) {
        Fault fault = faults.next();
        switch (fault) {
            case Fault.Status status -> sendError(request.response(), status);
            case Fault.ResetConnection reset -> request.connection().close();
            case Fault.Hang hang -> {
                // Deliberately nothing: the connection stays open until the client or close() gives up.
            }
            case Fault.SlowFirstByte slow ->
                vertx.setTimer(Math.max(1, slow.delay().toMillis()), timer -> {
                    if (!request.response().closed()) {
                        deliver(request, compose.apply(body), Fault.none());
                    }
                });
            case Fault.None none -> deliver(request, compose.apply(body), fault);
            case Fault.CutStreamAfter cut -> deliver(request, compose.apply(body), fault);
            case Fault.StallStreamAfter stall -> deliver(request, compose.apply(body), fault);
            case Fault.MalformedBody malformed -> deliver(request, compose.apply(body), fault);
            case Fault.StreamErrorAfter error -> deliver(request, compose.apply(body), fault);
        }
    }

    private Reply chat(Buffer body) {
        try {
            ChatRequest chat = ChatRequest.parse(body);
            rememberModel(chat.model());
            String id = "chatcmpl-" + options.name() + "-" + sequence.incrementAndGet() + Ids.random("", 12);
            ChatAnswer answer =
                    ChatAnswer.compose(chat, options.name(), id, Instant.now().getEpochSecond());
            if (chat.stream()) {
                return new Reply.Stream(
                        ChatWire.stream(answer, chat.includeUsage(), options.chunkTokens()),
                        chat.model(),
                        answer.promptTokens(),
                        answer.completionTokens());
            }
            return new Reply.Json(
                    ChatWire.completion(answer), chat.model(), answer.promptTokens(), answer.completionTokens());
        } catch (InvalidRequest e) {
            return new Reply.Error(OpenAiError.invalidRequest(e));
        }
    }

    /** A chat request to one of the OpenAI-compatible vendors or Azure, with that vendor's quirks. */
    private void vendorChat(HttpServerRequest request, Buffer body, VendorQuirks.Vendor vendor) {
        String denied = VendorQuirks.unauthorized(vendor, request, options.apiKey());
        if (denied != null) {
            sendError(
                    request.response(), new OpenAiError(401, denied, "invalid_request_error", null, "invalid_api_key"));
            return;
        }
        JsonObject json;
        try {
            json = body.toJsonObject();
        } catch (RuntimeException e) {
            sendError(
                    request.response(),
                    new OpenAiError(400, "Invalid JSON body.", "invalid_request_error", null, null));
            return;
        }
        String refused = VendorQuirks.refused(vendor, request, json);
        if (refused != null) {
            sendError(
                    request.response(),
                    new OpenAiError(400, refused, "invalid_request_error", null, "invalid_parameter"));
            return;
        }
        if (VendorQuirks.filtered(vendor, body)) {
            request.response()
                    .setStatusCode(400)
                    .putHeader("content-type", JSON)
                    .end(VendorQuirks.contentFilterError().encode());
            return;
        }
        boolean split = Boolean.TRUE.equals(json.getValue("reasoning_split"));
        boolean filterAnswer = VendorQuirks.filtersAnswer(vendor, body);
        JsonObject so = json.getValue("stream_options") instanceof JsonObject o ? o : null;
        boolean usageAsked = so != null && Boolean.TRUE.equals(so.getValue("include_usage"));
        answer(request, body, b -> {
            Reply reply = chat(b);
            return switch (reply) {
                case Reply.Json j -> {
                    int reasoning = VendorQuirks.reasoningTokens(j.model());
                    yield new Reply.Json(
                            VendorQuirks.completion(vendor, j.body(), split, filterAnswer),
                            j.model(),
                            j.promptTokens(),
                            j.completionTokens() + reasoning);
                }
                case Reply.Stream st -> {
                    // Rendered with usage always: the vendor decides whether the caller sees it.
                    ChatRequest chat = ChatRequest.parse(b);
                    ChatAnswer again = ChatAnswer.compose(
                            chat,
                            options.name(),
                            "chatcmpl-" + options.name() + "-" + sequence.incrementAndGet(),
                            Instant.now().getEpochSecond());
                    ChatWire.StreamEvents events = ChatWire.stream(again, true, options.chunkTokens());
                    yield new Reply.Stream(
                            VendorQuirks.stream(vendor, events, st.model(), split, usageAsked, filterAnswer),
                            st.model(),
                            st.promptTokens(),
                            st.completionTokens() + VendorQuirks.reasoningTokens(st.model()));
                }
                case Reply.Error e -> e;
            };
        });
    }

    private Reply embeddings(Buffer body) {
        try {
            EmbeddingRequest embedding = EmbeddingRequest.parse(body);
            rememberModel(embedding.model());
            return new Reply.Json(embedding.response(), embedding.model(), embedding.promptTokens(), 0);
        } catch (InvalidRequest e) {
            return new Reply.Error(OpenAiError.invalidRequest(e));
        }
    }

    private void deliver(HttpServerRequest request, Reply reply, Fault fault) {
        HttpServerResponse response = request.response();
        switch (reply) {
            case Reply.Error error -> sendError(response, error.error());
            case Reply.Json json -> {
                Buffer bytes = Buffer.buffer(json.body().encode());
                response.putHeader("content-type", JSON);
                Buffer half = bytes.getBuffer(0, bytes.length() / 2);
                switch (fault) {
                    case Fault.MalformedBody malformed -> response.end(half);
                    case Fault.CutStreamAfter cut -> {
                        // Promise the whole body, deliver half: the client sees a truncated answer.
                        response.putHeader("content-length", Integer.toString(bytes.length()));
                        response.write(half)
                                .onComplete(done -> request.connection().close());
                    }
                    case Fault.StallStreamAfter stall -> {
                        response.putHeader("content-length", Integer.toString(bytes.length()));
                        response.write(half);
                    }
                    default ->
                        response.end(bytes)
                                .onSuccess(done ->
                                        stats.completed(json.model(), json.promptTokens(), json.completionTokens()));
                }
            }
            case Reply.Stream stream -> {
                List<Buffer> events = stream.events().events();
                int choiceEvents = stream.events().choiceEvents();
                Runnable completed =
                        () -> stats.completed(stream.model(), stream.promptTokens(), stream.completionTokens());
                StreamWriter writer = switch (fault) {
                    // The cut and the stall never reach usage or [DONE], whatever count was asked for.
                    case Fault.CutStreamAfter cut ->
                        new StreamWriter(
                                vertx,
                                request,
                                events,
                                options.tokenDelay(),
                                Math.min(cut.chunks(), choiceEvents),
                                true,
                                completed);
                    case Fault.StallStreamAfter stall ->
                        new StreamWriter(
                                vertx,
                                request,
                                events,
                                options.tokenDelay(),
                                Math.min(stall.chunks(), choiceEvents),
                                false,
                                completed);
                    case Fault.StreamErrorAfter error -> {
                        List<Buffer> cut = new ArrayList<>(events.subList(0, Math.min(error.chunks(), choiceEvents)));
                        cut.add(ChatWire.sse(new JsonObject()
                                .put(
                                        "error",
                                        new JsonObject()
                                                .put("message", "Simulated mid-stream error from " + options.name())
                                                .put("type", error.errorType())
                                                .put("code", error.errorType()))));
                        yield new StreamWriter(vertx, request, cut, options.tokenDelay(), -1, false, () -> {});
                    }
                    case Fault.MalformedBody malformed ->
                        new StreamWriter(
                                vertx,
                                request,
                                List.of(events.get(0), Buffer.buffer("data: {\"id\": oops\n\n"), ChatWire.DONE),
                                options.tokenDelay(),
                                -1,
                                false,
                                () -> {});
                    default -> new StreamWriter(vertx, request, events, options.tokenDelay(), -1, false, completed);
                };
                writer.start();
            }
        }
    }

    private boolean authorized(HttpServerRequest request) {
        return options.apiKey() == null || ("Bearer " + options.apiKey()).equals(request.getHeader("authorization"));
    }

    private void sendError(HttpServerResponse response, Fault.Status status) {
        Duration retryAfter = status.retryAfter();
        if (retryAfter != null) {
            long millis = retryAfter.toMillis();
            response.putHeader("retry-after", Long.toString((millis + 999) / 1000));
            response.putHeader("retry-after-ms", Long.toString(millis));
        }
        sendError(
                response,
                new OpenAiError(
                        status.code(),
                        "Simulated " + status.code() + " from " + options.name() + ".",
                        status.errorType(),
                        null,
                        status.errorType()));
    }

    private static void sendError(HttpServerResponse response, OpenAiError error) {
        response.setStatusCode(error.status()).putHeader("content-type", JSON).end(error.body());
    }

    private static void sendJson(HttpServerResponse response, JsonObject body) {
        response.putHeader("content-type", JSON).end(body.encode());
    }

    private JsonObject model(String id) {
        return new JsonObject()
                .put("id", id)
                .put("object", "model")
                .put("created", startedAt)
                .put("owned_by", options.name());
    }

    private List<String> modelNames() {
        synchronized (modelsSeen) {
            return new ArrayList<>(modelsSeen);
        }
    }

    private void rememberModel(String model) {
        synchronized (modelsSeen) {
            modelsSeen.add(model);
        }
    }

    private static RecordedRequest record(HttpServerRequest request, Buffer body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers()
                .forEach(header -> headers.computeIfAbsent(
                                header.getKey().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                        .add(header.getValue()));
        headers.replaceAll((name, values) -> List.copyOf(values));
        return new RecordedRequest(request.method().name(), request.path(), headers, body.toString(), Instant.now());
    }
}
