package dev.tollgate.wire.gemini;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.ChatResponse;
import dev.tollgate.wire.canonical.ContentPart;
import dev.tollgate.wire.canonical.FinishReason;
import dev.tollgate.wire.canonical.Message;
import dev.tollgate.wire.canonical.ProviderError;
import dev.tollgate.wire.canonical.Reasoning;
import dev.tollgate.wire.canonical.ResponseFormat;
import dev.tollgate.wire.canonical.Role;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.Tool;
import dev.tollgate.wire.canonical.ToolChoice;
import dev.tollgate.wire.canonical.UnsupportedParameterException;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Golden fixtures in src/test/resources/golden/gemini: requests as Gemini must receive them, streams as it sends them. */
class GeminiDialectTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UpstreamCall CALL = new UpstreamCall("gemini-2.5-flash", "google/gemini", 1024, 8192, false);

    @Test
    void encodesAFullConversationAsGeminiExpectsIt() throws Exception {
        UpstreamRequest encoded = GeminiDialect.googleAi().encodeRequest(fullRequest(false), CALL);

        assertThat(encoded.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(JSON.readTree(encoded.body())).isEqualTo(JSON.readTree(fixture("request-full.json")));
    }

    @Test
    void streamsThroughSseOnVertexUrls() throws Exception {
        UpstreamRequest encoded =
                GeminiDialect.vertex("my-project", "europe-west4").encodeRequest(fullRequest(true), CALL);

        assertThat(encoded.path())
                .isEqualTo("/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash"
                        + ":streamGenerateContent?alt=sse");
    }

    @Test
    void defaultsMaxTokensWhenTheCallerGaveNone() throws Exception {
        ChatRequest request = simple(null);

        byte[] body = GeminiDialect.googleAi().encodeRequest(request, CALL).body();

        assertThat(JSON.readTree(body).at("/generationConfig/maxOutputTokens").asInt())
                .isEqualTo(1024);
        assertThat(JSON.readTree(body).has("systemInstruction")).isFalse();
    }

    @Test
    void refusesParametersItCannotHonourUnlessTheDeploymentDropsThem() throws Exception {
        ChatRequest twoChoices = new ChatRequest(
                "m",
                null,
                List.of(Message.user("hi")),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                2,
                null,
                null,
                null,
                false,
                false,
                null);

        assertThatThrownBy(() -> GeminiDialect.googleAi().encodeRequest(twoChoices, CALL))
                .isInstanceOf(UnsupportedParameterException.class)
                .hasMessageContaining("'n'")
                .hasMessageContaining("google/gemini");
        UpstreamCall dropping = new UpstreamCall("gemini-2.5-flash", "google/gemini", 0, 0, true);
        assertThat(JSON.readTree(GeminiDialect.googleAi()
                                .encodeRequest(twoChoices, dropping)
                                .body())
                        .has("generationConfig"))
                .isFalse();
    }

    @Test
    void refusesImageUrlsItWouldHaveToFetch() {
        ChatRequest request = new ChatRequest(
                "m",
                null,
                List.of(new Message(Role.USER, List.of(ContentPart.Image.ofUrl("https://example.com/cat.png")))),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                false,
                null);

        assertThatThrownBy(() -> GeminiDialect.googleAi().encodeRequest(request, CALL))
                .isInstanceOf(UnsupportedParameterException.class)
                .hasMessageContaining("does not fetch image URLs");
    }

    @Test
    void decodesAWholeAnswerWithThoughtsAndCachedTokens() throws Exception {
        ChatResponse response = GeminiDialect.googleAi().decodeResponse(fixture("response-thinking-cached.json"));

        assertThat(response.id()).isEqualTo("resp-gold-3");
        assertThat(response.model()).isEqualTo("gemini-2.5-pro");
        assertThat(response.content())
                .containsExactly(
                        new ContentPart.Thinking("Weighing the options.", null),
                        new ContentPart.Text("Pack an umbrella."));
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        // completion = candidates + thoughts; the prompt count already includes the cached part
        assertThat(response.usage()).isEqualTo(new TokenUsage(1040, 29, 1024, 0, 24));
    }

    @ParameterizedTest
    @ValueSource(strings = {"stream-thinking-parallel-tools", "stream-max-tokens", "stream-mid-error"})
    void decodesRecordedStreamsWhateverTheChunking(String name) throws Exception {
        byte[] stream = fixture(name + ".sse");
        String expected = new String(fixture(name + ".events"), UTF_8);

        assertThat(decode(stream, stream.length)).isEqualTo(expected);
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int run = 0; run < 20; run++) {
            assertThat(decode(stream, 1 + random.nextInt(40))).isEqualTo(expected);
        }
    }

    @Test
    void aStreamWithoutFinishReasonWasCut() throws Exception {
        byte[] stream = fixture("stream-max-tokens.sse");
        String text = new String(stream, UTF_8);
        byte[] cut = text.substring(0, text.indexOf("\r\n\r\n") + 4).getBytes(UTF_8);
        UpstreamDialect.StreamDecoder decoder = GeminiDialect.googleAi().streamDecoder();
        List<StreamEvent> events = new ArrayList<>();

        decoder.feed(cut, 0, cut.length, events::add);

        assertThat(decoder.end(events::add)).isFalse();
        assertThat(events).noneMatch(e -> e instanceof StreamEvent.Finish);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "429|{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":\"RESOURCE_EXHAUSTED\","
                        + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"37s\"}]}}"
                        + "|429|rate_limited|37000|true",
                "400|{\"error\":{\"code\":400,\"message\":\"The input token count (1200000) exceeds the maximum number"
                        + " of tokens allowed (1048576).\",\"status\":\"INVALID_ARGUMENT\"}}|400|context_length_exceeded|-1|false",
                "503|{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}"
                        + "|503|overloaded|-1|true",
                "400|{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\","
                        + "\"status\":\"INVALID_ARGUMENT\"}}|502|upstream_auth_failed|-1|true",
                "400|{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload\",\"status\":\"INVALID_ARGUMENT\"}}"
                        + "|400|invalid_request|-1|false",
                "500|<html>oops</html>|502|upstream_error|-1|true",
            })
    void mapsGoogleErrors(int status, String body, int shown, String code, long retryAfter, boolean deploymentFault) {
        ProviderError error = GeminiDialect.googleAi().mapError(status, header -> null, body.getBytes(UTF_8), 0);

        assertThat(error.error().status()).isEqualTo(shown);
        assertThat(error.error().code()).isEqualTo(code);
        assertThat(error.retryAfterMillis()).isEqualTo(retryAfter);
        assertThat(error.deploymentFault()).isEqualTo(deploymentFault);
        assertThat(error.error().type()).isNotNull().isInstanceOf(GatewayError.Kind.class);
    }

    private static String decode(byte[] stream, int chunk) throws Exception {
        UpstreamDialect.StreamDecoder decoder = GeminiDialect.googleAi().streamDecoder();
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < stream.length; at += chunk) {
            decoder.feed(
                    stream,
                    at,
                    Math.min(chunk, stream.length - at),
                    e -> out.append(e).append('\n'));
        }
        decoder.end(e -> out.append(e).append('\n'));
        return out.toString().replaceAll("call_[a-z0-9]{24}", "call_<synthetic>");
    }

    static ChatRequest fullRequest(boolean stream) {
        List<Message> messages = List.of(
                new Message(
                        Role.USER,
                        List.of(
                                new ContentPart.Text("What should I wear in Paris?"),
                                ContentPart.Image.ofUrl("data:image/png;base64,iVBORw0KGgo="))),
                new Message(
                        Role.ASSISTANT,
                        List.of(
                                new ContentPart.Text("Let me check the weather."),
                                new ContentPart.Thinking("", "c2lnLTE="),
                                new ContentPart.ToolUse("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                new Message(
                        Role.USER,
                        List.of(
                                new ContentPart.ToolResult("call_1", "{\"temp_c\":11,\"sky\":\"rain\"}", false),
                                new ContentPart.ToolResult("call_1", "station offline", true))));
        return new ChatRequest(
                "alias",
                "You are terse.",
                messages,
                List.of(new Tool(
                        "get_weather",
                        "Current weather",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                                + "\"required\":[\"city\"],\"additionalProperties\":false}")),
                ToolChoice.REQUIRED,
                null,
                new ResponseFormat(
                        ResponseFormat.Type.JSON_SCHEMA,
                        "advice",
                        "{\"type\":\"object\",\"properties\":{\"advice\":{\"type\":\"string\"}}}",
                        true),
                List.of("END"),
                0.2,
                0.9,
                null,
                100_000,
                null,
                null,
                null,
                new Reasoning(2048, null),
                stream,
                stream,
                Map.of("user_id", "u-1"));
    }

    private static ChatRequest simple(Integer maxTokens) {
        return new ChatRequest(
                "m",
                null,
                List.of(Message.user("hi")),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                maxTokens,
                null,
                null,
                null,
                null,
                false,
                false,
                null);
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = GeminiDialectTest.class.getResourceAsStream("/golden/gemini/" + name)) {
            if (in == null) {
                throw new IOException("missing fixture " + name);
            }
            return in.readAllBytes();
        }
    }
}
