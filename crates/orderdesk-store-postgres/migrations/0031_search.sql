-- Search that finds (issue #16, item 8). SQLite has the same migration
-- under the same version and name, with an FTS5 trigram table instead.
--
-- Each order's searchable text (customer name and ids, item names and ids,
-- the address with its phone and postal code without spaces, tracking,
-- note, the cart's text) is kept folded (lower case, accents removed: zoe
-- finds Zoë) in a stored generated column, so every write keeps it current
-- without the write path knowing. A pg_trgm GIN index answers substring
-- `LIKE` searches on it (a phone's last digits, part of a name, a city)
-- without a scan: trigrams rather than full-text search because what is
-- searched are fragments (digits, postal codes, half names), not words of
-- a language.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- `unaccent` is only STABLE (its dictionary could change); naming the
-- dictionary makes this wrapper safe to mark IMMUTABLE, as generated
-- columns and index expressions need.
CREATE FUNCTION orderdesk_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

ALTER TABLE orders ADD COLUMN search_text TEXT GENERATED ALWAYS AS (
    orderdesk_fold(
        coalesce(customer_name, '') || ' ' || coalesce(customer_wa_id, '') || ' ' ||
        coalesce(customer_user_id, '') || ' ' ||
        coalesce(jsonb_path_query_array(items, '$[*].name')::text, '') || ' ' ||
        coalesce(jsonb_path_query_array(items, '$[*].retailer_id')::text, '') || ' ' ||
        coalesce(address ->> 'name', '') || ' ' ||
        coalesce(replace(replace(replace(address ->> 'phone', ' ', ''), '-', ''), '+', ''), '') || ' ' ||
        coalesce(address ->> 'line1', '') || ' ' || coalesce(address ->> 'line2', '') || ' ' ||
        coalesce(address ->> 'city', '') || ' ' || coalesce(address ->> 'state', '') || ' ' ||
        coalesce(replace(address ->> 'postal_code', ' ', ''), '') || ' ' ||
        coalesce(tracking, '') || ' ' || coalesce(note, '') || ' ' || coalesce(cart_text, '')
    )
) STORED;

CREATE INDEX orders_search_trgm ON orders USING gin (search_text gin_trgm_ops);
