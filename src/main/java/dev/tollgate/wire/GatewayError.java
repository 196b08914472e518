package dev.tollgate.wire;

/**
 * An error as a value, independent of the caller's dialect; each ingress encodes it in its own shape.
 *
 * @param type the dialect-neutral kind (each dialect maps it to its own error type)
 * @param code a stable machine-readable code, e.g. {@code model_not_found}
 * @param param the request field at fault, or null
 * @param retryAfterSeconds for 429/503: when to try again, or 0
 */
public record GatewayError(int status, Kind type, String code, String param, String message, long retryAfterSeconds) {
    public enum Kind {
        INVALID_REQUEST,
        AUTHENTICATION,
        PERMISSION,
        NOT_FOUND,
        TOO_LARGE,
        RATE_LIMITED,
        /** The account's credit or prepaid balance does not cover the request (billing.md, "Credits"). */
        BILLING,
        UPSTREAM,
        UNAVAILABLE,
        TIMEOUT,
        INTERNAL
    }

    public static GatewayError invalid(String message, String param) {
        return new GatewayError(
                400, Kind.INVALID_REQUEST, param == null ? "invalid_json" : "invalid_value", param, message, 0);
    }

    public static GatewayError unauthenticated(String message) {
        return new GatewayError(401, Kind.AUTHENTICATION, "invalid_api_key", null, message, 0);
    }

    public static GatewayError modelNotFound(String model) {
        return new GatewayError(
                404,
                Kind.NOT_FOUND,
                "model_not_found",
                "model",
                "The model '" + model + "' does not exist or your key may not use it.",
                0);
    }

    public static GatewayError notFound(String message) {
        return new GatewayError(404, Kind.NOT_FOUND, "not_found", null, message, 0);
    }

    public static GatewayError tooLarge(long limit) {
        return new GatewayError(
                413,
                Kind.TOO_LARGE,
                "request_too_large",
                null,
                "The request body is larger than the limit of " + limit + " bytes.",
                0);
    }
}
