package dev.tollgate.guard;

import java.time.Instant;
import java.util.List;

/** Where the guard's audit trail is kept (the store's {@code guard_audit} table); called off the request path. */
public interface GuardAudit {
    /**
     * One audited change: the verdict in force for an account moved, and with it the action applied to its requests.
     *
     * @param action the action now in force (null when the new verdict is clear)
     * @param cause "detector", "operator: <reason>" or "allowlist"
     */
    record Entry(
            Instant time,
            String account,
            String org,
            Verdict from,
            Verdict to,
            Action action,
            double score,
            String cause,
            List<String> reasons) {
        public Entry {
            reasons = List.copyOf(reasons);
        }
    }

    void append(List<Entry> entries) throws Exception;

    /** The newest entries of an account, newest first. */
    List<Entry> history(String account, int limit) throws Exception;

    /** Keeps entries in memory only (tests, the replay). */
    GuardAudit NONE = new GuardAudit() {
        @Override
        public void append(List<Entry> entries) {}

        @Override
        public List<Entry> history(String account, int limit) {
            return List.of();
        }
    };
}
