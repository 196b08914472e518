package dev.tollgate.wire.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.FinishReason;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.openai.OpenAiDialect.Fields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Canonical stream events → the Responses API's named events: {@code response.created}, {@code
 * response.in_progress}, per output item {@code response.output_item.added} … {@code response.output_item.done}
 * (text through {@code content_part} and {@code output_text} events, reasoning through {@code reasoning_summary_part}
 * and {@code reasoning_summary_text} events, function calls through {@code function_call_arguments} events), and one
 * terminal event, {@code response.completed} (or {@code response.incomplete}, {@code response.failed}) carrying the
 * whole response with its usage. Every event has its {@code sequence_number}.
 *
 * <p>Function-call items stay open until the end, so that a provider interleaving the argument fragments of parallel
 * calls (OpenAI does) reaches the caller as valid events: each fragment names its item and output index.
 */
final class ResponsesStreamEncoder implements IngressDialect.StreamEncoder {
    private static final byte[] EMPTY = new byte[0];

    private final ChatRequest request;
    private final String requestId;
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final List<Item> output = new ArrayList<>();
    private final Map<Integer, Item> calls = new HashMap<>();
    private String id;
    private int sequence;
    private boolean started;
    private Item text;
    private Item reasoning;
    private TokenUsage usage;
    private FinishReason finish;

    ResponsesStreamEncoder(ChatRequest request, String requestId) {
        this.request = request;
        this.requestId = requestId;
    }

    /** One output item as it is built. */
    static final class Item {
        enum Kind {
            MESSAGE,
            REASONING,
            CALL
        }

        final Kind kind;
        final String id;
        final String callId;
        final String name;
        /** The text, the reasoning summary or the call's arguments so far. */
        final StringBuilder text = new StringBuilder();

        String encrypted;
        int index;
        boolean partOpen;
        boolean done;

        private Item(Kind kind, String id, String callId, String name) {
            this.kind = kind;
            this.id = id;
            this.callId = callId;
            this.name = name;
        }

        static Item message(String id) {
            return new Item(Kind.MESSAGE, id, null, null);
        }

        static Item reasoning(String id) {
            return new Item(Kind.REASONING, id, null, null);
        }

        static Item call(String id, String callId, String name) {
            return new Item(Kind.CALL, id, callId, name);
        }

        /** The item; {@code whole} = as finished, else as just added (empty). */
        void write(JsonGenerator g, boolean whole) throws IOException {
            g.writeStartObject();
            g.writeStringField("id", id);
            switch (kind) {
                case MESSAGE -> {
                    g.writeStringField("type", "message");
                    g.writeStringField("status", whole ? "completed" : "in_progress");
                    g.writeStringField("role", "assistant");
                    g.writeArrayFieldStart("content");
                    if (whole) {
                        writeTextPart(g, text.toString());
                    }
                    g.writeEndArray();
                }
                case REASONING -> {
                    g.writeStringField("type", "reasoning");
                    g.writeArrayFieldStart("summary");
                    if (whole && !text.isEmpty()) {
                        writeSummaryPart(g, text.toString());
                    }
                    g.writeEndArray();
                    if (encrypted != null && whole) {
                        g.writeStringField("encrypted_content", encrypted);
                    }
                }
                case CALL -> {
                    g.writeStringField("type", "function_call");
                    g.writeStringField("status", whole ? "completed" : "in_progress");
                    g.writeStringField("call_id", callId);
                    g.writeStringField("name", name);
                    g.writeStringField("arguments", whole ? text.toString() : "");
                }
            }
            g.writeEndObject();
        }
    }

