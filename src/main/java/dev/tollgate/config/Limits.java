package dev.tollgate.config;

/**
 * Size limits enforced before work is done.
 *
 * @param maxBodyBytes request bodies over this are refused with 413 before they are buffered (default 8 MiB)
 * @param maxResponseBytes a non-streaming upstream answer over this is treated as an upstream failure (default 64 MiB)
 * @param maxJsonDepth nesting depth accepted in request JSON (default 128)
 */
public record Limits(long maxBodyBytes, long maxResponseBytes, int maxJsonDepth) {
    public static final Limits DEFAULTS = new Limits(8L << 20, 64L << 20, 128);
}
