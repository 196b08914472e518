package dev.tollgate.server;

import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.openai.OpenAiErrorBody;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Sends a {@link GatewayError} to a caller, in the caller's dialect (OpenAI unless told otherwise). */
final class ApiErrors {
    private ApiErrors() {}

    static Future<Void> send(HttpServerResponse response, GatewayError error, String requestId) {
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        response.setStatusCode(error.status());
        response.putHeader(HttpHeaders.CONTENT_TYPE, GatewayHeaders.JSON);
        if (error.retryAfterSeconds() > 0) {
            response.putHeader("retry-after", Long.toString(error.retryAfterSeconds()));
        }
        return response.end(Buffer.buffer(OpenAiErrorBody.encode(error, requestId)));
    }

    /** The error in {@code dialect}'s shape; Anthropic callers also get the id in {@code request-id}. */
    static Future<Void> send(
            HttpServerResponse response, GatewayError error, String requestId, IngressDialect dialect) {
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        response.setStatusCode(error.status());
        response.putHeader(HttpHeaders.CONTENT_TYPE, GatewayHeaders.JSON);
        response.putHeader("request-id", requestId);
        if (error.retryAfterSeconds() > 0) {
            response.putHeader("retry-after", Long.toString(error.retryAfterSeconds()));
        }
        return response.end(Buffer.buffer(dialect.encodeError(error, requestId)));
    }
}
