package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.testing.GatewayFixture;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A translated request survives a failing deployment exactly as a byte-spliced one does (RoutingHealthTest is the
 * same story on the fast path): fallback before the first byte, circuit breakers fed by every attempt, retries with
 * back-off that honour retry-after and the request deadline, nothing retried after the first byte.
 *
 * <ul>
 *   <li>{@code claude-pair}: Anthropic sim-c first, Anthropic sim-d second
 *   <li>{@code claude-solo}: sim-c only
 *   <li>{@code mixed}: Anthropic sim-c first, OpenAI sim-b second (an OpenAI caller is translated to sim-c, passed
 *       to sim-b through the canonical model as well)
 * </ul>
 */
class DialectFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXTRA = """
            timeouts: {connect: 1s, first_byte: 1s, idle: 1s, request: 3s}
            routing:
              retries: 2
              backoff_base: 20ms
              breaker: {failure_rate: 50, minimum_calls: 4, window: 4, consecutive_failures: 3, open_for: 30s,
                        half_open_calls: 1}
            """;
    private static final String WARM_UP = "timeouts: {first_byte: 20s, request: 60s}\n";
    private static Vertx vertx;
    private static ProviderSimulator simC;
    private static ProviderSimulator simD;
    private static GatewayFixture fixture;
    private static AnthropicClient anthropic;
    private static OpenAIClient openAi;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        simC = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-c").withPort(0).withApiKey(GatewayFixture.UPSTREAM_KEY));
        simD = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-d").withPort(0).withApiKey(GatewayFixture.UPSTREAM_KEY));
        fixture = GatewayFixture.start(
                WARM_UP,
                Duration.ZERO,
                "  sim-c: {type: anthropic, base_url: http://127.0.0.1:" + simC.port() + ", api_key: ${UPSTREAM_KEY}}\n"
                        + "  sim-d: {type: anthropic, base_url: http://127.0.0.1:" + simD.port()
                        + ", api_key: ${UPSTREAM_KEY}}\n",
                """
                  claude-pair:
                    - {provider: sim-c, model: claude-c, priority: 1}
                    - {provider: sim-d, model: claude-d, priority: 2}
                  claude-solo:
                    - {provider: sim-c, model: claude-c}
                  mixed:
                    - {provider: sim-c, model: claude-c, priority: 1}
                    - {provider: sim-b, model: sim-chat, priority: 2}
                """);
        anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(GatewayFixture.ACME_KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
        openAi = fixture.openAi();
        // A fresh JVM's first answers take seconds on a loaded machine: warm up under lenient timeouts, then
        // tighten them so that the tests run quickly.
        for (int i = 0; i < 3; i++) {
            anthropic.messages().create(params("claude-solo", "warm up"));
            streamAnthropic(params("claude-pair", "warm up"));
            openAi.chat().completions().create(openAiParams("mixed"));
        }
        fixture.gateway.apply(
                dev.tollgate.config.ConfigLoader.parse(fixture.yaml(EXTRA), fixture.configFile, fixture.env));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        simC.close();
        simD.close();
        vertx.close().await();
    }

    @BeforeEach
    void healthy() {
        fixture.reset();
        for (ProviderSimulator sim : new ProviderSimulator[] {simC, simD}) {
            sim.fault(Fault.none());
            sim.clearRequests();
        }
    }

    private static MessageCreateParams params(String model, String text) {
        return MessageCreateParams.builder()
                .model(model)
                .maxTokens(200)
                .addUserMessage(text)
                .build();
    }

    private static ChatCompletionCreateParams openAiParams(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("Tell me something")
                .build();
    }

    private static Message streamAnthropic(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(params)) {
            s.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message().validate();
    }

    private static HttpResponse<String> messages(String model, boolean stream) throws Exception {
        return fixture.post(
                "/v1/messages",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me something\"}]}");
    }

    private static String servedBy(HttpResponse<String> r) {
        return r.headers().firstValue("x-tollgate-deployment").orElse("none");
    }

    private static JsonNode route(String model) throws Exception {
        return fixture.admin("GET", "/admin/v1/route?model=" + model + "&tenant=acme", null);
    }

    @Test
    void fallsBackToTheSecondAnthropicDeploymentWhenThePrimaryAnswers529BeforeTheFirstByte() {
        simC.fault(Fault.status(529));

        Message whole =
                anthropic.messages().create(params("claude-pair", "whole")).validate();
        Message streamed = streamAnthropic(params("claude-pair", "streamed"));

        assertThat(whole.content().get(0).asText().text()).startsWith("Hello from sim-d");
        assertThat(streamed.content().get(0).asText().text()).startsWith("Hello from sim-d");
        assertThat(simC.requests()).hasSize(2);
        assertThat(simD.requests()).hasSize(2);
    }

    @Test
    void anOpenAiCallerIsServedByTheOpenAiFallbackWhenTheAnthropicPrimaryResetsTheConnection() {
        simC.fault(Fault.resetConnection());

        ChatCompletion c =
                openAi.chat().completions().create(openAiParams("mixed")).validate();

        assertThat(c.choices().get(0).message().content().orElseThrow()).startsWith("Hello from sim-b");
        assertThat(simC.requests()).hasSize(1);
        assertThat(fixture.simB.requests()).hasSize(1);
    }

    @Test
    void anOverloadedErrorAsTheFirstStreamEventIsStillAFallbackCase() {
        // message_start, then event: error; the decoder sees the failure before any content reached the caller.
        simC.fault(Fault.streamErrorAfter(1, "overloaded_error"));

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (var s = openAi.chat().completions().createStreaming(openAiParams("mixed"))) {
            s.stream().forEach(accumulator::accumulate);
        }

        assertThat(accumulator
                        .chatCompletion()
                        .choices()
                        .get(0)
                        .message()
                        .content()
                        .orElseThrow())
                .startsWith("Hello from sim-b");
        assertThat(simC.requests()).hasSize(1);
    }

    @Test
    void aHangingPrimaryIsLeftAfterTheFirstByteTimeout() throws Exception {
        simC.fault(Fault.hang());

        HttpResponse<String> r = messages("claude-pair", true);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(servedBy(r)).isEqualTo("sim-d/claude-d");
        assertThat(r.body()).contains("event: message_stop");
    }

    @Test
    void theBreakerOpensAfterRepeatedTranslatedFailuresAndThePrimaryIsThenSkipped() throws Exception {
        simC.fault(Fault.status(500));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = messages("claude-pair", i % 2 == 0);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(servedBy(r)).isEqualTo("sim-d/claude-d");
        }
        JsonNode primary = route("claude-pair").path("candidates").get(1);
        assertThat(primary.path("deployment").asText()).isEqualTo("sim-c/claude-c");
        assertThat(primary.path("breaker").asText()).isEqualTo("open");
        assertThat(primary.path("failures").path("server_error").asInt()).isEqualTo(3);
        simC.clearRequests();

        for (int i = 0; i < 4; i++) {
            assertThat(servedBy(messages("claude-pair", i % 2 == 0))).isEqualTo("sim-d/claude-d");
        }

        assertThat(simC.requests())
                .as("sim-c gets nothing while its breaker is open")
                .isEmpty();
    }

    @Test
    void aRateLimitWithRetryAfterOnTheOnlyDeploymentIsRetriedAfterTheWaitAndSucceeds() throws Exception {
        // Anthropic's retry-after is whole seconds: the gateway waits at least the one second asked for.
        simC.fault(Fault.status(429, null, Duration.ofSeconds(1)), 1);

        long start = System.nanoTime();
        HttpResponse<String> r = messages("claude-solo", false);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(simC.requests()).hasSize(2);
        assertThat(millis).isGreaterThanOrEqualTo(1_000L);
    }

    @Test
    void aRetryAfterLongerThanTheRequestDeadlineIsNotWaitedForAndTheCallerGetsItInItsDialect() throws Exception {
        simC.fault(Fault.status(529, null, Duration.ofSeconds(5)));

        HttpResponse<String> r = messages("claude-solo", false);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("5");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("overloaded_error");
        assertThat(body.path("error").path("message").asText()).contains("request deadline");
        assertThat(body.path("request_id").asText())
                .isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(simC.requests()).hasSize(1);
    }

    @Test
    void retriesWithBackOffUntilTheRetriesAreUsedUp() {
        simC.fault(Fault.status(502));

        assertThatThrownBy(() -> anthropic.messages().create(params("claude-solo", "x")))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(502);
                    assertThat(e.body().toString()).contains("api_error").contains("req_");
                });
        assertThat(simC.requests()).as("one try and two retries").hasSize(3);
    }

    @Test
    void aRejectedCredentialIsNotRetried() {
        simC.fault(Fault.status(403));

        assertThatThrownBy(() -> anthropic.messages().create(params("claude-solo", "x")))
                .isInstanceOfSatisfying(
                        AnthropicServiceException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(502));
        assertThat(simC.requests()).hasSize(1);
    }

    @Test
    void aStreamCutAfterTheFirstByteIsNeverRetried() throws Exception {
        simC.fault(Fault.cutStreamAfter(4));

        HttpResponse<String> r = messages("claude-solo", true);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("event: error").contains("ended early").doesNotContain("message_stop");
        assertThat(simC.requests()).hasSize(1);
    }
}
