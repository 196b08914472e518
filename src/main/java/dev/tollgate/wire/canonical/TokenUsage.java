package dev.tollgate.wire.canonical;

import dev.tollgate.wire.Usage;

/**
 * Tokens as a provider reported them, in one convention: {@code inputTokens} is the whole prompt, including the
 * tokens read from and written to the prompt cache (OpenAI's {@code prompt_tokens}; Anthropic's {@code input_tokens
 * + cache_creation_input_tokens + cache_read_input_tokens}); {@code outputTokens} includes reasoning tokens.
 */
public record TokenUsage(
        long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, long reasoningTokens) {
    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0, 0);

    /** What the ledger records. */
    public Usage toUsage() {
        return new Usage(inputTokens, outputTokens, cacheReadTokens, reasoningTokens);
    }

    /** Anthropic's {@code input_tokens}: the prompt tokens that were neither read from nor written to the cache. */
    public long uncachedInputTokens() {
        return Math.max(0, inputTokens - cacheReadTokens - cacheWriteTokens);
    }

    /** This usage with a later, cumulative report laid over it (a field the later one leaves at 0 is kept). */
    public TokenUsage merge(TokenUsage later) {
        return new TokenUsage(
                later.inputTokens > 0 ? later.inputTokens : inputTokens,
                later.outputTokens > 0 ? later.outputTokens : outputTokens,
                later.cacheReadTokens > 0 ? later.cacheReadTokens : cacheReadTokens,
                later.cacheWriteTokens > 0 ? later.cacheWriteTokens : cacheWriteTokens,
                later.reasoningTokens > 0 ? later.reasoningTokens : reasoningTokens);
    }
}
