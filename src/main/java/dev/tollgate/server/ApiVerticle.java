package dev.tollgate.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.config.HostPort;
import dev.tollgate.route.Deployment;
import dev.tollgate.route.HealthOrder;
import dev.tollgate.tenant.Principal;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.BadRequestException;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.openai.Endpoint;
import dev.tollgate.wire.openai.InvalidRequestException;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.OpenAiRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The public API on one event loop: {@code /v1/chat/completions}, {@code /v1/embeddings} and {@code /v1/models}.
 * One instance is deployed per event loop, each with its own upstream connection pool, so a request never changes
 * threads between the caller's socket and the upstream's.
 */
final class ApiVerticle extends VerticleBase {
    private static final JsonFactory JSON = new JsonFactory();

    private final GatewayState state;
    private final HostPort listen;
    private HttpClient client;
    private HttpServer server;

    ApiVerticle(GatewayState state, HostPort listen) {
        this.state = state;
        this.listen = listen;
    }

    @Override
    public Future<?> start() {
        client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setKeepAlive(true)
                        .setKeepAliveTimeout(30)
                        .setTcpNoDelay(true)
                        .setDecompressionSupported(false)
                        .setMaxHeaderSize(64 * 1024),
                new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(4096));
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost(listen.host())
                        .setPort(listen.port())
                        .setTcpNoDelay(true)
                        .setMaxHeaderSize(32 * 1024)
                        .setMaxInitialLineLength(8 * 1024)
                        .setHandle100ContinueAutomatically(false)
                        .setIdleTimeout(300))
                .requestHandler(this::handle);
        return server.listen();
    }

    int port() {
        return server.actualPort();
    }

    Future<Void> shutdown(java.time.Duration drain) {
        return server.shutdown(drain.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void handle(HttpServerRequest req) {
        long start = System.nanoTime();
        String requestId = RequestIds.next();
        HttpServerResponse response = req.response();
        response.putHeader(GatewayHeaders.REQUEST_ID, requestId);
        RuntimeConfig config = state.config();
        String path = req.path();
        Endpoint endpoint = switch (path) {
            case "/v1/chat/completions" -> Endpoint.CHAT_COMPLETIONS;
            case "/v1/embeddings" -> Endpoint.EMBEDDINGS;
            case Dialects.MESSAGES_PATH -> Endpoint.CHAT_COMPLETIONS; // translated: see onMessages
            case Dialects.RESPONSES_PATH -> Endpoint.CHAT_COMPLETIONS; // translated too
            default -> null;
        };
        if (endpoint == null && !path.equals("/v1/models")) {
            reject(
                    req,
                    GatewayError.notFound(
                            "Unknown path '" + truncate(path) + "'. Tollgate serves POST /v1/chat/completions,"
                                    + " POST /v1/messages, POST /v1/responses, POST /v1/embeddings and GET /v1/models."),
                    requestId);
            return;
        }
        HttpMethod expected = endpoint == null ? HttpMethod.GET : HttpMethod.POST;
        if (!req.method().equals(expected)) {
            response.putHeader(HttpHeaders.ALLOW, expected.name());
            reject(
                    req,
                    new GatewayError(
                            405,
                            GatewayError.Kind.INVALID_REQUEST,
                            "method_not_allowed",
                            null,
                            "Use " + expected.name() + " " + path + ".",
                            0),
                    requestId);
            return;
        }
        Optional<Principal> principal = authenticate(req);
        if (principal.isEmpty()) {
            String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
            reject(
                    req,
                    GatewayError.unauthenticated(
                            auth == null
                                    ? "Missing API key: send it as 'Authorization: Bearer <key>'"
                                            + (path.equals(Dialects.MESSAGES_PATH) ? " or 'x-api-key: <key>'." : ".")
                                    : "Invalid or revoked API key."),
                    requestId);
            return;
        }
        if (endpoint == null) {
            listModels(response, config, principal.get());
            return;
        }
        if (path.equals(Dialects.MESSAGES_PATH) || path.equals(Dialects.RESPONSES_PATH)) {
            IngressDialect ingress = Dialects.ingress(path);
            readBody(
                    req,
                    config,
                    requestId,
                    bytes -> onMessages(req, config, principal.get(), requestId, bytes, start, ingress));
            return;
        }
        readBody(
                req,
                config,
                requestId,
                bytes -> onRequest(req, config, endpoint, principal.get(), requestId, bytes, start));
    }

    private Optional<Principal> authenticate(HttpServerRequest req) {
        String apiKey = req.getHeader("x-api-key");
        if (apiKey != null && req.path().equals(Dialects.MESSAGES_PATH)) {
            // Anthropic's SDKs send the key this way.
            return state.tenants.ring().authenticate(apiKey.trim());
        }
        String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
        if (auth == null || auth.length() < 8 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return state.tenants.ring().authenticate(auth.substring(7).trim());
    }

    /** Buffers the body within the size limit; a declared or actual excess is refused before it is buffered. */
    private void readBody(
            HttpServerRequest req, RuntimeConfig config, String requestId, java.util.function.Consumer<byte[]> onBody) {
        long limit = config.config().limits().maxBodyBytes();
        String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                reject(req, GatewayError.invalid("Invalid Content-Length header.", null), requestId);
                return;
            }
            if (length > limit) {
                reject(req, GatewayError.tooLarge(limit), requestId);
                return;
            }
        }
        if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
            req.response().writeContinue();
        }
        Buffer body = Buffer.buffer((int) Math.max(256, Math.min(length, limit)));
        boolean[] refused = {false};
        req.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                refused[0] = true;
                reject(req, GatewayError.tooLarge(limit), requestId);
                return;
            }
            body.appendBuffer(chunk);
        });
        req.exceptionHandler(e -> refused[0] = true);
        req.endHandler(v -> {
            if (!refused[0]) {
                onBody.accept(body.getBytes());
            }
        });
    }

    private void onRequest(
            HttpServerRequest req,
            RuntimeConfig config,
            Endpoint endpoint,
            Principal principal,
            String requestId,
            byte[] body,
            long start) {
        OpenAiRequest request;
        try {
            request = OpenAiRequest.inspect(endpoint, body, config.json());
        } catch (InvalidRequestException e) {
            ApiErrors.send(req.response(), GatewayError.invalid(e.getMessage(), e.param()), requestId);
            return;
        }
        if (!principal.mayUse(request.model()) || !config.config().models().containsKey(request.model())) {
            ApiErrors.send(req.response(), GatewayError.modelNotFound(truncate(request.model())), requestId);
            return;
        }
        if (!state.guard.admit(req.response(), principal, requestId, OpenAiDialect.INSTANCE)) {
            return;
        }
        if (!state.admit.admit(
                req.response(),
                config,
                principal,
                requestId,
                request.model(),
                body,
                request.stream(),
                OpenAiDialect.INSTANCE)) {
            return;
        }
        List<Deployment> plan = state.policy.admit(
                req.response(),
                config,
                principal,
                request.model(),
                state.plan(config, principal, request.model()),
                requestId,
                null);
        if (plan == null) {
            return; // 403 policy_denied sent
        }
        HealthOrder order = state.health.order(plan);
        if (endpoint == Endpoint.CHAT_COMPLETIONS && !allOpenAi(plan)) {
            translate(req, config, principal, requestId, body, start, OpenAiDialect.INSTANCE, order);
            return;
        }
        Exchange exchange =
                new Exchange(state, config, client, vertx, req.response(), requestId, principal, request, order, start);
        if (endpoint == Endpoint.CHAT_COMPLETIONS) {
            exchange.guardTap = state.guard.tap(req);
        }
        exchange.start();
    }

    /** Whether every deployment speaks OpenAI, so the request can take the byte-splicing fast path. */
    private static boolean allOpenAi(List<Deployment> plan) {
        for (Deployment d : plan) {
            if (!"openai".equals(d.provider().type())) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code POST /v1/messages} (Anthropic) and {@code POST /v1/responses} (OpenAI Responses): always translated through
     * the canonical model.
     */
    private void onMessages(
            HttpServerRequest req,
            RuntimeConfig config,
            Principal principal,
            String requestId,
            byte[] body,
            long start,
            IngressDialect ingress) {
        ChatRequest request;
        try {
            request = ingress.decodeRequest(body);
        } catch (BadRequestException e) {
            ApiErrors.send(req.response(), GatewayError.invalid(e.getMessage(), e.param()), requestId, ingress);
            return;
        }
        if (!principal.mayUse(request.model()) || !config.config().models().containsKey(request.model())) {
            ApiErrors.send(req.response(), GatewayError.modelNotFound(truncate(request.model())), requestId, ingress);
            return;
        }
        if (!state.guard.admit(req.response(), principal, requestId, ingress)) {
            return;
        }
        if (!state.admit.admit(
                req.response(), config, principal, requestId, request.model(), body, request.stream(), ingress)) {
            return;
        }
        List<Deployment> plan = state.policy.admit(
                req.response(),
                config,
                principal,
                request.model(),
                state.plan(config, principal, request.model()),
                requestId,
                ingress);
        if (plan == null) {
            return; // 403 policy_denied sent
        }
        HealthOrder order = state.health.order(plan);
        startTranslated(req, config, principal, requestId, ingress, request, body, order, start);
    }

    /** An OpenAI-dialect request whose plan includes a provider of another dialect. */
    private void translate(
            HttpServerRequest req,
            RuntimeConfig config,
            Principal principal,
            String requestId,
            byte[] body,
            long start,
            IngressDialect ingress,
            HealthOrder order) {
        ChatRequest request;
        try {
            request = ingress.decodeRequest(body);
        } catch (BadRequestException e) {
            order.releaseUnused();
            ApiErrors.send(req.response(), GatewayError.invalid(e.getMessage(), e.param()), requestId, ingress);
            return;
        }
        startTranslated(req, config, principal, requestId, ingress, request, body, order, start);
    }

    private void startTranslated(
            HttpServerRequest req,
            RuntimeConfig config,
            Principal principal,
            String requestId,
            IngressDialect ingress,
            ChatRequest request,
            byte[] body,
            HealthOrder order,
            long start) {
        DialectExchange exchange = new DialectExchange(
                state,
                config,
                client,
                vertx,
                req.response(),
                requestId,
                principal,
                ingress,
                request,
                body,
                order,
                start);
        exchange.guardTap = state.guard.tap(req);
        exchange.start();
    }

    private static void listModels(HttpServerResponse response, RuntimeConfig config, Principal principal) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (String model : new TreeSet<>(config.config().models().keySet())) {
                if (principal.mayUse(model)) {
                    g.writeStartObject();
                    g.writeStringField("id", model);
                    g.writeStringField("object", "model");
                    g.writeNumberField("created", config.loadedAt());
                    g.writeStringField("owned_by", "tollgate");
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, GatewayHeaders.JSON).end(Buffer.buffer(out.toByteArray()));
    }

    /** Answers an error before the body was read: the connection is closed, as its unread body would follow. */
    private static void reject(HttpServerRequest req, GatewayError error, String requestId) {
        IngressDialect dialect = Dialects.ingress(req.path());
        if (req.isEnded()) {
            ApiErrors.send(req.response(), error, requestId, dialect);
            return;
        }
        req.response().putHeader(HttpHeaders.CONNECTION, "close");
        // The header alone does not close it: Vert.x would go on reading (and discarding) the rest of the body.
        ApiErrors.send(req.response(), error, requestId, dialect)
                .onComplete(v -> req.connection().close());
    }

    private static String truncate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
