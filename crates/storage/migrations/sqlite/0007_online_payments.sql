-- Online payments (WeChat Pay, Alipay) and their refunds, the ECB reference rates, and what
-- the daily reconciliation with each provider's bill found.

CREATE TABLE online_payments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    provider TEXT NOT NULL CHECK (provider IN ('wechat_pay', 'alipay')),
    out_trade_no TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('created', 'paid', 'closed', 'failed')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    estimate_minor INTEGER,
    estimate_currency TEXT,
    rate_date TEXT,
    checkout TEXT,
    transaction_id TEXT,
    payer_total INTEGER,
    payer_currency TEXT,
    flag TEXT,
    expires_at TEXT NOT NULL,
    paid_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX online_payments_by_order ON online_payments (order_id, created_at);
CREATE INDEX online_payments_by_state ON online_payments (state, created_at);

CREATE TABLE online_refunds (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES online_payments (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    out_refund_no TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('requested', 'refunded', 'failed')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    reason BLOB NOT NULL,
    refund_id TEXT,
    staff_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX online_refunds_by_order ON online_refunds (order_id, created_at);

CREATE TABLE exchange_rates (
    currency TEXT NOT NULL,
    rate_date TEXT NOT NULL,
    per_euro_micros INTEGER NOT NULL CHECK (per_euro_micros > 0),
    imported_at TEXT NOT NULL,
    PRIMARY KEY (currency, rate_date)
);

CREATE TABLE reconciliations (
    provider TEXT NOT NULL,
    bill_date TEXT NOT NULL,
    lines INTEGER NOT NULL,
    ran_at TEXT NOT NULL,
    PRIMARY KEY (provider, bill_date)
);

CREATE TABLE reconciliation_differences (
    provider TEXT NOT NULL,
    bill_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('missing_ours', 'missing_theirs', 'amount_differs')),
    reference TEXT NOT NULL,
    ours_minor INTEGER,
    theirs_minor INTEGER,
    currency TEXT NOT NULL,
    PRIMARY KEY (provider, bill_date, reference, kind)
);
