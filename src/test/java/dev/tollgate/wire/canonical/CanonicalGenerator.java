package dev.tollgate.wire.canonical;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Seeded random canonical conversations, answers and streams, limited to what a given dialect can carry (jqwik is
 * off limits, see stack.md: plain seeded generators instead). The same seed always gives the same value, so a failing
 * case is reproduced by its seed alone.
 */
final class CanonicalGenerator {
    /** What a dialect can express; the generator produces nothing outside it. */
    record Carries(
            boolean thinking,
            boolean thinkingSignature,
            boolean toolErrors,
            boolean imageUrls,
            boolean topK,
            boolean responseFormat,
            boolean openAiExtras,
            boolean reasoningBudget,
            boolean reasoningEffort,
            boolean interleavedToolCalls) {}

    static final Carries OPENAI = new Carries(false, false, false, true, false, true, true, false, true, true);
    static final Carries ANTHROPIC = new Carries(true, true, true, true, true, false, false, true, false, false);

    private static final String[] WORDS = {
        "hello", "wörld", "naïve", "日本語", "emoji 🚀", "quote \"q\"", "back\\slash", "line\nbreak", "tab\there",
        "<tag>", "{\"json\":1}", "data: [DONE]", "event: ping", "  spaced  ", "ünïcödé", "ok", "42", "null"
    };
    private static final String[] TOOL_NAMES = {"get_weather", "get_time", "search_docs", "run_sql", "send_mail"};

    private final Random random;

    CanonicalGenerator(long seed) {
        this.random = new Random(seed);
    }

    String text() {
        int n = 1 + random.nextInt(6);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    String id(String prefix) {
        return prefix + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }

    /** A JSON object as compact text, the way arguments and schemas travel. */
    String jsonObject() {
        int n = random.nextInt(4);
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("\"k").append(i).append("\":");
            switch (random.nextInt(4)) {
                case 0 -> b.append(random.nextInt(1000));
                case 1 -> b.append('"').append(escape(text())).append('"');
                case 2 -> b.append(random.nextBoolean());
                default -> b.append("[1,\"two\",{\"three\":3.5}]");
            }
        }
        return b.append('}').toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\")
                .replace("\"", "\\\"")
                .replace("\n", "\\n")
                .replace("\t", "\\t");
    }

    String schema() {
        return "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
    }

    private ContentPart.Image image(Carries c) {
        if (c.imageUrls() && random.nextBoolean()) {
            return ContentPart.Image.ofUrl("https://example.com/img/" + random.nextInt(1000) + ".png");
        }
        byte[] bytes = new byte[1 + random.nextInt(24)];
        random.nextBytes(bytes);
        String type = random.nextBoolean() ? "image/png" : "image/jpeg";
        return ContentPart.Image.inline(type, Base64.getEncoder().encodeToString(bytes));
    }

