package dev.tollgate.meter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/** One usage record as one JSON line of the journal. Field names are a storage format: never rename them. */
final class UsageRecordCodec {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private UsageRecordCodec() {}

    static byte[] line(UsageRecord r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        writeLine(r, out);
        return out.toByteArray();
    }

    static void writeLine(UsageRecord r, ByteArrayOutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", r.requestId());
            g.writeStringField("time", r.time().toString());
            g.writeStringField("tenant", r.tenant());
            g.writeStringField("key", r.keyId());
            g.writeStringField("endpoint", r.endpoint());
            g.writeStringField("model", r.model());
            g.writeStringField("provider", r.provider());
            g.writeStringField("upstream_model", r.upstreamModel());
            g.writeStringField("deployment", r.deployment());
            g.writeStringField("region", r.region());
            g.writeNumberField("prompt_tokens", r.usage().promptTokens());
            g.writeNumberField("completion_tokens", r.usage().completionTokens());
            g.writeNumberField("cached_tokens", r.usage().cachedTokens());
            g.writeNumberField("reasoning_tokens", r.usage().reasoningTokens());
            g.writeBooleanField("estimated", r.estimated());
            g.writeStringField("status", r.status().wire());
            g.writeNumberField("http_status", r.httpStatus());
            g.writeNumberField("latency_ms", r.latencyMillis());
            g.writeBooleanField("stream", r.stream());
            g.writeNumberField("attempts", r.attempts());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
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
                n.path("attempts").asInt());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
