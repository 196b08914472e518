package dev.tollgate.guard;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Builds observations from an OpenAI-format request (the live gateway's request body, or a trace line of the replay:
 * both carry {@code messages} or {@code prompt}, {@code n}, {@code logprobs}, {@code temperature}), so the live path
 * and the back-test share this code. An Anthropic Messages body reads the same way: its top-level {@code system} is
 * taken like a system message, its content blocks like content parts.
 */
public final class Observations {
    private static final int SYSTEM_CHARS = 512;

    private Observations() {}

    /** Request-level fingerprints; any may be null. Metadata in the body fills the ones not given here. */
    public record Fingerprints(String ip, String paymentFp, String clientFp) {
        public static final Fingerprints NONE = new Fingerprints(null, null, null);
    }

    public static Observation of(
            Instant time,
            String account,
            String org,
            JsonNode request,
            long promptTokens,
            long completionTokens,
            long reasoningTokens,
            Fingerprints fingerprints) {
        StringBuilder text = new StringBuilder(256);
        int users = 0;
        int assistants = 0;
        String lastUser = "";
        JsonNode system = request.path("system");
        if (!system.isMissingNode() && !system.isNull()) {
            String s = content(system);
            text.append(s, 0, Math.min(s.length(), SYSTEM_CHARS)).append('\n');
        }
        JsonNode messages = request.path("messages");
        if (messages.isArray()) {
            for (JsonNode m : messages) {
                String role = m.path("role").asText("");
                switch (role) {
                    case "system", "developer" -> {
                        String s = content(m.path("content"));
                        text.append(s, 0, Math.min(s.length(), SYSTEM_CHARS)).append('\n');
                    }
                    case "user" -> {
                        users++;
                        lastUser = content(m.path("content"));
                    }
                    case "assistant", "tool" -> assistants++;
                    default -> {}
                }
            }
        } else if (request.path("prompt").isTextual()) {
            users = 1;
            lastUser = request.path("prompt").asText();
        }
        text.append(lastUser, 0, Math.min(lastUser.length(), 4 * Observation.MAX_SKELETON_CHARS));
        JsonNode metadata = request.path("metadata");
        JsonNode temperature = request.path("temperature");
        JsonNode logprobs = request.path("logprobs");
        return new Observation(
                time,
                account,
                org,
                request.path("model").asText(""),
                Prompts.mask(text.toString()),
                promptTokens,
                completionTokens,
                reasoningTokens,
                request.path("n").asInt(1),
                logprobs.asBoolean(false)
                        || logprobs.isInt()
                        || request.path("top_logprobs").asInt(0) > 0,
                temperature.isNumber() ? temperature.asDouble() : Double.NaN,
                users <= 1 && assistants == 0,
                request.path("tools").isArray() && !request.path("tools").isEmpty(),
                first(fingerprints.ip(), request, metadata, "ip"),
                first(fingerprints.paymentFp(), request, metadata, "payment_fp"),
                first(fingerprints.clientFp(), request, metadata, "client_fp"));
    }

    private static String first(String given, JsonNode request, JsonNode metadata, String field) {
        if (given != null) {
            return given;
        }
        JsonNode v = request.path(field);
        if (v.isTextual()) {
            return v.asText();
        }
        v = metadata.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    /** A message's text: a string, or the text parts of a content array. */
    private static String content(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    b.append(part.path("text").asText()).append(' ');
                }
                if (b.length() > 4 * Observation.MAX_SKELETON_CHARS) {
                    break;
                }
            }
            return b.toString();
        }
        return "";
    }
}
