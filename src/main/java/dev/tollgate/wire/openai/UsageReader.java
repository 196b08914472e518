package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.wire.Usage;
import java.io.IOException;
import java.util.Optional;

/**
 * Picks the {@code usage} object out of an OpenAI response body without mapping the rest of it. Everything else is
 * skipped token by token, which is what makes the fast path cheap.
 */
public final class UsageReader {
    private final JsonFactory json;

    public UsageReader(JsonFactory json) {
        this.json = json;
    }

    /** The usage of a complete (non-streamed) chat or embeddings response, if it carries one. */
    public Optional<Usage> fromResponse(byte[] body) {
        return fromResponse(body, 0, body.length);
    }

    public Optional<Usage> fromResponse(byte[] body, int offset, int length) {
        try (JsonParser p = json.createParser(body, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("usage") && value == JsonToken.START_OBJECT) {
                    return Optional.of(readUsage(p));
                }
                p.skipChildren();
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Reads a usage object; the parser stands on its START_OBJECT and is left on its END_OBJECT. */
    static Usage readUsage(JsonParser p) throws IOException {
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        long reasoning = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "prompt_tokens" -> prompt = number(p, value);
                case "completion_tokens" -> completion = number(p, value);
                case "prompt_tokens_details" -> cached = detail(p, value, "cached_tokens");
                case "completion_tokens_details" -> reasoning = detail(p, value, "reasoning_tokens");
                default -> p.skipChildren();
            }
        }
        return new Usage(prompt, completion, cached, reasoning);
    }

    private static long number(JsonParser p, JsonToken value) throws IOException {
        return value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
    }

    private static long detail(JsonParser p, JsonToken value, String field) throws IOException {
        long found = 0;
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return 0;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals(field)) {
                found = number(p, v);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}
