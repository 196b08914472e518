package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.sim.Fault;
import dev.tollgate.testing.GatewayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every way a request can go wrong, as a caller sees it: the status, OpenAI's error shape, a request id, and never
 * a trace of the upstream credential — not in the answer and not in the logs.
 */
class ErrorResponsesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT =
            "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static Vertx echoVertx;
    private static HttpServer echo;
    private static GatewayFixture fixture;
    private static ListAppender<ILoggingEvent> logs;
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        logs = new ListAppender<>();
        logs.start();
        root().addAppender(logs);
        echoVertx = Vertx.vertx();
        // An upstream that quotes the credential it was sent in its error message, as some providers do.
        echo = echoVertx
                .createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> {
                    String model = body.toJsonObject().getString("model");
                    int status = Integer.parseInt(model.substring("echo-".length()));
                    String quoted = "Incorrect API key provided: " + req.getHeader("authorization");
                    req.response()
                            .setStatusCode(status)
                            .putHeader("content-type", "application/json")
                            .putHeader("x-echo", quoted)
                            .end(JSON.createObjectNode()
                                    .set(
                                            "error",
                                            JSON.createObjectNode()
                                                    .put("message", quoted)
                                                    .put("type", "invalid_request_error")
                                                    .putNull("param")
                                                    .put("code", "invalid_api_key"))
                                    .toString());
                }))
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        String echoUrl = "http://127.0.0.1:" + echo.actualPort() + "/v1";
        fixture = GatewayFixture.start(
                """
                limits: {max_body: 1KiB}
                timeouts: {connect: 1s, first_byte: 1s, idle: 1s, request: 5s}
                routing: {retries: 0}
                """,
                Duration.ZERO,
                "  echo: {type: openai, base_url: " + echoUrl + ", api_key: ${UPSTREAM_KEY}}\n",
                """
                  chat-echo-401:
                    - {provider: echo, model: echo-401}
                  chat-echo-400:
                    - {provider: echo, model: echo-400}
                  chat-echo-500:
                    - {provider: echo, model: echo-500}
                """);
        // Warm the path up, so that a cold JVM does not trip the short first-byte timeout.
        for (int i = 0; i < 3; i++) {
            fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, CHAT);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        echoVertx.close().await(10, TimeUnit.SECONDS);
        root().detachAppender(logs);
    }

    @BeforeEach
    void healthy() {
        fixture.simA.fault(Fault.none());
        fixture.simB.fault(Fault.none());
        fixture.gateway.health().reset(); // each test starts with closed breakers
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.gateway.port() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> chat(String body) throws Exception {
        return send("POST", "/v1/chat/completions", GatewayFixture.ACME_KEY, body);
    }

    /** Checks the status, OpenAI's error shape and the request id, and that no upstream credential shows. */
    private static JsonNode assertError(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("x-request-id")).get().asString().isNotBlank();
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("application/json");
        assertNoUpstreamKey(r);
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.isObject()).as(r.body()).isTrue();
        assertThat(error.path("message").isTextual()).as(r.body()).isTrue();
        assertThat(error.path("type").isTextual()).as(r.body()).isTrue();
        assertThat(error.has("param")).as(r.body()).isTrue();
        assertThat(error.has("code")).as(r.body()).isTrue();
        return error;
    }

    private static void assertNoUpstreamKey(HttpResponse<String> r) {
        assertThat(r.body()).doesNotContain(GatewayFixture.UPSTREAM_KEY);
        assertThat(r.headers().map().toString()).doesNotContain(GatewayFixture.UPSTREAM_KEY);
    }

    private static void assertLogsNeverShowTheUpstreamKey() {
        List<ILoggingEvent> events = List.copyOf(logs.list);
        assertThat(events).isNotEmpty();
        for (ILoggingEvent e : events) {
            assertThat(e.getFormattedMessage()).doesNotContain(GatewayFixture.UPSTREAM_KEY);
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(GatewayFixture.UPSTREAM_KEY);
            }
        }
    }

    @Test
    void aSuccessfulAnswerCarriesARequestIdToo() throws Exception {
        HttpResponse<String> r = chat(CHAT);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).get().asString().isNotBlank();
    }

    @Test
    void aMissingKeyOrAnUnknownKeyIsRefusedWith401() throws Exception {
        JsonNode missing = assertError(send("POST", "/v1/chat/completions", null, CHAT), 401);
        JsonNode bad = assertError(send("POST", "/v1/chat/completions", "tg-not-a-key", CHAT), 401);

        assertThat(missing.path("type").asText()).isEqualTo("authentication_error");
        assertThat(missing.path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(bad.path("code").asText()).isEqualTo("invalid_api_key");
        assertThatThrownBy(() -> fixture.openAi("tg-not-a-key")
                        .chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("chat-small")
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOf(UnauthorizedException.class);
        assertThat(fixture.simA.requests()).noneMatch(req -> req.body().contains("tg-not-a-key"));
    }

    @Test
    void aKeyRevokedThroughTheAdminApiStopsWorkingAtOnce() throws Exception {
        JsonNode created = fixture.admin("POST", "/admin/v1/keys", "{\"tenant\":\"acme\",\"name\":\"short-lived\"}");
        String key = created.get("key").asText();
        assertThat(send("POST", "/v1/chat/completions", key, CHAT).statusCode()).isEqualTo(200);

        fixture.admin("DELETE", "/admin/v1/keys/" + created.get("id").asText(), null);

        JsonNode error = assertError(send("POST", "/v1/chat/completions", key, CHAT), 401);
        assertThat(error.path("message").asText()).containsIgnoringCase("revoked");
    }

    @Test
    void malformedJsonIs400() throws Exception {
        JsonNode error = assertError(chat("{\"model\":\"chat-small\",\"messages\":["), 400);

        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void aChatRequestWithoutMessagesIs400NamingTheMessagesParam() throws Exception {
        JsonNode error = assertError(chat("{\"model\":\"chat-small\"}"), 400);

        assertThat(error.path("param").asText()).isEqualTo("messages");
    }

    @Test
    void anUnknownModelIs404ModelNotFound() throws Exception {
        JsonNode error =
                assertError(chat("{\"model\":\"gpt-nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 404);

        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(error.path("message").asText()).contains("gpt-nope");
    }

    @Test
    void aBodyOverTheLimitWithADeclaredLengthIs413() throws Exception {
        String big = "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(2000)
                + "\"}]}";

        JsonNode error = assertError(chat(big), 413);

        assertThat(error.path("message").asText()).contains("1024");
        assertThat(fixture.simA.requests()).noneMatch(r -> r.body().length() > 1024);
    }

    @Test
    void aChunkedBodyOverTheLimitWithoutContentLengthIs413() throws Exception {
        String status;
        String answer;
        try (Socket socket = new Socket("127.0.0.1", fixture.gateway.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                            + GatewayFixture.ACME_KEY
                            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String chunk = "x".repeat(512);
            try {
                for (int i = 0; i < 4; i++) {
                    out.write((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedEarly) {
                // The gateway may close the connection as soon as it has answered; the answer is still readable.
            }
            answer = readAll(socket.getInputStream());
            status = answer.lines().findFirst().orElse("");
        }

        assertThat(status).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
        assertThat(answer).containsIgnoringCase("x-request-id:");
        assertThat(answer).contains("\"request_too_large\"");
    }

    private static String readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                bytes.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // A reset after the answer was read is fine.
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("no end of answer; got so far: " + bytes.toString(StandardCharsets.UTF_8), e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theWrongMethodIs405AndAnUnknownPathIs404() throws Exception {
        HttpResponse<String> wrongMethod = send("GET", "/v1/chat/completions", GatewayFixture.ACME_KEY, null);
        HttpResponse<String> unknown = send("POST", "/v1/nothing-here", GatewayFixture.ACME_KEY, CHAT);

        assertError(wrongMethod, 405);
        assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
        assertError(unknown, 404);
    }

    @Test
    void whenEveryDeploymentAnswers500TheCallerGets502NamingBothAndTheUpstreamsMessage() throws Exception {
        fixture.simA.fault(Fault.status(500));
        fixture.simB.fault(Fault.status(500));

        JsonNode error = assertError(chat(CHAT), 502);

        assertThat(error.path("message").asText())
                .contains("sim-a/sim-chat", "sim-b/sim-chat")
                .contains("Simulated 500 from sim-a", "Simulated 500 from sim-b");
    }

    @Test
    void whenEveryDeploymentIsRateLimitedTheCallerGets503WithRetryAfter() throws Exception {
        fixture.simA.fault(Fault.status(429, null, Duration.ofSeconds(3)));
        fixture.simB.fault(Fault.status(429, null, Duration.ofSeconds(7)));

        HttpResponse<String> r = chat(CHAT);

        assertError(r, 503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("7");
    }

    @Test
    void whenEveryDeploymentHangsTheCallerGets504WithinTheFirstByteTimeouts() throws Exception {
        fixture.simA.fault(Fault.hang());
        fixture.simB.fault(Fault.hang());

        long start = System.nanoTime();
        HttpResponse<String> r = chat(CHAT);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        JsonNode error = assertError(r, 504);
        assertThat(error.path("message").asText()).contains("sim-a/sim-chat", "sim-b/sim-chat");
        // Two attempts of 1 s each, and not the 5 s request deadline.
        assertThat(millis).isBetween(1_900L, 4_000L);
    }

    @Test
    void anUpstreamQuotingTheGatewaysCredentialNeverLeaksItToTheCallerOrTheLogs() throws Exception {
        HttpResponse<String> refused = chat(CHAT.replace("chat-small", "chat-echo-401"));
        HttpResponse<String> rejected = chat(CHAT.replace("chat-small", "chat-echo-400"));
        HttpResponse<String> failed = chat(CHAT.replace("chat-small", "chat-echo-500"));

        JsonNode refusedError = assertError(refused, 502);
        assertThat(refusedError.path("message").asText()).contains("echo/echo-401", "401");
        // An upstream 400 is the caller's problem and passed through, but with the credential blanked out.
        assertError(rejected, 400);
        assertThat(rejected.body()).contains("Incorrect API key provided");
        JsonNode failedError = assertError(failed, 502);
        assertThat(failedError.path("message").asText()).contains("Incorrect API key provided");
        assertLogsNeverShowTheUpstreamKey();
    }
}
