package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.wire.GatewayError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The OpenAI error shape: {@code {"error":{"message","type","param","code"}}}, plus the request id. */
public final class OpenAiErrorBody {
    private static final JsonFactory JSON = new JsonFactory();

    private OpenAiErrorBody() {}

    public static byte[] encode(GatewayError error, String requestId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            writeError(g, error, requestId);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The same error as a server-sent event, for failures after a stream has started. */
    public static byte[] encodeEvent(GatewayError error, String requestId) {
        byte[] body = encode(error, requestId);
        byte[] event = new byte[body.length + 8];
        System.arraycopy("data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, event, 0, 6);
        System.arraycopy(body, 0, event, 6, body.length);
        event[event.length - 2] = '\n';
        event[event.length - 1] = '\n';
        return event;
    }

    private static void writeError(JsonGenerator g, GatewayError error, String requestId) throws IOException {
        g.writeObjectFieldStart("error");
        g.writeStringField("message", error.message());
        g.writeStringField("type", type(error));
        g.writeStringField("param", error.param());
        g.writeStringField("code", error.code());
        g.writeStringField("request_id", requestId);
        g.writeEndObject();
    }

    /** OpenAI's own type names, so SDK error handling that switches on them keeps working. */
    static String type(GatewayError error) {
        return switch (error.type()) {
            case INVALID_REQUEST, TOO_LARGE, NOT_FOUND -> "invalid_request_error";
            case AUTHENTICATION -> "authentication_error";
            case PERMISSION -> "permission_error";
            case RATE_LIMITED -> "rate_limit_error";
            case BILLING -> "insufficient_quota";
            case UPSTREAM, UNAVAILABLE, TIMEOUT -> "upstream_error";
            case INTERNAL -> "server_error";
        };
    }
}
