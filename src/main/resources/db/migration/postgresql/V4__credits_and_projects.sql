-- The PostgreSQL twin of db/migration/sqlite/V4: credit grants, prepaid top-ups, consumption entries, budget
-- settings (all append-only) and key projects.

CREATE TABLE credit_grants (
    id            TEXT   PRIMARY KEY,
    tenant        TEXT   NOT NULL,
    currency      TEXT,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    models        TEXT   NOT NULL,
    priority      TEXT   NOT NULL CHECK (priority IN ('promotional', 'paid')),
    expires_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    reason        TEXT
);
CREATE INDEX credit_grants_tenant ON credit_grants (tenant);

CREATE TABLE balance_topups (
    id            TEXT   PRIMARY KEY,
    tenant        TEXT   NOT NULL,
    currency      TEXT   NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    created_at_ms BIGINT NOT NULL,
    reference     TEXT
);
CREATE INDEX balance_topups_tenant ON balance_topups (tenant);

CREATE TABLE credit_entries (
    request_id TEXT   NOT NULL,
    source     TEXT   NOT NULL,
    tenant     TEXT   NOT NULL,
    currency   TEXT,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    time_ms    BIGINT NOT NULL,
    PRIMARY KEY (request_id, source)
);
CREATE INDEX credit_entries_tenant ON credit_entries (tenant, time_ms);

CREATE TABLE budget_settings (
    seq       BIGSERIAL PRIMARY KEY,
    tenant    TEXT   NOT NULL,
    scope     TEXT   NOT NULL CHECK (scope IN ('tenant', 'project', 'key')),
    name      TEXT   NOT NULL,
    budgets   TEXT   NOT NULL,
    set_at_ms BIGINT NOT NULL
);

CREATE TRIGGER credit_grants_append_only BEFORE UPDATE OR DELETE ON credit_grants
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER credit_grants_no_truncate BEFORE TRUNCATE ON credit_grants
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER balance_topups_append_only BEFORE UPDATE OR DELETE ON balance_topups
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER balance_topups_no_truncate BEFORE TRUNCATE ON balance_topups
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER credit_entries_no_truncate BEFORE TRUNCATE ON credit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER budget_settings_append_only BEFORE UPDATE OR DELETE ON budget_settings
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER budget_settings_no_truncate BEFORE TRUNCATE ON budget_settings
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();

ALTER TABLE api_keys ADD COLUMN project TEXT;
