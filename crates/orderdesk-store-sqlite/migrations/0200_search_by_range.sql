-- Search by range of order numbers (issue #16): PostgreSQL's search
-- indexes lead with `number / 262144` from this version, so that a page of
-- older matches is found range by range, newest first. SQLite's FTS5 table
-- is already walked by order number, newest first; the migration keeps the
-- two backends' versions in step.
SELECT 1;
