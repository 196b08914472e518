-- The guard's audit trail (issue 6): every change of the verdict in force for an account, by the detector, an
-- operator's override or the allowlist, with the action it puts on the account's requests. Append-only.
CREATE TABLE guard_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms      INTEGER NOT NULL,
    account      TEXT    NOT NULL,
    org          TEXT,
    from_verdict TEXT    NOT NULL,
    to_verdict   TEXT    NOT NULL,
    action       TEXT,
    score        REAL    NOT NULL,
    cause        TEXT    NOT NULL,
    reasons      TEXT    NOT NULL
);
CREATE INDEX guard_audit_account ON guard_audit (account, id);

CREATE TRIGGER guard_audit_no_update BEFORE UPDATE ON guard_audit
BEGIN SELECT RAISE(ABORT, 'the guard audit is append-only'); END;
CREATE TRIGGER guard_audit_no_delete BEFORE DELETE ON guard_audit
BEGIN SELECT RAISE(ABORT, 'the guard audit is append-only'); END;
