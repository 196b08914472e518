package dev.tollgate.wire.anthropic;

import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.FinishReason;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.openai.OpenAiDialect.Fields;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Canonical events → Anthropic's named events: {@code message_start}, {@code ping}, then per content block
 * {@code content_block_start}, {@code content_block_delta}*, {@code content_block_stop}, and at the end
 * {@code message_delta} (stop reason and final usage) and {@code message_stop}.
 *
 * <p>Anthropic content blocks are sequential: a block is closed when an event of another kind (or another tool call)
 * begins. The {@code message_delta} waits for {@link #end}, because an OpenAI provider reports usage after its
 * finish chunk.
 */
final class AnthropicStreamEncoder implements IngressDialect.StreamEncoder {
    private static final byte[] EMPTY = new byte[0];

    private enum Block {
        NONE,
        TEXT,
        THINKING,
        TOOL
    }

    private final ChatRequest request;
    private final String requestId;
    private int blockIndex = -1;
    private Block open = Block.NONE;
    private int openTool = -1;
    private TokenUsage usage = TokenUsage.ZERO;
    private FinishReason finish;
    private String stopSequence;
    private boolean started;

    AnthropicStreamEncoder(ChatRequest request, String requestId) {
        this.request = request;
        this.requestId = requestId;
    }

    @Override
    public byte[] encode(StreamEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        switch (event) {
            case StreamEvent.MessageStart s -> start(out, s.id(), s.usage());
            case StreamEvent.TextDelta t -> {
                if (!t.text().isEmpty()) {
                    ensureStarted(out);
                    openBlock(out, Block.TEXT, -1, "{\"type\":\"text\",\"text\":\"\"}");
                    delta(out, g -> {
                        g.writeStringField("type", "text_delta");
                        g.writeStringField("text", t.text());
                    });
                }
            }
            case StreamEvent.ReasoningDelta r -> {
                if (!r.text().isEmpty()) {
                    ensureStarted(out);
                    openBlock(out, Block.THINKING, -1, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}");
                    delta(out, g -> {
                        g.writeStringField("type", "thinking_delta");
                        g.writeStringField("thinking", r.text());
                    });
                }
            }
            case StreamEvent.ReasoningSignature s -> {
                ensureStarted(out);
                openBlock(out, Block.THINKING, -1, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}");
                delta(out, g -> {
                    g.writeStringField("type", "signature_delta");
                    g.writeStringField("signature", s.signature());
                });
            }
            case StreamEvent.RedactedReasoning r -> {
                ensureStarted(out);
                closeBlock(out);
                blockIndex++;
                String block = new String(
                        Fields.write(g -> {
                            g.writeStartObject();
                            g.writeStringField("type", "redacted_thinking");
                            g.writeStringField("data", r.data());
                            g.writeEndObject();
                        }),
                        StandardCharsets.UTF_8);
                blockStart(out, block);
                open = Block.THINKING;
                closeBlock(out);
            }
            case StreamEvent.ToolCallStart s -> {
                ensureStarted(out);
                closeBlock(out);
                String block = new String(
                        Fields.write(g -> {
                            g.writeStartObject();
                            g.writeStringField("type", "tool_use");
                            g.writeStringField("id", s.id());
                            g.writeStringField("name", s.name());
                            g.writeObjectFieldStart("input");
                            g.writeEndObject();
                            g.writeEndObject();
                        }),
                        StandardCharsets.UTF_8);
                openBlock(out, Block.TOOL, s.index(), block);
            }
            case StreamEvent.ToolCallDelta d -> {
                // Only the open tool call can take arguments: Anthropic blocks do not interleave.
                if (open == Block.TOOL
                        && openTool == d.index()
                        && !d.argumentsFragment().isEmpty()) {
                    delta(out, g -> {
                        g.writeStringField("type", "input_json_delta");
                        g.writeStringField("partial_json", d.argumentsFragment());
                    });
                }
            }
            case StreamEvent.UsageReport u -> usage = usage.merge(u.usage());
            case StreamEvent.Finish f -> {
                ensureStarted(out);
                closeBlock(out);
                finish = f.reason();
                stopSequence = f.stopSequence();
            }
            case StreamEvent.Failure f -> {
                return fail(f.error());
            }
        }
        return out.size() == 0 ? EMPTY : out.toByteArray();
    }

    @Override
    public byte[] fail(GatewayError error) {
        return event("error", Fields.write(g -> AnthropicDialect.writeError(g, error, requestId)));
    }

    @Override
    public byte[] end() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ensureStarted(out);
        closeBlock(out);
        write(out, event("message_delta", Fields.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_delta");
            g.writeObjectFieldStart("delta");
            g.writeStringField("stop_reason", AnthropicDialect.stopReason(finish));
            g.writeStringField("stop_sequence", stopSequence);
            g.writeEndObject();
            g.writeFieldName("usage");
            AnthropicDialect.writeUsage(g, usage);
            g.writeEndObject();
        })));
        write(out, event("message_stop", "{\"type\":\"message_stop\"}".getBytes(StandardCharsets.US_ASCII)));
        return out.toByteArray();
    }

    private void ensureStarted(ByteArrayOutputStream out) {
        if (!started) {
            start(out, null, null);
        }
    }

    private void start(ByteArrayOutputStream out, String id, TokenUsage initial) {
        if (started) {
            return;
        }
        started = true;
        if (initial != null) {
            usage = usage.merge(initial);
        }
        TokenUsage shown = usage;
        write(out, event("message_start", Fields.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_start");
            g.writeObjectFieldStart("message");
            g.writeStringField("id", AnthropicDialect.messageId(id, requestId));
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", request.model());
            g.writeArrayFieldStart("content");
            g.writeEndArray();
            g.writeNullField("stop_reason");
            g.writeNullField("stop_sequence");
            g.writeFieldName("usage");
            AnthropicDialect.writeUsage(g, shown);
            g.writeEndObject();
            g.writeEndObject();
        })));
        write(out, event("ping", "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII)));
    }

    private void openBlock(ByteArrayOutputStream out, Block kind, int tool, String block) {
        if (open == kind && (kind != Block.TOOL || openTool == tool)) {
            return;
        }
        closeBlock(out);
        blockIndex++;
        blockStart(out, block);
        open = kind;
        openTool = tool;
    }

    private void blockStart(ByteArrayOutputStream out, String block) {
        write(
                out,
                event(
                        "content_block_start",
                        ("{\"type\":\"content_block_start\",\"index\":" + blockIndex + ",\"content_block\":" + block
                                        + "}")
                                .getBytes(StandardCharsets.UTF_8)));
    }

    private void closeBlock(ByteArrayOutputStream out) {
        if (open == Block.NONE) {
            return;
        }
        write(
                out,
                event(
                        "content_block_stop",
                        ("{\"type\":\"content_block_stop\",\"index\":" + blockIndex + "}")
                                .getBytes(StandardCharsets.US_ASCII)));
        open = Block.NONE;
        openTool = -1;
    }

    private void delta(ByteArrayOutputStream out, Fields.Writer delta) {
        int index = blockIndex;
        write(out, event("content_block_delta", Fields.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_delta");
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            delta.write(g);
            g.writeEndObject();
            g.writeEndObject();
        })));
    }

    private static byte[] event(String name, byte[] data) {
        byte[] head = ("event: " + name + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + data.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(data, 0, out, head.length, data.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    private static void write(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes, 0, bytes.length);
    }
}
