package dev.tollgate.route;

/** Why one attempt against one deployment failed before its first byte reached the caller. */
public enum AttemptFailure {
    /** The connection could not be opened. */
    CONNECT,
    /** No answer within the first-byte timeout (or an upstream 408). */
    TIMEOUT,
    /** The upstream answered 5xx. */
    SERVER_ERROR,
    /** The upstream answered 429. */
    RATE_LIMITED,
    /** The upstream refused the gateway itself (401, 403, 404): a configuration problem a retry cannot fix. */
    REJECTED,
    /** The connection broke, or the answer was unusable (early close, not JSON, too large). */
    BROKEN;

    /** Whether trying the same request again later may succeed. */
    public boolean retryable() {
        return this != REJECTED;
    }

    /** The failure an HTTP status stands for, or null when the status is not a deployment's fault. */
    public static AttemptFailure ofStatus(int status) {
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status >= 500) {
            return SERVER_ERROR;
        }
        if (status == 408) {
            return TIMEOUT;
        }
        if (status == 401 || status == 403 || status == 404) {
            return REJECTED;
        }
        return null;
    }
}
