package dev.tollgate.tenant;

/** A request named a tenant or model that does not exist: a "not found", not a malformed request. */
public final class UnknownNameException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownNameException(String message) {
        super(message);
    }
}
