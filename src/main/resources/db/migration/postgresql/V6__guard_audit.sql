-- The PostgreSQL twin of db/migration/sqlite/V6: the guard's append-only audit trail of verdict changes and actions.
CREATE TABLE guard_audit (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time_ms      BIGINT           NOT NULL,
    account      TEXT             NOT NULL,
    org          TEXT,
    from_verdict TEXT             NOT NULL,
    to_verdict   TEXT             NOT NULL,
    action       TEXT,
    score        DOUBLE PRECISION NOT NULL,
    cause        TEXT             NOT NULL,
    reasons      TEXT             NOT NULL
);
CREATE INDEX guard_audit_account ON guard_audit (account, id);

-- tollgate_append_only() comes from V1.
CREATE TRIGGER guard_audit_append_only BEFORE UPDATE OR DELETE ON guard_audit
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER guard_audit_no_truncate BEFORE TRUNCATE ON guard_audit
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
