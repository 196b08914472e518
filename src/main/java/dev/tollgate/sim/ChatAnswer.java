package dev.tollgate.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the simulator replies to one chat request, before it is put on the wire in either shape.
 *
 * @param completionTokens summed over all choices, as OpenAI reports it
 */
record ChatAnswer(
        String id,
        long created,
        String model,
        List<Choice> choices,
        int promptTokens,
        int completionTokens,
        int reasoningTokens) {

    /** Echoing more than this many words of the caller's message adds nothing to tests. */
    private static final int ECHOED_WORDS = 8;
    /** Keeps a huge prompt from producing an unbounded answer. */
    private static final int MAX_WORDS = 32_768;

    private static final List<String> FILLER = List.of(
            "the",
            "simulated",
            "provider",
            "answers",
            "every",
            "request",
            "with",
            "plain",
            "deterministic",
            "words",
            "so",
            "gateways",
            "can",
            "be",
            "tested",
            "without",
            "a",
            "network",
            "and",
            "tokens",
            "are",
            "counted",
            "like",
            "real",
            "ones");

    /**
     * @param toolCalls empty for a text answer; then {@code content} is set
     */
    record Choice(int index, String content, List<ToolCall> toolCalls, String finishReason, int completionTokens) {}

    record ToolCall(String id, String name, String arguments) {}

    static ChatAnswer compose(ChatRequest request, String simulatorName, String id, long created) {
        List<Choice> choices = new ArrayList<>(request.n());
        int completionTokens = 0;
        for (int i = 0; i < request.n(); i++) {
            Choice choice =
                    request.tools().isEmpty() ? textChoice(i, request, simulatorName) : toolChoice(i, request.tools());
            choices.add(choice);
            completionTokens += choice.completionTokens();
        }
        // Hidden reasoning is billed as completion tokens and reported apart; its length follows the effort asked.
        int reasoningTokens = request.reasoningEffort() == null
                ? 0
                : completionTokens
                        * switch (request.reasoningEffort()) {
                            case "minimal" -> 1;
                            case "low" -> 2;
                            case "medium" -> 4;
                            default -> 8;
                        };
        return new ChatAnswer(
                id,
                created,
                request.model(),
                List.copyOf(choices),
                request.promptTokens(),
                completionTokens + reasoningTokens,
                reasoningTokens);
    }

    private static Choice textChoice(int index, ChatRequest request, String simulatorName) {
        String userText = request.lastUserText().strip();
        String[] userWords = userText.isEmpty() ? new String[0] : userText.split("\\s+");
        String said = userWords.length == 0
                ? "nothing"
                : String.join(" ", Arrays.asList(userWords).subList(0, Math.min(ECHOED_WORDS, userWords.length)))
                        + (userWords.length > ECHOED_WORDS ? "..." : "");
        List<String> words = new ArrayList<>(
                Arrays.asList(("Hello from " + simulatorName + ": you said \"" + said + "\".").split(" ")));
        // Longer prompts get longer answers, so benchmarks can ask for long streams by sending long prompts.
        int target = Math.min(MAX_WORDS, words.size() + 4 + userWords.length / 2);
        SplittableRandom random = new SplittableRandom(userText.hashCode() * 31L + index);
        while (words.size() < target) {
            words.add(FILLER.get(random.nextInt(FILLER.size())));
        }
        words.set(words.size() - 1, words.get(words.size() - 1) + ".");

        String content = String.join(" ", words);
        String finishReason = "stop";
        int max = request.maxTokens();
        if (max > 0 && TokenCounter.count(content) > max) {
            // Cut at a word boundary so the text stays valid UTF-8; find the longest prefix within the budget.
            int lo = 0;
            int hi = words.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (TokenCounter.count(String.join(" ", words.subList(0, mid))) <= max) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            content = String.join(" ", words.subList(0, lo));
            finishReason = "length";
        }
        return new Choice(index, content, List.of(), finishReason, TokenCounter.count(content));
    }

    private static Choice toolChoice(int index, List<ChatRequest.ToolSpec> tools) {
        List<ToolCall> calls = new ArrayList<>(tools.size());
        int tokens = 0;
        for (ChatRequest.ToolSpec tool : tools) {
            String arguments = arguments(tool.parameters()).encode();
            calls.add(new ToolCall(Ids.random("call_", 24), tool.name(), arguments));
            tokens += TokenCounter.PER_MESSAGE + TokenCounter.count(tool.name()) + TokenCounter.count(arguments);
        }
        return new Choice(index, null, List.copyOf(calls), "tool_calls", tokens);
    }

    /** One plausible value per declared property, so callers can parse arguments against their own schema. */
    static JsonObject arguments(JsonObject schema) {
        JsonObject arguments = new JsonObject();
        if (!(schema.getValue("properties") instanceof JsonObject properties)) {
            return arguments;
        }
        for (String property : properties.fieldNames()) {
            JsonObject spec = properties.getValue(property) instanceof JsonObject s ? s : new JsonObject();
            Object value;
            if (spec.getValue("enum") instanceof JsonArray options && !options.isEmpty()) {
                value = options.getValue(0);
            } else {
                value = switch (spec.getValue("type") instanceof String t ? t : "string") {
                    case "integer" -> 1;
                    case "number" -> 1.5;
                    case "boolean" -> true;
                    case "array" -> new JsonArray();
                    case "object" -> arguments(spec);
                    case "null" -> null;
                    default -> "sim";
                };
            }
            arguments.put(property, value);
        }
        return arguments;
    }
}
