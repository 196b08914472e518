package dev.tollgate.wire.canonical;

/** A caller's request an ingress dialect refuses; {@code param} names the offending field, null when not JSON. */
public final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String param;

    public BadRequestException(String message, String param) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
