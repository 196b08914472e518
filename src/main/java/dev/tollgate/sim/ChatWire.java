package dev.tollgate.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Renders a {@link ChatAnswer} in OpenAI's two wire shapes: one {@code chat.completion} or a stream of chunks. */
final class ChatWire {
    static final String FINGERPRINT = "fp_sim";
    static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    /** Tool arguments arrive in fragments of about this many characters, like OpenAI's. */
    private static final int ARGUMENT_FRAGMENT = 8;

    private ChatWire() {}

    /**
     * Server-sent events for one streamed answer.
     *
     * @param choiceEvents how many leading events carry choices; usage and {@code [DONE]} follow them
     */
    record StreamEvents(List<Buffer> events, int choiceEvents) {}

    static JsonObject completion(ChatAnswer answer) {
        JsonArray choices = new JsonArray();
        for (ChatAnswer.Choice choice : answer.choices()) {
            JsonObject message = new JsonObject()
                    .put("role", "assistant")
                    .put("content", choice.content())
                    .put("refusal", null)
                    .put("annotations", new JsonArray());
            if (!choice.toolCalls().isEmpty()) {
                JsonArray calls = new JsonArray();
                for (ChatAnswer.ToolCall call : choice.toolCalls()) {
                    calls.add(new JsonObject()
                            .put("id", call.id())
                            .put("type", "function")
                            .put(
                                    "function",
                                    new JsonObject().put("name", call.name()).put("arguments", call.arguments())));
                }
                message.put("tool_calls", calls);
            }
            choices.add(new JsonObject()
                    .put("index", choice.index())
                    .put("message", message)
                    .put("logprobs", null)
                    .put("finish_reason", choice.finishReason()));
        }
        return new JsonObject()
                .put("id", answer.id())
                .put("object", "chat.completion")
                .put("created", answer.created())
                .put("model", answer.model())
                .put("choices", choices)
                .put("usage", usage(answer.promptTokens(), answer.completionTokens(), answer.reasoningTokens()))
                .put("service_tier", "default")
                .put("system_fingerprint", FINGERPRINT);
    }

    static StreamEvents stream(ChatAnswer answer, boolean includeUsage, int chunkWords) {
        List<Buffer> events = new ArrayList<>();
        for (ChatAnswer.Choice choice : answer.choices()) {
            boolean calling = !choice.toolCalls().isEmpty();
            // OpenAI opens a text answer with content "" and a tool-call answer with content null.
            events.add(event(
                    answer,
                    includeUsage,
                    choice.index(),
                    new JsonObject()
                            .put("role", "assistant")
                            .put("content", calling ? null : "")
                            .put("refusal", null)));
            if (calling) {
                for (int k = 0; k < choice.toolCalls().size(); k++) {
                    ChatAnswer.ToolCall call = choice.toolCalls().get(k);
                    events.add(event(
                            answer,
                            includeUsage,
                            choice.index(),
                            toolDelta(new JsonObject()
                                    .put("index", k)
                                    .put("id", call.id())
                                    .put("type", "function")
                                    .put(
                                            "function",
                                            new JsonObject()
                                                    .put("name", call.name())
                                                    .put("arguments", "")))));
                    String args = call.arguments();
                    for (int at = 0; at < args.length(); at += ARGUMENT_FRAGMENT) {
                        String fragment = args.substring(at, Math.min(args.length(), at + ARGUMENT_FRAGMENT));
                        events.add(event(
                                answer,
                                includeUsage,
                                choice.index(),
                                toolDelta(new JsonObject()
                                        .put("index", k)
                                        .put("function", new JsonObject().put("arguments", fragment)))));
                    }
                }
            } else {
                for (String piece : pieces(choice.content(), chunkWords)) {
                    events.add(event(answer, includeUsage, choice.index(), new JsonObject().put("content", piece)));
                }
            }
            events.add(sse(chunk(answer, includeUsage)
                    .put(
                            "choices",
                            new JsonArray()
                                    .add(new JsonObject()
                                            .put("index", choice.index())
                                            .put("delta", new JsonObject())
                                            .put("logprobs", null)
                                            .put("finish_reason", choice.finishReason())))));
        }
        int choiceEvents = events.size();
        if (includeUsage) {
            events.add(sse(chunk(answer, true)
                    .put("choices", new JsonArray())
                    .put("usage", usage(answer.promptTokens(), answer.completionTokens(), answer.reasoningTokens()))));
        }
        events.add(DONE);
        return new StreamEvents(List.copyOf(events), choiceEvents);
    }

    static JsonObject usage(int promptTokens, int completionTokens) {
        return usage(promptTokens, completionTokens, 0);
    }

    static JsonObject usage(int promptTokens, int completionTokens, int reasoningTokens) {
        return new JsonObject()
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens)
                .put(
                        "prompt_tokens_details",
                        new JsonObject().put("cached_tokens", 0).put("audio_tokens", 0))
                .put(
                        "completion_tokens_details",
                        new JsonObject()
                                .put("reasoning_tokens", reasoningTokens)
                                .put("audio_tokens", 0)
                                .put("accepted_prediction_tokens", 0)
                                .put("rejected_prediction_tokens", 0));
    }

    static Buffer sse(JsonObject data) {
        return Buffer.buffer("data: ").appendString(data.encode()).appendString("\n\n");
    }

    /** Words of the text grouped into content deltas; every piece after the first carries its leading space. */
    static List<String> pieces(String content, int chunkWords) {
        List<String> pieces = new ArrayList<>();
        if (content == null || content.isEmpty()) {
            return pieces;
        }
        String[] words = content.split(" ", -1);
        int at = 0;
        while (at < words.length) {
            // A fixed 1-4 word rhythm looks like a real tokenizer's uneven deltas yet stays deterministic.
            int size = chunkWords > 0 ? chunkWords : 1 + (pieces.size() * 3 + 1) % 4;
            int end = Math.min(words.length, at + size);
            String piece = String.join(" ", java.util.Arrays.asList(words).subList(at, end));
            pieces.add(at == 0 ? piece : " " + piece);
            at = end;
        }
        return pieces;
    }

    private static JsonObject toolDelta(JsonObject call) {
        return new JsonObject().put("tool_calls", new JsonArray().add(call));
    }

    private static Buffer event(ChatAnswer answer, boolean includeUsage, int index, JsonObject delta) {
        return sse(chunk(answer, includeUsage)
                .put(
                        "choices",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("index", index)
                                        .put("delta", delta)
                                        .put("logprobs", null)
                                        .put("finish_reason", null))));
    }

    private static JsonObject chunk(ChatAnswer answer, boolean includeUsage) {
        JsonObject chunk = new JsonObject()
                .put("id", answer.id())
                .put("object", "chat.completion.chunk")
                .put("created", answer.created())
                .put("model", answer.model())
                .put("service_tier", "default")
                .put("system_fingerprint", FINGERPRINT);
        if (includeUsage) {
            chunk.put("usage", null); // OpenAI sends an explicit null on every chunk before the usage one
        }
        return chunk;
    }
}
