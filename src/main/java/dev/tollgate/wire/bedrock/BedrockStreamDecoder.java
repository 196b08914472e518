package dev.tollgate.wire.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * ConverseStream's {@code application/vnd.amazon.eventstream}: binary frames (prelude, typed headers, JSON payload,
 * two CRC32s) decoded by AWS's own codec. {@code :event-type} says what the payload is: messageStart,
 * contentBlockStart (tool calls only), contentBlockDelta, contentBlockStop, messageStop (the stop reason), metadata
 * (usage, last). {@code :message-type exception} frames carry a modeled error, e.g. throttlingException.
 */
final class BedrockStreamDecoder implements UpstreamDialect.StreamDecoder {
    private final ArrayDeque<Message> frames = new ArrayDeque<>();
    private final MessageDecoder decoder = new MessageDecoder(frames::add);
    /** Bedrock numbers content blocks (text, reasoning, tools together); tool calls get their own 0, 1, … here. */
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();

    private boolean started;
    private boolean stopped;
    private boolean metadata;
    private boolean failed;

    @Override
    public void feed(byte[] bytes, int offset, int length, Consumer<StreamEvent> out) throws UpstreamFormatException {
        try {
            decoder.feed(bytes, offset, length);
        } catch (RuntimeException e) {
            // The codec refuses bad CRCs and impossible lengths with unchecked exceptions.
            throw new UpstreamFormatException("broken event-stream frame from Bedrock: " + e.getMessage(), e);
        }
        Message frame;
        while ((frame = frames.poll()) != null) {
            frame(frame, out);
        }
    }

    private void frame(Message frame, Consumer<StreamEvent> out) throws UpstreamFormatException {
        if (failed) {
            return;
        }
        String messageType = header(frame, ":message-type");
        byte[] payload = frame.getPayload();
        if ("exception".equals(messageType)) {
            String message = "Bedrock reported an error mid-stream.";
            if (payload.length > 0) {
                message = BedrockDialect.tree(payload, 0, payload.length)
                        .path("message")
                        .asText(message);
            }
            failed = true;
            out.accept(new StreamEvent.Failure(BedrockDialect.errorFor(0, header(frame, ":exception-type"), message, -1)
                    .error()));
            return;
        }
        if ("error".equals(messageType)) {
            failed = true;
            out.accept(new StreamEvent.Failure(
                    BedrockDialect.errorFor(500, header(frame, ":error-code"), header(frame, ":error-message"), -1)
                            .error()));
            return;
        }
        if (!"event".equals(messageType)) {
            throw new UpstreamFormatException("unknown event-stream message type " + messageType);
        }
        JsonNode event = BedrockDialect.tree(payload, 0, payload.length);
        String type = header(frame, ":event-type");
        if (!started) {
            started = true;
            out.accept(new StreamEvent.MessageStart(BedrockDialect.syntheticId(), null, null));
        }
        switch (type) {
            case "messageStart", "contentBlockStop" -> {}
            case "contentBlockStart" -> {
                JsonNode use = event.path("start").path("toolUse");
                if (use.isObject()) {
                    int index = toolIndexByBlock.size();
                    toolIndexByBlock.put(event.path("contentBlockIndex").asInt(), index);
                    out.accept(new StreamEvent.ToolCallStart(
                            index,
                            use.path("toolUseId").asText(),
                            use.path("name").asText()));
                }
            }
            case "contentBlockDelta" -> delta(event, out);
            case "messageStop" -> {
                stopped = true;
                out.accept(new StreamEvent.Finish(
                        BedrockDialect.finishReason(event.path("stopReason").asText("end_turn")), null));
            }
            case "metadata" -> {
                metadata = true;
                TokenUsage usage = BedrockDialect.usage(event.get("usage"));
                if (usage != null) {
                    out.accept(new StreamEvent.UsageReport(usage));
                }
            }
            default -> {
                // Event types added later (citations, …) are skipped rather than breaking the stream.
            }
        }
    }

    private void delta(JsonNode event, Consumer<StreamEvent> out) throws UpstreamFormatException {
        JsonNode delta = event.path("delta");
        if (delta.has("text")) {
            out.accept(new StreamEvent.TextDelta(delta.get("text").asText()));
        } else if (delta.has("toolUse")) {
            Integer index = toolIndexByBlock.get(event.path("contentBlockIndex").asInt());
            if (index == null) {
                throw new UpstreamFormatException("tool input delta for a block that did not start a tool call");
            }
            out.accept(new StreamEvent.ToolCallDelta(
                    index, delta.get("toolUse").path("input").asText("")));
        } else if (delta.has("reasoningContent")) {
            JsonNode reasoning = delta.get("reasoningContent");
            if (reasoning.has("text")) {
                out.accept(new StreamEvent.ReasoningDelta(reasoning.get("text").asText()));
            } else if (reasoning.has("signature")) {
                out.accept(new StreamEvent.ReasoningSignature(
                        reasoning.get("signature").asText()));
            } else if (reasoning.has("redactedContent")) {
                out.accept(new StreamEvent.RedactedReasoning(
                        reasoning.get("redactedContent").asText()));
            }
        }
    }

    @Override
    public boolean end(Consumer<StreamEvent> out) {
        // metadata (usage) is the last event of a whole stream; without it metering would have to estimate.
        return stopped && metadata && !failed;
    }

    private static String header(Message frame, String name) {
        HeaderValue value = frame.getHeaders().get(name);
        return value == null ? "" : value.getString();
    }
}
