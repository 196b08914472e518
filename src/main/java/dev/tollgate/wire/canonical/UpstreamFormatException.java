package dev.tollgate.wire.canonical;

/** A provider answer that does not follow the provider's own wire format. */
public final class UpstreamFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public UpstreamFormatException(String message) {
        super(message, null, false, false);
    }

    public UpstreamFormatException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
