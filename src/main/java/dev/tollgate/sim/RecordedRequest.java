package dev.tollgate.sim;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as the simulator received it, so tests can check what a gateway forwarded.
 *
 * @param headers header names in lower case, each with all its values in arrival order
 */
public record RecordedRequest(
        String method, String path, Map<String, List<String>> headers, String body, Instant receivedAt) {

    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, matched case-insensitively, or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
