-- Blocked customers (issue #16, item 6): the bot ignores whoever staff
-- blocked, by phone number (`wa_id`), the key the customers page and API
-- name a customer by. A row of its own rather than a column of
-- `customers`: one phone can have two `customers` rows (its `wa_id` and
-- the business-scoped `user_id`), and blocking must cover both. Unblocking
-- deletes the row.
CREATE TABLE blocked_customers (
    wa_id      TEXT NOT NULL PRIMARY KEY,
    blocked_at TEXT NOT NULL,
    blocked_by TEXT NOT NULL
) STRICT;
