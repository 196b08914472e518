package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.tollgate.route.AttemptFailure;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.testing.GatewayFixture;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fallback from one model to another, end to end through the official SDKs: a closed model ({@code closed}, on sim-a)
 * falls back to an open-weights one ({@code open}, on sim-b) when none of its deployments can serve, and says so in
 * {@code x-tollgate-fallback}; an alias ({@code latest}) is served exactly as the model it names; an Anthropic model
 * ({@code claude}, on sim-c) falls back to the OpenAI-speaking open model for Anthropic callers.
 */
class ModelFallbackTest {
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static Vertx vertx;
    private static ProviderSimulator simC;
    private static GatewayFixture fixture;
    private static OpenAIClient openAi;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        simC = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-c").withPort(0).withApiKey(GatewayFixture.UPSTREAM_KEY));
        fixture = GatewayFixture.start(
                "timeouts: {first_byte: 20s, request: 60s}\nrouting: {retries: 0}\n",
                Duration.ZERO,
                "  sim-c: {type: anthropic, base_url: http://127.0.0.1:" + simC.port()
                        + ", api_key: ${UPSTREAM_KEY}}\n",
                """
                  closed:
                    deployments: [{provider: sim-a, model: sim-closed}]
                    fallback: [open]
                  open: [{provider: sim-b, model: sim-open}]
                  latest: closed
                  claude:
                    deployments: [{provider: sim-c, model: claude-c}]
                    fallback: [open]
                """);
        openAi = fixture.openAi();
        anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(GatewayFixture.ACME_KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
        for (int i = 0; i < 2; i++) { // warm up: a fresh JVM's first answers are slow on a loaded machine
            call("closed");
            anthropic.messages().create(claude());
        }
        fixture.gateway.apply(dev.tollgate.config.ConfigLoader.parse(
                fixture.yaml(
                        "timeouts: {connect: 1s, first_byte: 3s, idle: 3s, request: 10s}\nrouting: {retries: 0}\n"),
                fixture.configFile,
                fixture.env));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        simC.close();
        vertx.close().await();
    }

    @BeforeEach
    void healthy() {
        fixture.reset();
        simC.fault(Fault.none());
        simC.clearRequests();
    }

    private record Answer(String content, String deployment, String fallback) {}

    private static Answer call(String model) {
        try (HttpResponseFor<ChatCompletion> r = openAi.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model(model)
                        .addUserMessage("Tell me something")
                        .build())) {
            ChatCompletion c = r.parse();
            return new Answer(
                    c.choices().get(0).message().content().orElseThrow(),
                    r.headers().values("x-tollgate-deployment").stream()
                            .findFirst()
                            .orElse(null),
                    r.headers().values("x-tollgate-fallback").stream()
                            .findFirst()
                            .orElse(null));
        }
    }

    private static MessageCreateParams claude() {
        return MessageCreateParams.builder()
                .model("claude")
                .maxTokens(100)
                .addUserMessage("Tell me something")
                .build();
    }

    @Test
    void aHealthyClosedModelServesItselfWithoutAFallbackHeader() {
        Answer a = call("closed");

        assertThat(a.content()).startsWith("Hello from sim-a");
        assertThat(a.deployment()).isEqualTo("sim-a/sim-closed");
        assertThat(a.fallback()).isNull();
    }

    @Test
    void whenTheClosedModelFailsTheOpenWeightsModelAnswersAndTheReasonIsInTheHeader() {
        fixture.simA.fault(Fault.status(500));

        Answer a = call("closed");

        assertThat(a.content()).startsWith("Hello from sim-b");
        assertThat(a.deployment()).isEqualTo("sim-b/sim-open");
        assertThat(a.fallback()).isEqualTo("open; reason=server_error");
        assertThat(fixture.simB.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.body()).contains("\"model\":\"sim-open\""));
    }

    @Test
    void aRateLimitedClosedModelFallsBackWithTheRateLimitAsTheReason() {
        fixture.simA.fault(Fault.status(429, null, Duration.ofSeconds(30)));

        assertThat(call("closed").fallback()).isEqualTo("open; reason=rate_limited");
    }

    @Test
    void aClosedModelWithItsBreakerOpenIsNotTriedAndTheReasonSaysSo() {
        fixture.gateway.health().probed(List.of("sim-a/sim-closed"), AttemptFailure.CONNECT);

        Answer a = call("closed");

        assertThat(a.deployment()).isEqualTo("sim-b/sim-open");
        assertThat(a.fallback()).isEqualTo("open; reason=circuit_open");
        assertThat(fixture.simA.requests()).isEmpty();
    }

    @Test
    void aStreamedAnswerCarriesTheFallbackHeaderToo() throws Exception {
        fixture.simA.fault(Fault.resetConnection());

        HttpResponse<String> r = http.send(
                fixture.chatRequest("closed", true, "Tell me something"), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-fallback")).hasValue("open; reason=broken");
        assertThat(r.body()).contains("sim-b").endsWith("data: [DONE]\n\n");
    }

    @Test
    void anAliasIsServedAsTheModelItNamesAndIsListed() {
        Answer a = call("latest");

        assertThat(a.deployment()).isEqualTo("sim-a/sim-closed");
        assertThat(a.fallback()).isNull();
        assertThat(openAi.models().list().data()).extracting(Model::id).contains("latest", "closed", "open");

        fixture.simA.fault(Fault.status(503));
        assertThat(call("latest").fallback()).isEqualTo("open; reason=server_error");
    }

    @Test
    void anAnthropicCallerOfAnAnthropicModelIsServedByTheOpenAiFallbackModelInItsOwnDialect() {
        simC.fault(Fault.status(529));

        try (var r = anthropic.messages().withRawResponse().create(claude())) {
            Message m = r.parse().validate();

            assertThat(m.content().get(0).asText().text()).startsWith("Hello from sim-b");
            assertThat(r.headers().values("x-tollgate-fallback")).containsExactly("open; reason=server_error");
        }
        assertThat(simC.requests()).hasSize(1);
    }
}
