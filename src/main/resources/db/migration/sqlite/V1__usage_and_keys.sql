-- The usage ledger: one row per metered request, never updated or deleted.
CREATE TABLE usage_records (
    request_id        TEXT    PRIMARY KEY,
    time_ms           INTEGER NOT NULL,
    tenant            TEXT    NOT NULL,
    key_id            TEXT,
    endpoint          TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    provider          TEXT,
    upstream_model    TEXT,
    deployment        TEXT,
    region            TEXT,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    reasoning_tokens  INTEGER NOT NULL,
    estimated         INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    http_status       INTEGER NOT NULL,
    latency_ms        INTEGER NOT NULL,
    stream            INTEGER NOT NULL,
    attempts          INTEGER NOT NULL
);
CREATE INDEX usage_records_tenant_time ON usage_records (tenant, time_ms);

CREATE TRIGGER usage_records_no_update BEFORE UPDATE ON usage_records
BEGIN SELECT RAISE(ABORT, 'usage records are append-only'); END;
CREATE TRIGGER usage_records_no_delete BEFORE DELETE ON usage_records
BEGIN SELECT RAISE(ABORT, 'usage records are append-only'); END;

CREATE TABLE tenants (
    name          TEXT    PRIMARY KEY,
    country       TEXT,
    created_at_ms INTEGER NOT NULL
);

-- Virtual keys: only the SHA-256 of a key is kept.
CREATE TABLE api_keys (
    id            TEXT    PRIMARY KEY,
    tenant        TEXT    NOT NULL,
    name          TEXT,
    prefix        TEXT    NOT NULL,
    hash          TEXT    NOT NULL UNIQUE,
    models        TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys (tenant);
