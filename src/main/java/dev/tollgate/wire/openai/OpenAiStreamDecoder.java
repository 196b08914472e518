package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.ServerSentEvent;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * {@code chat.completion.chunk} events → canonical events. Accepts {@code reasoning_content} and {@code reasoning},
 * {@code "choices": null} on the usage chunk (vLLM), and an {@code error} object inside the stream.
 */
final class OpenAiStreamDecoder implements UpstreamDialect.StreamDecoder {
    private static final int MAX_EVENT_BYTES = 16 << 20;

    private final SseEventSplitter splitter = new SseEventSplitter(MAX_EVENT_BYTES);
    private boolean started;
    private boolean done;
    private UpstreamFormatException broken;

    @Override
    public void feed(byte[] bytes, int offset, int length, Consumer<StreamEvent> out) throws UpstreamFormatException {
        try {
            splitter.feed(bytes, offset, length, e -> {
                if (broken == null && !done) {
                    ServerSentEvent sse = ServerSentEvent.parse(e.bytes(), e.offset(), e.length());
                    try {
                        onData(sse.data(), out);
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

    private void onData(String data, Consumer<StreamEvent> out) throws UpstreamFormatException {
        if (data == null || data.isBlank()) {
            return;
        }
        if (data.trim().equals("[DONE]")) {
            done = true;
            return;
        }
        JsonNode chunk;
        try {
            chunk = OpenAiDialect.Fields.parse(data);
        } catch (IOException e) {
            throw new UpstreamFormatException("a stream event is not JSON", e);
        }
        if (chunk == null || !chunk.isObject()) {
            throw new UpstreamFormatException("a stream event is not a JSON object");
        }
        JsonNode error = chunk.get("error");
        if (error != null && error.isObject()) {
            String message = error.path("message").asText("the upstream reported an error");
            out.accept(new StreamEvent.Failure(
                    new GatewayError(502, GatewayError.Kind.UPSTREAM, "upstream_error", null, message, 0)));
            return;
        }
        JsonNode choices = chunk.get("choices");
        boolean empty = choices == null || !choices.isArray() || choices.isEmpty();
        if (!started && empty && !chunk.path("usage").isObject()) {
            // Azure opens with the prompt's content-filter results: no id, no model, no choices. The answer starts
            // with the next chunk, which names it.
            return;
        }
        if (!started) {
            started = true;
            out.accept(new StreamEvent.MessageStart(
                    chunk.path("id").asText(""), chunk.path("model").asText(""), null));
        }
        if (!empty) {
            JsonNode choice = choices.get(0);
            JsonNode delta = choice.path("delta");
            String reasoning = OpenAiDialect.reasoningOf(delta);
            if (reasoning != null && !reasoning.isEmpty()) {
                out.accept(new StreamEvent.ReasoningDelta(reasoning));
            }
            String content = OpenAiDialect.Fields.text(delta, "content");
            if (content != null && !content.isEmpty()) {
                out.accept(new StreamEvent.TextDelta(content));
            }
            JsonNode calls = delta.get("tool_calls");
            if (calls != null && calls.isArray()) {
                for (JsonNode call : calls) {
                    int index = call.path("index").asInt(0);
                    JsonNode f = call.path("function");
                    if (call.hasNonNull("id")) {
                        out.accept(new StreamEvent.ToolCallStart(
                                index, call.get("id").asText(), f.path("name").asText("")));
                    }
                    String args = OpenAiDialect.Fields.text(f, "arguments");
                    if (args != null && !args.isEmpty()) {
                        out.accept(new StreamEvent.ToolCallDelta(index, args));
                    }
                }
            }
            String finish = OpenAiDialect.Fields.text(choice, "finish_reason");
            if (finish != null) {
                out.accept(new StreamEvent.Finish(OpenAiDialect.finishReason(finish), null));
            }
            // Moonshot reports a stream's usage inside its last choice.
            JsonNode choiceUsage = choice.get("usage");
            if (choiceUsage != null && choiceUsage.isObject()) {
                out.accept(new StreamEvent.UsageReport(OpenAiDialect.usage(choiceUsage)));
            }
        }
        JsonNode usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            out.accept(new StreamEvent.UsageReport(OpenAiDialect.usage(usage)));
        }
    }

    @Override
    public boolean end(Consumer<StreamEvent> out) {
        return done;
    }
}
