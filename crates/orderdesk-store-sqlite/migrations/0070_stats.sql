-- Insights (#18): per-day rollups kept by the write path in the same
-- transaction as the change they count. PostgreSQL has the same migration.
--
-- `stats_days` holds one counter per local day (in `stats_zone`'s time
-- zone) and metric (`carts`, `revenue_minor`, `t:placed_confirmed:5`…),
-- so a year of figures is a range read of a few hundred rows per metric.
CREATE TABLE stats_days (
    day    TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (day, metric)
) STRICT, WITHOUT ROWID;

-- Which customers already counted in a period (`d2026-12-07`,
-- `w2026-12-07`, `m2026-12-01`, `all`): distinct customers per day, week
-- and month stay additive counters, and `all` tells a repeat customer.
CREATE TABLE stats_customers (
    period       TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    PRIMARY KEY (period, customer_key)
) STRICT, WITHOUT ROWID;

-- The time zone the rollups are in; NULL until the first rebuild, which
-- also counts everything that happened before this migration.
CREATE TABLE stats_zone (
    id        INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    time_zone TEXT
) STRICT;
INSERT INTO stats_zone (id, time_zone) VALUES (1, NULL);

-- "Is this the order's first payment?" on the write path.
CREATE INDEX payment_events_order_kind ON payment_events (order_number, kind, id);
