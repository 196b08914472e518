package dev.tollgate.wire.canonical;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.openai.OpenAiDialect;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random valid canonical conversations, answers and streams survive encode → decode in every dialect that has both
 * directions (OpenAI and Anthropic are caller and provider dialects), without losing any field the dialect can carry.
 * Requests go upstream-encode → ingress-decode; answers and streams go ingress-encode → upstream-decode, the stream
 * fed to the decoder in random chunks (down to single bytes, cutting UTF-8 sequences and SSE lines). The generator
 * only produces what the dialect can express ({@link CanonicalGenerator.Carries}); each assertion names what a
 * dialect is allowed to change (OpenAI has no stop_sequence in its answers, Anthropic none of OpenAI's n/logprobs).
 * Gemini and Bedrock, provider-only, are covered by {@code ProviderOnlyDialectPropertiesTest}.
 */
class DialectRoundTripPropertiesTest {
    private static final long BASE_SEED = 0x7011_6a7eL;
    private static final int CASES = 300;
    private static final UpstreamCall CALL = new UpstreamCall("up-model", "prov/up-model", 1024, 0, false);

    static LongStream seeds() {
        return LongStream.range(BASE_SEED, BASE_SEED + CASES);
    }

    // ---------------------------------------------------------------- requests

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anOpenAiRequestSurvivesEncodeThenDecode(long seed) throws Exception {
        ChatRequest original = new CanonicalGenerator(seed).request(CanonicalGenerator.OPENAI, "up-model");

        UpstreamRequest encoded = OpenAiDialect.INSTANCE.encodeRequest(original, CALL);
        ChatRequest decoded = OpenAiDialect.INSTANCE.decodeRequest(encoded.body());

        // The gateway always asks an OpenAI upstream for stream usage, so that metering is exact.
        ChatRequest expected = with(original, original.stream());
        assertThat(decoded).as("seed %d: %s", seed, new String(encoded.body())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anAnthropicRequestSurvivesEncodeThenDecode(long seed) throws Exception {
        ChatRequest original = new CanonicalGenerator(seed).request(CanonicalGenerator.ANTHROPIC, "up-model");

        UpstreamRequest encoded = AnthropicDialect.INSTANCE.encodeRequest(original, CALL);
        ChatRequest decoded = AnthropicDialect.INSTANCE.decodeRequest(encoded.body());

        // Anthropic streams always report usage, so a decoded Anthropic request always "asks" for it.
        ChatRequest expected = with(original.maxTokens() != null ? original : withMaxTokens(original, 1024), true);
        assertThat(decoded).as("seed %d: %s", seed, new String(encoded.body())).isEqualTo(expected);
    }

    // ---------------------------------------------------------------- answers

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anOpenAiAnswerSurvivesEncodeThenDecode(long seed) throws Exception {
        ChatResponse original = new CanonicalGenerator(seed).response(CanonicalGenerator.OPENAI);
        ChatRequest request = request(false);

        byte[] encoded = OpenAiDialect.INSTANCE.encodeResponse(original, request, "req_1");
        ChatResponse decoded = OpenAiDialect.INSTANCE.decodeResponse(encoded);

        assertThat(comparable(decoded))
                .as("seed %d: %s", seed, new String(encoded))
                .isEqualTo(openAiView(original));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anAnthropicAnswerSurvivesEncodeThenDecode(long seed) throws Exception {
        ChatResponse original = new CanonicalGenerator(seed).response(CanonicalGenerator.ANTHROPIC);
        ChatRequest request = request(false);

        byte[] encoded = AnthropicDialect.INSTANCE.encodeResponse(original, request, "req_1");
        ChatResponse decoded = AnthropicDialect.INSTANCE.decodeResponse(encoded);

        assertThat(comparable(decoded))
                .as("seed %d: %s", seed, new String(encoded))
                .isEqualTo(comparable(original));
    }

    // ---------------------------------------------------------------- streams

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anOpenAiStreamSurvivesEncodeThenDecodeAtAnyChunking(long seed) throws Exception {
        CanonicalGenerator g = new CanonicalGenerator(seed);
        List<StreamEvent> original = g.stream(CanonicalGenerator.OPENAI);

        List<StreamEvent> decoded = roundTrip(OpenAiDialect.INSTANCE, OpenAiDialect.INSTANCE, original, g);

        assertWellFormed(decoded, seed);
        assertThat(fold(decoded)).as("seed %d", seed).isEqualTo(openAiView(fold(original)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anAnthropicStreamSurvivesEncodeThenDecodeAtAnyChunking(long seed) throws Exception {
        CanonicalGenerator g = new CanonicalGenerator(seed);
        List<StreamEvent> original = g.stream(CanonicalGenerator.ANTHROPIC);

        List<StreamEvent> decoded = roundTrip(AnthropicDialect.INSTANCE, AnthropicDialect.INSTANCE, original, g);

        assertWellFormed(decoded, seed);
        assertThat(fold(decoded)).as("seed %d", seed).isEqualTo(fold(original));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anOpenAiStreamWithInterleavedParallelCallsReachesAnAnthropicCallerIntact(long seed) throws Exception {
        CanonicalGenerator g = new CanonicalGenerator(seed);
        List<StreamEvent> original = g.stream(CanonicalGenerator.OPENAI);

        List<StreamEvent> decoded = roundTrip(AnthropicDialect.INSTANCE, AnthropicDialect.INSTANCE, original, g);

        assertWellFormed(decoded, seed);
        // Anthropic has no reasoning-token count and no signature-less thinking block to lose: the rest arrives.
        ChatResponse expected = fold(original);
        TokenUsage u = expected.usage();
        expected = new ChatResponse(
                null,
                null,
                expected.content(),
                expected.finishReason(),
                expected.stopSequence(),
                new TokenUsage(u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.cacheWriteTokens(), 0));
        assertThat(fold(decoded)).as("seed %d", seed).isEqualTo(expected);
    }

    // ---------------------------------------------------------------- helpers

    static List<StreamEvent> roundTrip(
            IngressDialect ingress, UpstreamDialect upstream, List<StreamEvent> events, CanonicalGenerator g)
            throws UpstreamFormatException {
        IngressDialect.StreamEncoder encoder = ingress.streamEncoder(request(true), "req_1");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (StreamEvent e : events) {
            wire.writeBytes(encoder.encode(e));
        }
        wire.writeBytes(encoder.end());
        byte[] bytes = wire.toByteArray();
        UpstreamDialect.StreamDecoder decoder = upstream.streamDecoder();
        List<StreamEvent> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int n = g.chunk(bytes.length - at);
            decoder.feed(bytes, at, n, out::add);
            at += n;
        }
        assertThat(decoder.end(out::add))
                .as("the stream ended with its terminal event")
                .isTrue();
        return out;
    }

    /** Starts once, every tool delta follows its call's start, exactly one finish, no failure. */
    static void assertWellFormed(List<StreamEvent> events, long seed) {
        assertThat(events).as("seed %d", seed).first().isInstanceOf(StreamEvent.MessageStart.class);
        assertThat(events).filteredOn(e -> e instanceof StreamEvent.Finish).hasSize(1);
        assertThat(events).noneMatch(e -> e instanceof StreamEvent.Failure);
        java.util.Set<Integer> started = new java.util.HashSet<>();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.ToolCallStart s) {
                assertThat(started.add(s.index()))
                        .as("seed %d: call %d starts once", seed, s.index())
                        .isTrue();
            } else if (e instanceof StreamEvent.ToolCallDelta d) {
                assertThat(started).as("seed %d: delta of a started call", seed).contains(d.index());
            }
        }
    }

    /** A stream's meaning: the answer it adds up to. */
    static ChatResponse fold(List<StreamEvent> events) {
        StringBuilder thinking = null;
        String signature = null;
        StringBuilder text = null;
        Map<Integer, String[]> calls = new TreeMap<>();
        FinishReason reason = null;
        String stopSequence = null;
        TokenUsage usage = null;
        for (StreamEvent e : events) {
            switch (e) {
                case StreamEvent.MessageStart s -> usage = s.usage() == null ? usage : merge(usage, s.usage());
                case StreamEvent.ReasoningDelta r ->
                    thinking = (thinking == null ? new StringBuilder() : thinking).append(r.text());
                case StreamEvent.ReasoningSignature s -> signature = s.signature();
                case StreamEvent.TextDelta t -> text = (text == null ? new StringBuilder() : text).append(t.text());
                case StreamEvent.ToolCallStart s -> calls.put(s.index(), new String[] {s.id(), s.name(), ""});
                case StreamEvent.ToolCallDelta d -> calls.get(d.index())[2] += d.argumentsFragment();
                case StreamEvent.UsageReport u -> usage = merge(usage, u.usage());
                case StreamEvent.Finish f -> {
                    reason = f.reason();
                    stopSequence = f.stopSequence();
                }
                default -> {}
            }
        }
        List<ContentPart> content = new ArrayList<>();
        if (thinking != null) {
            content.add(new ContentPart.Thinking(thinking.toString(), signature));
        }
        if (text != null) {
            content.add(new ContentPart.Text(text.toString()));
        }
        calls.values().forEach(c -> content.add(new ContentPart.ToolUse(c[0], c[1], c[2])));
        return new ChatResponse(null, null, content, reason, stopSequence, usage);
    }

    private static TokenUsage merge(TokenUsage earlier, TokenUsage later) {
        return earlier == null ? later : earlier.merge(later);
    }

    /** Without id and model, which the gateway sets itself. */
    static ChatResponse comparable(ChatResponse r) {
        return new ChatResponse(null, null, r.content(), r.finishReason(), r.stopSequence(), r.usage());
    }

    /**
     * What OpenAI can say of an answer: reasoning without a signature, "stop" for a stop sequence (without naming
     * it), no cache writes.
     */
    static ChatResponse openAiView(ChatResponse r) {
        List<ContentPart> content = new ArrayList<>();
        for (ContentPart p : r.content()) {
            content.add(p instanceof ContentPart.Thinking t ? new ContentPart.Thinking(t.text(), null) : p);
        }
        FinishReason reason = r.finishReason() == FinishReason.STOP_SEQUENCE ? FinishReason.STOP : r.finishReason();
        TokenUsage u = r.usage();
        TokenUsage usage = u == null
                ? null
                : new TokenUsage(u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), 0, u.reasoningTokens());
        return new ChatResponse(null, null, content, reason, null, usage);
    }

    static ChatRequest request(boolean stream) {
        return new ChatRequest(
                "alias",
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
                null,
                null,
                null,
                null,
                stream,
                true,
                null);
    }

    private static ChatRequest with(ChatRequest r, boolean includeUsage) {
        return new ChatRequest(
                r.model(),
                r.system(),
                r.messages(),
                r.tools(),
                r.toolChoice(),
                r.parallelToolCalls(),
                r.responseFormat(),
                r.stop(),
                r.temperature(),
                r.topP(),
                r.topK(),
                r.maxTokens(),
                r.n(),
                r.logprobs(),
                r.topLogprobs(),
                r.reasoning(),
                r.stream(),
                includeUsage,
                r.metadata());
    }

    private static ChatRequest withMaxTokens(ChatRequest r, int maxTokens) {
        return new ChatRequest(
                r.model(),
                r.system(),
                r.messages(),
                r.tools(),
                r.toolChoice(),
                r.parallelToolCalls(),
                r.responseFormat(),
                r.stop(),
                r.temperature(),
                r.topP(),
                r.topK(),
                maxTokens,
                r.n(),
                r.logprobs(),
                r.topLogprobs(),
                r.reasoning(),
                r.stream(),
                r.includeUsage(),
                r.metadata());
    }
}
