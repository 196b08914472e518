package dev.tollgate.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ProviderSimulator} listens and talks.
 *
 * @param host interface to bind, usually 127.0.0.1
 * @param port 0 picks a free ephemeral port
 * @param name appears in completion ids, answer text and {@code owned_by}
 * @param apiKey null accepts any request; otherwise {@code Authorization: Bearer <apiKey>} is required
 * @param tokenDelay pause between streamed chunks
 * @param chunkTokens words per streamed content chunk; 0 varies it between 1 and 4, like real streams
 */
public record SimulatorOptions(
        String host, int port, String name, String apiKey, Duration tokenDelay, int chunkTokens) {

    public SimulatorOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        tokenDelay = tokenDelay == null ? Duration.ZERO : tokenDelay;
        if (tokenDelay.isNegative()) {
            throw new IllegalArgumentException("tokenDelay must not be negative");
        }
        if (chunkTokens < 0) {
            throw new IllegalArgumentException("chunkTokens must not be negative");
        }
    }

    public static SimulatorOptions defaults(String name) {
        return new SimulatorOptions("127.0.0.1", 0, name, null, Duration.ZERO, 0);
    }

    public SimulatorOptions withPort(int port) {
        return new SimulatorOptions(host, port, name, apiKey, tokenDelay, chunkTokens);
    }

    public SimulatorOptions withApiKey(String apiKey) {
        return new SimulatorOptions(host, port, name, apiKey, tokenDelay, chunkTokens);
    }

    public SimulatorOptions withTokenDelay(Duration tokenDelay) {
        return new SimulatorOptions(host, port, name, apiKey, tokenDelay, chunkTokens);
    }

    public SimulatorOptions withChunkTokens(int chunkTokens) {
        return new SimulatorOptions(host, port, name, apiKey, tokenDelay, chunkTokens);
    }
}
