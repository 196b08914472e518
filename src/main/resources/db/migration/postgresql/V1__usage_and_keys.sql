-- The PostgreSQL twin of db/migration/sqlite/V1: same tables, columns and rules, in PostgreSQL's types.
-- Every later migration exists in both folders with the same version number.

-- The usage ledger: one row per metered request, never updated or deleted.
CREATE TABLE usage_records (
    request_id        TEXT     PRIMARY KEY,
    time_ms           BIGINT   NOT NULL,
    tenant            TEXT     NOT NULL,
    key_id            TEXT,
    endpoint          TEXT     NOT NULL,
    model             TEXT     NOT NULL,
    provider          TEXT,
    upstream_model    TEXT,
    deployment        TEXT,
    region            TEXT,
    prompt_tokens     BIGINT   NOT NULL,
    completion_tokens BIGINT   NOT NULL,
    cached_tokens     BIGINT   NOT NULL,
    reasoning_tokens  BIGINT   NOT NULL,
    estimated         SMALLINT NOT NULL,
    status            TEXT     NOT NULL,
    http_status       INTEGER  NOT NULL,
    latency_ms        BIGINT   NOT NULL,
    stream            SMALLINT NOT NULL,
    attempts          INTEGER  NOT NULL
);
CREATE INDEX usage_records_tenant_time ON usage_records (tenant, time_ms);

CREATE FUNCTION tollgate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER usage_records_append_only BEFORE UPDATE OR DELETE ON usage_records
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
-- TRUNCATE skips row triggers; refuse it as well.
CREATE TRIGGER usage_records_no_truncate BEFORE TRUNCATE ON usage_records
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();

CREATE TABLE tenants (
    name          TEXT   PRIMARY KEY,
    country       TEXT,
    created_at_ms BIGINT NOT NULL
);

-- Virtual keys: only the SHA-256 of a key is kept.
CREATE TABLE api_keys (
    id            TEXT   PRIMARY KEY,
    tenant        TEXT   NOT NULL,
    name          TEXT,
    prefix        TEXT   NOT NULL,
    hash          TEXT   NOT NULL UNIQUE,
    models        TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant);
