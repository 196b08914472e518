package dev.tollgate.wire.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.wire.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChatStreamMeterTest {
    private static final String STREAM = """
            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"usage":null}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"}}],"usage":null}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get","arguments":"{\\"a\\":1}"}}]}}],"usage":null}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":3}}}

            data: [DONE]

            """;

    /** Feeds the stream in random slices, as a network would, and returns what would be forwarded. */
    private static String relay(ChatStreamMeter meter, byte[] stream, long seed) {
        SseEventSplitter splitter = new SseEventSplitter(1 << 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Random random = new Random(seed);
        for (int i = 0; i < stream.length; ) {
            int n = Math.min(stream.length - i, 1 + random.nextInt(40));
            splitter.feed(stream, i, n, e -> {
                if (meter.inspect(e) != ChatStreamMeter.Verdict.DROP) {
                    out.write(e.bytes(), e.offset(), e.length());
                }
            });
            i += n;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void picksUsageFromTheFinalChunkWhateverTheChunking() {
        for (long seed = 0; seed < 50; seed++) {
            ChatStreamMeter meter = new ChatStreamMeter(OpenAiRequest.parserFactory(64), true);
            String forwarded = relay(meter, STREAM.getBytes(StandardCharsets.UTF_8), seed);

            assertThat(meter.usage()).isEqualTo(new Usage(11, 7, 2, 3));
            assertThat(meter.sawDone()).isTrue();
            assertThat(forwarded).isEqualTo(STREAM);
        }
    }

    @Test
    void dropsTheUsageChunkTheCallerDidNotAskFor() {
        ChatStreamMeter meter = new ChatStreamMeter(OpenAiRequest.parserFactory(64), false);
        String forwarded = relay(meter, STREAM.getBytes(StandardCharsets.UTF_8), 7);

        assertThat(meter.usage().promptTokens()).isEqualTo(11);
        assertThat(forwarded).doesNotContain("\"usage\":{").contains("Hello").contains("[DONE]");
    }

    @Test
    void keepsGeneratedTextForEstimatesWhenAStreamIsCut() {
        ChatStreamMeter meter = new ChatStreamMeter(OpenAiRequest.parserFactory(64), false);
        byte[] all = STREAM.getBytes(StandardCharsets.UTF_8);
        int cut = STREAM.indexOf(
                "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},");
        relay(meter, java.util.Arrays.copyOf(all, cut + 10), 3);

        assertThat(meter.usage()).isNull();
        assertThat(meter.sawDone()).isFalse();
        assertThat(meter.generatedText().toString())
                .contains("Hello")
                .contains("get")
                .contains("{\"a\":1}");
    }

    @Test
    void splitsEventsSeparatedByCarriageReturnLineFeeds() {
        SseEventSplitter splitter = new SseEventSplitter(1024);
        List<String> events = new ArrayList<>();
        byte[] crlf = "data: a\r\n\r\ndata: b\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        splitter.feed(
                crlf,
                0,
                crlf.length,
                e -> events.add(new String(e.bytes(), e.offset(), e.length(), StandardCharsets.UTF_8)));

        assertThat(events).containsExactly("data: a\r\n\r\n", "data: b\r\n\r\n");
    }

    @Test
    void readsUsageOfAWholeResponse() {
        byte[] body = ("{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"{\\\"usage\\\":1}\"}}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14}}")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(new UsageReader(OpenAiRequest.parserFactory(64)).fromResponse(body))
                .contains(new Usage(5, 9, 0, 0));
    }

    @Test
    void flagsADataLineThatIsNotAJsonObject() {
        ChatStreamMeter meter = new ChatStreamMeter(OpenAiRequest.parserFactory(64), false);
        SseEventSplitter splitter = new SseEventSplitter(1024);
        List<ChatStreamMeter.Verdict> verdicts = new ArrayList<>();
        byte[] events = "data: {\"choices\":[]}\n\ndata: {not json\n\ndata: 42\n\n: comment\n\n"
                .getBytes(StandardCharsets.UTF_8);
        splitter.feed(events, 0, events.length, e -> verdicts.add(meter.inspect(e)));

        assertThat(verdicts)
                .containsExactly(
                        ChatStreamMeter.Verdict.FORWARD,
                        ChatStreamMeter.Verdict.MALFORMED,
                        ChatStreamMeter.Verdict.MALFORMED,
                        ChatStreamMeter.Verdict.FORWARD);
    }
}
