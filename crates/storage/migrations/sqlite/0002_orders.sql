-- Orders: applications for passports, travel documents and emergency travel documents,
-- their files, their timeline, and the idempotency keys of submissions.

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    service TEXT NOT NULL,
    application_type TEXT,
    state TEXT NOT NULL,
    submitter_id TEXT REFERENCES accounts (id),
    intake_staff_id TEXT REFERENCES staff (id),
    on_behalf INTEGER NOT NULL DEFAULT 0,
    progress INTEGER NOT NULL DEFAULT 0,
    form BLOB NOT NULL,
    document_index BLOB,
    minor INTEGER NOT NULL DEFAULT 0,
    face_state TEXT,
    photo_passed INTEGER,
    payment_method TEXT,
    fee_minor INTEGER,
    fee_currency TEXT,
    fingerprint_requested_at TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT
);
CREATE INDEX orders_by_submitter ON orders (submitter_id, updated_at);
CREATE INDEX orders_by_mission ON orders (mission_id, state, submitted_at);

CREATE TABLE order_files (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    slot TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    content_kind TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    report TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX order_files_by_order ON order_files (order_id, slot, created_at);

CREATE TABLE order_events (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    event TEXT NOT NULL,
    note BLOB
);
CREATE INDEX order_events_by_order ON order_events (order_id, at);

CREATE TABLE idempotency_keys (
    account_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
);
