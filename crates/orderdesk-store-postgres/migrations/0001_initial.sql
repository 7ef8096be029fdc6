-- The initial orderdesk schema (PostgreSQL). SQLite has the same migration
-- under the same version and name.
--
-- Timestamps are timestamptz (microsecond precision; the store truncates to
-- that before writing so both backends agree). Order items and addresses are
-- jsonb, open to ad-hoc queries; event data is json, kept byte for byte as
-- serialised because it is replayed verbatim to SSE clients.

-- Named counters; `order_number` holds the next order number to hand out.
CREATE TABLE counters (
    name  TEXT   NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
);

INSERT INTO counters (name, value) VALUES ('order_number', 1001);

CREATE TABLE orders (
    number           BIGINT      NOT NULL PRIMARY KEY,
    status           TEXT        NOT NULL,
    held_from        TEXT,
    payment_status   TEXT        NOT NULL,
    payment_method   TEXT,
    checkout_step    TEXT        NOT NULL,
    customer_wa_id   TEXT,
    customer_user_id TEXT,
    customer_name    TEXT,
    items            JSONB       NOT NULL,
    currency         TEXT        NOT NULL,
    total_minor      BIGINT      NOT NULL,
    address          JSONB,
    note             TEXT,
    cart_text        TEXT,
    tracking         TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT      NOT NULL
);

-- Unfiltered listings walk the primary key backwards from the cursor;
-- filtered ones walk these.
CREATE INDEX orders_status_number ON orders (status, number);
CREATE INDEX orders_payment_status_number ON orders (payment_status, number);

-- Orders per stage, kept in the same transaction as every order insert and
-- status change so the dashboard's counts never need a scan.
CREATE TABLE status_counts (
    status TEXT   NOT NULL PRIMARY KEY,
    count  BIGINT NOT NULL
);

INSERT INTO status_counts (status, count) VALUES
    ('placed', 0), ('confirmed', 0), ('approved', 0), ('processed', 0),
    ('shipped', 0), ('delivered', 0), ('on_hold', 0), ('rejected', 0),
    ('cancelled', 0), ('returned', 0), ('abandoned', 0), ('archived', 0);

CREATE TABLE timeline_entries (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_number BIGINT      NOT NULL REFERENCES orders (number),
    at           TIMESTAMPTZ NOT NULL,
    kind         TEXT        NOT NULL,
    actor        TEXT        NOT NULL,
    actor_name   TEXT,
    from_status  TEXT,
    to_status    TEXT,
    reason       TEXT,
    detail       TEXT
);

CREATE INDEX timeline_entries_order_number ON timeline_entries (order_number, id);

-- The global event log behind the SSE stream. `seq` comes from its
-- sequence at insert time, which the store only does while holding the
-- event-log advisory lock, so sequence order is commit order (see the
-- crate docs).
CREATE TABLE events (
    seq          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT        NOT NULL,
    order_number BIGINT      REFERENCES orders (number),
    data         JSON        NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);

-- Webhook items, stored before the webhook is acknowledged.
CREATE TABLE inbound (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       TEXT        NOT NULL,
    external_id  TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    customer_key TEXT,
    payload      TEXT        NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ,
    -- `created`, `ignored` or `failed` once processed.
    outcome      TEXT,
    error        TEXT,
    order_number BIGINT      REFERENCES orders (number),
    CONSTRAINT inbound_source_external_id_key UNIQUE (source, external_id)
);

-- Only the (few) unprocessed items, oldest first.
CREATE INDEX inbound_pending ON inbound (id) WHERE processed_at IS NULL;

CREATE TABLE users (
    id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Lower-cased by the store before it gets here.
    email         TEXT        NOT NULL,
    role          TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE api_tokens (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT        NOT NULL,
    -- Hex SHA-256 of the secret; the secret itself is never stored.
    secret_hash TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ,
    CONSTRAINT api_tokens_name_key UNIQUE (name),
    CONSTRAINT api_tokens_secret_hash_key UNIQUE (secret_hash)
);

CREATE TABLE products (
    retailer_id  TEXT   NOT NULL PRIMARY KEY CHECK (retailer_id <> ''),
    title        TEXT   NOT NULL,
    description  TEXT   NOT NULL,
    availability TEXT   NOT NULL,
    condition    TEXT   NOT NULL,
    price_minor  BIGINT NOT NULL CHECK (price_minor >= 0),
    currency     TEXT   NOT NULL,
    link         TEXT   NOT NULL,
    image_link   TEXT   NOT NULL,
    brand        TEXT   NOT NULL
);
