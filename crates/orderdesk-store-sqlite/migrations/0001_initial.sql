-- The initial orderdesk schema (SQLite). PostgreSQL has the same migration
-- under the same version and name.
--
-- Timestamps are TEXT in one fixed-width UTC form, `2026-03-01T10:00:00.123456Z`
-- (always six fractional digits), so they sort as text and read well in the
-- sqlite3 shell. JSON columns are TEXT holding serde_json output.

-- Named counters; `order_number` holds the next order number to hand out.
CREATE TABLE counters (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

INSERT INTO counters (name, value) VALUES ('order_number', 1001);

CREATE TABLE orders (
    -- An alias of the rowid: the table itself is the keyset index for paging.
    number           INTEGER NOT NULL PRIMARY KEY,
    status           TEXT    NOT NULL,
    held_from        TEXT,
    payment_status   TEXT    NOT NULL,
    payment_method   TEXT,
    checkout_step    TEXT    NOT NULL,
    customer_wa_id   TEXT,
    customer_user_id TEXT,
    customer_name    TEXT,
    items            TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    total_minor      INTEGER NOT NULL,
    address          TEXT,
    note             TEXT,
    cart_text        TEXT,
    tracking         TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    version          INTEGER NOT NULL
) STRICT;

-- Filtered listings walk these backwards from the cursor.
CREATE INDEX orders_status_number ON orders (status, number);
CREATE INDEX orders_payment_status_number ON orders (payment_status, number);

-- Orders per stage, kept in the same transaction as every order insert and
-- status change so the dashboard's counts never need a scan.
CREATE TABLE status_counts (
    status TEXT    NOT NULL PRIMARY KEY,
    count  INTEGER NOT NULL
) STRICT;

INSERT INTO status_counts (status, count) VALUES
    ('placed', 0), ('confirmed', 0), ('approved', 0), ('processed', 0),
    ('shipped', 0), ('delivered', 0), ('on_hold', 0), ('rejected', 0),
    ('cancelled', 0), ('returned', 0), ('abandoned', 0), ('archived', 0);

CREATE TABLE timeline_entries (
    id           INTEGER NOT NULL PRIMARY KEY,
    order_number INTEGER NOT NULL REFERENCES orders (number),
    at           TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    actor_name   TEXT,
    from_status  TEXT,
    to_status    TEXT,
    reason       TEXT,
    detail       TEXT
) STRICT;

CREATE INDEX timeline_entries_order_number ON timeline_entries (order_number, id);

-- The global event log behind the SSE stream. AUTOINCREMENT so a sequence
-- number is never handed out twice, even if the newest events are pruned:
-- clients resume from these ids.
CREATE TABLE events (
    seq          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    order_number INTEGER REFERENCES orders (number),
    data         TEXT    NOT NULL,
    at           TEXT    NOT NULL
) STRICT;

-- Webhook items, stored before the webhook is acknowledged.
CREATE TABLE inbound (
    id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    source       TEXT    NOT NULL,
    external_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    customer_key TEXT,
    payload      TEXT    NOT NULL,
    received_at  TEXT    NOT NULL,
    processed_at TEXT,
    -- `created`, `ignored` or `failed` once processed.
    outcome      TEXT,
    error        TEXT,
    order_number INTEGER REFERENCES orders (number),
    CONSTRAINT inbound_source_external_id_key UNIQUE (source, external_id)
) STRICT;

-- Only the (few) unprocessed items, oldest first.
CREATE INDEX inbound_pending ON inbound (id) WHERE processed_at IS NULL;

CREATE TABLE users (
    id            INTEGER NOT NULL PRIMARY KEY,
    -- Lower-cased by the store before it gets here.
    email         TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
) STRICT;

CREATE TABLE api_tokens (
    id          INTEGER NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    -- Hex SHA-256 of the secret; the secret itself is never stored.
    secret_hash TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT,
    CONSTRAINT api_tokens_name_key UNIQUE (name),
    CONSTRAINT api_tokens_secret_hash_key UNIQUE (secret_hash)
) STRICT;

CREATE TABLE products (
    retailer_id  TEXT    NOT NULL PRIMARY KEY CHECK (retailer_id <> ''),
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    availability TEXT    NOT NULL,
    condition    TEXT    NOT NULL,
    price_minor  INTEGER NOT NULL CHECK (price_minor >= 0),
    currency     TEXT    NOT NULL,
    link         TEXT    NOT NULL,
    image_link   TEXT    NOT NULL,
    brand        TEXT    NOT NULL
) STRICT;
