package dev.tollgate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Reads the human message out of an upstream's error body, whatever the provider's error shape. */
final class UpstreamMessages {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX = 200;

    private UpstreamMessages() {}

    static String errorMessage(String body) {
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root == null) {
                return null;
            }
            JsonNode error = root.path("error");
            String message =
                    error.isTextual() ? error.asText() : error.path("message").asText(null);
            if (message == null) {
                message = root.path("message").asText(null);
            }
            if (message == null) {
                return null;
            }
            return message.length() > MAX ? message.substring(0, MAX) + "…" : message;
        } catch (IOException e) {
            return null;
        }
    }
}
