-- The staff side of orders: the hash-chained audit log, payments and refunds, supplement
-- requests, and the applicant's unread notifications.

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    mission_id TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    order_id TEXT,
    before_state TEXT,
    after_state TEXT,
    reason BLOB,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX audit_log_by_order ON audit_log (order_id, seq);
CREATE INDEX audit_log_by_mission ON audit_log (mission_id, seq);

CREATE TABLE order_payments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference BLOB,
    staff_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX order_payments_by_order ON order_payments (order_id, at);

CREATE TABLE supplement_requests (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    material TEXT NOT NULL,
    reason BLOB NOT NULL,
    due_on TEXT,
    staff_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX supplement_requests_by_order ON supplement_requests (order_id, created_at);

ALTER TABLE orders ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN name_index BLOB;
ALTER TABLE orders ADD COLUMN pinyin_index BLOB;
CREATE INDEX orders_by_document ON orders (document_index);
CREATE INDEX orders_by_name ON orders (name_index);
CREATE INDEX orders_by_pinyin ON orders (pinyin_index);
