-- 我的消息: every notification an applicant is sent is also kept here, so that nothing
-- depends on delivery alone. Subject and body are sealed to the account.
CREATE TABLE inbox_messages (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    order_id TEXT,
    subject BLOB NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX inbox_messages_by_account ON inbox_messages (account_id, created_at);
CREATE INDEX inbox_messages_by_order ON inbox_messages (order_id);
