package dev.tollgate.wire;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises what a provider's error message means when its status and type do not say it: every provider words a
 * context-window overflow differently, often as a plain 400.
 */
public final class UpstreamErrorText {
    // Wordings seen from OpenAI, Anthropic, Gemini, Bedrock, DeepSeek, vLLM and Ollama.
    private static final Pattern CONTEXT_OVERFLOW = Pattern.compile(
            "context[ _-]?(length|window)|maximum context|prompt is too long|input is too long|too many (input )?tokens"
                    + "|exceeds the maximum number of tokens|input token count.*exceeds|reduce the length"
                    + "|maximum (input )?length");

    private UpstreamErrorText() {}

    public static boolean isContextOverflow(String message) {
        return message != null
                && CONTEXT_OVERFLOW.matcher(message.toLowerCase(Locale.ROOT)).find();
    }

    /** A {@code retry-after} header in whole seconds, in milliseconds; -1 when absent or not a number of seconds. */
    public static long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            return Math.max(0, (long) (Double.parseDouble(header.strip()) * 1000));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
