-- Search pages that reach past the newest orders (issue #16, item 8).
--
-- A search looks through the newest 10,000 orders first and asks an index
-- for the rest. Neither the trigram index (0031) nor the digit runs' index
-- (0190) hands matches over newest first, so a word in a few thousand of
-- 10,000,000 orders (`4242`, `Sharma 4242`) fetched every match from the
-- table to sort them and keep fifty: 40-80 ms warm, close to a second cold.
--
-- Both indexes now lead with the range of the order's number,
-- `number / 262144` (btree_gin indexes the integer beside the trigrams). The
-- list asks them for one range at a time, newest first, and stops when the
-- page is full: the few thousand matches cost the newest few ranges' worth.
-- GIN intersects the range's entries with the word's, skipping through
-- both, so one range costs what its own matches cost. A search without a
-- range (none today) can still use either index by its second column.
--
-- `orderdesk_store_postgres::filters::SEARCH_RANGE` holds the same 262144:
-- the list's query must write the index's expression for the planner to
-- use it. Rebuilding both indexes takes minutes at millions of orders
-- (160 s each at 10,000,000 orders on two cores) and blocks writes to
-- `orders` meanwhile; docs/design.md says so.

CREATE EXTENSION IF NOT EXISTS btree_gin;

DROP INDEX orders_search_trgm;
CREATE INDEX orders_search_trgm ON orders
    USING gin ((number / 262144), search_text gin_trgm_ops);

DROP INDEX orders_search_digits;
CREATE INDEX orders_search_digits ON orders
    USING gin ((number / 262144), orderdesk_digit_grams(search_text));
