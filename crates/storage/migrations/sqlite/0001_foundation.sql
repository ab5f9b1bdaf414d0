-- Foundation: missions, accounts and identity, staff, sessions, one-time codes, login
-- throttling, the job outbox and the development message sink.

CREATE TABLE missions (
    id TEXT PRIMARY KEY,
    continent TEXT NOT NULL,
    country_code TEXT NOT NULL,
    sort_key INTEGER NOT NULL,
    profile TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX missions_by_place ON missions (continent, country_code, sort_key);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    login_channel TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    identity_state TEXT NOT NULL DEFAULT 'unverified',
    real_name BLOB,
    id_kind TEXT,
    id_number BLOB,
    id_number_index BLOB UNIQUE,
    face_capture_key TEXT,
    face_attempts INTEGER NOT NULL DEFAULT 0,
    verified_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    mission_id TEXT REFERENCES missions (id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    principal_kind TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    idle_expires_at TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_principal ON sessions (principal_kind, principal_id);

CREATE TABLE one_time_codes (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    address TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    pending_secret TEXT,
    locale TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    client_key BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    consumed_at TEXT
);
CREATE INDEX one_time_codes_by_address ON one_time_codes (address, purpose, created_at);
CREATE INDEX one_time_codes_by_client ON one_time_codes (client_key, created_at);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    client_key BLOB NOT NULL,
    succeeded INTEGER NOT NULL,
    attempted_at TEXT NOT NULL
);
CREATE INDEX login_attempts_by_login ON login_attempts (login, attempted_at);
CREATE INDEX login_attempts_by_client ON login_attempts (client_key, attempted_at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);

CREATE TABLE dev_outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
