package dev.tollgate.config;

import java.time.Duration;

/**
 * Time limits on upstream calls.
 *
 * @param connect to open a connection to one upstream
 * @param firstByte from sending a request to one upstream until its response headers arrive
 * @param idle longest silence between two chunks of a streamed answer
 * @param request the whole request across all fallbacks, until the first byte reaches the caller
 * @param shutdownDrain how long a graceful shutdown waits for in-flight requests
 */
public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration request, Duration shutdownDrain) {
    public static final Timeouts DEFAULTS = new Timeouts(
            Duration.ofSeconds(5),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            Duration.ofSeconds(120),
            Duration.ofSeconds(30));
}
