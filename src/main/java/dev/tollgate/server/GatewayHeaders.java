package dev.tollgate.server;

import io.vertx.core.http.HttpHeaders;

/**
 * Header names and values the gateway writes on every request, made once: a plain String name is validated and
 * lower-cased by Vert.x at every use, which showed in the profile of the hot path.
 */
final class GatewayHeaders {
    static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
    static final CharSequence DEPLOYMENT = HttpHeaders.createOptimized("x-tollgate-deployment");
    static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");

    private GatewayHeaders() {}
}
