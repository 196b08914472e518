package dev.tollgate.wire.openai;

import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import java.nio.charset.StandardCharsets;

/**
 * Canonical events → {@code chat.completion.chunk} events. The usage chunk ({@code "choices": []}) goes out at the
 * end, after the finish chunk, and only when the caller asked for it ({@code stream_options.include_usage}).
 */
final class OpenAiStreamEncoder implements IngressDialect.StreamEncoder {
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChatRequest request;
    private final String requestId;
    private final long created = System.currentTimeMillis() / 1000;
    private String id;
    private TokenUsage usage;

    OpenAiStreamEncoder(ChatRequest request, String requestId) {
        this.request = request;
        this.requestId = requestId;
        this.id = "chatcmpl-" + requestId;
    }

    @Override
    public byte[] encode(StreamEvent event) {
        return switch (event) {
            case StreamEvent.MessageStart s -> {
                if (s.id() != null && !s.id().isEmpty()) {
                    id = s.id();
                }
                if (s.usage() != null) {
                    usage = s.usage();
                }
                yield chunk(
                        g -> {
                            g.writeStringField("role", "assistant");
                            g.writeStringField("content", "");
                        },
                        null);
            }
            case StreamEvent.TextDelta t ->
                t.text().isEmpty() ? EMPTY : chunk(g -> g.writeStringField("content", t.text()), null);
            case StreamEvent.ReasoningDelta r ->
                r.text().isEmpty() ? EMPTY : chunk(g -> g.writeStringField("reasoning_content", r.text()), null);
            case StreamEvent.ReasoningSignature s -> EMPTY;
            case StreamEvent.RedactedReasoning r -> EMPTY;
            case StreamEvent.ToolCallStart s ->
                chunk(
                        g -> {
                            g.writeArrayFieldStart("tool_calls");
                            g.writeStartObject();
                            g.writeNumberField("index", s.index());
                            g.writeStringField("id", s.id());
                            g.writeStringField("type", "function");
                            g.writeObjectFieldStart("function");
                            g.writeStringField("name", s.name());
                            g.writeStringField("arguments", "");
                            g.writeEndObject();
                            g.writeEndObject();
                            g.writeEndArray();
                        },
                        null);
            case StreamEvent.ToolCallDelta d ->
                d.argumentsFragment().isEmpty()
                        ? EMPTY
                        : chunk(
                                g -> {
                                    g.writeArrayFieldStart("tool_calls");
                                    g.writeStartObject();
                                    g.writeNumberField("index", d.index());
                                    g.writeObjectFieldStart("function");
                                    g.writeStringField("arguments", d.argumentsFragment());
                                    g.writeEndObject();
                                    g.writeEndObject();
                                    g.writeEndArray();
                                },
                                null);
            case StreamEvent.UsageReport u -> {
                usage = usage == null ? u.usage() : usage.merge(u.usage());
                yield EMPTY;
            }
            case StreamEvent.Finish f -> chunk(g -> {}, OpenAiDialect.finishReason(f.reason()));
            case StreamEvent.Failure f -> fail(f.error());
        };
    }

    @Override
    public byte[] fail(GatewayError error) {
        return OpenAiErrorBody.encodeEvent(error, requestId);
    }

    @Override
    public byte[] end() {
        if (!request.includeUsage() || usage == null) {
            return DONE;
        }
        byte[] chunk = event(g -> {
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            g.writeFieldName("usage");
            OpenAiDialect.writeUsage(g, usage);
        });
        byte[] out = new byte[chunk.length + DONE.length];
        System.arraycopy(chunk, 0, out, 0, chunk.length);
        System.arraycopy(DONE, 0, out, chunk.length, DONE.length);
        return out;
    }

    private byte[] chunk(OpenAiDialect.Fields.Writer delta, String finishReason) {
        return event(g -> {
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("delta");
            delta.write(g);
            g.writeEndObject();
            g.writeNullField("logprobs");
            if (finishReason == null) {
                g.writeNullField("finish_reason");
            } else {
                g.writeStringField("finish_reason", finishReason);
            }
            g.writeEndObject();
            g.writeEndArray();
            if (request.includeUsage()) {
                g.writeNullField("usage");
            }
        });
    }

    private byte[] event(OpenAiDialect.Fields.Writer body) {
        byte[] json = OpenAiDialect.Fields.write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion.chunk");
            g.writeNumberField("created", created);
            g.writeStringField("model", request.model());
            body.write(g);
            g.writeEndObject();
        });
        byte[] out = new byte[json.length + 8];
        out[0] = 'd';
        out[1] = 'a';
        out[2] = 't';
        out[3] = 'a';
        out[4] = ':';
        out[5] = ' ';
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }
}
