package dev.tollgate.wire.bedrock;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.canonical.UpstreamRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden fixtures in src/test/resources/golden/bedrock. The binary streams were framed by an independent encoder
 * (Python's zlib CRC32), not by the codec under test.
 */
class BedrockDialectTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLAUDE = "anthropic.claude-sonnet-4-20250514-v1:0";
    private static final UpstreamCall CALL = new UpstreamCall(CLAUDE, "aws/claude", 1024, 8192, false);

    @Test
    void encodesAFullConversationAsConverseExpectsIt() throws Exception {
        UpstreamRequest encoded = BedrockDialect.INSTANCE.encodeRequest(fullRequest(false), CALL);

        assertThat(encoded.path()).isEqualTo("/model/anthropic.claude-sonnet-4-20250514-v1%3A0/converse");
        assertThat(JSON.readTree(encoded.body())).isEqualTo(JSON.readTree(fixture("request-full.json")));
    }

    @Test
    void streamsThroughConverseStream() throws Exception {
        UpstreamRequest encoded = BedrockDialect.INSTANCE.encodeRequest(fullRequest(true), CALL);

        assertThat(encoded.path()).isEqualTo("/model/anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream");
        assertThat(encoded.headers()).containsEntry("accept", "application/vnd.amazon.eventstream");
    }

    @Test
    void aToolCallOnlyTurnSendsNoEmptyTextBlock() throws Exception {
        ChatRequest request = request(List.of(
                Message.user("weather?"),
                new Message(
                        Role.ASSISTANT,
                        List.of(new ContentPart.Text(""), new ContentPart.ToolUse("t1", "get_weather", "{}"))),
                new Message(Role.USER, List.of(new ContentPart.ToolResult("t1", "sunny", false)))));

        var body = JSON.readTree(
                BedrockDialect.INSTANCE.encodeRequest(request, CALL).body());

        assertThat(body.at("/messages/1/content").size()).isEqualTo(1);
        assertThat(body.at("/messages/1/content/0/toolUse/toolUseId").asText()).isEqualTo("t1");
    }

    @Test
    void decodesAWholeAnswerWithReasoningAndCacheReads() throws Exception {
        ChatResponse response = BedrockDialect.INSTANCE.decodeResponse(fixture("response-reasoning-tool.json"));

        assertThat(response.content())
                .containsExactly(
                        new ContentPart.Thinking("Rain is likely.", "RXF2c2ln"),
                        new ContentPart.Text("Take an umbrella."),
                        new ContentPart.ToolUse("tooluse_1", "log_advice", "{\"advice\":\"umbrella\"}"));
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        // Bedrock's inputTokens leaves the cache out; the canonical input is the whole prompt
        assertThat(response.usage()).isEqualTo(new TokenUsage(1036, 30, 1024, 0, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"stream-thinking-parallel-tools", "stream-mid-throttle"})
    void decodesRecordedBinaryStreamsWhateverTheChunking(String name) throws Exception {
        byte[] stream = fixture(name + ".bin");
        String expected = new String(fixture(name + ".events"), UTF_8);

        assertThat(decode(stream, stream.length)).isEqualTo(expected);
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int run = 0; run < 20; run++) {
            assertThat(decode(stream, 1 + random.nextInt(64))).isEqualTo(expected);
        }
    }

    @Test
    void aStreamCutBeforeItsMetadataWasCut() throws Exception {
        byte[] stream = fixture("stream-thinking-parallel-tools.bin");
        UpstreamDialect.StreamDecoder decoder = BedrockDialect.INSTANCE.streamDecoder();
        List<StreamEvent> events = new ArrayList<>();

        decoder.feed(stream, 0, stream.length - 20, events::add);

        assertThat(decoder.end(events::add)).isFalse();
        assertThat(events).noneMatch(e -> e instanceof StreamEvent.UsageReport);
    }

    @Test
    void refusesAFrameWhoseChecksumDoesNotMatch() throws Exception {
        byte[] stream = fixture("stream-mid-throttle.bin");
        byte[] corrupt = Arrays.copyOf(stream, stream.length);
        corrupt[40] ^= 0x20;

        assertThatThrownBy(() -> BedrockDialect.INSTANCE.streamDecoder().feed(corrupt, 0, corrupt.length, e -> {}))
                .isInstanceOf(UpstreamFormatException.class);
    }

    @Test
    void readsFramesItEncodesItself() throws Exception {
        byte[] frame =
                EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"x\"}}");
        List<StreamEvent> events = new ArrayList<>();

        BedrockDialect.INSTANCE.streamDecoder().feed(frame, 0, frame.length, events::add);

        assertThat(events).last().isEqualTo(new StreamEvent.TextDelta("x"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "429|ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/|{\"message\":\"Too many"
                        + " requests, please wait before trying again.\"}|429|rate_limited|true",
                "400|ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/|{\"message\":\"Input is"
                        + " too long for requested model.\"}|400|context_length_exceeded|false",
                "400|ValidationException|{\"message\":\"messages: text content blocks must be non-empty\"}"
                        + "|400|invalid_request|false",
                "403|AccessDeniedException|{\"message\":\"You don't have access to the model.\"}|502|upstream_auth_failed|true",
                "503|ServiceUnavailableException|{\"message\":\"Too many connections\"}|503|overloaded|true",
                "404|ResourceNotFoundException|{\"message\":\"Model not found\"}|404|model_not_found|true",
                "408|ModelTimeoutException|{\"message\":\"timed out\"}|504|timeout|true",
            })
    void mapsBedrockErrors(int status, String type, String body, int shown, String code, boolean deploymentFault) {
        ProviderError error = BedrockDialect.INSTANCE.mapError(
                status, header -> header.equals("x-amzn-errortype") ? type : null, body.getBytes(UTF_8), 0);

        assertThat(error.error().status()).isEqualTo(shown);
        assertThat(error.error().code()).isEqualTo(code);
        assertThat(error.deploymentFault()).isEqualTo(deploymentFault);
    }

    private static String decode(byte[] stream, int chunk) throws Exception {
        UpstreamDialect.StreamDecoder decoder = BedrockDialect.INSTANCE.streamDecoder();
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < stream.length; at += chunk) {
            decoder.feed(
                    stream,
                    at,
                    Math.min(chunk, stream.length - at),
                    e -> out.append(e).append('\n'));
        }
        decoder.end(e -> out.append(e).append('\n'));
        return out.toString().replaceAll("msg_bdrk_[a-z0-9]{24}", "msg_bdrk_<synthetic>");
    }

    static ChatRequest fullRequest(boolean stream) {
        List<Message> messages = List.of(
                new Message(
                        Role.USER,
                        List.of(
                                new ContentPart.Text("What should I wear in Paris?"),
                                ContentPart.Image.inline("image/png", "iVBORw0KGgo="))),
                new Message(
                        Role.ASSISTANT,
                        List.of(
                                new ContentPart.Thinking("Weather first.", "c2lnLTE="),
                                new ContentPart.Text(""),
                                new ContentPart.ToolUse("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                new Message(
                        Role.USER,
                        List.of(
                                new ContentPart.ToolResult("call_1", "{\"temp_c\":11,\"sky\":\"rain\"}", false),
                                new ContentPart.ToolResult("call_2", "station offline", true))));
        return new ChatRequest(
                "alias",
                "You are terse.",
                messages,
                List.of(
                        new Tool(
                                "get_weather",
                                "Current weather",
                                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")),
                ToolChoice.REQUIRED,
                null,
                ResponseFormat.JSON_OBJECT,
                List.of("END"),
                0.2,
                0.9,
                40,
                100_000,
                null,
                null,
                null,
                new Reasoning(2048, null),
                stream,
                stream,
                Map.of());
    }

    private static ChatRequest request(List<Message> messages) {
        return new ChatRequest(
                "m",
                null,
                messages,
                List.of(new Tool("get_weather", null, null)),
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
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = BedrockDialectTest.class.getResourceAsStream("/golden/bedrock/" + name)) {
            if (in == null) {
                throw new IOException("missing fixture " + name);
            }
            return in.readAllBytes();
        }
    }
}
