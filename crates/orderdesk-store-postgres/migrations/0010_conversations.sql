-- Conversations (PostgreSQL): one row per customer who ever wrote or was
-- written to, with or without an order. SQLite has the same migration
-- under the same version and name.
--
-- The `last_*`, `unread` and `needs_reply` columns are kept by the write
-- path in the same transaction as every message it stores for the customer
-- (`orderdesk-store-sql`, `conversations.rs`), so the inbox lists from this
-- table alone. `read_through` is the highest message id staff have read,
-- `answered_through` the highest inbound id staff marked done.
CREATE TABLE conversations (
    customer_key     TEXT        NOT NULL PRIMARY KEY,
    last_message_id  BIGINT      NOT NULL,
    last_text        TEXT        NOT NULL,
    last_direction   TEXT        NOT NULL,
    last_at          TIMESTAMPTZ NOT NULL,
    unread           BIGINT      NOT NULL DEFAULT 0,
    needs_reply      BOOLEAN     NOT NULL DEFAULT FALSE,
    handover         BOOLEAN     NOT NULL DEFAULT FALSE,
    assignee         TEXT,
    read_through     BIGINT      NOT NULL DEFAULT 0,
    answered_through BIGINT      NOT NULL DEFAULT 0
);

-- The inbox's order: needing a reply first, then the latest message.
CREATE INDEX conversations_queue ON conversations (needs_reply, last_at, customer_key);

-- Every customer with messages before this release: history counts as read,
-- and the ones whose last message is theirs need a reply.
INSERT INTO conversations (customer_key, last_message_id, last_text, last_direction,
    last_at, needs_reply, read_through)
SELECT DISTINCT ON (m.customer_key) m.customer_key, m.id, m.text, m.direction, m.created_at,
    m.direction = 'in', m.id
FROM messages m
ORDER BY m.customer_key, m.id DESC;
