package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.Reasoning;
import com.openai.models.ReasoningEffort;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStreamEvent;
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
 * {@code POST /v1/responses} (OpenAI's Responses API) translated onto every chat-capable upstream dialect, with
 * openai-java's {@code responses().create} and {@code createStreaming} as the oracle: its {@link ResponseAccumulator}
 * rebuilds the response from the stream's deltas and must agree with the terminal event's response.
 */
class ResponsesApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every upstream dialect: OpenAI, Anthropic, Gemini, Bedrock, an OpenAI-compatible vendor, Azure. */
    private static final List<String> UPSTREAMS =
            List.of("chat-small", "claude", "gemini", "bedrock", "deepseek", "azure");

    private static Vertx vertx;
    private static ProviderSimulator sim;
    private static GatewayFixture fixture;
    private static OpenAIClient openAi;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        sim = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-r").withPort(0).withApiKey(GatewayFixture.UPSTREAM_KEY));
        String root = sim.rootUrl();
        fixture = GatewayFixture.start(
                "routing: {retries: 0}\n",
                Duration.ZERO,
                "  anth: {type: anthropic, base_url: " + root + ", api_key: ${UPSTREAM_KEY}}\n"
                        + "  gem: {type: gemini, base_url: " + root + ", api_key: ${UPSTREAM_KEY}}\n"
                        + "  brk: {type: bedrock, base_url: " + root + ", region: us-east-1,"
                        + " api_key: ${UPSTREAM_KEY}}\n"
                        + "  ds: {type: openai-compatible, vendor: deepseek, base_url: " + root
                        + "/vendors/deepseek, api_key: ${UPSTREAM_KEY}}\n"
                        + "  az: {type: azure, base_url: " + root + ", api_version: 2024-10-21,"
                        + " api_key: ${UPSTREAM_KEY}}\n",
                "  claude:\n    - {provider: anth, model: sim-claude}\n"
                        + "  gemini:\n    - {provider: gem, model: gemini-2.5-flash}\n"
                        + "  bedrock:\n    - {provider: brk, model: amazon.nova-pro-v1:0}\n"
                        + "  deepseek:\n    - {provider: ds, model: deepseek-reasoner}\n"
                        + "  azure:\n    - {provider: az, model: gpt-4o-prod}\n");
        openAi = fixture.openAi();
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

    @ParameterizedTest
    @ValueSource(strings = {"chat-small", "claude", "gemini", "bedrock", "deepseek", "azure"})
    void createAndCreateStreamingGiveTheSameTextAndUsageFromEveryUpstreamDialect(String model) {
        ResponseCreateParams params = ResponseCreateParams.builder()
                .model(model)
                .instructions("Be brief.")
                .input("Hello responses")
                .maxOutputTokens(400)
                .build();
        Response whole = openAi.responses().create(params).validate();
        ResponseAccumulator accumulator = stream(params, new ArrayList<>());
        Response streamed = accumulator.response().validate();

        for (Response r : List.of(whole, streamed, accumulator.reconstructedResponse())) {
            assertThat(text(r)).startsWith("Hello from sim-").contains(": you said \"Hello responses\".");
            assertThat(r.status())
                    .hasValueSatisfying(s -> assertThat(s.asString()).isEqualTo("completed"));
        }
        assertThat(text(streamed)).isEqualTo(text(whole));
        assertThat(text(accumulator.reconstructedResponse())).isEqualTo(text(whole));
        var usage = streamed.usage().orElseThrow();
        assertThat(usage.inputTokens()).isPositive();
        assertThat(usage.outputTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
        assertThat(whole.usage()).isEqualTo(streamed.usage());
    }

    @Test
    void theStreamIsTheDocumentedEventSequenceWithIncreasingSequenceNumbers() throws Exception {
        HttpResponse<String> r = fixture.post(
                "/v1/responses",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"claude\",\"input\":\"Hi there\",\"max_output_tokens\":200,\"stream\":true}");

        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<String> types = new ArrayList<>();
        long last = -1;
        for (String block : r.body().split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String[] lines = block.split("\n");
            assertThat(lines[0]).startsWith("event: ");
            JsonNode data = JSON.readTree(lines[1].substring("data: ".length()));
            assertThat(data.get("type").asText()).isEqualTo(lines[0].substring("event: ".length()));
            assertThat(data.get("sequence_number").asLong()).isGreaterThan(last);
            last = data.get("sequence_number").asLong();
            types.add(data.get("type").asText());
        }
        assertThat(types)
                .containsSubsequence(
                        "response.created",
                        "response.in_progress",
                        "response.output_item.added",
                        "response.content_part.added",
                        "response.output_text.delta",
                        "response.output_text.done",
                        "response.content_part.done",
                        "response.output_item.done",
                        "response.completed");
        assertThat(types.getFirst()).isEqualTo("response.created");
        assertThat(types.getLast()).isEqualTo("response.completed");
        assertThat(r.body()).doesNotContain("[DONE]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat-small", "claude", "gemini", "bedrock"})
    void parallelFunctionCallsArriveAsFunctionCallItemsAndTheirOutputsGoBack(String model) throws Exception {
        ResponseCreateParams params = ResponseCreateParams.builder()
                .model(model)
                .input("Weather and time please")
                .addTool(tool("get_weather"))
                .addTool(tool("get_time"))
                .maxOutputTokens(400)
                .build();
        Response whole = openAi.responses().create(params).validate();
        ResponseAccumulator accumulator = stream(params, new ArrayList<>());

        for (Response r : List.of(whole, accumulator.response(), accumulator.reconstructedResponse())) {
            List<ResponseFunctionToolCall> calls =
                    r.output().stream().flatMap(i -> i.functionCall().stream()).toList();
            assertThat(calls).extracting(ResponseFunctionToolCall::name).containsExactly("get_weather", "get_time");
            assertThat(calls.get(0).callId())
                    .isNotBlank()
                    .isNotEqualTo(calls.get(1).callId());
            assertThat(JSON.readTree(calls.get(0).arguments()).has("city")).isTrue();
        }

        // The next turn carries the calls and their outputs back as input items.
        ResponseFunctionToolCall call = whole.output().stream()
                .flatMap(i -> i.functionCall().stream())
                .findFirst()
                .orElseThrow();
        String next = "{\"model\":\"" + model + "\",\"max_output_tokens\":300,\"input\":["
                + "{\"role\":\"user\",\"content\":\"Weather please\"},"
                + "{\"type\":\"function_call\",\"call_id\":\"" + call.callId() + "\",\"name\":\"get_weather\","
                + "\"arguments\":" + JSON.writeValueAsString(call.arguments()) + "},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"" + call.callId() + "\",\"output\":\"sunny\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Thanks, summarise\"}]}]}";
        HttpResponse<String> r = fixture.post("/v1/responses", GatewayFixture.ACME_KEY, next);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ProviderSimulator upstream = model.equals("chat-small") ? fixture.simA : sim;
        String sent = upstream.requests().getLast().body();
        assertThat(sent).contains("sunny").contains("Thanks, summarise");
        if (!model.equals("gemini")) { // Gemini's wire has no call ids: it pairs calls and results by name
            assertThat(sent).contains(call.callId());
        }
    }

    @Test
    void anthropicThinkingIsAReasoningSummaryWhoseSignatureGoesBackUnchanged() throws Exception {
        ResponseCreateParams params = ResponseCreateParams.builder()
                .model("claude")
                .input("What is the weather in Paris?")
                .addTool(tool("get_weather"))
                .reasoning(Reasoning.builder().effort(ReasoningEffort.LOW).build())
                .maxOutputTokens(4000)
                .build();
        Response whole = openAi.responses().create(params).validate();
        Response streamed = stream(params, new ArrayList<>()).response();

        for (Response r : List.of(whole, streamed)) {
            ResponseReasoningItem reasoning = r.output().getFirst().reasoning().orElseThrow();
            assertThat(reasoning.summary().getFirst().text()).contains("What is the weather");
            assertThat(reasoning.encryptedContent())
                    .hasValueSatisfying(s -> assertThat(s).isNotBlank());
        }
        ResponseReasoningItem reasoning = whole.output().getFirst().reasoning().orElseThrow();
        ResponseFunctionToolCall call = whole.output().get(1).functionCall().orElseThrow();
        String next = "{\"model\":\"claude\",\"max_output_tokens\":4000,\"reasoning\":{\"effort\":\"low\"},\"input\":["
                + "{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"},"
                + JSON.writeValueAsString(Map.of(
                        "type", "reasoning",
                        "id", reasoning.id(),
                        "summary",
                                List.of(Map.of(
                                        "type",
                                        "summary_text",
                                        "text",
                                        reasoning.summary().getFirst().text())),
                        "encrypted_content", reasoning.encryptedContent().orElseThrow()))
                + ",{\"type\":\"function_call\",\"call_id\":\"" + call.callId() + "\",\"name\":\"get_weather\","
                + "\"arguments\":\"{}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"" + call.callId() + "\",\"output\":\"sunny\"}]}";
        HttpResponse<String> r = fixture.post("/v1/responses", GatewayFixture.ACME_KEY, next);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        RecordedRequest sent = sim.requests().getLast();
        assertThat(sent.path()).isEqualTo("/v1/messages");
        JsonNode thinking =
                JSON.readTree(sent.body()).get("messages").get(1).get("content").get(0);
        assertThat(thinking.get("type").asText()).isEqualTo("thinking");
        assertThat(thinking.get("signature").asText())
                .isEqualTo(reasoning.encryptedContent().orElseThrow());
    }

    @Test
    void aVendorsReasoningContentIsAReasoningSummaryWithReasoningTokens() {
        Response r = openAi.responses()
                .create(ResponseCreateParams.builder()
                        .model("deepseek")
                        .input("Think")
                        .build())
                .validate();

        ResponseOutputItem first = r.output().getFirst();
        assertThat(first.reasoning().orElseThrow().summary().getFirst().text())
                .isEqualTo("Let me think about that step by step.");
        assertThat(r.usage().orElseThrow().outputTokensDetails().reasoningTokens())
                .isPositive();
        assertThat(r.usage().orElseThrow().inputTokensDetails().cachedTokens()).isPositive();
    }

    @Test
    void aLengthStopIsAnIncompleteResponseNamingMaxOutputTokens() {
        ResponseAccumulator accumulator = stream(
                ResponseCreateParams.builder()
                        .model("chat-small")
                        .input("tell me a long story about many things in great detail please")
                        .maxOutputTokens(3)
                        .build(),
                new ArrayList<>());
        Response r = accumulator.response();

        assertThat(r.status()).hasValueSatisfying(s -> assertThat(s.asString()).isEqualTo("incomplete"));
        assertThat(r.incompleteDetails().orElseThrow().reason().orElseThrow().asString())
                .isEqualTo("max_output_tokens");
    }

    @Test
    void aMidStreamUpstreamErrorEndsTheStreamWithResponseFailed() throws Exception {
        sim.fault(Fault.streamErrorAfter(6, "overloaded_error"));
        HttpResponse<String> r = fixture.post(
                "/v1/responses",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"claude\",\"input\":\"fail me part way through please\",\"max_output_tokens\":300,"
                        + "\"stream\":true}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("event: response.created").doesNotContain("response.completed");
        String last = r.body().strip().substring(r.body().strip().lastIndexOf("event: "));
        assertThat(last).startsWith("event: response.failed");
        JsonNode failed = JSON.readTree(last.substring(last.indexOf("data: ") + 6));
        assertThat(failed.get("response").get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("response").get("error").get("message").asText()).isNotBlank();
    }

    @Test
    void statefulParametersAndBuiltInToolsAreRefusedNamingTheParameter() throws Exception {
        HttpResponse<String> previous = fixture.post(
                "/v1/responses",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"claude\",\"input\":\"hi\",\"previous_response_id\":\"resp_123\"}");
        assertThat(previous.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(previous.body()).get("error").get("param").asText())
                .isEqualTo("previous_response_id");

        HttpResponse<String> search = fixture.post(
                "/v1/responses",
                GatewayFixture.ACME_KEY,
                "{\"model\":\"claude\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}");
        assertThat(search.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(search.body()).get("error").get("param").asText())
                .isEqualTo("tools[0].type");
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void ledgerTokensEqualWhatEachUpstreamReported() throws Exception {
        // Other tests used these models too: compare what this test adds.
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        JsonNode before = fixture.usage("acme").get("by_model");
        sim.resetStats();
        fixture.simA.resetStats();
        for (String model : UPSTREAMS) {
            ResponseCreateParams params = ResponseCreateParams.builder()
                    .model(model)
                    .input("meter me " + model)
                    .maxOutputTokens(300)
                    .build();
            openAi.responses().create(params);
            stream(params, new ArrayList<>());
        }
        Map<String, String> upstreamModel = Map.of(
                "chat-small", "sim-chat",
                "claude", "sim-claude",
                "gemini", "gemini-2.5-flash",
                "bedrock", "amazon.nova-pro-v1:0",
                "deepseek", "deepseek-reasoner",
                "azure", "gpt-4o-prod");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode byModel = fixture.usage("acme").get("by_model");
            for (var e : upstreamModel.entrySet()) {
                ProviderSimulator s = e.getKey().equals("chat-small") ? fixture.simA : sim;
                var reported = s.stats().byModel().get(e.getValue());
                JsonNode ledger = byModel.get(e.getKey());
                JsonNode earlier = before == null ? null : before.get(e.getKey());
                assertThat(reported).as(e.getKey()).isNotNull();
                assertThat(added(ledger, earlier, "requests")).as(e.getKey()).isEqualTo(2);
                assertThat(added(ledger, earlier, "prompt_tokens"))
                        .as(e.getKey())
                        .isEqualTo(reported.promptTokens());
                assertThat(added(ledger, earlier, "completion_tokens"))
                        .as(e.getKey())
                        .isEqualTo(reported.completionTokens());
            }
        });
    }

    // ------------------------------------------------------------ helpers

    private static long added(JsonNode now, JsonNode before, String field) {
        return now.get(field).asLong() - (before == null ? 0 : before.get(field).asLong());
    }

    private static FunctionTool tool(String name) {
        return FunctionTool.builder()
                .name(name)
                .description("Looks up " + name)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .strict(false)
                .build();
    }

    private static String text(Response r) {
        StringBuilder b = new StringBuilder();
        r.output()
                .forEach(item -> item.message()
                        .ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> b.append(t.text())))));
        return b.toString();
    }

    private static ResponseAccumulator stream(ResponseCreateParams params, List<ResponseStreamEvent> seen) {
        ResponseAccumulator accumulator = ResponseAccumulator.createWithSnapshots();
        try (StreamResponse<ResponseStreamEvent> s = openAi.responses().createStreaming(params)) {
            s.stream().forEach(e -> {
                seen.add(e);
                accumulator.accumulate(e);
            });
        }
        return accumulator;
    }
}
