package dev.tollgate.meter;

/** The usage ledger cannot take a record (closed, overloaded, or the journal cannot be written). */
public final class LedgerUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
