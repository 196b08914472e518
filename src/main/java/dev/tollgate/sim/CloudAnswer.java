package dev.tollgate.sim;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * What the Gemini and Bedrock simulators answer, before either puts it on its wire: a thought (when thinking was
 * asked for), then either parallel tool calls (when tools are offered and allowed) or a text cut at a stop sequence
 * or at the output limit. Deterministic from the request, so tests can predict every token count.
 *
 * <p>Cache reads follow one simple rule for both: a prompt of at least {@value #CACHE_MIN_PROMPT} tokens has half of
 * it (rounded down) read from the provider's cache, standing in for Gemini's implicit caching and Bedrock's cache
 * points, so that cached-token accounting is exercised end to end.
 *
 * @param thought null when thinking was not asked for
 * @param signature the thought's opaque signature (passed back by the client on the next turn)
 * @param finish {@code stop}, {@code stop_sequence}, {@code length} or {@code tool_use}
 */
record CloudAnswer(
        String thought,
        String signature,
        List<Call> calls,
        String text,
        String finish,
        String stopSequence,
        int promptTokens,
        int cachedTokens,
        int thoughtTokens,
        int outputTokens) {

    static final int CACHE_MIN_PROMPT = 64;
    private static final int ECHOED_WORDS = 8;

    record Call(String id, String name, JsonObject arguments) {}

    /** A tool the request offers: its name and its parameters' JSON schema. */
    record Offered(String name, JsonObject schema) {}

    /**
     * @param offered tools the model may call; empty, or tool use switched off, gives a text answer
     * @param parallel false when the request allows one call only
     * @param maxTokens the output limit (thought included); 0 = none
     */
    static CloudAnswer compose(
            String simulator,
            String lastUserText,
            int promptTokens,
            boolean thinking,
            List<Offered> offered,
            boolean parallel,
            List<String> stops,
            int maxTokens,
            String callIdPrefix) {
        String said = said(lastUserText);
        String thought = null;
        String signature = null;
        int thoughtTokens = 0;
        if (thinking) {
            thought = "The user said \"" + said + "\". I should answer briefly.";
            signature = signature(thought);
            thoughtTokens = TokenCounter.count(thought);
        }
        List<Call> calls = new ArrayList<>();
        String text = null;
        String finish;
        String stopSequence = null;
        int output = 0;
        if (!offered.isEmpty()) {
            for (Offered tool : offered.subList(0, Math.min(parallel ? 2 : 1, offered.size()))) {
                JsonObject arguments = ChatAnswer.arguments(tool.schema());
                calls.add(new Call(Ids.random(callIdPrefix, 24), tool.name(), arguments));
                output += TokenCounter.PER_MESSAGE
                        + TokenCounter.count(tool.name())
                        + TokenCounter.count(arguments.encode());
            }
            finish = "tool_use";
        } else {
            text = "Hello from " + simulator + ": you said \"" + said + "\".";
            finish = "stop";
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (!stop.isEmpty() && at >= 0) {
                    text = text.substring(0, at);
                    finish = "stop_sequence";
                    stopSequence = stop;
                }
            }
            int budget = maxTokens <= 0 ? Integer.MAX_VALUE : maxTokens - thoughtTokens;
            if (TokenCounter.count(text) > budget) {
                String[] words = text.split(" ");
                int n = words.length;
                while (n > 0
                        && TokenCounter.count(
                                        String.join(" ", Arrays.asList(words).subList(0, n)))
                                > budget) {
                    n--;
                }
                text = String.join(" ", Arrays.asList(words).subList(0, n));
                finish = "length";
                stopSequence = null;
            }
            output += TokenCounter.count(text);
        }
        int cached = promptTokens >= CACHE_MIN_PROMPT ? promptTokens / 2 : 0;
        return new CloudAnswer(
                thought,
                signature,
                List.copyOf(calls),
                text,
                finish,
                stopSequence,
                promptTokens,
                cached,
                thoughtTokens,
                output + thoughtTokens);
    }

    /** Output tokens that are not the thought: Gemini's {@code candidatesTokenCount}. */
    int visibleTokens() {
        return outputTokens - thoughtTokens;
    }

    private static String said(String text) {
        String stripped = text == null ? "" : text.strip();
        if (stripped.isEmpty()) {
            return "nothing";
        }
        String[] words = stripped.split("\\s+");
        return String.join(" ", Arrays.asList(words).subList(0, Math.min(ECHOED_WORDS, words.length)))
                + (words.length > ECHOED_WORDS ? "..." : "");
    }

    /** A deterministic stand-in for an opaque thought signature: base64 of the thought's SHA-256. */
    static String signature(String thought) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(thought.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
