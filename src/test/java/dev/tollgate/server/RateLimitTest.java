package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.http.Headers;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.testing.GatewayFixture;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate limits on real sockets, seen through the official SDKs: 429 in the caller's dialect with retry-after and the
 * x-ratelimit headers, on the pass-through path (OpenAI caller, OpenAI upstream) and the translated one (Anthropic
 * caller). Each test uses its own tenant, so their minutes do not mix.
 */
class RateLimitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RPM_KEY = "tg-rpm-test-key-0000000000000000000000000";
    private static final String TPM_KEY = "tg-tpm-test-key-0000000000000000000000000";
    private static final String ANTHROPIC_KEY = "tg-anthropic-test-key-000000000000000000";
    private static final String STREAMS_KEY = "tg-streams-test-key-0000000000000000000";
    private static final String CHAT =
            "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static GatewayFixture fixture;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        // A slow upstream (20 ms between tokens) keeps a stream open long enough to count it.
        fixture = GatewayFixture.start(
                """
                  rpm:
                    keys: [%s]
                    limits: {requests_per_minute: 2}
                  tpm:
                    keys: [%s]
                    limits: {tokens_per_minute: 5000}
                  anthropic:
                    keys: [%s]
                    key_limits: {requests_per_minute: 1}
                  streams:
                    keys: [%s]
                    limits: {concurrent_streams: 1}
                """.formatted(RPM_KEY, TPM_KEY, ANTHROPIC_KEY, STREAMS_KEY), Duration.ofMillis(20));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private record Answer(int status, Headers headers, ChatCompletion body) {}

    private static Answer call(OpenAIClient client) {
        try (HttpResponseFor<ChatCompletion> r =
                client.chat().completions().withRawResponse().create(hello())) {
            return new Answer(r.statusCode(), r.headers(), r.parse());
        }
    }

    private static ChatCompletionCreateParams hello() {
        return ChatCompletionCreateParams.builder()
                .model("chat-small")
                .addUserMessage("Hello, how are you?")
                .build();
    }

    @Test
    void theOpenAiSdkGets429WithRetryAfterAndRateLimitHeadersOnceTheMinuteIsUsed() {
        OpenAIClient client = fixture.openAi(RPM_KEY);
        int before = fixture.simA.requests().size();

        Answer first = call(client);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.headers().values("x-ratelimit-limit-requests")).containsExactly("2");
        assertThat(first.headers().values("x-ratelimit-remaining-requests")).containsExactly("1");
        assertThat(first.headers().values("x-ratelimit-reset-requests")).containsExactly("30s");
        client.chat().completions().create(hello());

        RateLimitException refused = catchThrowableOfType(
                RateLimitException.class, () -> client.chat().completions().create(hello()));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.type()).hasValue("rate_limit_error");
        assertThat(refused.code()).hasValue("rate_limit_exceeded");
        assertThat(refused.getMessage()).contains("Rate limit reached for tenant 'rpm'", "2 requests per minute");
        // one request comes back every 30 s; the first came back a little before the third was refused
        assertThat(Long.parseLong(refused.headers().values("retry-after").getFirst()))
                .isBetween(1L, 30L);
        assertThat(refused.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
        assertThat(refused.headers().values("x-request-id"))
                .singleElement()
                .asString()
                .startsWith("req_");
        assertThat(fixture.simA.requests().size() - before)
                .as("the refused request never reached the upstream")
                .isEqualTo(2);
    }

    @Test
    void tokensPerMinuteCountThePromptEstimateThenTheUpstreamsRealCount() {
        OpenAIClient client = fixture.openAi(TPM_KEY);

        Answer first = call(client);
        long remainingAfterEstimate = Long.parseLong(
                first.headers().values("x-ratelimit-remaining-tokens").getFirst());
        long estimate = 5000 - remainingAfterEstimate;
        long realTokens = first.body().usage().orElseThrow().totalTokens();
        Answer second = call(client);

        assertThat(estimate).isPositive();
        assertThat(first.headers().values("x-ratelimit-limit-tokens")).containsExactly("5000");
        // the first request's estimate was replaced by its real count before the second took its own estimate
        // (the refill over a few milliseconds is far below one token: 5,000 per minute is one every 12 ms)
        long remaining = Long.parseLong(
                second.headers().values("x-ratelimit-remaining-tokens").getFirst());
        assertThat(remaining).isBetween(5000 - realTokens - estimate, 5000 - realTokens - estimate + 3);
        assertThat(realTokens).isNotEqualTo(estimate);
    }

    @Test
    void theAnthropicSdkGetsARateLimitErrorInAnthropicsShape() throws Exception {
        AnthropicClient anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(ANTHROPIC_KEY)
                .maxRetries(0)
                .build();
        MessageCreateParams params = MessageCreateParams.builder()
                .model("chat-small")
                .maxTokens(100)
                .addUserMessage("Hello")
                .build();
        anthropic.messages().create(params);

        var refused = catchThrowableOfType(
                com.anthropic.errors.RateLimitException.class,
                () -> anthropic.messages().create(params));
        HttpResponse<String> raw = fixture.post(
                "/v1/messages",
                ANTHROPIC_KEY,
                "{\"model\":\"chat-small\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(raw.statusCode()).isEqualTo(429);
        JsonNode body = JSON.readTree(raw.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("rate_limit_error");
        assertThat(body.path("error").path("message").asText()).contains("Rate limit reached for key");
        assertThat(body.path("request_id").asText()).startsWith("req_");
        assertThat(raw.headers().firstValue("retry-after")).isPresent();
        assertThat(raw.headers().firstValue("anthropic-ratelimit-requests-remaining"))
                .hasValue("0");
        assertThat(raw.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1");
    }

    @Test
    void aSecondConcurrentStreamIsRefusedUntilTheFirstEndsWhileWholeAnswersGoOn() throws Exception {
        HttpResponse<InputStream> open = http.send(streamRequest(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(open.statusCode()).isEqualTo(200);
        BufferedReader reader = new BufferedReader(new InputStreamReader(open.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).startsWith("data: ");

        HttpResponse<String> second = http.send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> whole = fixture.post("/v1/chat/completions", STREAMS_KEY, CHAT);

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(second.body()).path("error").path("message").asText())
                .contains("tenant 'streams'", "1 concurrent streams");
        assertThat(second.headers().firstValue("retry-after")).hasValue("1");
        assertThat(whole.statusCode()).isEqualTo(200);

        String line;
        String last = null;
        while ((line = reader.readLine()) != null) {
            if (!line.isEmpty()) {
                last = line;
            }
        }
        assertThat(last).isEqualTo("data: [DONE]");
        assertThat(http.send(streamRequest(), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("the slot is free once the first stream ended")
                .isEqualTo(200);
    }

    private HttpRequest streamRequest() {
        return HttpRequest.newBuilder(URI.create(fixture.baseUrl() + "/chat/completions"))
                .header("authorization", "Bearer " + STREAMS_KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"chat-small\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                                + "\"content\":\"Tell me a long story\"}]}"))
                .build();
    }
}
