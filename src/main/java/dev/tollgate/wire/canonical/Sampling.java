package dev.tollgate.wire.canonical;

/**
 * OpenAI's sampling knobs that Anthropic and Bedrock lack: carried through the canonical model so that an OpenAI
 * caller's request reaches an OpenAI-compatible provider (or Gemini, which has seed and the penalties) unchanged.
 * Every field is null when the caller did not set it.
 *
 * @param logitBias the {@code logit_bias} object as JSON text (token id → bias)
 */
public record Sampling(Long seed, Double presencePenalty, Double frequencyPenalty, String logitBias) {
    public static final Sampling NONE = new Sampling(null, null, null, null);

    public boolean isEmpty() {
        return seed == null && presencePenalty == null && frequencyPenalty == null && logitBias == null;
    }
}
