-- Video interviews (Step 4 五): the weekly slot patterns each mission publishes, the
-- bookings of its slots, how many places of each dated slot are taken, and the signalling
-- messages of the calls relayed between nodes.

CREATE TABLE interview_patterns (
    id TEXT PRIMARY KEY,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 10 AND 240),
    parallel INTEGER NOT NULL CHECK (parallel BETWEEN 1 AND 20),
    officer_id TEXT REFERENCES staff (id),
    exceptions TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX interview_patterns_by_mission ON interview_patterns (mission_id, weekday, start_time);

CREATE TABLE interview_bookings (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    mission_id TEXT NOT NULL REFERENCES missions (id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    officer_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('booked', 'cancelled', 'done', 'no_show', 'to_repeat')),
    outcome_note BLOB,
    call_started_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX interview_bookings_by_order ON interview_bookings (order_id, created_at);
CREATE INDEX interview_bookings_by_slot ON interview_bookings (mission_id, starts_at);
CREATE UNIQUE INDEX interview_bookings_one_live_per_order ON interview_bookings (order_id) WHERE state = 'booked';

CREATE TABLE interview_slot_places (
    mission_id TEXT NOT NULL REFERENCES missions (id),
    starts_at TEXT NOT NULL,
    taken INTEGER NOT NULL CHECK (taken >= 0),
    PRIMARY KEY (mission_id, starts_at)
);

CREATE TABLE interview_signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    sender TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX interview_signals_by_age ON interview_signals (created_at);
