package dev.tollgate.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** The body OpenAI wraps every error in: {@code {"error":{"message","type","param","code"}}}. */
record OpenAiError(int status, String message, String type, String param, String code) {

    static OpenAiError invalidRequest(InvalidRequest e) {
        return new OpenAiError(400, e.getMessage(), "invalid_request_error", e.param(), null);
    }

    Buffer body() {
        return Buffer.buffer(new JsonObject()
                .put(
                        "error",
                        new JsonObject()
                                .put("message", message)
                                .put("type", type)
                                .put("param", param)
                                .put("code", code))
                .encode());
    }
}
