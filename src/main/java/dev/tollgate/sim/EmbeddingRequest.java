package dev.tollgate.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A validated {@code POST /v1/embeddings} body.
 *
 * @param inputs each input in a canonical text form: the string itself, or the token ids joined by commas
 * @param base64 whether vectors go out as base64 of little-endian float32s instead of JSON numbers
 */
record EmbeddingRequest(String model, List<String> inputs, boolean base64, int dimensions, int promptTokens) {

    static final int DEFAULT_DIMENSIONS = 256;
    private static final int MAX_DIMENSIONS = 4096;
    private static final int MAX_INPUTS = 2048;

    static EmbeddingRequest parse(Buffer body) {
        JsonObject json = ChatRequest.JsonBody.object(body);
        String model = ChatRequest.JsonBody.requiredString(json, "model");
        Object input = json.getValue("input");
        if (input == null) {
            throw new InvalidRequest("Missing required parameter: 'input'.", "input");
        }
        List<String> inputs = new ArrayList<>();
        int tokens = 0;
        if (input instanceof String text) {
            inputs.add(nonEmpty(text));
            tokens += TokenCounter.count(text);
        } else if (input instanceof JsonArray array && !array.isEmpty() && array.size() <= MAX_INPUTS) {
            if (array.getValue(0) instanceof Number) {
                inputs.add(tokenIds(array)); // one pre-tokenised input
                tokens += array.size();
            } else {
                for (Object item : array) {
                    if (item instanceof String text) {
                        inputs.add(nonEmpty(text));
                        tokens += TokenCounter.count(text);
                    } else if (item instanceof JsonArray ids && !ids.isEmpty()) {
                        inputs.add(tokenIds(ids));
                        tokens += ids.size();
                    } else {
                        throw invalidInput();
                    }
                }
            }
        } else {
            throw invalidInput();
        }
        String format = json.getValue("encoding_format") instanceof String f ? f : "float";
        if (!format.equals("float") && !format.equals("base64")) {
            throw new InvalidRequest(
                    "Invalid value for 'encoding_format': expected 'float' or 'base64'.", "encoding_format");
        }
        int dimensions = ChatRequest.JsonBody.optionalInt(json, "dimensions", DEFAULT_DIMENSIONS, 1, MAX_DIMENSIONS);
        return new EmbeddingRequest(model, List.copyOf(inputs), format.equals("base64"), dimensions, tokens);
    }

    JsonObject response() {
        JsonArray data = new JsonArray();
        for (int i = 0; i < inputs.size(); i++) {
            float[] vector = vector(inputs.get(i), dimensions);
            Object embedding;
            if (base64) {
                ByteBuffer bytes =
                        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : vector) {
                    bytes.putFloat(v);
                }
                embedding = Base64.getEncoder().encodeToString(bytes.array());
            } else {
                JsonArray numbers = new JsonArray();
                for (float v : vector) {
                    numbers.add(v);
                }
                embedding = numbers;
            }
            data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", embedding));
        }
        return new JsonObject()
                .put("object", "list")
                .put("data", data)
                .put("model", model)
                .put(
                        "usage",
                        new JsonObject().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens));
    }

    /** A unit vector that depends only on the input and the size, so equal inputs embed equally. */
    static float[] vector(String input, int dimensions) {
        SplittableRandom random = new SplittableRandom(fnv1a(input.getBytes(StandardCharsets.UTF_8)));
        float[] vector = new float[dimensions];
        double sumOfSquares = 0;
        for (int i = 0; i < dimensions; i++) {
            double v = random.nextDouble(-1.0, 1.0);
            vector[i] = (float) v;
            sumOfSquares += v * v;
        }
        double norm = Math.sqrt(sumOfSquares);
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) (vector[i] / norm);
        }
        return vector;
    }

    // String.hashCode has only 32 bits; FNV-1a spreads the seed over 64.
    private static long fnv1a(byte[] bytes) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private static String tokenIds(JsonArray ids) {
        StringBuilder text = new StringBuilder("tokens:");
        for (Object id : ids) {
            if (!(id instanceof Integer || id instanceof Long) || ((Number) id).longValue() < 0) {
                throw invalidInput();
            }
            text.append(id).append(',');
        }
        return text.toString();
    }

    private static String nonEmpty(String text) {
        if (text.isEmpty()) {
            throw invalidInput();
        }
        return text;
    }

    private static InvalidRequest invalidInput() {
        return new InvalidRequest(
                "'$.input' is invalid. Expected a non-empty string, array of strings, array of tokens, or array of"
                        + " token arrays.",
                "input");
    }
}
