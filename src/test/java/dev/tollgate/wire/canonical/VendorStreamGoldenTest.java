package dev.tollgate.wire.canonical;

import static dev.tollgate.wire.canonical.StreamGoldenTest.assertGolden;
import static dev.tollgate.wire.canonical.StreamGoldenTest.decode;
import static dev.tollgate.wire.canonical.StreamGoldenTest.golden;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.wire.openai.OpenAiCompatibleDialect;
import dev.tollgate.wire.openai.VendorProfile;
import dev.tollgate.wire.responses.ResponsesDialect;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vendor streams in their recorded shapes (src/test/resources/golden/vendors) decoded by the one OpenAI-compatible
 * adapter, and canonical events encoded as the Responses API's named events, compared with a reviewed golden file.
 */
class VendorStreamGoldenTest {
    private static final UpstreamDialect AZURE = OpenAiCompatibleDialect.azure("2024-10-21");

    @ParameterizedTest
    @ValueSource(ints = {1, 13, 1 << 20})
    void azuresPromptFilterOpeningChunkIsSkippedAndAFilteredAnswerEndsWithContentFilter(int chunk) throws Exception {
        var d = decode(AZURE, golden("vendors/azure-content-filter.sse"), chunk);

        assertThat(d.events())
                .containsExactly(
                        new StreamEvent.MessageStart("chatcmpl-AZ1", "gpt-4o-2024-11-20", null),
                        new StreamEvent.TextDelta("Hello"),
                        new StreamEvent.Finish(FinishReason.CONTENT_FILTER, null),
                        new StreamEvent.UsageReport(new TokenUsage(12, 1, 0, 0, 0)));
        assertThat(d.complete()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1 << 20})
    void moonshotsUsageInsideTheLastChoiceWithTopLevelCachedTokensIsRead(int chunk) throws Exception {
        var d = decode(
                OpenAiCompatibleDialect.vendor(VendorProfile.of("moonshot")),
                golden("vendors/moonshot-usage-in-choice.sse"),
                chunk);

        assertThat(d.events())
                .containsExactly(
                        new StreamEvent.MessageStart("cmpl-k1", "kimi-k2-thinking", null),
                        new StreamEvent.ReasoningDelta("Hmm."),
                        new StreamEvent.TextDelta("Hi"),
                        new StreamEvent.Finish(FinishReason.STOP, null),
                        new StreamEvent.UsageReport(new TokenUsage(19, 7, 16, 0, 0)));
    }

    @Test
    void miniMaxReasoningDetailsBecomeReasoningDeltas() throws Exception {
        var d = decode(
                OpenAiCompatibleDialect.vendor(VendorProfile.of("minimax")),
                golden("vendors/minimax-reasoning-details.sse"),
                1 << 20);

        assertThat(d.events())
                .containsExactly(
                        new StreamEvent.MessageStart("05b8", "MiniMax-M2", null),
                        new StreamEvent.ReasoningDelta("The user"),
                        new StreamEvent.ReasoningDelta(" greets me."),
                        new StreamEvent.TextDelta("Hello!"),
                        new StreamEvent.Finish(FinishReason.STOP, null),
                        new StreamEvent.UsageReport(new TokenUsage(40, 12, 0, 0, 8)));
    }

    @Test
    void deepSeekReasonerStreamsReasoningThenContentWithReasoningTokens() throws Exception {
        var d = decode(
                OpenAiCompatibleDialect.vendor(VendorProfile.of("deepseek")),
                golden("vendors/deepseek-reasoner-usage.sse"),
                7);

        assertThat(d.events())
                .containsExactly(
                        new StreamEvent.MessageStart("ds1", "deepseek-reasoner", null),
                        new StreamEvent.ReasoningDelta("Add."),
                        new StreamEvent.TextDelta("4"),
                        new StreamEvent.Finish(FinishReason.STOP, null),
                        new StreamEvent.UsageReport(new TokenUsage(14, 30, 0, 0, 28)));
    }

    private static final ChatRequest RESPONSES_CALLER = new ChatRequest(
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
            1024,
            null,
            null,
            null,
            null,
            true,
            true,
            Map.of());

    /** Anthropic's thinking and parallel tool use, with OpenAI-style interleaved argument fragments. */
    private static final List<StreamEvent> THINKING_INTERLEAVED_TOOLS = List.of(
            new StreamEvent.MessageStart("msg_01XF", "claude-sonnet-4-5", new TokenUsage(1496, 2, 1024, 0, 0)),
            new StreamEvent.ReasoningDelta("Two lookups"),
            new StreamEvent.ReasoningDelta(" are needed."),
            new StreamEvent.ReasoningSignature("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxB"),
            new StreamEvent.TextDelta("Checking both."),
            new StreamEvent.ToolCallStart(0, "toolu_01T1", "get_weather"),
            new StreamEvent.ToolCallStart(1, "toolu_01Bh", "get_time"),
            new StreamEvent.ToolCallDelta(0, "{\"city\": \"Par"),
            new StreamEvent.ToolCallDelta(1, "{\"city\": \"Tokyo\"}"),
            new StreamEvent.ToolCallDelta(0, "is\"}"),
            new StreamEvent.UsageReport(new TokenUsage(0, 89, 0, 0, 0)),
            new StreamEvent.Finish(FinishReason.TOOL_CALLS, null));

    @Test
    void thinkingTextAndInterleavedParallelCallsBecomeResponsesEventsWithUsageInTheTerminalEvent() throws Exception {
        var encoder = ResponsesDialect.INSTANCE.streamEncoder(RESPONSES_CALLER, "req_1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (StreamEvent e : THINKING_INTERLEAVED_TOOLS) {
            out.writeBytes(encoder.encode(e));
        }
        out.writeBytes(encoder.end());
        String sse = new String(out.toByteArray(), StandardCharsets.UTF_8)
                .replaceAll("\"created_at\":\\d+", "\"created_at\":0");

        assertGolden("encoded-responses-thinking-interleaved-tools.sse", sse.getBytes(StandardCharsets.UTF_8));
    }
}
