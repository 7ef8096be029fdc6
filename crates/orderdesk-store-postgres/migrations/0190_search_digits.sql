-- Search by phone, postal code or tracking number at 10,000,000 orders
-- (issue #16, item 8). SQLite has the same migration under the same
-- version and name, as a no-op: its FTS5 trigram table is fast for these.
--
-- The trigram index of 0031 answers `LIKE '%9988776655%'` by intersecting
-- the posting lists of the pattern's trigrams. Digit trigrams are common
-- (every phone of a shop shares its country and operator prefixes), so a
-- phone number walked lists of hundreds of thousands of orders: 45 ms at
-- 10,000,000 orders. Runs of five digits are rare by comparison (100,000
-- values instead of 1,000), so an index of each order's five-digit
-- substrings finds the few orders holding all of a number's at once
-- (under 1 ms). A word with five or more digits in a row is looked up
-- here; `LIKE` then keeps only the orders holding the digits contiguously.

-- Every five-character substring of every run of five or more ASCII
-- digits (repeats included: GIN keeps each key once). PL/pgSQL rather than
-- SQL: an SQL function with a FROM clause is not inlined, and running it
-- as a query per row cost 550 µs an order (this loop: about 50 µs, paid
-- when an order's searchable text is written).
CREATE FUNCTION orderdesk_digit_grams(t text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
DECLARE
    grams text[] := '{}';
    run text;
BEGIN
    FOREACH run IN ARRAY regexp_split_to_array(t, '[^0-9]+') LOOP
        FOR i IN 1 .. length(run) - 4 LOOP
            grams := grams || substr(run, i, 5);
        END LOOP;
    END LOOP;
    RETURN grams;
END
$$;

CREATE INDEX orders_search_digits ON orders USING gin (orderdesk_digit_grams(search_text));
