package dev.tollgate.wire.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.openai.OpenAiDialect;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mapping pitfalls other gateways' users reported (../shared/reference/wire-formats.md), each pinned by a recorded
 * or hand-written fixture in the providers' exact format.
 */
class TranslationPitfallsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UpstreamCall ANTHROPIC = new UpstreamCall("claude-x", "anthropic/claude-x", 1024, 0, false);

    @Test
    void interleavedArgumentFragmentsOfParallelCallsKeepTheirCallsAcrossDialects() throws Exception {
        byte[] recorded = StreamGoldenTest.golden("openai-interleaved-parallel-tools.sse");

        List<StreamEvent> events =
                StreamGoldenTest.decode(OpenAiDialect.INSTANCE, recorded, 3).events();

        assertThat(events)
                .filteredOn(e -> e instanceof StreamEvent.ToolCallDelta)
                .extracting(e -> ((StreamEvent.ToolCallDelta) e).index())
                .containsExactly(1, 0, 1, 0);
        ChatResponse fromOpenAi = DialectRoundTripPropertiesTest.fold(events);
        assertThat(fromOpenAi.content())
                .containsExactly(
                        new ContentPart.ToolUse("call_paris", "get_weather", "{\"city\": \"Paris\"}"),
                        new ContentPart.ToolUse("call_tokyo", "get_time", "{\"city\": \"Tokyo\"}"));

        // To an Anthropic caller: each call is its own content block, whatever order the fragments came in.
        IngressDialect.StreamEncoder encoder =
                AnthropicDialect.INSTANCE.streamEncoder(DialectRoundTripPropertiesTest.request(true), "req_1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        events.forEach(e -> out.writeBytes(encoder.encode(e)));
        out.writeBytes(encoder.end());
        var anthropic = StreamGoldenTest.decode(AnthropicDialect.INSTANCE, out.toByteArray(), 7);
        assertThat(anthropic.complete()).isTrue();
        ChatResponse toAnthropic = DialectRoundTripPropertiesTest.fold(anthropic.events());
        assertThat(toAnthropic.content()).isEqualTo(fromOpenAi.content());
        assertThat(toAnthropic.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(toAnthropic.usage().inputTokens()).isEqualTo(81);
        assertThat(toAnthropic.usage().outputTokens()).isEqualTo(44);
    }

    @Test
    void aToolCallOnlyAssistantTurnWithEmptyContentBecomesNoEmptyTextBlock() throws Exception {
        String openAi = """
                {"model":"claude","messages":[
                  {"role":"user","content":"weather?"},
                  {"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function",
                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"sunny"}]}""";

        ChatRequest request = OpenAiDialect.INSTANCE.decodeRequest(openAi.getBytes(StandardCharsets.UTF_8));
        JsonNode sent = JSON.readTree(
                AnthropicDialect.INSTANCE.encodeRequest(request, ANTHROPIC).body());

        JsonNode assistant = sent.get("messages").get(1).get("content");
        assertThat(assistant).hasSize(1);
        assertThat(assistant.get(0).get("type").asText()).isEqualTo("tool_use");
        assertThat(assistant.get(0).get("input").get("city").asText()).isEqualTo("Paris");
        assertThat(sent.get("messages").get(2).get("content").get(0).get("type").asText())
                .isEqualTo("tool_result");
    }

    @Test
    void anEmptyTextPartOfAnAnswerIsNotEncodedAsAnEmptyAnthropicBlock() throws Exception {
        ChatResponse answer = new ChatResponse(
                "chatcmpl-1",
                "gpt",
                List.of(new ContentPart.Text(""), new ContentPart.ToolUse("call_1", "get_time", "{}")),
                FinishReason.TOOL_CALLS,
                null,
                new TokenUsage(10, 5, 0, 0, 0));

        JsonNode body = JSON.readTree(AnthropicDialect.INSTANCE.encodeResponse(
                answer, DialectRoundTripPropertiesTest.request(false), "req_1"));

        assertThat(body.get("content")).hasSize(1);
        assertThat(body.get("content").get(0).get("type").asText()).isEqualTo("tool_use");
        assertThat(body.get("stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void aStopSequenceIsStopForOpenAiCallersAndKeepsItsSequenceForAnthropicCallers() throws Exception {
        String upstream = """
                {"id":"msg_01","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"text","text":"one, two"}],"stop_reason":"stop_sequence","stop_sequence":"three",
                 "usage":{"input_tokens":12,"output_tokens":4}}""";

        ChatResponse decoded = AnthropicDialect.INSTANCE.decodeResponse(upstream.getBytes(StandardCharsets.UTF_8));

        assertThat(decoded.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        assertThat(decoded.stopSequence()).isEqualTo("three");
        JsonNode openAi = JSON.readTree(
                OpenAiDialect.INSTANCE.encodeResponse(decoded, DialectRoundTripPropertiesTest.request(false), "req_1"));
        assertThat(openAi.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode anthropic = JSON.readTree(AnthropicDialect.INSTANCE.encodeResponse(
                decoded, DialectRoundTripPropertiesTest.request(false), "req_1"));
        assertThat(anthropic.get("stop_reason").asText()).isEqualTo("stop_sequence");
        assertThat(anthropic.get("stop_sequence").asText()).isEqualTo("three");
    }

    @Test
    void aContextWindowStopIsLengthForOpenAiCallers() throws Exception {
        String upstream = """
                {"id":"msg_02","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"text","text":"cut"}],"stop_reason":"model_context_window_exceeded",
                 "stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":4}}""";

        ChatResponse decoded = AnthropicDialect.INSTANCE.decodeResponse(upstream.getBytes(StandardCharsets.UTF_8));
        JsonNode openAi = JSON.readTree(
                OpenAiDialect.INSTANCE.encodeResponse(decoded, DialectRoundTripPropertiesTest.request(false), "req_1"));

        assertThat(decoded.finishReason()).isEqualTo(FinishReason.CONTEXT_WINDOW_EXCEEDED);
        assertThat(openAi.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void nAboveOneToAnthropicIsRefusedNamingTheParameterAndTheDeploymentUnlessDropped() throws Exception {
        ChatRequest request = OpenAiDialect.INSTANCE.decodeRequest(
                "{\"model\":\"claude\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                        .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> AnthropicDialect.INSTANCE.encodeRequest(request, ANTHROPIC))
                .isInstanceOfSatisfying(UnsupportedParameterException.class, e -> {
                    assertThat(e.param()).isEqualTo("n");
                    assertThat(e.getMessage()).contains("anthropic/claude-x");
                });
        UpstreamCall lenient = new UpstreamCall("claude-x", "anthropic/claude-x", 1024, 0, true);
        assertThat(JSON.readTree(AnthropicDialect.INSTANCE
                                .encodeRequest(request, lenient)
                                .body())
                        .has("n"))
                .isFalse();
    }
}
