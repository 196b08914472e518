package dev.tollgate.sim;

/** A request body OpenAI would reject with 400 {@code invalid_request_error}; {@code param} names the culprit. */
final class InvalidRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String param;

    InvalidRequest(String message, String param) {
        super(message, null, false, false);
        this.param = param;
    }

    String param() {
        return param;
    }
}