    static void writeTextPart(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "output_text");
        g.writeStringField("text", text);
        g.writeArrayFieldStart("annotations");
        g.writeEndArray();
        g.writeArrayFieldStart("logprobs");
        g.writeEndArray();
        g.writeEndObject();
    }

    static void writeSummaryPart(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "summary_text");
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    @Override
    public byte[] encode(StreamEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        switch (event) {
            case StreamEvent.MessageStart s -> {
                if (s.usage() != null) {
                    usage = s.usage();
                }
                start(out, s.id());
            }
            case StreamEvent.TextDelta t -> {
                if (t.text().isEmpty()) {
                    return EMPTY;
                }
                start(out, null);
                if (text == null) {
                    closeReasoning(out);
                    text = add(out, Item.message(itemId("msg")));
                    text.partOpen = true;
                    emit(out, "response.content_part.added", g -> {
                        itemFields(g, text);
                        g.writeNumberField("content_index", 0);
                        g.writeFieldName("part");
                        writeTextPart(g, "");
                    });
                }
                text.text.append(t.text());
                Item item = text;
                emit(out, "response.output_text.delta", g -> {
                    itemFields(g, item);
                    g.writeNumberField("content_index", 0);
                    g.writeStringField("delta", t.text());
                    g.writeArrayFieldStart("logprobs");
                    g.writeEndArray();
                });
            }
            case StreamEvent.ReasoningDelta r -> {
                if (r.text().isEmpty()) {
                    return EMPTY;
                }
                start(out, null);
                Item item = openReasoning(out);
                if (!item.partOpen) {
                    item.partOpen = true;
                    emit(out, "response.reasoning_summary_part.added", g -> {
                        itemFields(g, item);
                        g.writeNumberField("summary_index", 0);
                        g.writeFieldName("part");
                        writeSummaryPart(g, "");
                    });
                }
                item.text.append(r.text());
                emit(out, "response.reasoning_summary_text.delta", g -> {
                    itemFields(g, item);
                    g.writeNumberField("summary_index", 0);
                    g.writeStringField("delta", r.text());
                });
            }
            case StreamEvent.ReasoningSignature s -> {
                start(out, null);
                openReasoning(out).encrypted = s.signature();
                closeReasoning(out);
            }
            case StreamEvent.RedactedReasoning r -> {
                start(out, null);
                closeText(out);
                closeReasoning(out);
                Item item = add(out, Item.reasoning(itemId("rs")));
                item.encrypted = ResponsesDialect.REDACTED + r.data();
                close(out, item);
            }
            case StreamEvent.ToolCallStart c -> {
                start(out, null);
                closeText(out);
                closeReasoning(out);
                calls.put(c.index(), add(out, Item.call(itemId("fc"), c.id(), c.name())));
            }
            case StreamEvent.ToolCallDelta d -> {
                Item item = calls.get(d.index());
                if (item == null || d.argumentsFragment().isEmpty()) {
                    return EMPTY;
                }
                item.text.append(d.argumentsFragment());
                emit(out, "response.function_call_arguments.delta", g -> {
                    itemFields(g, item);
                    g.writeStringField("delta", d.argumentsFragment());
                });
            }
            case StreamEvent.UsageReport u -> usage = usage == null ? u.usage() : usage.merge(u.usage());
            case StreamEvent.Finish f -> finish = f.reason();
            case StreamEvent.Failure f -> {
                return fail(f.error());
            }
        }
        return out.toByteArray();
    }

    @Override
    public byte[] fail(GatewayError error) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        start(out, null);
        emit(out, "response.failed", g -> {
            g.writeFieldName("response");
            ResponsesDialect.writeResponse(g, id, createdAt, request, output, finish, usage, "failed", error);
        });
        return out.toByteArray();
    }

    @Override
    public byte[] end() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        start(out, null);
        closeText(out);
        closeReasoning(out);
        for (Item item : output) {
            if (!item.done) {
                close(out, item);
            }
        }
        boolean incomplete = finish == FinishReason.LENGTH
                || finish == FinishReason.CONTEXT_WINDOW_EXCEEDED
                || finish == FinishReason.CONTENT_FILTER;
        emit(out, incomplete ? "response.incomplete" : "response.completed", g -> {
            g.writeFieldName("response");
            ResponsesDialect.writeResponse(g, id, createdAt, request, output, finish, usage, "completed", null);
        });
        return out.toByteArray();
    }

    private void start(ByteArrayOutputStream out, String upstreamId) {
        if (started) {
            return;
        }
        started = true;
        id = ResponsesDialect.responseId(upstreamId, requestId);
        for (String type : List.of("response.created", "response.in_progress")) {
            emit(out, type, g -> {
                g.writeFieldName("response");
                ResponsesDialect.writeResponse(g, id, createdAt, request, List.of(), null, null, "in_progress", null);
            });
        }
    }

    private Item openReasoning(ByteArrayOutputStream out) {
        if (reasoning == null) {
            closeText(out);
            reasoning = add(out, Item.reasoning(itemId("rs")));
        }
        return reasoning;
    }

    private Item add(ByteArrayOutputStream out, Item item) {
        item.index = output.size();
        output.add(item);
        emit(out, "response.output_item.added", g -> {
            g.writeNumberField("output_index", item.index);
            g.writeFieldName("item");
            item.write(g, false);
        });
        return item;
    }

    private void closeText(ByteArrayOutputStream out) {
        if (text != null) {
            close(out, text);
            text = null;
        }
    }

    private void closeReasoning(ByteArrayOutputStream out) {
        if (reasoning != null) {
            close(out, reasoning);
            reasoning = null;
        }
    }

    private void close(ByteArrayOutputStream out, Item item) {
        item.done = true;
        String whole = item.text.toString();
        switch (item.kind) {
            case MESSAGE -> {
                emit(out, "response.output_text.done", g -> {
                    itemFields(g, item);
                    g.writeNumberField("content_index", 0);
                    g.writeStringField("text", whole);
                    g.writeArrayFieldStart("logprobs");
                    g.writeEndArray();
                });
                emit(out, "response.content_part.done", g -> {
                    itemFields(g, item);
                    g.writeNumberField("content_index", 0);
                    g.writeFieldName("part");
                    writeTextPart(g, whole);
                });
            }
            case REASONING -> {
                if (item.partOpen) {
                    emit(out, "response.reasoning_summary_text.done", g -> {
                        itemFields(g, item);
                        g.writeNumberField("summary_index", 0);
                        g.writeStringField("text", whole);
                    });
                    emit(out, "response.reasoning_summary_part.done", g -> {
                        itemFields(g, item);
                        g.writeNumberField("summary_index", 0);
                        g.writeFieldName("part");
                        writeSummaryPart(g, whole);
                    });
                }
            }
            case CALL ->
                emit(out, "response.function_call_arguments.done", g -> {
                    itemFields(g, item);
                    g.writeStringField("name", item.name);
                    g.writeStringField("arguments", whole);
                });
        }
        emit(out, "response.output_item.done", g -> {
            g.writeNumberField("output_index", item.index);
            g.writeFieldName("item");
            item.write(g, true);
        });
    }

    private static void itemFields(JsonGenerator g, Item item) throws IOException {
        g.writeStringField("item_id", item.id);
        g.writeNumberField("output_index", item.index);
    }

    private String itemId(String prefix) {
        return prefix + "_" + id.substring("resp_".length()) + "_" + output.size();
    }

    /** One named server-sent event: {@code event: type} and the JSON with {@code type} and {@code sequence_number}. */
    private void emit(ByteArrayOutputStream out, String type, Fields.Writer fields) {
        int seq = sequence++;
        byte[] json = Fields.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeNumberField("sequence_number", seq);
            fields.write(g);
            g.writeEndObject();
        });
        out.writeBytes(("event: " + type + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(json);
        out.writeBytes(new byte[] {'\n', '\n'});
    }
}
