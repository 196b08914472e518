-- Credit grants, prepaid balances and their consumption, budgets set through the admin API, and key projects
-- (issue 5, billing.md "Credits"). Every table here is append-only: a balance is the sum of its top-ups minus the
-- consumption entries that name it; a budget in effect is the latest setting of its scope.

-- A grant: money (currency + micro-units) or tokens (currency NULL), for some models (comma list; empty = all).
CREATE TABLE credit_grants (
    id            TEXT    PRIMARY KEY,
    tenant        TEXT    NOT NULL,
    currency      TEXT,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    models        TEXT    NOT NULL,
    priority      TEXT    NOT NULL CHECK (priority IN ('promotional', 'paid')),
    expires_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    reason        TEXT
);
CREATE INDEX credit_grants_tenant ON credit_grants (tenant);

-- Money paid into a tenant's prepaid balance.
CREATE TABLE balance_topups (
    id            TEXT    PRIMARY KEY,
    tenant        TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    created_at_ms INTEGER NOT NULL,
    reference     TEXT
);
CREATE INDEX balance_topups_tenant ON balance_topups (tenant);

-- What one request took from one source (a grant id, 'balance:<currency>', or 'uncovered'). The key makes a replayed
-- usage record's entries no-ops.
CREATE TABLE credit_entries (
    request_id TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    tenant     TEXT    NOT NULL,
    currency   TEXT,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    time_ms    INTEGER NOT NULL,
    PRIMARY KEY (request_id, source)
);
CREATE INDEX credit_entries_tenant ON credit_entries (tenant, time_ms);

-- Budgets set through the admin API: the latest row of a scope (tenant, kind, name) replaces the file's budgets of
-- that scope. budgets is "period micros currency hard|soft" joined by ";"; an empty text removes the scope's budgets.
CREATE TABLE budget_settings (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant    TEXT    NOT NULL,
    scope     TEXT    NOT NULL CHECK (scope IN ('tenant', 'project', 'key')),
    name      TEXT    NOT NULL,
    budgets   TEXT    NOT NULL,
    set_at_ms INTEGER NOT NULL
);

CREATE TRIGGER credit_grants_no_update BEFORE UPDATE ON credit_grants
BEGIN SELECT RAISE(ABORT, 'credit grants are append-only'); END;
CREATE TRIGGER credit_grants_no_delete BEFORE DELETE ON credit_grants
BEGIN SELECT RAISE(ABORT, 'credit grants are append-only'); END;
CREATE TRIGGER balance_topups_no_update BEFORE UPDATE ON balance_topups
BEGIN SELECT RAISE(ABORT, 'top-ups are append-only'); END;
CREATE TRIGGER balance_topups_no_delete BEFORE DELETE ON balance_topups
BEGIN SELECT RAISE(ABORT, 'top-ups are append-only'); END;
CREATE TRIGGER credit_entries_no_update BEFORE UPDATE ON credit_entries
BEGIN SELECT RAISE(ABORT, 'credit entries are append-only'); END;
CREATE TRIGGER credit_entries_no_delete BEFORE DELETE ON credit_entries
BEGIN SELECT RAISE(ABORT, 'credit entries are append-only'); END;
CREATE TRIGGER budget_settings_no_update BEFORE UPDATE ON budget_settings
BEGIN SELECT RAISE(ABORT, 'budget settings are append-only'); END;
CREATE TRIGGER budget_settings_no_delete BEFORE DELETE ON budget_settings
BEGIN SELECT RAISE(ABORT, 'budget settings are append-only'); END;

-- The project a key belongs to (NULL: none).
ALTER TABLE api_keys ADD COLUMN project TEXT;
