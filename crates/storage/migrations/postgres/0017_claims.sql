-- Sharing the work: the officer who claimed an order ("我来处理") and when they last worked on
-- it; a claim idle for longer than the configured time lapses. Indexed for "my orders".
ALTER TABLE orders ADD COLUMN claimed_by TEXT;
ALTER TABLE orders ADD COLUMN claimed_at TIMESTAMPTZ;
CREATE INDEX orders_claimed ON orders (claimed_by, claimed_at) WHERE claimed_by IS NOT NULL;
