-- Kept in step with the PostgreSQL migrations (issue #7, several instances).
-- One process writes a SQLite database and paces its sends in process, so
-- this table stays empty here; it exists so both schemas have the same shape.
CREATE TABLE send_rate (
    key          TEXT NOT NULL PRIMARY KEY,
    next_slot_at TEXT NOT NULL
);
