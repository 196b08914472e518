-- The PostgreSQL twin of db/migration/sqlite/V5: the compliance policy's append-only audit log.
CREATE TABLE policy_audit (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time_ms    BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    request_id TEXT,
    tenant     TEXT,
    model      TEXT,
    outcome    TEXT   NOT NULL,
    detail     TEXT   NOT NULL
);
CREATE INDEX policy_audit_time ON policy_audit (time_ms);
CREATE INDEX policy_audit_tenant_time ON policy_audit (tenant, time_ms);

-- tollgate_append_only() is defined in V1.
CREATE TRIGGER policy_audit_append_only BEFORE UPDATE OR DELETE ON policy_audit
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER policy_audit_no_truncate BEFORE TRUNCATE ON policy_audit
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
