package dev.tollgate.wire.canonical;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * The JSON-tree chores the dialects that build their wire bodies as trees (Gemini, Bedrock) share: reading an
 * answer that must be one object, writing a body, and reading a caller's JSON text that must be one object.
 */
public final class JsonTrees {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonTrees() {}

    /** The provider's answer as a JSON object; anything else is the provider breaking its own format. */
    public static JsonNode answerObject(byte[] body, int offset, int length, String provider)
            throws UpstreamFormatException {
        try {
            JsonNode root = JSON.readTree(body, offset, length);
            if (root == null || !root.isObject()) {
                throw new UpstreamFormatException(provider + " answered with something that is not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new UpstreamFormatException(provider + " answered with malformed JSON", e);
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /**
     * A caller's JSON text that must be an object (tool arguments, a schema): blank reads as {@code {}}; anything
     * else is refused naming the parameter, since the provider takes these as structured objects, not text.
     */
    public static JsonNode callerObject(String json, String param) throws UnsupportedParameterException {
        if (json == null || json.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (JsonProcessingException e) {
            // refused below
        }
        throw new UnsupportedParameterException(param, "'" + param + "' must be a JSON object.");
    }
}
