-- Insights (#18): a year of figures read in ≤ 50 ms whatever the number
-- of products and reasons. SQLite has the same migration.
--
-- `stats_months` holds each metric's sum over a local month (`month` is
-- its first day, `YYYY-MM-01`), kept by the write path in the same
-- statement batch as `stats_days`, so a range sums the days of its partial
-- months at the edges and one row per whole month in between: ≈ 40 rows
-- per metric for a year instead of 365.
CREATE TABLE stats_months (
    month  TEXT   NOT NULL,
    metric TEXT   NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (month, metric)
);

-- The months of the days already counted.
INSERT INTO stats_months (month, metric, value)
SELECT substr(day, 1, 8) || '01', metric, CAST(SUM(value) AS BIGINT)
FROM stats_days
GROUP BY substr(day, 1, 8) || '01', metric;

-- `by_bucket` reads five metrics of each day: a seek per metric, not a
-- scan of every metric's row of the range.
-- (Without `value`: the upserts that add to it stay HOT updates.)
CREATE INDEX stats_days_metric_day ON stats_days (metric, day);
