-- Several instances on one database (issue #7). Additive only: instances
-- still running the previous version keep working while this applies.

-- The business number's outbound rate limit, shared by every instance: the
-- first send slot not yet reserved. Each batch of sends advances it
-- atomically (see `Store::reserve_send_slots`).
CREATE TABLE send_rate (
    key          TEXT        NOT NULL PRIMARY KEY,
    next_slot_at TIMESTAMPTZ NOT NULL
);
