-- A delivery status can arrive before the sender has recorded the wamid
-- WhatsApp gave it (the webhook races the Graph API's answer). It waits here
-- and is applied when the wamid is recorded, instead of being dropped.
CREATE TABLE early_statuses (
    wamid   TEXT NOT NULL,
    state   TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    error   TEXT,
    PRIMARY KEY (wamid, state)
);
