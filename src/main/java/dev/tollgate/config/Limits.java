package dev.tollgate.config;

/**
 * Size limits enforced before work is done.
 *
 * @param maxBodyBytes request bodies over this are refused with 413 before they are buffered (default 8 MiB)
 * @param maxResponseBytes a non-streaming upstream answer over this is treated as an upstream failure (default 64 MiB)
 * @param maxJsonDepth nesting depth accepted in request JSON (default 128)
 * @param maxImageBytes an image the gateway fetches by URL for a provider that refuses URLs (Gemini, Bedrock) may be
 *     at most this large (default 5 MiB, Anthropic's and Bedrock's per-image limit)
 * @param privateImageHosts whether such a fetch may reach loopback, private and link-local addresses (default false:
 *     a caller must not make the gateway read its own network)
 */
public record Limits(
        long maxBodyBytes, long maxResponseBytes, int maxJsonDepth, long maxImageBytes, boolean privateImageHosts) {
    public static final Limits DEFAULTS = new Limits(8L << 20, 64L << 20, 128, 5L << 20, false);

    public Limits(long maxBodyBytes, long maxResponseBytes, int maxJsonDepth) {
        this(maxBodyBytes, maxResponseBytes, maxJsonDepth, DEFAULTS.maxImageBytes(), false);
    }
}
