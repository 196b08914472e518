package dev.tollgate.wire;

/**
 * Tokens one answer consumed, as the upstream reported them (or as estimated when it did not).
 *
 * @param cachedTokens part of {@code promptTokens} served from the provider's prompt cache
 * @param reasoningTokens part of {@code completionTokens} spent on hidden reasoning
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
