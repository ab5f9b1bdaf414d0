-- Public services: legalizations anyone can check, consular notices, and the counts behind
-- per-client rate limits of public endpoints.

CREATE TABLE legalizations (
    certificate_no TEXT PRIMARY KEY,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    check_code_hash BYTEA NOT NULL,
    document_type TEXT NOT NULL,
    issued_on DATE NOT NULL,
    holder_masked TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE rate_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    client_key BYTEA NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_events_by_client ON rate_events (kind, client_key, at);

CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    staff_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notices_by_mission ON notices (mission_id, published, updated_at);
