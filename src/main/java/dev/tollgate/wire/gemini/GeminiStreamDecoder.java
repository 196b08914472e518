package dev.tollgate.wire.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.canonical.ContentPart;
import dev.tollgate.wire.canonical.FinishReason;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.openai.SseEventSplitter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code streamGenerateContent?alt=sse}: every event is a whole {@code GenerateContentResponse} holding the new parts;
 * {@code usageMetadata} is cumulative and the last event carries {@code finishReason}. Gemini gives a function call
 * whole, without index and often without id: calls are numbered here and given ids.
 */
final class GeminiStreamDecoder implements UpstreamDialect.StreamDecoder {
    /** One event is one chunk of an answer; a megabyte is far beyond any real one (a big inline image aside). */
    private static final int MAX_EVENT_BYTES = 8 << 20;

    private final SseEventSplitter splitter = new SseEventSplitter(MAX_EVENT_BYTES);
    private final GeminiDialect.ResponseReader reader = new GeminiDialect.ResponseReader();
    private final List<ContentPart> pending = new ArrayList<>(4);
    private boolean started;
    private boolean finished;
    private boolean failed;
    private UpstreamFormatException problem;

    @Override
    public void feed(byte[] bytes, int offset, int length, Consumer<StreamEvent> out) throws UpstreamFormatException {
        try {
            splitter.feed(bytes, offset, length, event -> {
                if (problem == null) {
                    try {
                        event(event, out);
                    } catch (UpstreamFormatException e) {
                        problem = e;
                    }
                }
            });
        } catch (IllegalStateException e) {
            throw new UpstreamFormatException(e.getMessage(), e);
        }
        if (problem != null) {
            throw problem;
        }
    }

    private void event(SseEventSplitter.Event event, Consumer<StreamEvent> out) throws UpstreamFormatException {
        byte[] raw = event.bytes();
        int end = event.offset() + event.length();
        int line = event.offset();
        while (line < end) {
            int next = line;
            while (next < end && raw[next] != '\n') {
                next++;
            }
            int stop = next > line && raw[next - 1] == '\r' ? next - 1 : next;
            if (stop - line >= 5 && startsWith(raw, line, "data:")) {
                int from = line + 5;
                if (from < stop && raw[from] == ' ') {
                    from++;
                }
                data(raw, from, stop - from, out);
            }
            line = next + 1;
        }
    }

    private void data(byte[] raw, int offset, int length, Consumer<StreamEvent> out) throws UpstreamFormatException {
        if (failed) {
            return;
        }
        JsonNode root = GeminiDialect.tree(raw, offset, length);
        if (root.has("error")) {
            JsonNode error = root.get("error");
            failed = true;
            out.accept(new StreamEvent.Failure(GeminiDialect.errorFor(
                            error.path("code").asInt(500),
                            error.path("status").asText(""),
                            error.path("message").asText("Gemini reported an error mid-stream."),
                            -1)
                    .error()));
            return;
        }
        if (!started) {
            started = true;
            out.accept(new StreamEvent.MessageStart(
                    root.path("responseId").asText(null),
                    root.path("modelVersion").asText(null),
                    null));
        }
        JsonNode candidate = root.path("candidates").path(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            pending.clear();
            int index = reader.toolCalls;
            reader.part(part, pending::add);
            for (StreamEvent event : events(pending, index)) {
                out.accept(event);
            }
        }
        TokenUsage usage = GeminiDialect.usage(root.get("usageMetadata"));
        if (usage != null) {
            out.accept(new StreamEvent.UsageReport(usage));
        }
        String reason = candidate.path("finishReason").asText("");
        boolean blocked =
                candidate.isMissingNode() && root.path("promptFeedback").has("blockReason");
        if ((!reason.isEmpty() || blocked) && !finished) {
            finished = true;
            out.accept(new StreamEvent.Finish(
                    blocked ? FinishReason.CONTENT_FILTER : GeminiDialect.finishReason(reason, reader.toolCalls > 0),
                    null));
        }
    }

    private static List<StreamEvent> events(List<ContentPart> parts, int firstIndex) {
        List<StreamEvent> events = new ArrayList<>(parts.size() + 1);
        int index = firstIndex;
        for (ContentPart part : parts) {
            switch (part) {
                case ContentPart.Text text -> events.add(new StreamEvent.TextDelta(text.text()));
                case ContentPart.Thinking thinking -> {
                    if (!thinking.text().isEmpty()) {
                        events.add(new StreamEvent.ReasoningDelta(thinking.text()));
                    }
                    if (thinking.signature() != null) {
                        events.add(new StreamEvent.ReasoningSignature(thinking.signature()));
                    }
                }
                case ContentPart.ToolUse use -> {
                    events.add(new StreamEvent.ToolCallStart(index, use.id(), use.name()));
                    events.add(new StreamEvent.ToolCallDelta(index, use.arguments()));
                    index++;
                }
                case ContentPart.Image image -> {
                    // Generated images do not exist in the canonical stream; nothing to say.
                }
                case ContentPart.ToolResult result -> {}
                case ContentPart.RedactedThinking redacted -> {}
            }
        }
        return events;
    }

    @Override
    public boolean end(Consumer<StreamEvent> out) throws UpstreamFormatException {
        return finished && !failed;
    }

    private static boolean startsWith(byte[] raw, int at, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < p.length; i++) {
            if (raw[at + i] != p[i]) {
                return false;
            }
        }
        return true;
    }
}
