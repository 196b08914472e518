package dev.tollgate.sim;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/** Counts tokens with o200k_base, the encoding of the GPT-4o family, so usage numbers look like OpenAI's. */
final class TokenCounter {
    // Loading an encoding parses a large vocabulary; do it once per JVM.
    private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    /** OpenAI's documented per-message framing cost for chat models. */
    static final int PER_MESSAGE = 3;
    /** Every reply is primed with {@code <|start|>assistant<|message|>}. */
    static final int REPLY_PRIMING = 3;
    /** What a low-detail image costs; the simulator never looks at pixels. */
    static final int PER_IMAGE = 85;

    private TokenCounter() {}

    static int count(String text) {
        // "Ordinary" treats special-token text such as <|endoftext|> as plain text instead of throwing.
        return text == null || text.isEmpty() ? 0 : O200K.countTokensOrdinary(text);
    }
}
