package dev.tollgate.wire.openai;

/** A request body the gateway refuses; {@code param} names the offending field (null when the body is not JSON). */
public final class InvalidRequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String param;

    public InvalidRequestException(String message, String param) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
