-- The PostgreSQL twin of db/migration/sqlite/V3: the settlement events and the double-entry ledger, append-only.
-- With several instances on one database, exactly one settles at a time: each batch takes the transaction-scoped
-- advisory lock pg_try_advisory_xact_lock(7308594653211403265) first (see store.SqlSettlementJournal). The unique
-- index on the posted request ids stands behind it: even two settlers at once cannot charge a record twice.

CREATE TABLE settlement_inputs (
    seq           BIGINT  PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('post', 'correct')),
    request_id    TEXT    NOT NULL,
    time_ms       BIGINT  NOT NULL,
    tenant        TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    deployment    TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    amount_micros BIGINT  NOT NULL,
    currency      TEXT    NOT NULL
);
CREATE UNIQUE INDEX settlement_inputs_posted_once ON settlement_inputs (request_id) WHERE kind = 'post';

CREATE TABLE ledger_transactions (
    id                TEXT    PRIMARY KEY,
    posted            BIGINT  NOT NULL UNIQUE,
    input_seq         BIGINT  NOT NULL REFERENCES settlement_inputs (seq),
    time_ms           BIGINT  NOT NULL,
    basis             TEXT    NOT NULL CHECK (basis IN ('charge', 'share', 'adjustment', 'correction')),
    agreement_id      TEXT,
    adjusts           TEXT,
    base_delta_micros BIGINT  NOT NULL DEFAULT 0,
    request_id        TEXT    NOT NULL,
    tenant            TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    currency          TEXT    NOT NULL
);
CREATE INDEX ledger_transactions_time ON ledger_transactions (time_ms);
CREATE INDEX ledger_transactions_request ON ledger_transactions (request_id);

CREATE TABLE ledger_entries (
    tx_id         TEXT    NOT NULL REFERENCES ledger_transactions (id),
    line          INTEGER NOT NULL,
    account       TEXT    NOT NULL,
    side          TEXT    NOT NULL CHECK (side IN ('debit', 'credit')),
    amount_micros BIGINT  NOT NULL CHECK (amount_micros >= 0),
    PRIMARY KEY (tx_id, line)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account);

CREATE VIEW settlement_cap_consumption AS
SELECT t.agreement_id AS agreement_id,
       t.currency AS currency,
       SUM(CASE e.side WHEN 'debit' THEN e.amount_micros ELSE -e.amount_micros END) AS consumed_micros
FROM ledger_transactions t
JOIN ledger_entries e ON e.tx_id = t.id
WHERE t.agreement_id IS NOT NULL AND e.account LIKE 'party:%:receivable'
GROUP BY t.agreement_id, t.currency;

CREATE TRIGGER settlement_inputs_append_only BEFORE UPDATE OR DELETE ON settlement_inputs
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER settlement_inputs_no_truncate BEFORE TRUNCATE ON settlement_inputs
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_append_only();
