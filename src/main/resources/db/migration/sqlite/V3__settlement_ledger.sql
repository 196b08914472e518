-- The settlement ledger (issue 5): what the settlement worker settled, and the double-entry transactions it posted.
-- Append-only like usage_records: corrections and late usage are new rows (adjusting transactions), never edits.
-- Amounts are integer micro-units (millionths) of the currency: the ledger scale of settle.Money.

-- The events the engine settled, in the order it settled them (seq). Replaying them in order rebuilds the ledger.
CREATE TABLE settlement_inputs (
    seq           INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('post', 'correct')),
    request_id    TEXT    NOT NULL,
    time_ms       INTEGER NOT NULL,
    tenant        TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    deployment    TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    amount_micros INTEGER NOT NULL,
    currency      TEXT    NOT NULL
);
-- A usage record is posted (charged) at most once, whoever tries: the store itself refuses a double charge.
CREATE UNIQUE INDEX settlement_inputs_posted_once ON settlement_inputs (request_id) WHERE kind = 'post';

CREATE TABLE ledger_transactions (
    id                TEXT    PRIMARY KEY,
    posted            INTEGER NOT NULL UNIQUE,
    input_seq         INTEGER NOT NULL REFERENCES settlement_inputs (seq),
    time_ms           INTEGER NOT NULL,
    basis             TEXT    NOT NULL CHECK (basis IN ('charge', 'share', 'adjustment', 'correction')),
    agreement_id      TEXT,
    adjusts           TEXT,
    base_delta_micros INTEGER NOT NULL DEFAULT 0,
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
    amount_micros INTEGER NOT NULL CHECK (amount_micros >= 0),
    PRIMARY KEY (tx_id, line)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account);

-- Cap consumption per agreement: the cumulative share, i.e. the net movement of the payee's receivable in share and
-- adjustment transactions. A view over the entries rather than a counter, so it cannot drift from the ledger.
CREATE VIEW settlement_cap_consumption AS
SELECT t.agreement_id AS agreement_id,
       t.currency AS currency,
       SUM(CASE e.side WHEN 'debit' THEN e.amount_micros ELSE -e.amount_micros END) AS consumed_micros
FROM ledger_transactions t
JOIN ledger_entries e ON e.tx_id = t.id
WHERE t.agreement_id IS NOT NULL AND e.account LIKE 'party:%:receivable'
GROUP BY t.agreement_id, t.currency;

CREATE TRIGGER settlement_inputs_no_update BEFORE UPDATE ON settlement_inputs
BEGIN SELECT RAISE(ABORT, 'settlement inputs are append-only'); END;
CREATE TRIGGER settlement_inputs_no_delete BEFORE DELETE ON settlement_inputs
BEGIN SELECT RAISE(ABORT, 'settlement inputs are append-only'); END;
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
