package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.RecordedRequest;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.testing.GatewayFixture;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@code openai-compatible} vendor and both Azure URL forms, reached by the official OpenAI and Anthropic SDKs
 * through Tollgate, against the simulator playing each vendor on a real socket: its URL, its credential, the
 * parameters it accepts (anything else is a 400 there), its reasoning field and its way of reporting usage.
 */
class VendorRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ZHIPU_KEY = "zhipu-id-42.zhipu-secret-value";
    private static final String REASONING = "Let me think about that step by step.";
    /** Model alias → vendor path below the simulator's root, as each vendor's docs write the base URL. */
    private static final Map<String, String> VENDORS = Map.of(
            "deepseek", "/vendors/deepseek",
            "zhipu", "/vendors/zhipu/api/paas/v4",
            "qwen", "/vendors/qwen/compatible-mode/v1",
            "moonshot", "/vendors/moonshot/v1",
            "minimax", "/vendors/minimax/v1",
            "siliconflow", "/vendors/siliconflow/v1",
            "ollama", "/vendors/ollama/v1",
            "vllm", "/vendors/vllm/v1");

    private static Vertx vertx;
    private static ProviderSimulator sim;
    private static ProviderSimulator zhipuSim;
    private static GatewayFixture fixture;
    private static OpenAIClient openAi;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        sim = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-v").withPort(0).withApiKey(GatewayFixture.UPSTREAM_KEY));
        zhipuSim = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-z").withPort(0).withApiKey(ZHIPU_KEY));
        String root = sim.rootUrl();
        StringBuilder providers = new StringBuilder();
        StringBuilder models = new StringBuilder();
        VENDORS.forEach((vendor, path) -> {
            providers
                    .append("  ")
                    .append(vendor)
                    .append(": {type: openai-compatible, vendor: ")
                    .append(vendor);
            providers.append(", base_url: ").append(root).append(path).append(", api_key: ${UPSTREAM_KEY}}\n");
            models.append("  ").append(vendor).append(":\n    - {provider: ").append(vendor);
            models.append(", model: ").append(vendor).append("-reasoner}\n");
        });
        providers
                .append("  ds-drop: {type: openai-compatible, vendor: deepseek, base_url: ")
                .append(root)
                .append("/vendors/deepseek, api_key: ${UPSTREAM_KEY}, drop_unsupported: true}\n");
        providers
                .append("  glm-jwt: {type: openai-compatible, vendor: zhipu, base_url: ")
                .append(zhipuSim.rootUrl())
                .append("/vendors/zhipu/api/paas/v4, api_key: " + ZHIPU_KEY + ", auth: jwt}\n");
        providers
                .append("  az: {type: azure, base_url: ")
                .append(root)
                .append(", api_version: 2024-10-21, api_key: ${UPSTREAM_KEY}}\n");
        providers
                .append("  az1: {type: azure, base_url: ")
                .append(root)
                .append("/openai/v1/, api_key: ${UPSTREAM_KEY}}\n");
        models.append("  deepseek-chat:\n    - {provider: deepseek, model: deepseek-chat}\n");
        models.append("  deepseek-drop:\n    - {provider: ds-drop, model: deepseek-chat}\n");
        models.append("  glm-jwt:\n    - {provider: glm-jwt, model: glm-4.6}\n");
        models.append("  azure:\n    - {provider: az, model: gpt-4o-prod}\n");
        models.append("  azure-v1:\n    - {provider: az1, model: gpt-4o-v1}\n");
        fixture = GatewayFixture.start("", Duration.ZERO, providers.toString(), models.toString());
        openAi = fixture.openAi();
        anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(GatewayFixture.ACME_KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        sim.close();
        zhipuSim.close();
        vertx.close().await();
    }

    @BeforeEach
    void clear() {
        fixture.reset();
        sim.fault(Fault.none());
        sim.clearRequests();
        zhipuSim.clearRequests();
    }

    // ------------------------------------------------------------ every vendor, both SDKs

    @ParameterizedTest
    @ValueSource(strings = {"deepseek", "zhipu", "qwen", "moonshot", "minimax", "siliconflow", "ollama", "vllm"})
    void openAiSdkGetsReasoningTextAndCachedUsageWholeAndStreamedFromEveryVendor(String model) throws Exception {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("Hello vendor")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        // Qwen thinks only in streams: the whole answer asks for no reasoning, so it must not be refused.
        ChatCompletion whole = openAi.chat()
                .completions()
                .create(params.toBuilder()
                        .streamOptions(java.util.Optional.empty())
                        .build())
                .validate();
        ChatCompletion streamed = streamOpenAi(params);

        for (ChatCompletion c : List.of(whole, streamed)) {
            assertThat(c.choices().get(0).message().content().orElseThrow())
                    .startsWith("Hello from sim-v: you said \"Hello vendor\".")
                    .isEqualTo(whole.choices().get(0).message().content().orElseThrow());
            assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
            var usage = c.usage().orElseThrow();
            assertThat(usage.promptTokens()).isPositive();
            // DeepSeek's prompt_cache_hit_tokens and Moonshot's cached_tokens arrive as cached_tokens.
            assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow())
                    .isEqualTo(usage.promptTokens() / 2);
            assertThat(usage.completionTokensDetails()
                            .orElseThrow()
                            .reasoningTokens()
                            .orElseThrow())
                    .isPositive();
        }
        assertThat(whole.usage()).isEqualTo(streamed.usage());
        // Reasoning reaches an OpenAI caller as reasoning_content, whichever field the vendor used.
        assertThat(whole.choices().get(0).message()._additionalProperties().get("reasoning_content"))
                .isEqualTo(JsonValue.from(REASONING));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deepseek", "zhipu", "qwen", "moonshot", "minimax", "siliconflow", "ollama", "vllm"})
    void anthropicSdkStreamsEveryVendorsReasoningAsAThinkingBlock(String model) {
        MessageCreateParams params = MessageCreateParams.builder()
                .model(model)
                .maxTokens(2000)
                .enabledThinking(1024)
                .addUserMessage("Think first")
                .build();
        Message m = streamAnthropic(params);

        assertThat(m.content()).hasSize(2);
        assertThat(m.content().get(0).asThinking().thinking()).isEqualTo(REASONING);
        assertThat(m.content().get(1).asText().text()).startsWith("Hello from sim-v: you said \"Think first\".");
        assertThat(m.usage().outputTokens()).isPositive();
        assertThat(m.usage().cacheReadInputTokens())
                .hasValueSatisfying(t -> assertThat(t).isPositive());
    }

    @Test
    void eachVendorIsCalledAtTheUrlItsDocsGiveWithOnlyTheParametersItAccepts() throws Exception {
        for (String model : VENDORS.keySet()) {
            HttpResponse<String> r = fixture.post(
                    "/v1/chat/completions",
                    GatewayFixture.ACME_KEY,
                    "{\"model\":\"" + model + "\",\"stream\":true,\"reasoning_effort\":\"low\",\"user\":\"u-1\","
                            + "\"seed\":7,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(r.statusCode()).as(model + ": " + r.body()).isEqualTo(200);
        }
        Map<String, String> paths = new java.util.TreeMap<>();
        for (RecordedRequest sent : sim.requests()) {
            JsonNode body = JSON.readTree(sent.body());
            paths.put(body.get("model").asText(), sent.path());
            assertThat(sent.header("authorization")).isEqualTo("Bearer " + GatewayFixture.UPSTREAM_KEY);
        }
        VENDORS.forEach(
                (vendor, path) -> assertThat(paths.get(vendor + "-reasoner")).isEqualTo(path + "/chat/completions"));
        JsonNode zhipu = body(sim.requests(), "zhipu-reasoner");
        assertThat(zhipu.has("stream_options"))
                .as("Zhipu reports usage unasked")
                .isFalse();
        assertThat(zhipu.get("thinking").get("type").asText()).isEqualTo("enabled");
        JsonNode qwen = body(sim.requests(), "qwen-reasoner");
        assertThat(qwen.get("enable_thinking").asBoolean()).isTrue();
        assertThat(qwen.get("seed").asLong()).isEqualTo(7);
        assertThat(body(sim.requests(), "minimax-reasoner")
                        .get("reasoning_split")
                        .asBoolean())
                .isTrue();
        JsonNode vllm = body(sim.requests(), "vllm-reasoner");
        assertThat(vllm.get("reasoning_effort").asText()).isEqualTo("low");
        assertThat(vllm.get("user").asText()).isEqualTo("u-1");
        assertThat(body(sim.requests(), "deepseek-reasoner").has("seed")).isFalse();
    }

    // ------------------------------------------------------------ refused and dropped parameters

    @Test
    void nGreaterThanOneToDeepSeekIsA400NamingTheParameterAndTheDeploymentUnlessDropped() throws Exception {
        String body = "{\"model\":\"%s\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> refused =
                fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body.formatted("deepseek-chat"));

        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(refused.body()).get("error");
        assertThat(error.get("param").asText()).isEqualTo("n");
        assertThat(error.get("message").asText())
                .contains("deepseek/deepseek-chat")
                .contains("drop_unsupported");
        assertThat(sim.requests()).isEmpty();

        HttpResponse<String> dropped =
                fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body.formatted("deepseek-drop"));
        assertThat(dropped.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(sim.requests().getFirst().body()).has("n")).isFalse();
    }

    @Test
    void qwenRefusesReasoningOnAWholeAnswerButThinksInAStream() throws Exception {
        String body = "{\"model\":\"qwen\",\"reasoning_effort\":\"high\",\"stream\":%s,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> whole =
                fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body.formatted(false));

        assertThat(whole.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(whole.body()).get("error").get("param").asText())
                .isEqualTo("reasoning_effort");
        assertThat(JSON.readTree(whole.body()).get("error").get("message").asText())
                .contains("only in streams");

        HttpResponse<String> streamed =
                fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body.formatted(true));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("\"reasoning_content\":\"Let me think");
    }

    @Test
    void seedPenaltiesAndLogitBiasReachAnOpenAiCompatibleUpstreamThroughTranslation() throws Exception {
        HttpResponse<String> r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"vllm\",\"seed\":42,\"presence_penalty\":0.5,\"frequency_penalty\":-0.25,"
                        + "\"logit_bias\":{\"50256\":-100},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode sent = JSON.readTree(sim.requests().getFirst().body());
        assertThat(sent.get("seed").asLong()).isEqualTo(42);
        assertThat(sent.get("presence_penalty").asDouble()).isEqualTo(0.5);
        assertThat(sent.get("frequency_penalty").asDouble()).isEqualTo(-0.25);
        assertThat(sent.get("logit_bias").get("50256").asInt()).isEqualTo(-100);

        HttpResponse<String> deepseek = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"deepseek-chat\",\"logit_bias\":{\"1\":5},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(deepseek.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(deepseek.body()).get("error").get("param").asText())
                .isEqualTo("logit_bias");
    }

    // ------------------------------------------------------------ Zhipu's signed keys

    @Test
    void zhipuIdDotSecretKeysBecomeCachedHs256TokensTheVendorVerifies() throws Exception {
        for (int i = 0; i < 2; i++) {
            ChatCompletion c = openAi.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model("glm-jwt")
                            .addUserMessage("sign me")
                            .build());
            assertThat(c.choices().get(0).message().content().orElseThrow()).contains("sign me");
        }
        List<RecordedRequest> sent = zhipuSim.requests();
        assertThat(sent).hasSize(2);
        String token = sent.get(0).header("authorization").substring("Bearer ".length());
        assertThat(token).doesNotContain("zhipu-secret-value");
        var jwt = JWT.require(Algorithm.HMAC256("zhipu-secret-value".getBytes(StandardCharsets.UTF_8)))
                .build()
                .verify(token);
        assertThat(jwt.getClaim("api_key").asString()).isEqualTo("zhipu-id-42");
        assertThat(jwt.getHeaderClaim("sign_type").asString()).isEqualTo("SIGN");
        assertThat(jwt.getClaim("exp").asLong() - jwt.getClaim("timestamp").asLong())
                .as("milliseconds, as Zhipu reads them")
                .isEqualTo(210_000L);
        // The second request reuses the token rather than signing again.
        assertThat(sent.get(1).header("authorization")).isEqualTo("Bearer " + token);
    }

    // ------------------------------------------------------------ Azure

    @Test
    void azureIsCalledAtTheDeploymentUrlOrTheV1EndpointWithTheApiKeyHeader() throws Exception {
        for (String model : List.of("azure", "azure-v1")) {
            ChatCompletion whole = openAi.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model(model)
                            .addUserMessage("Hello Azure")
                            .build());
            assertThat(whole.choices().get(0).message().content().orElseThrow())
                    .startsWith("Hello from sim-v: you said \"Hello Azure\".");
            ChatCompletion streamed = streamOpenAi(ChatCompletionCreateParams.builder()
                    .model(model)
                    .addUserMessage("Hello Azure")
                    .streamOptions(ChatCompletionStreamOptions.builder()
                            .includeUsage(true)
                            .build())
                    .build());
            assertThat(streamed.choices().get(0).message().content())
                    .isEqualTo(whole.choices().get(0).message().content());
            assertThat(streamed.usage()).isEqualTo(whole.usage());
        }
        List<RecordedRequest> sent = sim.requests();
        assertThat(sent)
                .extracting(RecordedRequest::path)
                .containsExactly(
                        "/openai/deployments/gpt-4o-prod/chat/completions",
                        "/openai/deployments/gpt-4o-prod/chat/completions",
                        "/openai/v1/chat/completions",
                        "/openai/v1/chat/completions");
        for (RecordedRequest r : sent) {
            assertThat(r.header("api-key")).isEqualTo(GatewayFixture.UPSTREAM_KEY);
            assertThat(r.headers()).doesNotContainKey("authorization");
        }
    }

    @Test
    void azuresContentFilterRefusalReachesAnOpenAiCallerAsA400WithItsCode() throws Exception {
        HttpResponse<String> r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"azure\",\"messages\":[{\"role\":\"user\",\"content\":\"FILTER-ME please\"}]}");

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("content_filter");
        assertThat(error.get("message").asText()).contains("content management policy");
    }

    @Test
    void anAnswerAzuresFilterCutShortEndsWithContentFilterForOpenAiCallersAndRefusalForAnthropicOnes() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("azure")
                .addUserMessage("FILTER-OUT this answer")
                .build();
        assertThat(openAi.chat().completions().create(params).choices().get(0).finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.CONTENT_FILTER);
        assertThat(streamOpenAi(params).choices().get(0).finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.CONTENT_FILTER);

        Message m = streamAnthropic(MessageCreateParams.builder()
                .model("azure")
                .maxTokens(200)
                .addUserMessage("FILTER-OUT this answer")
                .build());
        assertThat(m.stopReason()).contains(com.anthropic.models.messages.StopReason.REFUSAL);
        // The stream's opening chunk (Azure's prompt filter results, no id) does not become the message id.
        assertThat(m.id()).isNotBlank();
    }

    // ------------------------------------------------------------ metering

    @Test
    void ledgerTokensEqualWhatEachVendorReported() throws Exception {
        sim.resetStats();
        for (String model : VENDORS.keySet()) {
            for (boolean stream : new boolean[] {false, true}) {
                var params = MessageCreateParams.builder()
                        .model(model)
                        .maxTokens(300)
                        .addUserMessage("count these tokens " + stream)
                        .build();
                if (stream) {
                    streamAnthropic(params);
                } else {
                    anthropic.messages().create(params);
                }
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode byModel = fixture.usage("acme").get("by_model");
            for (String model : VENDORS.keySet()) {
                var reported = sim.stats().byModel().get(model + "-reasoner");
                JsonNode ledger = byModel.get(model);
                assertThat(ledger).as(model).isNotNull();
                assertThat(ledger.get("requests").asLong()).as(model).isEqualTo(2);
                assertThat(ledger.get("prompt_tokens").asLong()).as(model).isEqualTo(reported.promptTokens());
                assertThat(ledger.get("completion_tokens").asLong()).as(model).isEqualTo(reported.completionTokens());
            }
        });
    }

    // ------------------------------------------------------------ helpers

    private static JsonNode body(List<RecordedRequest> sent, String model) throws Exception {
        for (RecordedRequest r : sent) {
            JsonNode body = JSON.readTree(r.body());
            if (model.equals(body.path("model").asText())) {
                return body;
            }
        }
        throw new AssertionError("no request for " + model);
    }

    private static Message streamAnthropic(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(params)) {
            s.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message().validate();
    }

    private static ChatCompletion streamOpenAi(ChatCompletionCreateParams params) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (var s = openAi.chat().completions().createStreaming(params)) {
            s.stream().forEach(accumulator::accumulate);
        }
        return accumulator.chatCompletion().validate();
    }
}
