-- What became of each text message (and, later, each mail) the outbox sent: one row per
-- message (the outbox job's id), one per part the gateway accepted, and the gateway's
-- delivery receipts by its message id, which may arrive before or after the part is
-- recorded. Recipients are kept masked only.
CREATE TABLE message_deliveries (
    id TEXT PRIMARY KEY,
    order_id TEXT,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    parts INTEGER NOT NULL,
    failure TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX message_deliveries_by_order ON message_deliveries (order_id);
CREATE TABLE message_delivery_parts (
    provider_id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    order_id TEXT,
    part INTEGER NOT NULL,
    UNIQUE (delivery_id, part)
);
CREATE INDEX message_delivery_parts_by_order ON message_delivery_parts (order_id);
CREATE TABLE delivery_receipts (
    provider_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    received_at TEXT NOT NULL
);
