-- Four-eyes issuance: the services of a mission whose orders must be marked ready and handed
-- over by another officer than the one who accepted them, who set that and when; and, on
-- each order, the officer who accepted it.
CREATE TABLE four_eyes_services (
    mission_id TEXT NOT NULL REFERENCES missions (id),
    service TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (mission_id, service)
);
ALTER TABLE orders ADD COLUMN accepted_by TEXT;
