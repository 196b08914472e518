-- The price of each request, computed from the price catalogue when its usage record was made (issue 5).
-- Micro-units (millionths) of the currency: exact integers, the ledger scale of settle.Money.
-- Rows written before prices existed keep cost 0 and no currency.
ALTER TABLE usage_records ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN currency TEXT;
