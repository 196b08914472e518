package dev.tollgate.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** One usage record as one JSON line of the journal. Field names are a storage format: never rename them. */
final class UsageRecordCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private UsageRecordCodec() {}

    /**
     * One record as one JSON line. Written by hand rather than with a Jackson generator: this runs once per request
     * on the event loop, and creating a generator per record was the largest gateway-owned cost in the profile.
     */
    static byte[] line(UsageRecord r) {
        StringBuilder b = new StringBuilder(400);
        b.append('{');
        string(b, "id", r.requestId()).append(',');
        string(b, "time", r.time().toString()).append(',');
        string(b, "tenant", r.tenant()).append(',');
        string(b, "key", r.keyId()).append(',');
        string(b, "endpoint", r.endpoint()).append(',');
        string(b, "model", r.model()).append(',');
        string(b, "provider", r.provider()).append(',');
        string(b, "upstream_model", r.upstreamModel()).append(',');
        string(b, "deployment", r.deployment()).append(',');
        string(b, "region", r.region()).append(',');
        number(b, "prompt_tokens", r.usage().promptTokens()).append(',');
        number(b, "completion_tokens", r.usage().completionTokens()).append(',');
        number(b, "cached_tokens", r.usage().cachedTokens()).append(',');
        number(b, "reasoning_tokens", r.usage().reasoningTokens()).append(',');
        b.append("\"estimated\":").append(r.estimated()).append(',');
        string(b, "status", r.status().wire()).append(',');
        number(b, "http_status", r.httpStatus()).append(',');
        number(b, "latency_ms", r.latencyMillis()).append(',');
        b.append("\"stream\":").append(r.stream()).append(',');
        number(b, "attempts", r.attempts()).append(',');
        number(b, "cost_micros", r.costMicros()).append(',');
        string(b, "currency", r.currency());
        b.append("}\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void writeLine(UsageRecord r, ByteArrayOutputStream out) {
        byte[] line = line(r);
        out.write(line, 0, line.length);
    }

    private static StringBuilder number(StringBuilder b, String field, long value) {
        return b.append('"').append(field).append("\":").append(value);
    }

    private static StringBuilder string(StringBuilder b, String field, String value) {
        b.append('"').append(field).append("\":");
        if (value == null) {
            return b.append("null");
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    static UsageRecord readLine(String line) throws IOException {
        JsonNode n = MAPPER.readTree(line);
        if (n == null || !n.hasNonNull("id")) {
            throw new IOException("not a usage record");
        }
        return new UsageRecord(
                n.get("id").asText(),
                Instant.parse(n.get("time").asText()),
                text(n, "tenant"),
                text(n, "key"),
                text(n, "endpoint"),
                text(n, "model"),
                text(n, "provider"),
                text(n, "upstream_model"),
                text(n, "deployment"),
                text(n, "region"),
                new Usage(
                        n.path("prompt_tokens").asLong(),
                        n.path("completion_tokens").asLong(),
                        n.path("cached_tokens").asLong(),
                        n.path("reasoning_tokens").asLong()),
                n.path("estimated").asBoolean(),
                UsageStatus.valueOf(n.path("status").asText().toUpperCase(java.util.Locale.ROOT)),
                n.path("http_status").asInt(),
                n.path("latency_ms").asLong(),
                n.path("stream").asBoolean(),
                n.path("attempts").asInt(),
                n.path("cost_micros").asLong(), // absent in journals written before prices: 0
                text(n, "currency"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
