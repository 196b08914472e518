package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.tollgate.sim.RecordedRequest;
import dev.tollgate.testing.GatewayFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, pointed at Tollgate by base URL and key only, against the provider simulators. */
class OpenAiApiThroughSdkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayFixture fixture;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start();
        client = fixture.openAi();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void clear() {
        fixture.simA.clearRequests();
        fixture.simB.clearRequests();
    }

    private static ChatCompletionCreateParams.Builder chat(String text) {
        return ChatCompletionCreateParams.builder().model("chat-small").addUserMessage(text);
    }

    private static ChatCompletion stream(ChatCompletionCreateParams params, List<ChatCompletionChunk> seen) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunk -> {
                seen.add(chunk.validate());
                accumulator.accumulate(chunk);
            });
        }
        return accumulator.chatCompletion().validate();
    }

    @Test
    void answersAChatCompletionFromThePrimaryDeploymentWithTheUpstreamsUsage() throws Exception {
        ChatCompletion completion =
                client.chat().completions().create(chat("Hello there").build()).validate();

        assertThat(completion.choices().get(0).message().content().orElseThrow())
                .startsWith("Hello from sim-a");
        assertThat(completion.usage().orElseThrow().promptTokens()).isPositive();
        RecordedRequest forwarded = fixture.simA.requests().getLast();
        assertThat(JSON.readTree(forwarded.body()).get("model").asText()).isEqualTo("sim-chat");
    }

    @Test
    void sendsTheUpstreamKeyAndNeverTheCallersKey() {
        client.chat().completions().create(chat("whose key?").build());

        RecordedRequest forwarded = fixture.simA.requests().getLast();
        assertThat(forwarded.header("authorization")).isEqualTo("Bearer " + GatewayFixture.UPSTREAM_KEY);
        assertThat(forwarded.headers().toString()).doesNotContain(GatewayFixture.ACME_KEY);
        assertThat(forwarded.body()).doesNotContain(GatewayFixture.ACME_KEY);
    }

    @Test
    void streamsAChatCompletionThatTheSdkAccumulatorAccepts() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        ChatCompletion streamed = stream(chat("Stream me a story please").build(), chunks);

        assertThat(streamed.choices().get(0).message().content().orElseThrow()).startsWith("Hello from sim-a");
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(chunks).hasSizeGreaterThan(3);
        // The caller did not ask for usage, so the usage chunk the gateway requested for metering is not passed on.
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(chunks).allSatisfy(c -> assertThat(c.choices()).isNotEmpty());
    }

    @Test
    void passesTheUsageChunkOnWhenTheCallerAskedForIt() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        stream(
                chat("with usage")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build(),
                chunks);

        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isPositive();
    }

    @Test
    void passesParallelToolCallsThroughWithTheirIndexes() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletionCreateParams params = chat("weather and time?")
                .addFunctionTool(function("get_weather", "city"))
                .addFunctionTool(function("get_time", "zone"))
                .build();

        ChatCompletion streamed = stream(params, chunks);
        ChatCompletion whole = client.chat().completions().create(params).validate();

        for (ChatCompletion c : List.of(streamed, whole)) {
            List<String> names = c.choices().get(0).message().toolCalls().orElseThrow().stream()
                    .map(ChatCompletionMessageToolCall::asFunction)
                    .map(f -> f.function().name())
                    .toList();
            assertThat(names).containsExactly("get_weather", "get_time");
            assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        }
        assertThat(fixture.simA.requests().getLast().body()).contains("\"get_time\"");
    }

    @Test
    void forwardsImagePartsUntouched() throws Exception {
        String url =
                "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
        client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("chat-small")
                        .addUserMessageOfArrayOfContentParts(List.of(
                                ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                        .text("what is this?")
                                        .build()),
                                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                        .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                                .url(url)
                                                .detail(ChatCompletionContentPartImage.ImageUrl.Detail.LOW)
                                                .build())
                                        .build())))
                        .build());

        JsonNode part = JSON.readTree(fixture.simA.requests().getLast().body()).at("/messages/0/content/1");
        assertThat(part.at("/image_url/url").asText()).isEqualTo(url);
        assertThat(part.at("/image_url/detail").asText()).isEqualTo("low");
    }

    @Test
    void embedsAsFloatsAndAsBase64TheSdkDefault() {
        CreateEmbeddingResponse floats = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("embed-small")
                        .input("alpha")
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                        .build())
                .validate();
        CreateEmbeddingResponse base64 = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("embed-small")
                        .input("alpha")
                        .build())
                .validate();

        assertThat(fixture.simA.requests().getLast().body()).contains("\"encoding_format\":\"base64\"");
        assertThat(base64.data().get(0).embedding())
                .isEqualTo(floats.data().get(0).embedding());
        assertThat(floats.usage().promptTokens()).isPositive();
    }

    @Test
    void listsOnlyTheModelsTheKeyMayUse() throws Exception {
        assertThat(client.models().list().data()).extracting(Model::id).containsExactly("chat-small", "embed-small");

        JsonNode created = fixture.admin(
                "POST", "/admin/v1/keys", "{\"tenant\":\"acme\",\"name\":\"embed-only\",\"models\":[\"embed-small\"]}");
        OpenAIClient scoped = fixture.openAi(created.get("key").asText());

        assertThat(scoped.models().list().data()).extracting(Model::id).containsExactly("embed-small");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        scoped.chat().completions().create(chat("not allowed").build()))
                .isInstanceOf(com.openai.errors.NotFoundException.class)
                .hasMessageContaining("chat-small");
    }

    @Test
    void theAdminApiAnswers404ForAnUnknownTenantOrModelAnd400ForABadBody() throws Exception {
        assertThat(fixture.adminRaw("POST", "/admin/v1/keys", "{\"tenant\":\"nobody\"}", GatewayFixture.ADMIN_TOKEN)
                        .statusCode())
                .isEqualTo(404);
        assertThat(fixture.adminRaw(
                                "POST",
                                "/admin/v1/keys",
                                "{\"tenant\":\"acme\",\"models\":[\"gpt-nope\"]}",
                                GatewayFixture.ADMIN_TOKEN)
                        .statusCode())
                .isEqualTo(404);
        assertThat(fixture.adminRaw("POST", "/admin/v1/keys", "{\"name\":\"x\"}", GatewayFixture.ADMIN_TOKEN)
                        .statusCode())
                .isEqualTo(400);
        assertThat(fixture.adminRaw("POST", "/admin/v1/tenants", "{\"name\":\"acme\"}", GatewayFixture.ADMIN_TOKEN)
                        .statusCode())
                .isEqualTo(400);
        assertThat(fixture.adminRaw("GET", "/admin/v1/keys", null, "wrong").statusCode())
                .isEqualTo(401);
    }

    @Test
    void theAdminApiTotalsUsagePerTenantAndModelAndListsTheModels() throws Exception {
        client.chat().completions().create(chat("count me").build());
        JsonNode usage = fixture.usage("acme");
        JsonNode totals = fixture.admin("GET", "/admin/v1/usage/totals", null);
        JsonNode row = null;
        for (JsonNode r : totals.get("rows")) {
            if (r.get("tenant").asText().equals("acme")
                    && r.get("model").asText().equals("chat-small")) {
                row = r;
            }
        }
        assertThat(row).as("a row for acme / chat-small in %s", totals).isNotNull();
        JsonNode perModel = usage.get("by_model").get("chat-small");
        assertThat(row.get("requests").asLong())
                .isEqualTo(perModel.get("requests").asLong());
        assertThat(row.get("prompt_tokens").asLong())
                .isEqualTo(perModel.get("prompt_tokens").asLong());
        assertThat(row.get("completion_tokens").asLong())
                .isEqualTo(perModel.get("completion_tokens").asLong());

        JsonNode future =
                fixture.admin("GET", "/admin/v1/usage/totals?from=2099-01-01T00:00:00Z&to=2099-01-02T00:00:00Z", null);
        assertThat(future.get("rows")).isEmpty();
        assertThat(fixture.adminRaw(
                                "GET",
                                "/admin/v1/usage/totals?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                                null,
                                GatewayFixture.ADMIN_TOKEN)
                        .statusCode())
                .isEqualTo(400);

        JsonNode models = fixture.admin("GET", "/admin/v1/models", null);
        assertThat(models.get("models").get(0).get("model").asText()).isEqualTo("chat-small");
        assertThat(models.get("models").get(0).get("deployments").toString())
                .isEqualTo("[\"sim-a/sim-chat\",\"sim-b/sim-chat\"]");
    }

    private static FunctionDefinition function(String name, String property) {
        return FunctionDefinition.builder()
                .name(name)
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(property, Map.of("type", "string"))))
                        .build())
                .build();
    }
}
