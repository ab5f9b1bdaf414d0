-- The staff side of orders: the hash-chained audit log, payments and refunds, supplement
-- requests, and the applicant's unread notifications.

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    mission_id TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    order_id TEXT,
    before_state TEXT,
    after_state TEXT,
    reason BYTEA,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL
);
CREATE INDEX audit_log_by_order ON audit_log (order_id, seq);
CREATE INDEX audit_log_by_mission ON audit_log (mission_id, seq);

CREATE TABLE order_payments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    reference BYTEA,
    staff_id TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_payments_by_order ON order_payments (order_id, at);

CREATE TABLE supplement_requests (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    material TEXT NOT NULL,
    reason BYTEA NOT NULL,
    due_on DATE,
    staff_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ
);
CREATE INDEX supplement_requests_by_order ON supplement_requests (order_id, created_at);

ALTER TABLE orders ADD COLUMN unread BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE orders ADD COLUMN name_index BYTEA;
ALTER TABLE orders ADD COLUMN pinyin_index BYTEA;
CREATE INDEX orders_by_document ON orders (document_index);
CREATE INDEX orders_by_name ON orders (name_index);
CREATE INDEX orders_by_pinyin ON orders (pinyin_index);
