package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OpenAI and Anthropic callers (the official SDKs, their accumulators as oracles) reach Gemini (Google AI and Vertex
 * AI URL forms) and Bedrock (SigV4-signed, and with a Bedrock API key) through Tollgate, against the simulator
 * speaking those wire formats on a real socket: {@code generateContent} / {@code streamGenerateContent?alt=sse}, and
 * Converse / ConverseStream with AWS's binary event-stream frames.
 */
class CloudRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bedrock model ids carry a colon, which the path encodes and SigV4 encodes once more. */
    private static final String CLAUDE_ON_BEDROCK = "anthropic.claude-sonnet-4-5-v1:0";

    private static Vertx vertx;
    private static ProviderSimulator sim;
    private static GatewayFixture fixture;
    private static OpenAIClient openAi;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        sim = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-g").withPort(0).withApiKey(GatewayFixture.UPSTREAM_KEY));
        String root = sim.rootUrl();
        fixture = GatewayFixture.start(
                "",
                Duration.ZERO,
                "  gem: {type: gemini, base_url: " + root + ", api_key: ${UPSTREAM_KEY}}\n"
                        + "  vtx: {type: gemini, base_url: " + root + ", project: acme-ml, location: us-central1,"
                        + " access_token: ${UPSTREAM_KEY}}\n"
                        + "  brk: {type: bedrock, base_url: " + root + ", region: us-east-1, access_key_id: "
                        + ProviderSimulator.AWS_ACCESS_KEY_ID + ", secret_access_key: ${UPSTREAM_KEY},"
                        + " session_token: sess-token-1}\n"
                        + "  brk-key: {type: bedrock, base_url: " + root + ", region: us-east-1,"
                        + " api_key: ${UPSTREAM_KEY}}\n"
                        + "  brk-bad: {type: bedrock, base_url: " + root + ", region: us-east-1, access_key_id: "
                        + ProviderSimulator.AWS_ACCESS_KEY_ID + ", secret_access_key: not-the-secret}\n",
                "  gemini:\n    - {provider: gem, model: gemini-2.5-flash}\n"
                        + "  vertex:\n    - {provider: vtx, model: gemini-2.5-pro}\n"
                        + "  bedrock:\n    - {provider: brk, model: " + CLAUDE_ON_BEDROCK + "}\n"
                        + "  bedrock-key:\n    - {provider: brk-key, model: amazon.nova-pro-v1:0}\n"
                        + "  bedrock-bad:\n    - {provider: brk-bad, model: amazon.nova-lite-v1:0}\n");
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
        vertx.close().await();
    }

    @BeforeEach
    void clear() {
        fixture.reset();
        sim.fault(Fault.none());
        sim.clearRequests();
    }

    // ------------------------------------------------------------ reaching each provider form

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "vertex", "bedrock", "bedrock-key"})
    void openAiSdkGetsWholeAndStreamedAnswersFromEveryCloudProviderForm(String model) {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("Be brief.")
                .addUserMessage("Hello cloud")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        ChatCompletion whole = openAi.chat()
                .completions()
                .create(params.toBuilder()
                        .streamOptions(java.util.Optional.empty())
                        .build())
                .validate();
        ChatCompletion streamed = streamOpenAi(params, new ArrayList<>());

        for (ChatCompletion c : List.of(whole, streamed)) {
            assertThat(c.choices().get(0).message().content().orElseThrow())
                    .isEqualTo("Hello from sim-g: you said \"Hello cloud\".");
            assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
            assertThat(c.usage().orElseThrow().promptTokens()).isPositive();
            assertThat(c.usage().orElseThrow().completionTokens()).isPositive();
        }
        assertThat(whole.usage()).isEqualTo(streamed.usage());
    }

    @Test
    void eachFormSendsItsOwnPathAndCredential() {
        for (String model : List.of("gemini", "vertex", "bedrock", "bedrock-key")) {
            openAi.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model(model)
                            .addUserMessage("where to?")
                            .build());
        }
        List<RecordedRequest> sent = sim.requests();
        assertThat(sent)
                .extracting(RecordedRequest::path)
                .containsExactly(
                        "/v1beta/models/gemini-2.5-flash:generateContent",
                        "/v1/projects/acme-ml/locations/us-central1/publishers/google/models/gemini-2.5-pro"
                                + ":generateContent",
                        "/model/anthropic.claude-sonnet-4-5-v1%3A0/converse",
                        "/model/amazon.nova-pro-v1%3A0/converse");
        assertThat(sent.get(0).headers().get("x-goog-api-key")).containsExactly(GatewayFixture.UPSTREAM_KEY);
        assertThat(sent.get(0).headers()).doesNotContainKey("authorization");
        assertThat(sent.get(1).headers().get("authorization")).containsExactly("Bearer " + GatewayFixture.UPSTREAM_KEY);
        assertThat(sent.get(2).headers().get("authorization").getFirst())
                .startsWith("AWS4-HMAC-SHA256 Credential=" + ProviderSimulator.AWS_ACCESS_KEY_ID + "/")
                .contains("/us-east-1/bedrock/aws4_request");
        assertThat(sent.get(2).headers().get("x-amz-security-token")).containsExactly("sess-token-1");
        assertThat(sent.get(3).headers().get("authorization")).containsExactly("Bearer " + GatewayFixture.UPSTREAM_KEY);
    }

    @Test
    void aBadSignatureIsRefusedByTheSimulatedBedrockLikeAwsDoesAndTheCallerLearnsWhy() throws Exception {
        HttpResponse<String> r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"bedrock-bad\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(502);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("message").asText())
                .contains("brk-bad/")
                .contains("HTTP 403")
                .contains("credentials");
        assertThat(r.body()).doesNotContain("not-the-secret");
        assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }

    // ------------------------------------------------------------ tools, thinking, signatures

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void openAiSdkStreamsParallelToolCallsWithIndexesAndDistinctIds(String model) {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model)
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
        assertThat(calls.get(0).asFunction().id())
                .isNotBlank()
                .isNotEqualTo(calls.get(1).asFunction().id());
        assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo("{\"city\":\"sim\"}");
        assertThat(calls.get(1).asFunction().function().arguments()).isEqualTo("{\"city\":\"sim\"}");
        // Gemini ends tool calls with STOP; the caller must still see tool_calls.
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(chunks.getLast().choices()).isEmpty();
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void anthropicSdkGetsThinkingWithItsSignatureAndParallelToolUseWholeAndStreamed(String model) {
        MessageCreateParams params = MessageCreateParams.builder()
                .model(model)
                .maxTokens(4000)
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
            assertThat(m.content().get(0).asThinking().thinking()).contains("What is the weather");
            assertThat(m.content().get(0).asThinking().signature()).isNotBlank();
            assertThat(m.content().get(1).asToolUse().name()).isEqualTo("get_weather");
            assertThat(m.content().get(2).asToolUse().name()).isEqualTo("get_time");
            assertThat(m.content().get(1).asToolUse()._input().toString()).contains("city");
        }
        assertThat(streamed.content().get(0).asThinking().signature())
                .isEqualTo(whole.content().get(0).asThinking().signature());
    }

    @Test
    void aGeminiThoughtSignatureGoesBackOnTheFunctionCallItCameWith() throws Exception {
        MessageCreateParams first = MessageCreateParams.builder()
                .model("gemini")
                .maxTokens(4000)
                .enabledThinking(1024)
                .addUserMessage("Weather in Paris?")
                .addTool(tool("get_weather"))
                .build();
        Message answer = anthropic.messages().create(first).validate();
        String signature = answer.content().get(0).asThinking().signature();
        String callId = answer.content().get(1).asToolUse().id();
        anthropic
                .messages()
                .create(first.toBuilder()
                        .addMessage(answer)
                        .addUserMessageOfContentBlockParams(
                                List.of(com.anthropic.models.messages.ContentBlockParam.ofToolResult(
                                        com.anthropic.models.messages.ToolResultBlockParam.builder()
                                                .toolUseId(callId)
                                                .content("18 degrees")
                                                .build())))
                        .build())
                .validate();

        JsonNode sent = JSON.readTree(sim.requests().getLast().body());
        JsonNode modelTurn = sent.get("contents").get(1);
        assertThat(modelTurn.get("role").asText()).isEqualTo("model");
        assertThat(modelTurn.get("parts").get(0).get("functionCall").get("name").asText())
                .isEqualTo("get_weather");
        assertThat(modelTurn.get("parts").get(0).get("thoughtSignature").asText())
                .isEqualTo(signature);
        JsonNode result = sent.get("contents").get(2).get("parts").get(0).get("functionResponse");
        assertThat(result.get("name").asText()).isEqualTo("get_weather");
    }

    // ------------------------------------------------------------ usage and metering

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void cachedAndReasoningTokensReachTheCallerAndTheLedger(String model) throws Exception {
        String longPrompt = "Please consider this rather long question about many things ".repeat(12);
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":3000,\"reasoning_effort\":\"low\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt + "\"}]}";
        JsonNode before = fixture.usage("acme");
        HttpResponse<String> r = fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode usage = JSON.readTree(r.body()).get("usage");
        long cached = usage.get("prompt_tokens_details").get("cached_tokens").asLong();
        long reasoning =
                usage.get("completion_tokens_details").get("reasoning_tokens").asLong();
        // The simulator reads half of a prompt of 64+ tokens from its cache.
        assertThat(cached).isEqualTo(usage.get("prompt_tokens").asLong() / 2).isPositive();
        if (model.equals("gemini")) {
            assertThat(reasoning)
                    .isPositive()
                    .isLessThan(usage.get("completion_tokens").asLong());
        } else {
            // Converse reports no reasoning breakdown: the reasoning is inside outputTokens, and nothing is invented.
            assertThat(reasoning).isZero();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode ledger = fixture.usage("acme");
            assertThat(ledger.get("cached_tokens").asLong()
                            - before.path("cached_tokens").asLong())
                    .isEqualTo(cached);
            assertThat(ledger.get("reasoning_tokens").asLong()
                            - before.path("reasoning_tokens").asLong())
                    .isEqualTo(reasoning);
        });
    }

    @Test
    void ledgerTokensEqualWhatTheSimulatedProvidersReportedForEveryCallerAndForm() throws Exception {
        sim.resetStats();
        List<String> models = List.of("gemini", "vertex", "bedrock", "bedrock-key");
        Map<String, JsonNode> before = new java.util.HashMap<>();
        for (String model : models) {
            before.put(model, ledgerOf(model));
        }
        for (String model : models) {
            for (boolean stream : new boolean[] {false, true}) {
                var openAiParams = ChatCompletionCreateParams.builder()
                        .model(model)
                        .addUserMessage("count these tokens " + stream)
                        .build();
                var anthropicParams = MessageCreateParams.builder()
                        .model(model)
                        .maxTokens(300)
                        .addUserMessage("count these tokens too " + stream)
                        .build();
                if (stream) {
                    streamOpenAi(openAiParams, new ArrayList<>());
                    streamAnthropic(anthropicParams);
                } else {
                    openAi.chat().completions().create(openAiParams);
                    anthropic.messages().create(anthropicParams);
                }
            }
        }
        Map<String, String> upstream = Map.of(
                "gemini", "gemini-2.5-flash",
                "vertex", "gemini-2.5-pro",
                "bedrock", CLAUDE_ON_BEDROCK,
                "bedrock-key", "amazon.nova-pro-v1:0");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode byModel = fixture.usage("acme").get("by_model");
            for (var e : upstream.entrySet()) {
                var reported = sim.stats().byModel().get(e.getValue());
                JsonNode ledger = byModel.get(e.getKey());
                JsonNode earlier = before.get(e.getKey());
                assertThat(ledger).as(e.getKey()).isNotNull();
                assertThat(reported.requests()).as(e.getKey()).isEqualTo(4);
                assertThat(ledger.get("requests").asLong()
                                - earlier.path("requests").asLong())
                        .as(e.getKey())
                        .isEqualTo(4);
                assertThat(ledger.get("prompt_tokens").asLong()
                                - earlier.path("prompt_tokens").asLong())
                        .as(e.getKey())
                        .isEqualTo(reported.promptTokens());
                assertThat(ledger.get("completion_tokens").asLong()
                                - earlier.path("completion_tokens").asLong())
                        .as(e.getKey())
                        .isEqualTo(reported.completionTokens());
            }
        });
    }

    // ------------------------------------------------------------ errors

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void aRateLimitedCloudProviderReachesAnOpenAiCallerAs503WithRetryAfter(String model) throws Exception {
        sim.fault(Fault.status(429, null, Duration.ofSeconds(7)));
        HttpResponse<String> r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("7");
        assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("upstream_overloaded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void anOverloadedCloudProviderIsA503ForTheCaller(String model) throws Exception {
        sim.fault(Fault.status(503));
        HttpResponse<String> r = fixture.post(
                "/v1/messages",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"" + model
                        + "\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.get("request_id").asText()).startsWith("req_");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void aContextLengthErrorInTheProvidersWordsIsAnInvalidRequestInTheCallersDialect(String model) throws Exception {
        sim.fault(Fault.status(400, "context_length_exceeded", null));
        HttpResponse<String> r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("context_length_exceeded");

        assertThatThrownBy(() -> anthropic
                        .messages()
                        .create(MessageCreateParams.builder()
                                .model(model)
                                .maxTokens(10)
                                .addUserMessage("x")
                                .build()))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("invalid_request_error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void aMidStreamProviderErrorEndsTheCallersStreamWithAnErrorEvent(String model) throws Exception {
        sim.fault(Fault.streamErrorAfter(3, "overloaded"));
        HttpResponse<String> r = fixture.post(
                "/v1/chat/completions",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"tell me a longer story please\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"delta\"").doesNotContain("[DONE]");
        String last = r.body().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(JSON.readTree(last.substring("data: ".length())).has("error"))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void aCutProviderStreamEndsTheAnthropicCallersStreamWithAnErrorEvent(String model) {
        sim.fault(Fault.cutStreamAfter(3));
        assertThatThrownBy(() -> streamAnthropic(MessageCreateParams.builder()
                        .model(model)
                        .maxTokens(500)
                        .addUserMessage("cut me off somewhere in the middle")
                        .build()))
                .hasMessageContaining("ended early");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemini", "bedrock"})
    void anImageUrlThatCannotBeFetchedForInliningIsA400NamingThePartAndNothingIsSent(String model) throws Exception {
        // Gemini and Bedrock take images only inline, so the gateway fetches URLs itself; .invalid never resolves.
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"what is this\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://tollgate-test.invalid/cat.png\"}}]}]}";
        HttpResponse<String> r = fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, body);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("message").asText())
                .contains("messages[0].content[1]")
                .contains("could not be fetched")
                .contains("base64");
        assertThat(sim.requests()).isEmpty();
    }

    // ------------------------------------------------------------ helpers

    /** The ledger's totals for one model so far (the ledger outlives each test); missing fields read as 0. */
    private static JsonNode ledgerOf(String model) throws Exception {
        JsonNode row = fixture.usage("acme").path("by_model").path(model);
        return row.isMissingNode() ? JSON.createObjectNode() : row;
    }

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
