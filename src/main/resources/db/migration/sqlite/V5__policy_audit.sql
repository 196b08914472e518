-- The compliance policy's audit log (issue 4): every decision that denied a deployment to a request (with the rule
-- that decided each candidate) and every change of the policy in force. Append-only, like the usage ledger.
CREATE TABLE policy_audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,   -- decision | policy_change
    request_id TEXT,
    tenant     TEXT,
    model      TEXT,
    outcome    TEXT    NOT NULL,   -- refused | filtered | loaded | changed
    detail     TEXT    NOT NULL    -- JSON: verdicts, or the list of changes
);
CREATE INDEX policy_audit_time ON policy_audit (time_ms);
CREATE INDEX policy_audit_tenant_time ON policy_audit (tenant, time_ms);

CREATE TRIGGER policy_audit_no_update BEFORE UPDATE ON policy_audit
BEGIN SELECT RAISE(ABORT, 'the policy audit log is append-only'); END;
CREATE TRIGGER policy_audit_no_delete BEFORE DELETE ON policy_audit
BEGIN SELECT RAISE(ABORT, 'the policy audit log is append-only'); END;
