package dev.tollgate.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProviderSimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Vertx vertx;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private ProviderSimulator sim;
    private OpenAIClient client;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void startSimulator() {
        sim = ProviderSimulator.start(vertx, SimulatorOptions.defaults("sim-a"));
        client = sdk(sim, "k");
    }

    @AfterEach
    void stopSimulator() {
        client.close();
        sim.close();
    }

    private static OpenAIClient sdk(ProviderSimulator sim, String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(sim.baseUrl())
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    private static ChatCompletionCreateParams.Builder chat(String userMessage) {
        return ChatCompletionCreateParams.builder().model("gpt-sim").addUserMessage(userMessage);
    }

    private static FunctionDefinition function(String name, Map<String, Object> properties) {
        return FunctionDefinition.builder()
                .name(name)
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(properties))
                        .build())
                .build();
    }

    private ChatCompletion streamAndAccumulate(ChatCompletionCreateParams params, List<ChatCompletionChunk> seen) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                seen.add(chunk.validate());
                accumulator.accumulate(chunk);
            });
        }
        return accumulator.chatCompletion().validate();
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(postRequest(path, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder postRequest(String path, String body) {
        return HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("content-type", "application/json")
                .header("authorization", "Bearer k")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static final String CHAT_BODY =
            "{\"model\":\"gpt-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_BODY = "{\"model\":\"gpt-sim\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me a long story about gateways please\"}]}";

    @Test
    void answersChatCompletionsTheOfficialSdkAccepts() {
        ChatCompletion completion = client.chat()
                .completions()
                .create(chat("What is the capital of France today?").build())
                .validate();

        assertThat(completion.id()).startsWith("chatcmpl-sim-a-");
        assertThat(completion.model()).isEqualTo("gpt-sim");
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(choice.message().content())
                .hasValueSatisfying(text ->
                        assertThat(text).startsWith("Hello from sim-a: you said \"What is the capital of France"));
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isGreaterThan(7);
        assertThat(usage.completionTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    }

    @Test
    void answersTheSameRequestWithTheSameText() {
        String first = client.chat()
                .completions()
                .create(chat("same input").build())
                .choices()
                .get(0)
                .message()
                .content()
                .orElseThrow();
        String second = client.chat()
                .completions()
                .create(chat("same input").build())
                .choices()
                .get(0)
                .message()
                .content()
                .orElseThrow();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void streamsAnAnswerTheSdkAccumulatesWithUsageInAFinalChunk() {
        ChatCompletionCreateParams params = chat("tell me a long story about gateways please")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        String expected = client.chat()
                .completions()
                .create(chat("tell me a long story about gateways please").build())
                .choices()
                .get(0)
                .message()
                .content()
                .orElseThrow();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        ChatCompletion streamed = streamAndAccumulate(params, chunks);

        assertThat(streamed.choices().get(0).message().content()).contains(expected);
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(chunks).hasSizeGreaterThan(4);
        assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage()).isPresent();
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(streamed.usage().orElseThrow().completionTokens()).isEqualTo(TokenCounter.count(expected));
    }

    @Test
    void streamsWithoutUsageUnlessAskedAndStillCountsTheTokens() throws Exception {
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        ChatCompletion streamed = streamAndAccumulate(chat("no usage please").build(), chunks);

        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(streamed.usage()).isEmpty();
        String raw = http.send(
                        postRequest("/chat/completions", STREAM_BODY).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(raw).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
        await().untilAsserted(() -> {
            assertThat(sim.stats().requests()).isEqualTo(2);
            assertThat(sim.stats().completionTokens()).isPositive();
        });
    }

    @Test
    void stopsWithLengthWhenMaxCompletionTokensIsReached() {
        ChatCompletion completion = client.chat()
                .completions()
                .create(chat("a fairly long question with many many words in it to make the answer long")
                        .maxCompletionTokens(5)
                        .build());

        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.usage().orElseThrow().completionTokens()).isBetween(1L, 5L);
    }

    @Test
    void answersWithParallelToolCallsForTheFirstTwoTools() throws Exception {
        ChatCompletion completion = client.chat()
                .completions()
                .create(chat("weather and time in Paris?")
                        .addFunctionTool(function("get_weather", Map.of("city", Map.of("type", "string"))))
                        .addFunctionTool(function(
                                "get_time",
                                Map.of("zone", Map.of("type", "string"), "hours", Map.of("type", "integer"))))
                        .addFunctionTool(function("unused", Map.of()))
                        .build())
                .validate();

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
                .map(ChatCompletionMessageToolCall::asFunction)
                .toList();
        assertThat(calls).extracting(c -> c.function().name()).containsExactly("get_weather", "get_time");
        assertThat(calls)
                .extracting(ChatCompletionMessageFunctionToolCall::id)
                .allSatisfy(id -> assertThat(id).startsWith("call_"))
                .doesNotHaveDuplicates();
        JsonNode timeArguments = JSON.readTree(calls.get(1).function().arguments());
        assertThat(timeArguments.get("zone").asText()).isEqualTo("sim");
        assertThat(timeArguments.get("hours").isInt()).isTrue();
        assertThat(choice.message().content()).isEmpty();
    }

    @Test
    void streamsParallelToolCallsWithDistinctIndexes() throws Exception {
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        ChatCompletion streamed = streamAndAccumulate(
                chat("weather and time?")
                        .addFunctionTool(function("get_weather", Map.of("city", Map.of("type", "string"))))
                        .addFunctionTool(function("get_time", Map.of("zone", Map.of("type", "string"))))
                        .build(),
                chunks);

        List<ChatCompletionMessageFunctionToolCall> calls =
                streamed.choices().get(0).message().toolCalls().orElseThrow().stream()
                        .map(ChatCompletionMessageToolCall::asFunction)
                        .toList();
        assertThat(calls).extracting(c -> c.function().name()).containsExactly("get_weather", "get_time");
        assertThat(JSON.readTree(calls.get(0).function().arguments())
                        .get("city")
                        .asText())
                .isEqualTo("sim");
        assertThat(chunks.stream()
                        .flatMap(c -> c.choices().stream())
                        .flatMap(c -> c.delta().toolCalls().stream().flatMap(List::stream))
                        .map(ChatCompletionChunk.Choice.Delta.ToolCall::index)
                        .distinct())
                .containsExactly(0L, 1L);
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void answersWithTextWhenToolChoiceIsNone() {
        ChatCompletion completion = client.chat()
                .completions()
                .create(chat("just talk")
                        .addFunctionTool(function("get_weather", Map.of()))
                        .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.NONE)
                        .build());

        assertThat(completion.choices().get(0).message().toolCalls()).isEmpty();
        assertThat(completion.choices().get(0).message().content()).isPresent();
    }

    @Test
    void acceptsImagePartsAndBillsAFixedAmountForEach() {
        long textOnly = client.chat()
                .completions()
                .create(chat("describe this").build())
                .usage()
                .orElseThrow()
                .promptTokens();

        ChatCompletion withImage = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("gpt-sim")
                        .addUserMessageOfArrayOfContentParts(List.of(
                                ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                        .text("describe this")
                                        .build()),
                                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                        .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                                .url("https://example.com/cat.png")
                                                .build())
                                        .build())))
                        .build());

        assertThat(withImage.usage().orElseThrow().promptTokens()).isEqualTo(textOnly + TokenCounter.PER_IMAGE);
    }

    @Test
    void embedsAsFloatsAndAsBase64WithTheSameUnitVectors() {
        CreateEmbeddingResponse floats = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("sim-embed")
                        .inputOfArrayOfStrings(List.of("alpha", "beta"))
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                        .build())
                .validate();
        CreateEmbeddingResponse base64 = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("sim-embed")
                        .inputOfArrayOfStrings(List.of("alpha", "beta"))
                        .build())
                .validate();

        assertThat(sim.requests().get(1).body()).contains("\"encoding_format\":\"base64\"");
        assertThat(floats.data()).hasSize(2);
        List<Float> alpha = floats.data().get(0).embedding();
        assertThat(alpha).hasSize(EmbeddingRequest.DEFAULT_DIMENSIONS);
        assertThat(Math.sqrt(alpha.stream().mapToDouble(v -> v * v).sum()))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(base64.data().get(0).embedding()).isEqualTo(alpha);
        assertThat(base64.data().get(1).embedding())
                .isEqualTo(floats.data().get(1).embedding())
                .isNotEqualTo(alpha);
        assertThat(floats.usage().promptTokens()).isEqualTo(2);
    }

    @Test
    void embedsTokenArraysWithTheRequestedDimensions() {
        CreateEmbeddingResponse response = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("sim-embed")
                        .inputOfArrayOfTokenArrays(List.of(List.of(1L, 2L, 3L), List.of(4L)))
                        .dimensions(8)
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                        .build());

        assertThat(response.data()).extracting(e -> e.embedding().size()).containsExactly(8, 8);
        assertThat(response.usage().totalTokens()).isEqualTo(4);
    }

    @Test
    void listsTheBuiltInModelsAndTheOnesAskedAbout() {
        client.chat().completions().create(chat("hi").build());

        List<Model> models = client.models().list().data();

        assertThat(models).extracting(Model::id).containsExactly("sim-chat", "sim-embed", "gpt-sim");
        assertThat(models).allSatisfy(m -> assertThat(m.ownedBy()).isEqualTo("sim-a"));
        assertThat(client.models().retrieve("gpt-sim").id()).isEqualTo("gpt-sim");
    }

    @Test
    void rejectsAWrongApiKeyWithUnauthorized() {
        try (ProviderSimulator guarded = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-b").withApiKey("secret"))) {
            OpenAIClient wrong = sdk(guarded, "nope");
            OpenAIClient right = sdk(guarded, "secret");
            try {
                assertThatThrownBy(() ->
                                wrong.chat().completions().create(chat("hi").build()))
                        .isInstanceOfSatisfying(
                                UnauthorizedException.class,
                                e -> assertThat(e.code()).contains("invalid_api_key"));
                assertThat(right.chat().completions().create(chat("hi").build()).choices())
                        .hasSize(1);
            } finally {
                wrong.close();
                right.close();
            }
        }
    }

    @Test
    void writesExactlyTheFieldsOpenAiWrites() throws Exception {
        JsonNode body = JSON.readTree(post("/chat/completions", CHAT_BODY).body());

        assertThat(body.fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder(
                        "id", "object", "created", "model", "choices", "usage", "service_tier", "system_fingerprint");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("system_fingerprint").asText()).isEqualTo("fp_sim");
        JsonNode choice = body.at("/choices/0");
        assertThat(choice.fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder("index", "message", "logprobs", "finish_reason");
        assertThat(choice.at("/message/refusal").isNull()).isTrue();
        assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isZero();
        assertThat(body.at("/usage/completion_tokens_details/reasoning_tokens").asInt())
                .isZero();
    }

    @Test
    void rejectsBadRequestsInOpenAiErrorShape() throws Exception {
        HttpResponse<String> notJson = post("/chat/completions", "{nope");
        HttpResponse<String> noModel = post("/chat/completions", "{\"messages\":[]}");
        HttpResponse<String> noMessages = post("/chat/completions", "{\"model\":\"m\"}");
        HttpResponse<String> unknownPath = post("/nowhere", "{}");

        assertThat(notJson.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(notJson.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("message") && error.has("param") && error.has("code"))
                .isTrue();
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noModel.body()).at("/error/param").asText()).isEqualTo("model");
        assertThat(JSON.readTree(noMessages.body()).at("/error/param").asText()).isEqualTo("messages");
        assertThat(unknownPath.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknownPath.body()).at("/error/message").asText())
                .contains("/v1/nowhere");
    }

    @Test
    void statusFaultsAnswerInOpenAiErrorShapeWithRetryAfter() throws Exception {
        sim.fault(Fault.status(429, "rate_limit_exceeded", Duration.ofMillis(1500)));
        HttpResponse<String> limited = post("/chat/completions", CHAT_BODY);
        sim.fault(Fault.status(500));
        HttpResponse<String> broken = post("/embeddings", "{\"model\":\"e\",\"input\":\"x\"}");

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).contains("2");
        assertThat(limited.headers().firstValue("retry-after-ms")).contains("1500");
        assertThat(JSON.readTree(limited.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.headers().firstValue("retry-after")).isEmpty();
        assertThat(JSON.readTree(broken.body()).at("/error/type").asText()).isEqualTo("server_error");
    }

    @Test
    void resetFaultClosesTheConnectionWithoutAnAnswer() {
        sim.fault(Fault.resetConnection());

        assertThatThrownBy(() -> post("/chat/completions", CHAT_BODY)).isInstanceOf(IOException.class);
        assertThat(sim.requests()).hasSize(1);
    }

    @Test
    void cutStreamFaultEndsAfterTheGivenChunksWithoutDoneOrUsage() throws Exception {
        sim.fault(Fault.cutStreamAfter(3));
        HttpResponse<InputStream> response = http.send(
                postRequest(
                                "/chat/completions",
                                STREAM_BODY.replace(
                                        "\"stream\":true",
                                        "\"stream\":true," + "\"stream_options\":{\"include_usage\":true}"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = new ArrayList<>();
        IOException failure = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("data: ")) {
                    events.add(line);
                }
            }
        } catch (IOException e) {
            failure = e;
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(failure)
                .as("a truncated chunked body is an error, not a clean end")
                .isNotNull();
        assertThat(events).hasSize(3).noneMatch(e -> e.contains("[DONE]") || e.contains("\"usage\":{"));
    }

    @Test
    void slowFirstByteFaultDelaysTheAnswerThenAnswersNormally() {
        sim.fault(Fault.slowFirstByte(Duration.ofMillis(400)));
        long start = System.nanoTime();

        ChatCompletion completion =
                client.chat().completions().create(chat("hi").build());

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(completion.choices()).hasSize(1);
    }

    @Test
    void hangFaultNeverAnswersUntilTheClientGivesUp() {
        sim.fault(Fault.hang());

        assertThatThrownBy(() -> http.send(
                        postRequest("/chat/completions", CHAT_BODY)
                                .timeout(Duration.ofMillis(300))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(sim.requests()).hasSize(1);
    }

    @Test
    void malformedBodyFaultBreaksTheSdksParsing() {
        sim.fault(Fault.malformedBody());

        assertThatThrownBy(() -> client.chat().completions().create(chat("hi").build()))
                .isInstanceOf(com.openai.errors.OpenAIException.class);
    }

    @Test
    void faultForTimesAppliesToThatManyRequestsThenRecovers() {
        sim.fault(Fault.status(500, "server_error", null), 2);

        assertThatThrownBy(() -> client.chat().completions().create(chat("1").build()))
                .isInstanceOf(InternalServerException.class);
        assertThatThrownBy(() -> client.chat().completions().create(chat("2").build()))
                .isInstanceOf(InternalServerException.class);
        assertThat(client.chat().completions().create(chat("3").build()).choices())
                .hasSize(1);
        assertThat(sim.requests()).hasSize(3);
    }

    @Test
    void statsCountOnlyAnswersThatWereCompletelyWritten() throws Exception {
        ChatCompletion full =
                client.chat().completions().create(chat("count me").build());
        sim.fault(Fault.cutStreamAfter(2), 1);
        try {
            http.send(postRequest("/chat/completions", STREAM_BODY).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException expected) {
            // the cut stream is the point
        }
        sim.fault(Fault.status(503), 1);
        post("/chat/completions", CHAT_BODY);
        client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("sim-embed")
                        .input("one two three")
                        .build());

        CompletionUsage usage = full.usage().orElseThrow();
        await().untilAsserted(() -> {
            SimulatorStats stats = sim.stats();
            assertThat(stats.requests()).isEqualTo(2);
            assertThat(stats.promptTokens()).isEqualTo(usage.promptTokens() + 3);
            assertThat(stats.completionTokens()).isEqualTo(usage.completionTokens());
            assertThat(stats.byModel()).containsOnlyKeys("gpt-sim", "sim-embed");
        });
        sim.resetStats();
        assertThat(sim.stats().requests()).isZero();
    }

    @Test
    void recordsWhatItReceived() {
        client.chat().completions().create(chat("remember me").build());

        RecordedRequest request = sim.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.header("Authorization")).isEqualTo("Bearer k");
        assertThat(request.headers()).containsKey("content-type");
        assertThat(request.body()).contains("remember me");
    }

    @Test
    void pacesStreamedChunksByTheTokenDelay() throws Exception {
        try (ProviderSimulator slow = ProviderSimulator.start(
                vertx,
                SimulatorOptions.defaults("sim-slow")
                        .withTokenDelay(Duration.ofMillis(30))
                        .withChunkTokens(4))) {
            long start = System.nanoTime();
            String body = http.send(
                            HttpRequest.newBuilder(URI.create(slow.baseUrl() + "/chat/completions"))
                                    .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            long events = body.lines().filter(l -> l.startsWith("data: ")).count();
            assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(30 * (events - 2)));
        }
    }

    @Test
    void aReaderThatFallsBehindStillGetsTheWholeStreamOnceItReads() throws Exception {
        // Megabytes of one-word chunks: more than loopback socket buffers absorb, so the writer must wait for drain.
        String longPrompt = "word ".repeat(64_000);
        try (ProviderSimulator wordy = ProviderSimulator.start(
                        vertx, SimulatorOptions.defaults("sim-wordy").withChunkTokens(1));
                Socket socket = rawChat(wordy, longPrompt, 1024)) {
            Thread.sleep(300);
            assertThat(wordy.stats().requests())
                    .as("not finished while the reader is idle")
                    .isZero();

            socket.setSoTimeout(5000);
            String received = new String(socket.getInputStream().readAllBytes(), UTF_8);

            assertThat(received).contains("data: [DONE]");
            assertThat(received.split("data: \\{", -1).length - 1).isGreaterThan(30_000);
            await().untilAsserted(() -> assertThat(wordy.stats().requests()).isEqualTo(1));
        }
    }

    @Test
    void stallFaultSendsSomeChunksThenGoesSilentWithTheConnectionOpen() throws Exception {
        sim.fault(Fault.stallStreamAfter(2));
        try (Socket socket = rawChat(sim, "stall please", 64 * 1024)) {
            socket.setSoTimeout(500);
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[8192];
            assertThatThrownBy(() -> {
                        for (int n = socket.getInputStream().read(buffer);
                                n >= 0;
                                n = socket.getInputStream().read(buffer)) {
                            received.append(new String(buffer, 0, n, UTF_8));
                        }
                    })
                    .isInstanceOf(SocketTimeoutException.class);

            assertThat(received.toString()).startsWith("HTTP/1.1 200").doesNotContain("[DONE]");
            assertThat(received.toString().split("data: ", -1).length - 1).isEqualTo(2);
        }
    }

    /** A streamed chat request over a bare socket, so the test controls how fast the answer is read. */
    private static Socket rawChat(ProviderSimulator target, String prompt, int receiveBuffer) throws IOException {
        String body = "{\"model\":\"gpt-sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}]}";
        byte[] bytes = body.getBytes(UTF_8);
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.port()), 2000);
        socket.getOutputStream()
                .write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(UTF_8));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return socket;
    }
}
