package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.RecordedRequest;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.testing.GatewayFixture;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every pair of caller dialect and provider dialect, through the official SDKs (their stream accumulators as
 * oracles), against Tollgate, against the simulator speaking OpenAI (sim-a) and Anthropic (sim-c):
 *
 * <ul>
 *   <li>{@code chat-small}: OpenAI upstream (Anthropic SDK → OpenAI upstream)
 *   <li>{@code claude}: Anthropic upstream (OpenAI SDK → Anthropic, Anthropic SDK → Anthropic)
 * </ul>
 */
class DialectRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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
        String base = "http://127.0.0.1:" + simC.port();
        fixture = GatewayFixture.start(
                "",
                Duration.ZERO,
                "  sim-c: {type: anthropic, base_url: " + base + ", api_key: ${UPSTREAM_KEY}, max_tokens_default: 512,"
                        + " max_tokens_limit: 2048}\n"
                        + "  sim-c-lenient: {type: anthropic, base_url: " + base + ", api_key: ${UPSTREAM_KEY},"
                        + " drop_unsupported: true}\n",
                "  claude:\n    - {provider: sim-c, model: sim-claude}\n"
                        + "  claude-lenient:\n    - {provider: sim-c-lenient, model: sim-claude-lenient}\n"
                        + "  openai-to-claude:\n    - {provider: sim-c, model: sim-openai-to-claude}\n"
                        + "  claude-to-claude:\n    - {provider: sim-c, model: sim-claude-to-claude}\n"
                        + "  claude-to-openai:\n    - {provider: sim-a, model: sim-claude-to-openai}\n");
        openAi = fixture.openAi();
        anthropic = anthropic(GatewayFixture.ACME_KEY);
    }

    static AnthropicClient anthropic(String key) {
        return AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        simC.close();
        vertx.close().await();
    }

    @BeforeEach
    void clear() {
        fixture.reset();
        simC.fault(Fault.none());
        simC.clearRequests();
    }

    // ------------------------------------------------------------ Anthropic SDK → Anthropic upstream

    @Test
    void anthropicSdkGetsAWholeAnswerFromAnAnthropicUpstreamWithCacheUsage() {
        Message m = anthropic
                .messages()
                .create(MessageCreateParams.builder()
                        .model("claude")
                        .maxTokens(300)
                        .system("You are terse.")
                        .addUserMessage("Hello through the gateway")
                        .build())
                .validate();

        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).asText().text()).startsWith("Hello from sim-c");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isPositive();
        assertThat(m.usage().outputTokens()).isPositive();
        assertThat(m.model().asString()).isEqualTo("claude");
        RecordedRequest forwarded = simC.requests().getLast();
        assertThat(forwarded.path()).isEqualTo("/v1/messages");
        assertThat(forwarded.headers().get("x-api-key")).containsExactly(GatewayFixture.UPSTREAM_KEY);
        assertThat(forwarded.headers().get("anthropic-version")).containsExactly("2023-06-01");
    }

    @Test
    void anthropicSdkStreamsThinkingWithItsSignatureAndParallelToolUseFromAnAnthropicUpstream() {
        MessageCreateParams params = MessageCreateParams.builder()
                .model("claude")
                .maxTokens(2000)
                .enabledThinking(1024)
                .addUserMessage("What is the weather in Paris and the time in Tokyo?")
                .addTool(tool("get_weather"))
                .addTool(tool("get_time"))
                .build();
        Message whole = anthropic.messages().create(params).validate();
        Message streamed = streamAnthropic(params);

        for (Message m : List.of(whole, streamed)) {
            assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
            assertThat(m.content()).hasSize(3);
            assertThat(m.content().get(0).isThinking()).isTrue();
            String thought = m.content().get(0).asThinking().thinking();
            assertThat(thought).contains("What is the weather");
            assertThat(m.content().get(0).asThinking().signature()).isNotBlank();
            assertThat(m.content().subList(1, 3))
                    .allSatisfy(b -> assertThat(b.isToolUse()).isTrue());
            assertThat(m.content().get(1).asToolUse().name()).isEqualTo("get_weather");
            assertThat(m.content().get(2).asToolUse().name()).isEqualTo("get_time");
            assertThat(m.content().get(1).asToolUse().id()).startsWith("toolu_");
            assertThat(m.content().get(1).asToolUse()._input().toString()).contains("city");
        }
        // The signature comes back exactly as the upstream produced it (the simulator's is a hash of the thought).
        assertThat(streamed.content().get(0).asThinking().signature())
                .isEqualTo(whole.content().get(0).asThinking().signature());
    }

    @Test
    void aThinkingSignatureIsPassedBackToTheUpstreamUnchanged() throws Exception {
        Message first = anthropic
                .messages()
                .create(MessageCreateParams.builder()
                        .model("claude")
                        .maxTokens(2000)
                        .enabledThinking(1024)
                        .addUserMessage("Think first")
                        .build())
                .validate();
        String signature = first.content().get(0).asThinking().signature();
        anthropic
                .messages()
                .create(MessageCreateParams.builder()
                        .model("claude")
                        .maxTokens(2000)
                        .enabledThinking(1024)
                        .addUserMessage("Think first")
                        .addMessage(first)
                        .addUserMessage("And now?")
                        .build())
                .validate();

        JsonNode sent = JSON.readTree(simC.requests().getLast().body());
        JsonNode thinking = sent.get("messages").get(1).get("content").get(0);
        assertThat(thinking.get("type").asText()).isEqualTo("thinking");
        assertThat(thinking.get("signature").asText()).isEqualTo(signature);
    }

    // ------------------------------------------------------------ OpenAI SDK → Anthropic upstream

    @Test
    void openAiSdkGetsAnAnswerFromAnAnthropicUpstreamWithDefaultedMaxTokensAndSystemOutsideTheMessages()
            throws Exception {
        ChatCompletion c = openAi.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("claude")
                        .addSystemMessage("Be brief.")
                        .addUserMessage("Hi from OpenAI land")
                        .build())
                .validate();

        assertThat(c.choices().get(0).message().content().orElseThrow()).startsWith("Hello from sim-c");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(c.usage().orElseThrow().promptTokens()).isPositive();
        JsonNode sent = JSON.readTree(simC.requests().getLast().body());
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(512);
        assertThat(sent.get("system").asText()).isEqualTo("Be brief.");
        assertThat(sent.get("messages")).hasSize(1);
        assertThat(sent.get("model").asText()).isEqualTo("sim-claude");
    }

    @Test
    void openAiSdkStreamsParallelToolCallsWithIndexesAndIdsFromAnAnthropicUpstream() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("claude")
                .addUserMessage("Weather and time please")
                .addTool(openAiTool("get_weather"))
                .addTool(openAiTool("get_time"))
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletion c = streamOpenAi(params, chunks);

        List<ChatCompletionMessageToolCall> calls =
                c.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        assertThat(calls.get(1).asFunction().function().name()).isEqualTo("get_time");
        assertThat(calls.get(0).asFunction().id()).startsWith("toolu_");
        assertThat(calls.get(0).asFunction().id())
                .isNotEqualTo(calls.get(1).asFunction().id());
        assertThat(calls.get(0).asFunction().function().arguments()).contains("\"city\"");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        // The usage-only final chunk, because the caller asked for it.
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isPositive();
    }

    @Test
    void openAiSdkSeesAnthropicThinkingAsReasoningContent() throws Exception {
        String body = """
                {"model":"claude","max_tokens":3000,"reasoning_effort":"low",
                 "messages":[{"role":"user","content":"ponder this"}]}""";
        var r = fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode message = JSON.readTree(r.body()).get("choices").get(0).get("message");
        assertThat(message.get("reasoning_content").asText()).contains("ponder this");
        JsonNode sent = JSON.readTree(simC.requests().getLast().body());
        // "low" asks for a 2,048-token budget; the provider's limit of 2,048 output tokens leaves room for less.
        int budget = sent.get("thinking").get("budget_tokens").asInt();
        assertThat(budget).isBetween(1024, 2048);
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(2048).isGreaterThan(budget);
    }

    @Test
    void nGreaterThanOneToAnthropicIsA400NamingTheParameterAndTheDeployment() throws Exception {
        String body = """
                {"model":"claude","n":2,"messages":[{"role":"user","content":"twice"}]}""";
        var r = fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("param").asText()).isEqualTo("n");
        assertThat(error.get("message").asText()).contains("sim-c/sim-claude");
        assertThat(simC.requests()).isEmpty();
    }

    @Test
    void logprobsAreDroppedWhenTheProviderSaysSo() throws Exception {
        String body = """
                {"model":"claude-lenient","logprobs":true,"n":2,"messages":[{"role":"user","content":"hi"}]}""";
        var r = fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode sent = JSON.readTree(simC.requests().getLast().body());
        assertThat(sent.has("logprobs")).isFalse();
        assertThat(sent.has("n")).isFalse();
    }

    @Test
    void maxTokensAboveTheLimitIsClamped() throws Exception {
        String body = """
                {"model":"claude","max_tokens":100000,"messages":[{"role":"user","content":"long"}]}""";
        assertThat(fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body)
                        .statusCode())
                .isEqualTo(200);
        assertThat(JSON.readTree(simC.requests().getLast().body())
                        .get("max_tokens")
                        .asInt())
                .isEqualTo(2048);
    }

    @Test
    void anOverloadedAnthropicUpstreamReachesAnOpenAiCallerAs503WithRetryAfter() throws Exception {
        simC.fault(Fault.status(529, "overloaded_error", Duration.ofSeconds(3)));
        var r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("3");
        assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("upstream_overloaded");
    }

    @Test
    void aMidStreamAnthropicErrorEndsTheOpenAiStreamWithAnErrorEvent() throws Exception {
        simC.fault(Fault.streamErrorAfter(4, "overloaded_error"));
        var r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"delta\"").doesNotContain("[DONE]");
        String last = r.body().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(JSON.readTree(last.substring("data: ".length()))
                        .get("error")
                        .get("type")
                        .asText())
                .isEqualTo("upstream_error");
    }

    // ------------------------------------------------------------ Anthropic SDK → OpenAI upstream

    @Test
    void anthropicSdkGetsAnAnswerFromAnOpenAiUpstream() throws Exception {
        Message m = anthropic
                .messages()
                .create(MessageCreateParams.builder()
                        .model("chat-small")
                        .maxTokens(200)
                        .system("Be nice.")
                        .addUserMessage("Hello OpenAI, from Claude land")
                        .build())
                .validate();

        assertThat(m.content().get(0).asText().text()).startsWith("Hello from sim-a");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isPositive();
        JsonNode sent = JSON.readTree(fixture.simA.requests().getLast().body());
        assertThat(sent.get("messages").get(0).get("role").asText()).isEqualTo("system");
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(200);
    }

    @Test
    void anthropicSdkStreamsParallelToolUseFromAnOpenAiUpstream() {
        Message m = streamAnthropic(MessageCreateParams.builder()
                .model("chat-small")
                .maxTokens(500)
                .addUserMessage("Weather and time please")
                .addTool(tool("get_weather"))
                .addTool(tool("get_time"))
                .build());

        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(m.content()).hasSize(2);
        assertThat(m.content().get(0).asToolUse().name()).isEqualTo("get_weather");
        assertThat(m.content().get(1).asToolUse().name()).isEqualTo("get_time");
        assertThat(m.content().get(0).asToolUse().id()).startsWith("call_");
        assertThat(m.content().get(1).asToolUse()._input().toString()).contains("city");
        assertThat(m.usage().outputTokens()).isPositive();
        assertThat(m.usage().inputTokens()).isPositive();
    }

    @Test
    void anthropicSdkStreamsTextFromAnOpenAiUpstream() {
        Message m = streamAnthropic(MessageCreateParams.builder()
                .model("chat-small")
                .maxTokens(500)
                .addUserMessage("stream me some words")
                .build());

        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).asText().text()).startsWith("Hello from sim-a");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
    }

    @Test
    void errorsReachAnthropicCallersInAnthropicsShapeWithTheRequestId() {
        assertThatThrownBy(() -> anthropic
                        .messages()
                        .create(MessageCreateParams.builder()
                                .model("no-such-model")
                                .maxTokens(10)
                                .addUserMessage("x")
                                .build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.body().toString()).contains("not_found_error").contains("req_");
                });
        assertThatThrownBy(() -> anthropic("wrong-key")
                        .messages()
                        .create(MessageCreateParams.builder()
                                .model("claude")
                                .maxTokens(10)
                                .addUserMessage("x")
                                .build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.body().toString()).contains("authentication_error");
                });
    }

    @Test
    void aMissingMaxTokensIsAnAnthropicInvalidRequestError() throws Exception {
        var r = fixture.post(
                "/v1/messages",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.get("error").get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.get("error").get("message").asText()).contains("max_tokens");
        assertThat(body.get("request_id").asText()).startsWith("req_");
    }

    @Test
    void aContextLengthErrorFromAnOpenAiUpstreamIsAnInvalidRequestForAnAnthropicCaller() {
        fixture.simA.fault(Fault.status(400, "context_length_exceeded", null));
        assertThatThrownBy(() -> anthropic
                        .messages()
                        .create(MessageCreateParams.builder()
                                .model("chat-small")
                                .maxTokens(10)
                                .addUserMessage("x")
                                .build()))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("invalid_request_error");
    }

    @Test
    void aCutAnthropicStreamEndsTheAnthropicCallersStreamWithAnErrorEvent() {
        simC.fault(Fault.cutStreamAfter(5));
        assertThatThrownBy(() -> streamAnthropic(MessageCreateParams.builder()
                        .model("claude")
                        .maxTokens(500)
                        .addUserMessage("cut me off")
                        .build()))
                .hasMessageContaining("api_error")
                .hasMessageContaining("ended early");
    }

    // ------------------------------------------------------------ metering

    @Test
    void ledgerTokensEqualWhatTheUpstreamReportedForEveryPair() throws Exception {
        simC.resetStats();
        fixture.simA.resetStats();
        String[][] pairs = {{"openai-to-claude", "o"}, {"claude-to-claude", "a"}, {"claude-to-openai", "a"}};
        for (String[] pair : pairs) {
            for (boolean stream : new boolean[] {false, true}) {
                String model = pair[0];
                if (pair[1].equals("o")) {
                    var params = ChatCompletionCreateParams.builder()
                            .model(model)
                            .addUserMessage("count these tokens " + stream)
                            .build();
                    if (stream) {
                        streamOpenAi(params, new ArrayList<>());
                    } else {
                        openAi.chat().completions().create(params);
                    }
                } else {
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
        }
        Map<String, String> upstreamModel = Map.of(
                "openai-to-claude", "sim-openai-to-claude",
                "claude-to-claude", "sim-claude-to-claude",
                "claude-to-openai", "sim-claude-to-openai");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode byModel = fixture.usage("acme").get("by_model");
            for (var e : upstreamModel.entrySet()) {
                ProviderSimulator sim = e.getKey().endsWith("openai") ? fixture.simA : simC;
                var reported = sim.stats().byModel().get(e.getValue());
                JsonNode ledger = byModel.get(e.getKey());
                assertThat(ledger).as(e.getKey()).isNotNull();
                assertThat(ledger.get("requests").asLong()).as(e.getKey()).isEqualTo(2);
                assertThat(ledger.get("prompt_tokens").asLong()).as(e.getKey()).isEqualTo(reported.promptTokens());
                assertThat(ledger.get("completion_tokens").asLong())
                        .as(e.getKey())
                        .isEqualTo(reported.completionTokens());
            }
        });
    }

    // ------------------------------------------------------------ helpers

    private static Tool tool(String name) {
        return Tool.builder()
                .name(name)
                .description("Looks up " + name)
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .required(List.of("city"))
                        .build())
                .build();
    }

    private static ChatCompletionFunctionTool openAiTool(String name) {
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name(name)
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
                                .putAdditionalProperty(
                                        "properties",
                                        com.openai.core.JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .build())
                        .build())
                .build();
    }

    private static Message streamAnthropic(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(params)) {
            s.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message().validate();
    }

    private static ChatCompletion streamOpenAi(ChatCompletionCreateParams params, List<ChatCompletionChunk> seen) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (var s = openAi.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunk -> {
                seen.add(chunk.validate());
                accumulator.accumulate(chunk);
            });
        }
        return accumulator.chatCompletion().validate();
    }
}
