package dev.tollgate.meter;

/** How a metered request ended. */
public enum UsageStatus {
    /** The answer was delivered in full. */
    OK,
    /** The upstream failed after the first byte reached the caller; the caller got an error event. */
    CUT,
    /** The caller went away before the answer was complete. */
    CLIENT_CLOSED,
    /** Every deployment failed before answering; nothing was delivered. */
    UPSTREAM_FAILED,
    /** An upstream refused the request as invalid (passed back to the caller as it was). */
    REJECTED_UPSTREAM;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
