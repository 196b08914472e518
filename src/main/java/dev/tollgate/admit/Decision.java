package dev.tollgate.admit;

/** The outcome of {@link Admission#admit}: the request goes on holding a {@link Ticket}, or it is refused. */
public sealed interface Decision permits Decision.Admitted, Decision.Refused {
    Quota quota();

    /** Admitted; the ticket must be settled with the real token count and released when the answer is over. */
    record Admitted(Ticket ticket, Quota quota) implements Decision {}

    /**
     * Refused by one limit of one scope.
     *
     * @param scope {@code key} or {@code tenant}
     * @param dimension {@code requests}, {@code tokens} or {@code streams}
     * @param retryAfterSeconds when a retry can succeed (at least 1)
     * @param message what was exceeded, for the caller; names no secret
     */
    record Refused(String scope, String dimension, long retryAfterSeconds, Quota quota, String message)
            implements Decision {}
}
