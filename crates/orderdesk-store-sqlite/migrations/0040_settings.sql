-- Settings the business changed in the dashboard (issue #17), by the
-- setting's environment-variable name. Settings nobody changed come from
-- the environment or their default and are not stored here.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
