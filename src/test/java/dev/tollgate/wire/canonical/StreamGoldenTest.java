package dev.tollgate.wire.canonical;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.openai.OpenAiDialect;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recorded provider streams (src/test/resources/golden/*.sse, in the providers' exact wire format) decoded into
 * canonical events, and canonical events encoded into each caller dialect, compared byte for byte with reviewed
 * golden files. Every decode is also fed one byte at a time: the events must not depend on network chunking.
 */
class StreamGoldenTest {
    private static final ChatRequest OPENAI_CALLER = new ChatRequest(
            "claude",
            null,
            List.of(Message.user("hi")),
            List.of(),
            null,
            null,
            null,
            List.of(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            true,
            true,
            Map.of());

    record Decoded(List<StreamEvent> events, boolean complete) {}

    static Decoded decode(UpstreamDialect dialect, byte[] bytes, int chunk) throws UpstreamFormatException {
        UpstreamDialect.StreamDecoder decoder = dialect.streamDecoder();
        List<StreamEvent> events = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += chunk) {
            decoder.feed(bytes, at, Math.min(chunk, bytes.length - at), events::add);
        }
        boolean complete = decoder.end(events::add);
        return new Decoded(events, complete);
    }

    static byte[] golden(String name) throws IOException {
        try (InputStream in = StreamGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Compares with a golden file; on a difference, writes the actual bytes to target/golden-actual for review. */
    static void assertGolden(String name, byte[] actual) throws IOException {
        String expected;
        try (InputStream in = StreamGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            expected = in == null
                    ? "(no golden file " + name + ")"
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String got = new String(actual, StandardCharsets.UTF_8);
        if (!expected.equals(got)) {
            Path out = Path.of("target", "golden-actual", name);
            Files.createDirectories(out.getParent());
            Files.writeString(out, got);
        }
        assertThat(got).isEqualTo(expected);
    }

    static byte[] encode(IngressDialect dialect, ChatRequest request, List<StreamEvent> events) {
        IngressDialect.StreamEncoder encoder = dialect.streamEncoder(request, "req_golden");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (StreamEvent e : events) {
            out.writeBytes(encoder.encode(e));
        }
        out.writeBytes(encoder.end());
        return out.toByteArray();
    }

    /** OpenAI chunks carry the encoding time in {@code created}; golden files have 0 there. */
    static byte[] withoutTime(byte[] openAi) {
        return new String(openAi, StandardCharsets.UTF_8)
                .replaceAll("\"created\":\\d+", "\"created\":0")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static final List<StreamEvent> THINKING_PARALLEL_TOOLS = List.of(
            new StreamEvent.MessageStart(
                    "msg_01XFDUDYJgAACzvnptvVoYEL", "claude-sonnet-4-5", new TokenUsage(1496, 2, 1024, 0, 0)),
            new StreamEvent.ReasoningDelta("Two lookups"),
            new StreamEvent.ReasoningDelta(" are needed."),
            new StreamEvent.ReasoningSignature("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"),
            new StreamEvent.TextDelta("Checking both."),
            new StreamEvent.ToolCallStart(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"),
            new StreamEvent.ToolCallDelta(0, "{\"city\": \"Par"),
            new StreamEvent.ToolCallDelta(0, "is\"}"),
            new StreamEvent.ToolCallStart(1, "toolu_01BhX4pAZWDG5U1pRZkWvG2Z", "get_time"),
            new StreamEvent.ToolCallDelta(1, "{\"city\": \"Tokyo\"}"),
            new StreamEvent.UsageReport(new TokenUsage(0, 89, 0, 0, 0)),
            new StreamEvent.Finish(FinishReason.TOOL_CALLS, null));

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1 << 20})
    void anthropicThinkingAndParallelToolUseDecodeToIndexedToolCalls(int chunk) throws Exception {
        Decoded d = decode(AnthropicDialect.INSTANCE, golden("anthropic-thinking-parallel-tools.sse"), chunk);

        assertThat(d.events()).containsExactlyElementsOf(THINKING_PARALLEL_TOOLS);
        assertThat(d.complete()).isTrue();
    }

    @Test
    void anthropicThinkingAndParallelToolUseBecomeOpenAiChunksWithUsageLast() throws Exception {
        assertGolden(
                "encoded-openai-thinking-parallel-tools.sse",
                withoutTime(encode(OpenAiDialect.INSTANCE, OPENAI_CALLER, THINKING_PARALLEL_TOOLS)));
    }

    @Test
    void anthropicThinkingAndParallelToolUseReEncodeAsTheSameAnthropicBlocks() throws Exception {
        assertGolden(
                "encoded-anthropic-thinking-parallel-tools.sse",
                encode(AnthropicDialect.INSTANCE, OPENAI_CALLER, THINKING_PARALLEL_TOOLS));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 1 << 20})
    void anthropicMidStreamErrorIsAFailureEvent(int chunk) throws Exception {
        Decoded d = decode(AnthropicDialect.INSTANCE, golden("anthropic-mid-stream-error.sse"), chunk);

        assertThat(d.events())
                .containsExactly(
                        new StreamEvent.MessageStart("msg_01A", "claude-sonnet-4-5", new TokenUsage(12, 1, 0, 0, 0)),
                        new StreamEvent.TextDelta("Hello"),
                        new StreamEvent.Failure(new GatewayError(
                                503, GatewayError.Kind.UNAVAILABLE, "overloaded", null, "Overloaded", 0)));
        assertThat(d.complete()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1 << 20})
    void aCutAnthropicStreamDecodesWhatCameAndReportsItIncomplete(int chunk) throws Exception {
        Decoded d = decode(AnthropicDialect.INSTANCE, golden("anthropic-cut.sse"), chunk);

        assertThat(d.events())
                .containsExactly(
                        new StreamEvent.MessageStart("msg_01B", "claude-sonnet-4-5", new TokenUsage(12, 1, 0, 0, 0)),
                        new StreamEvent.TextDelta("Hel"));
        assertThat(d.complete()).isFalse();
    }

    private static final List<StreamEvent> OPENAI_PARALLEL_TOOLS = List.of(
            new StreamEvent.MessageStart("chatcmpl-B9", "gpt-4o-2024-08-06", null),
            new StreamEvent.ToolCallStart(0, "call_aaa", "get_weather"),
            new StreamEvent.ToolCallDelta(0, "{\"city\":"),
            new StreamEvent.ToolCallDelta(0, "\"Paris\"}"),
            new StreamEvent.ToolCallStart(1, "call_bbb", "get_time"),
            new StreamEvent.ToolCallDelta(1, "{\"city\":\"Tokyo\"}"),
            new StreamEvent.Finish(FinishReason.TOOL_CALLS, null),
            new StreamEvent.UsageReport(new TokenUsage(82, 36, 64, 0, 0)));

    @ParameterizedTest
    @ValueSource(ints = {1, 11, 1 << 20})
    void openAiParallelToolCallsAndTheUsageOnlyFinalChunkDecode(int chunk) throws Exception {
        Decoded d = decode(OpenAiDialect.INSTANCE, golden("openai-parallel-tools-usage.sse"), chunk);

        assertThat(d.events()).containsExactlyElementsOf(OPENAI_PARALLEL_TOOLS);
        assertThat(d.complete()).isTrue();
    }

    @Test
    void openAiParallelToolCallsBecomeAnthropicToolUseBlocksWithUsageInMessageDelta() throws Exception {
        assertGolden(
                "encoded-anthropic-parallel-tools.sse",
                encode(AnthropicDialect.INSTANCE, OPENAI_CALLER, OPENAI_PARALLEL_TOOLS));
    }

    @Test
    void reasoningContentAndVllmReasoningAndANullChoicesUsageChunkDecode() throws Exception {
        Decoded d = decode(OpenAiDialect.INSTANCE, golden("openai-reasoning-vllm-usage.sse"), 1 << 20);

        assertThat(d.events())
                .containsExactly(
                        new StreamEvent.MessageStart("r1", "deepseek-reasoner", null),
                        new StreamEvent.ReasoningDelta("Think"),
                        new StreamEvent.ReasoningDelta(" harder"),
                        new StreamEvent.TextDelta("42"),
                        new StreamEvent.Finish(FinishReason.LENGTH, null),
                        new StreamEvent.UsageReport(new TokenUsage(10, 20, 0, 0, 15)));
        assertThat(d.complete()).isTrue();
    }

    @Test
    void anOpenAiStreamWithoutDoneIsIncomplete() throws Exception {
        byte[] all = golden("openai-parallel-tools-usage.sse");
        String text = new String(all, StandardCharsets.UTF_8);
        byte[] cut = text.substring(0, text.indexOf("data: [DONE]")).getBytes(StandardCharsets.UTF_8);

        assertThat(decode(OpenAiDialect.INSTANCE, cut, 1 << 20).complete()).isFalse();
    }
}
