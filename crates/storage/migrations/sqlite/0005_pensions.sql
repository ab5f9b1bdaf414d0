-- Pension-eligibility certifications and their push to the social-security departments.

CREATE TABLE pensions (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    mission_id TEXT NOT NULL REFERENCES missions (id),
    region TEXT NOT NULL,
    form BLOB NOT NULL,
    status TEXT NOT NULL,
    face_state TEXT,
    receipt TEXT,
    reason BLOB,
    version INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT,
    decided_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX pensions_by_account ON pensions (account_id, updated_at);
CREATE INDEX pensions_by_mission ON pensions (mission_id, status, submitted_at);
