-- Search by digits (issue #16): PostgreSQL adds an index of each order's
-- five-digit substrings under this version. SQLite's FTS5 trigram table
-- already finds a phone number at once, so there is nothing to add; the
-- migration keeps the two backends' versions in step.
SELECT 1;
