-- Other names customers use for a product ("pyaz|kanda" for onions), as
-- the catalog CSV gives them: the typed-order reader matches on them too.
-- Kept across feed syncs, which do not carry them.
ALTER TABLE products ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
