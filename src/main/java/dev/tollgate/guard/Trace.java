package dev.tollgate.guard;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The back-test: trace lines (see docs/guard.md) fed through the same {@link Observations} and {@link Detector} as
 * the live gateway, with the recorded timestamps, and one result line per account.
 */
public final class Trace {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Trace() {}

    /** One trace line as an observation; a line without account or with a bad timestamp is refused. */
    public static Observation observation(JsonNode line) {
        String account = line.path("account").asText(null);
        if (account == null || account.isBlank()) {
            throw new IllegalArgumentException("trace line without \"account\"");
        }
        Instant ts;
        try {
            ts = Instant.parse(line.path("ts").asText(""));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("trace line with a bad \"ts\" (ISO-8601 expected): "
                    + line.path("ts").asText(""));
        }
        return Observations.of(
                ts,
                account,
                line.path("org").asText(account),
                line,
                line.path("prompt_tokens").asLong(0),
                line.path("completion_tokens").asLong(0),
                line.path("reasoning_tokens").asLong(0),
                Observations.Fingerprints.NONE);
    }

    /** Counts of a replay. */
    public record Summary(long lines, long refused, int accounts) {}

    /** Replays every line of {@code in}, then writes one line per account (highest score first) to {@code out}. */
    public static Summary replay(BufferedReader in, Detector detector, Writer out) throws IOException {
        long lines = 0;
        long refused = 0;
        String text;
        while ((text = in.readLine()) != null) {
            if (text.isBlank()) {
                continue;
            }
            lines++;
            try {
                detector.observe(observation(JSON.readTree(text)));
            } catch (IllegalArgumentException | IOException e) {
                refused++;
            }
        }
        var reports = detector.reports(null);
        for (AccountReport r : reports) {
            out.write(resultLine(r));
            out.write('\n');
        }
        out.flush();
        return new Summary(lines, refused, reports.size());
    }

    /** {@code {"account","org","verdict","score","first_flagged_at","reasons":[…]}}. */
    public static String resultLine(AccountReport r) {
        var buffer = new java.io.StringWriter(256);
        try (JsonGenerator g = JSON.getFactory().createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField("account", r.account());
            g.writeStringField("org", r.org());
            g.writeStringField("verdict", r.verdict().wire());
            g.writeNumberField("score", r.score());
            if (r.firstFlaggedAt() == null) {
                g.writeNullField("first_flagged_at");
            } else {
                g.writeStringField("first_flagged_at", r.firstFlaggedAt().toString());
            }
            g.writeArrayFieldStart("reasons");
            for (String reason : r.reasons()) {
                g.writeString(reason);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return buffer.toString();
    }
}
