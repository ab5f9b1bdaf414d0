-- Online payments (WeChat Pay, Alipay) and their refunds, the ECB reference rates, and what
-- the daily reconciliation with each provider's bill found.

CREATE TABLE online_payments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    provider TEXT NOT NULL CHECK (provider IN ('wechat_pay', 'alipay')),
    out_trade_no TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('created', 'paid', 'closed', 'failed')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    estimate_minor BIGINT,
    estimate_currency TEXT,
    rate_date DATE,
    checkout TEXT,
    transaction_id TEXT,
    payer_total BIGINT,
    payer_currency TEXT,
    flag TEXT,
    expires_at TIMESTAMPTZ NOT NULL,
    paid_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX online_payments_by_order ON online_payments (order_id, created_at);
CREATE INDEX online_payments_by_state ON online_payments (state, created_at);

CREATE TABLE online_refunds (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES online_payments (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    out_refund_no TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('requested', 'refunded', 'failed')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    reason BYTEA NOT NULL,
    refund_id TEXT,
    staff_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX online_refunds_by_order ON online_refunds (order_id, created_at);

CREATE TABLE exchange_rates (
    currency TEXT NOT NULL,
    rate_date DATE NOT NULL,
    per_euro_micros BIGINT NOT NULL CHECK (per_euro_micros > 0),
    imported_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (currency, rate_date)
);

CREATE TABLE reconciliations (
    provider TEXT NOT NULL,
    bill_date DATE NOT NULL,
    lines BIGINT NOT NULL,
    ran_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, bill_date)
);

CREATE TABLE reconciliation_differences (
    provider TEXT NOT NULL,
    bill_date DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('missing_ours', 'missing_theirs', 'amount_differs')),
    reference TEXT NOT NULL,
    ours_minor BIGINT,
    theirs_minor BIGINT,
    currency TEXT NOT NULL,
    PRIMARY KEY (provider, bill_date, reference, kind)
);
