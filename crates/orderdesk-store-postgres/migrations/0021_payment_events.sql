-- The payments ledger, for reconciliation: one row per payment event
-- (paid, failed, expired, refund), written in the same transaction as the
-- order change it records. SQLite has the same migration.
CREATE TABLE payment_events (
    id            BIGSERIAL   PRIMARY KEY,
    order_number  BIGINT      NOT NULL REFERENCES orders (number),
    kind          TEXT        NOT NULL,
    status        TEXT        NOT NULL,
    amount_minor  BIGINT      NOT NULL,
    currency      TEXT        NOT NULL,
    method        TEXT,
    provider_ref  TEXT,
    detail        TEXT,
    at            TIMESTAMPTZ NOT NULL
);

CREATE INDEX payment_events_at ON payment_events (at, id);
