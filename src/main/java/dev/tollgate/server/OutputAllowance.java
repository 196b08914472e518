package dev.tollgate.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The most a request may generate, for reserving its worst expected cost: the caller's {@code max_tokens} (OpenAI
 * and Anthropic), {@code max_completion_tokens} (OpenAI) or {@code max_output_tokens} (Responses), the largest when
 * several are set; {@link #DEFAULT} when none is.
 */
final class OutputAllowance {
    /** Reserved when the caller sets no limit: the real count replaces it once known (billing.md, "Credits"). */
    static final long DEFAULT = 1024;

    private static final JsonFactory JSON = new JsonFactory();

    private OutputAllowance() {}

    static long maxOutputTokens(byte[] body) {
        long max = -1;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return DEFAULT;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NUMBER_INT
                        && (name.equals("max_tokens")
                                || name.equals("max_completion_tokens")
                                || name.equals("max_output_tokens"))) {
                    max = Math.max(max, p.getLongValue());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return DEFAULT;
        }
        return max < 0 ? DEFAULT : max;
    }
}
