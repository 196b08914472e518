package dev.tollgate.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.wire.Usage;
import java.io.IOException;

/**
 * Estimates tokens when an upstream never reported them (a stream cut before its usage chunk). Upstream-reported
 * usage is always the truth; this is only the fallback, and records made with it are marked estimated.
 * Uses o200k_base, OpenAI's current encoding; other vendors' tokenizers differ by a few percent.
 */
public final class TokenEstimator {
    // OpenAI's documented accounting: every message costs a few framing tokens, every reply is primed with 3.
    private static final int TOKENS_PER_MESSAGE = 3;
    private static final int REPLY_PRIMING = 3;
    private static final int TOKENS_PER_IMAGE = 85;

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private final ObjectMapper mapper = new ObjectMapper();

    public int count(CharSequence text) {
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text.toString());
    }

    /** Prompt tokens of a chat completions or embeddings request body. */
    public long promptTokens(byte[] requestBody) {
        JsonNode root;
        try {
            root = mapper.readTree(requestBody);
        } catch (IOException e) {
            return 0;
        }
        JsonNode messages = root.path("messages");
        if (messages.isArray()) {
            long total = REPLY_PRIMING;
            for (JsonNode message : messages) {
                total += TOKENS_PER_MESSAGE + countContent(message.path("content"));
                total += count(message.path("name").asText(""));
                for (JsonNode call : message.path("tool_calls")) {
                    total += count(call.path("function").path("name").asText(""));
                    total += count(call.path("function").path("arguments").asText(""));
                }
            }
            JsonNode tools = root.path("tools");
            if (tools.isArray() && !tools.isEmpty()) {
                total += count(tools.toString());
            }
            return total;
        }
        return countContent(root.path("input"));
    }

    private long countContent(JsonNode content) {
        if (content.isTextual()) {
            return count(content.asText());
        }
        long total = 0;
        if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    total += count(part.asText());
                } else if (part.isNumber()) {
                    total++; // a pre-tokenized embedding input
                } else if (part.isArray()) {
                    total += part.size();
                } else if (part.has("text")) {
                    total += count(part.path("text").asText(""));
                } else if (part.has("image_url")
                        || "image_url".equals(part.path("type").asText())) {
                    total += TOKENS_PER_IMAGE;
                }
            }
        }
        return total;
    }

    /** Usage for an answer cut short: the prompt as sent and whatever was generated before the cut. */
    public Usage estimate(byte[] requestBody, CharSequence generated) {
        return new Usage(promptTokens(requestBody), count(generated), 0, 0);
    }
}