    ChatRequest request(Carries c, String model) {
        List<Tool> tools = new ArrayList<>();
        int toolCount = random.nextInt(4);
        for (int i = 0; i < toolCount; i++) {
            tools.add(new Tool(TOOL_NAMES[i], random.nextBoolean() ? text() : null, schema()));
        }
        List<Message> messages = new ArrayList<>();
        List<ContentPart.ToolUse> pending = List.of();
        int turns = random.nextInt(3);
        for (int t = 0; t <= turns; t++) {
            messages.add(userTurn(c, pending));
            if (t == turns) {
                break;
            }
            List<ContentPart> parts = new ArrayList<>();
            if (c.thinking() && random.nextInt(3) == 0) {
                parts.add(new ContentPart.Thinking(text(), c.thinkingSignature() ? id("sig") : null));
            }
            boolean calls = !tools.isEmpty() && random.nextBoolean();
            if (!calls || random.nextBoolean()) {
                parts.add(new ContentPart.Text(text()));
            }
            List<ContentPart.ToolUse> uses = new ArrayList<>();
            if (calls) {
                int n = 1 + random.nextInt(tools.size());
                for (int i = 0; i < n; i++) {
                    uses.add(new ContentPart.ToolUse(id("call_"), tools.get(i).name(), jsonObject()));
                }
            }
            parts.addAll(uses);
            pending = uses;
            messages.add(new Message(Role.ASSISTANT, parts));
        }
        ToolChoice choice = null;
        if (!tools.isEmpty() && random.nextBoolean()) {
            choice = switch (random.nextInt(4)) {
                case 0 -> ToolChoice.AUTO;
                case 1 -> ToolChoice.NONE;
                case 2 -> ToolChoice.REQUIRED;
                default ->
                    ToolChoice.tool(tools.get(random.nextInt(tools.size())).name());
            };
        }
        List<String> stop = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            stop.add("STOP" + i);
        }
        ResponseFormat format = null;
        if (c.responseFormat() && random.nextInt(3) == 0) {
            format = random.nextBoolean()
                    ? ResponseFormat.JSON_OBJECT
                    : new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, "answer", schema(), random.nextBoolean());
        }
        Reasoning reasoning = null;
        if (c.reasoningBudget() && random.nextInt(3) == 0) {
            reasoning = new Reasoning(1024 + random.nextInt(1000), null);
        } else if (c.reasoningEffort() && random.nextInt(3) == 0) {
            reasoning = new Reasoning(null, new String[] {"low", "medium", "high"}[random.nextInt(3)]);
        }
        boolean stream = random.nextBoolean();
        Double temperature = random.nextBoolean() ? Double.valueOf(random.nextInt(11) / 10.0) : null;
        Double topP = random.nextBoolean() ? Double.valueOf(random.nextInt(11) / 10.0) : null;
        Integer topK = c.topK() && random.nextBoolean() ? Integer.valueOf(1 + random.nextInt(50)) : null;
        Integer maxTokens = null;
        if (reasoning != null && reasoning.budgetTokens() != null) {
            maxTokens = reasoning.budgetTokens() + 1 + random.nextInt(4000);
        } else if (random.nextBoolean()) {
            maxTokens = 1 + random.nextInt(4000);
        }
        Integer n = c.openAiExtras() && random.nextInt(4) == 0 ? Integer.valueOf(1 + random.nextInt(3)) : null;
        Boolean logprobs = c.openAiExtras() && random.nextInt(4) == 0 ? Boolean.TRUE : null;
        return new ChatRequest(
                model,
                random.nextBoolean() ? text() : null,
                messages,
                tools,
                choice,
                null,
                format,
                stop,
                temperature,
                topP,
                topK,
                maxTokens,
                n,
                logprobs,
                null,
                reasoning,
                stream,
                false,
                null);
    }

    private Message userTurn(Carries c, List<ContentPart.ToolUse> answering) {
        List<ContentPart> parts = new ArrayList<>();
        for (ContentPart.ToolUse use : answering) {
            parts.add(new ContentPart.ToolResult(use.id(), text(), c.toolErrors() && random.nextInt(4) == 0));
        }
        if (answering.isEmpty() || random.nextBoolean()) {
            parts.add(new ContentPart.Text(text()));
            if (random.nextInt(3) == 0) {
                parts.add(image(c));
            }
        }
        return new Message(Role.USER, parts);
    }

    TokenUsage usage(Carries c) {
        long input = 1 + random.nextInt(5000);
        long cacheRead = random.nextBoolean() ? random.nextInt((int) input) : 0;
        long cacheWrite = c.thinking() && random.nextBoolean() ? random.nextInt((int) (input - cacheRead) + 1) : 0;
        long output = 1 + random.nextInt(3000);
        long reasoning = !c.thinking() && random.nextBoolean() ? random.nextInt((int) output) : 0;
        return new TokenUsage(input, output, cacheRead, cacheWrite, reasoning);
    }

    /** An answer: optional thinking, text, tool calls; a finish reason that matches its content. */
    ChatResponse response(Carries c) {
        List<ContentPart> content = new ArrayList<>();
        if (random.nextInt(3) == 0) {
            content.add(new ContentPart.Thinking(text(), c.thinkingSignature() ? id("sig") : null));
        }
        boolean calls = random.nextInt(3) == 0;
        if (!calls || random.nextBoolean()) {
            content.add(new ContentPart.Text(text()));
        }
        if (calls) {
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                content.add(new ContentPart.ToolUse(id("call_"), TOOL_NAMES[i], jsonObject()));
            }
        }
        FinishReason reason = calls
                ? FinishReason.TOOL_CALLS
                : new FinishReason[] {FinishReason.STOP, FinishReason.STOP_SEQUENCE, FinishReason.LENGTH}
                        [random.nextInt(3)];
        return new ChatResponse(
                id("msg_"),
                "model-x",
                content,
                reason,
                reason == FinishReason.STOP_SEQUENCE ? "STOP1" : null,
                usage(c));
    }

    /**
     * A well-formed stream of the same shape: start, reasoning, text, tool calls (interleaved fragments of parallel
     * calls where the dialect streams them so), usage, finish.
     */
    List<StreamEvent> stream(Carries c) {
        ChatResponse r = response(c);
        List<StreamEvent> events = new ArrayList<>();
        TokenUsage usage = r.usage();
        events.add(new StreamEvent.MessageStart(r.id(), r.model(), null));
        List<ContentPart.ToolUse> calls = new ArrayList<>();
        for (ContentPart p : r.content()) {
            switch (p) {
                case ContentPart.Thinking t -> {
                    for (String piece : pieces(t.text())) {
                        events.add(new StreamEvent.ReasoningDelta(piece));
                    }
                    if (t.signature() != null) {
                        events.add(new StreamEvent.ReasoningSignature(t.signature()));
                    }
                }
                case ContentPart.Text t -> {
                    for (String piece : pieces(t.text())) {
                        events.add(new StreamEvent.TextDelta(piece));
                    }
                }
                case ContentPart.ToolUse u -> calls.add(u);
                default -> {}
            }
        }
        if (c.interleavedToolCalls() && calls.size() > 1) {
            List<List<String>> fragments = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                events.add(new StreamEvent.ToolCallStart(
                        i, calls.get(i).id(), calls.get(i).name()));
                fragments.add(new ArrayList<>(pieces(calls.get(i).arguments())));
            }
            // Fragments of parallel calls arrive interleaved; each keeps its call's index.
            boolean left = true;
            while (left) {
                left = false;
                for (int i = 0; i < fragments.size(); i++) {
                    if (!fragments.get(i).isEmpty() && random.nextBoolean()) {
                        events.add(new StreamEvent.ToolCallDelta(
                                i, fragments.get(i).removeFirst()));
                    }
                    left |= !fragments.get(i).isEmpty();
                }
            }
        } else {
            for (int i = 0; i < calls.size(); i++) {
                events.add(new StreamEvent.ToolCallStart(
                        i, calls.get(i).id(), calls.get(i).name()));
                for (String piece : pieces(calls.get(i).arguments())) {
                    events.add(new StreamEvent.ToolCallDelta(i, piece));
                }
            }
        }
        events.add(new StreamEvent.Finish(r.finishReason(), r.stopSequence()));
        events.add(new StreamEvent.UsageReport(usage));
        return events;
    }

    /** {@code s} cut at random places into non-empty pieces. */
    List<String> pieces(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int end = Math.min(s.length(), i + 1 + random.nextInt(8));
            if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
                end++;
            }
            out.add(s.substring(i, end));
            i = end;
        }
        return out;
    }

    /** Byte chunk sizes for feeding a decoder: from one byte at a time to whole. */
    int chunk(int remaining) {
        return switch (random.nextInt(3)) {
            case 0 -> 1 + random.nextInt(Math.min(remaining, 7));
            case 1 -> 1 + random.nextInt(Math.min(remaining, 200));
            default -> remaining;
        };
    }
}
