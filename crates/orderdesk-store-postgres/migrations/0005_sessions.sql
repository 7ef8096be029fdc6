-- Dashboard logins. Only the SHA-256 of the session id is stored; the id
-- itself lives in the browser's cookie. Removing a user ends their sessions.
CREATE TABLE sessions (
    id_hash    TEXT        NOT NULL PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- The board's date-range filter.
CREATE INDEX orders_created_at ON orders (created_at);
