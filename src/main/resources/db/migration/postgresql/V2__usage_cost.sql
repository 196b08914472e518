-- The PostgreSQL twin of db/migration/sqlite/V2: the price of each request, in micro-units of its currency.
ALTER TABLE usage_records ADD COLUMN cost_micros BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN currency TEXT;
