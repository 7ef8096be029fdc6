-- When Meta last passed the webhook handshake (GET /webhooks/whatsapp with
-- our verify token), so the setup page can say "webhook received" on every
-- instance. One row per source; only the newest time is kept.
CREATE TABLE webhook_verifications (
    source TEXT PRIMARY KEY,
    verified_at TIMESTAMPTZ NOT NULL
);
