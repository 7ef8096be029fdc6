-- The checkout bot (SQLite): customers, the chat thread with its outbox, and
-- scheduled jobs. PostgreSQL has the same migration under the same version
-- and name.

-- The provider's id of the order's payment, and the key its customer's inbox
-- items carry (`user_id` or `wa_id`), which names the `customers` row.
ALTER TABLE orders ADD COLUMN payment_reference TEXT;
ALTER TABLE orders ADD COLUMN customer_key TEXT;
UPDATE orders SET customer_key = COALESCE(customer_user_id, customer_wa_id);

-- A customer is matched on either id: each may be missing.
CREATE INDEX orders_customer_user_id ON orders (customer_user_id, number);
CREATE INDEX orders_customer_wa_id ON orders (customer_wa_id, number);

CREATE TABLE customers (
    key             TEXT NOT NULL PRIMARY KEY,
    wa_id           TEXT,
    user_id         TEXT,
    name            TEXT,
    last_inbound_at TEXT,
    last_address    TEXT
) STRICT;

-- Both ways of every chat; outbound rows are also the outbox.
-- AUTOINCREMENT: ids order a customer's messages and are never reused.
CREATE TABLE messages (
    id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    order_number INTEGER REFERENCES orders (number),
    customer_key TEXT    NOT NULL,
    -- `in` or `out`.
    direction    TEXT    NOT NULL,
    wamid        TEXT,
    kind         TEXT    NOT NULL,
    -- What the chat panel shows (an outbound message's preview).
    text         TEXT    NOT NULL,
    -- `received`; or `queued`, `sending`, `sent`, `delivered`, `read`, `failed`.
    state        TEXT    NOT NULL,
    error        TEXT,
    created_at   TEXT    NOT NULL,
    sent_at      TEXT,
    -- Outbound only: the recipient, the Cloud API JSON, and the outbox's
    -- bookkeeping.
    to_wa_id     TEXT,
    to_user_id   TEXT,
    body         TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT,
    locked_until TEXT,
    CONSTRAINT messages_wamid_key UNIQUE (wamid)
) STRICT;

CREATE INDEX messages_order_number ON messages (order_number, id);
CREATE INDEX messages_customer_key ON messages (customer_key, id);
-- The outbox: only unfinished messages, scanned oldest first, and each
-- customer's oldest one found by key.
CREATE INDEX messages_unfinished ON messages (id) WHERE state IN ('queued', 'sending');
CREATE INDEX messages_unfinished_customer ON messages (customer_key, id)
    WHERE state IN ('queued', 'sending');

-- Timers on orders, one per kind and order. AUTOINCREMENT: setting a timer
-- again replaces its row, and the new id must differ from the old one that
-- someone may still be running.
CREATE TABLE jobs (
    id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    order_number INTEGER NOT NULL REFERENCES orders (number),
    due_at       TEXT    NOT NULL,
    locked_until TEXT,
    CONSTRAINT jobs_order_number_kind_key UNIQUE (order_number, kind)
) STRICT;

CREATE INDEX jobs_due_at ON jobs (due_at, id);
