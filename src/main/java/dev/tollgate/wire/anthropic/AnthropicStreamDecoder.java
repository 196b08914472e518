package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.canonical.ServerSentEvent;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.openai.OpenAiDialect.Fields;
import dev.tollgate.wire.openai.SseEventSplitter;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Anthropic's named stream events → canonical events. Content-block indexes of tool-use blocks become tool-call
 * indexes 0, 1, … in order, as OpenAI numbers them. The stream has ended properly only when {@code message_stop}
 * came.
 */
final class AnthropicStreamDecoder implements UpstreamDialect.StreamDecoder {
    private static final int MAX_EVENT_BYTES = 16 << 20;

    private final SseEventSplitter splitter = new SseEventSplitter(MAX_EVENT_BYTES);
    /** Content-block index → tool-call index. */
    private final Map<Integer, Integer> tools = new HashMap<>();

    private int nextTool;
    private boolean done;
    private UpstreamFormatException broken;

    @Override
    public void feed(byte[] bytes, int offset, int length, Consumer<StreamEvent> out) throws UpstreamFormatException {
        try {
            splitter.feed(bytes, offset, length, e -> {
                if (broken == null && !done) {
                    try {
                        onEvent(ServerSentEvent.parse(e.bytes(), e.offset(), e.length()), out);
                    } catch (UpstreamFormatException x) {
                        broken = x;
                    }
                }
            });
        } catch (IllegalStateException tooLong) {
            throw new UpstreamFormatException(tooLong.getMessage());
        }
        if (broken != null) {
            throw broken;
        }
    }

    private void onEvent(ServerSentEvent sse, Consumer<StreamEvent> out) throws UpstreamFormatException {
        if (sse.data() == null || sse.data().isBlank()) {
            return;
        }
        JsonNode data;
        try {
            data = Fields.parse(sse.data());
        } catch (IOException e) {
            throw new UpstreamFormatException("a stream event is not JSON", e);
        }
        if (data == null || !data.isObject()) {
            throw new UpstreamFormatException("a stream event is not a JSON object");
        }
        String type = data.path("type").asText(sse.event() == null ? "" : sse.event());
        switch (type) {
            case "message_start" -> {
                JsonNode m = data.path("message");
                out.accept(new StreamEvent.MessageStart(
                        m.path("id").asText(""), m.path("model").asText(""), AnthropicDialect.usage(m.get("usage"))));
            }
            case "content_block_start" -> {
                int index = data.path("index").asInt();
                JsonNode block = data.path("content_block");
                switch (block.path("type").asText()) {
                    case "text" -> {
                        String text = block.path("text").asText("");
                        if (!text.isEmpty()) {
                            out.accept(new StreamEvent.TextDelta(text));
                        }
                    }
                    case "thinking" -> {
                        String text = block.path("thinking").asText("");
                        if (!text.isEmpty()) {
                            out.accept(new StreamEvent.ReasoningDelta(text));
                        }
                    }
                    case "redacted_thinking" ->
                        out.accept(new StreamEvent.RedactedReasoning(
                                block.path("data").asText()));
                    case "tool_use" -> {
                        int tool = nextTool++;
                        tools.put(index, tool);
                        out.accept(new StreamEvent.ToolCallStart(
                                tool,
                                block.path("id").asText(),
                                block.path("name").asText()));
                    }
                    default -> {} // server tools, citations: no canonical counterpart
                }
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                switch (delta.path("type").asText()) {
                    case "text_delta" ->
                        out.accept(new StreamEvent.TextDelta(delta.path("text").asText()));
                    case "thinking_delta" ->
                        out.accept(new StreamEvent.ReasoningDelta(
                                delta.path("thinking").asText()));
                    case "signature_delta" ->
                        out.accept(new StreamEvent.ReasoningSignature(
                                delta.path("signature").asText()));
                    case "input_json_delta" -> {
                        Integer tool = tools.get(data.path("index").asInt());
                        String fragment = delta.path("partial_json").asText("");
                        if (tool == null) {
                            throw new UpstreamFormatException("input_json_delta for a block that is not a tool_use");
                        }
                        if (!fragment.isEmpty()) {
                            out.accept(new StreamEvent.ToolCallDelta(tool, fragment));
                        }
                    }
                    default -> {}
                }
            }
            case "message_delta" -> {
                JsonNode usage = data.get("usage");
                if (usage != null && usage.isObject()) {
                    out.accept(new StreamEvent.UsageReport(AnthropicDialect.usage(usage)));
                }
                String stop = Fields.text(data.path("delta"), "stop_reason");
                if (stop != null) {
                    out.accept(new StreamEvent.Finish(
                            AnthropicDialect.finishReason(stop), Fields.text(data.path("delta"), "stop_sequence")));
                }
            }
            case "message_stop" -> done = true;
            case "error" -> {
                JsonNode error = data.path("error");
                out.accept(new StreamEvent.Failure(AnthropicDialect.streamError(
                        error.path("type").asText(null), error.path("message").asText(null))));
            }
            default -> {} // ping, content_block_stop, and event types added later
        }
    }

    @Override
    public boolean end(Consumer<StreamEvent> out) {
        return done;
    }
}
