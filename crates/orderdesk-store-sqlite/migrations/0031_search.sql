-- Search that finds (issue #16, item 8). PostgreSQL has the same migration
-- under the same version and name, with a trigram index instead.
--
-- An FTS5 table with the trigram tokenizer holds each order's searchable
-- text: customer name and ids, item names and ids, the address (its phone
-- and postal code without spaces), tracking, note and the cart's text.
-- Trigrams answer substrings (a phone's last digits, part of a name or a
-- city) from the index, `remove_diacritics` folds accents (zoe finds Zoë)
-- and case is folded too. Its rowid is the order number. Triggers keep it
-- in step with every write, so the shared write path needs no change; the
-- update trigger fires only when a searched column really changed (stage
-- and payment moves rewrite the row without touching these).
CREATE VIRTUAL TABLE orders_search USING fts5(
    body,
    tokenize = 'trigram remove_diacritics 1'
);

INSERT INTO orders_search (rowid, body)
    SELECT number, coalesce(o.customer_name, '') || ' ' || coalesce(o.customer_wa_id, '') || ' ' ||
        coalesce(o.customer_user_id, '') || ' ' ||
        coalesce((SELECT group_concat(json_extract(value, '$.name') || ' ' ||
            json_extract(value, '$.retailer_id'), ' ') FROM json_each(o.items)), '') || ' ' ||
        coalesce(json_extract(o.address, '$.name'), '') || ' ' ||
        coalesce(replace(replace(replace(json_extract(o.address, '$.phone'), ' ', ''), '-', ''), '+', ''), '') || ' ' ||
        coalesce(json_extract(o.address, '$.line1'), '') || ' ' ||
        coalesce(json_extract(o.address, '$.line2'), '') || ' ' ||
        coalesce(json_extract(o.address, '$.city'), '') || ' ' ||
        coalesce(json_extract(o.address, '$.state'), '') || ' ' ||
        coalesce(replace(json_extract(o.address, '$.postal_code'), ' ', ''), '') || ' ' ||
        coalesce(o.tracking, '') || ' ' || coalesce(o.note, '') || ' ' ||
        coalesce(o.cart_text, '') FROM orders AS o;

CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_search (rowid, body) VALUES (new.number, coalesce(new.customer_name, '') || ' ' || coalesce(new.customer_wa_id, '') || ' ' ||
        coalesce(new.customer_user_id, '') || ' ' ||
        coalesce((SELECT group_concat(json_extract(value, '$.name') || ' ' ||
            json_extract(value, '$.retailer_id'), ' ') FROM json_each(new.items)), '') || ' ' ||
        coalesce(json_extract(new.address, '$.name'), '') || ' ' ||
        coalesce(replace(replace(replace(json_extract(new.address, '$.phone'), ' ', ''), '-', ''), '+', ''), '') || ' ' ||
        coalesce(json_extract(new.address, '$.line1'), '') || ' ' ||
        coalesce(json_extract(new.address, '$.line2'), '') || ' ' ||
        coalesce(json_extract(new.address, '$.city'), '') || ' ' ||
        coalesce(json_extract(new.address, '$.state'), '') || ' ' ||
        coalesce(replace(json_extract(new.address, '$.postal_code'), ' ', ''), '') || ' ' ||
        coalesce(new.tracking, '') || ' ' || coalesce(new.note, '') || ' ' ||
        coalesce(new.cart_text, ''));
END;

CREATE TRIGGER orders_search_update AFTER UPDATE ON orders
WHEN new.customer_name IS NOT old.customer_name
  OR new.customer_wa_id IS NOT old.customer_wa_id
  OR new.customer_user_id IS NOT old.customer_user_id
  OR new.items IS NOT old.items
  OR new.address IS NOT old.address
  OR new.tracking IS NOT old.tracking
  OR new.note IS NOT old.note
BEGIN
    UPDATE orders_search SET body = coalesce(new.customer_name, '') || ' ' || coalesce(new.customer_wa_id, '') || ' ' ||
        coalesce(new.customer_user_id, '') || ' ' ||
        coalesce((SELECT group_concat(json_extract(value, '$.name') || ' ' ||
            json_extract(value, '$.retailer_id'), ' ') FROM json_each(new.items)), '') || ' ' ||
        coalesce(json_extract(new.address, '$.name'), '') || ' ' ||
        coalesce(replace(replace(replace(json_extract(new.address, '$.phone'), ' ', ''), '-', ''), '+', ''), '') || ' ' ||
        coalesce(json_extract(new.address, '$.line1'), '') || ' ' ||
        coalesce(json_extract(new.address, '$.line2'), '') || ' ' ||
        coalesce(json_extract(new.address, '$.city'), '') || ' ' ||
        coalesce(json_extract(new.address, '$.state'), '') || ' ' ||
        coalesce(replace(json_extract(new.address, '$.postal_code'), ' ', ''), '') || ' ' ||
        coalesce(new.tracking, '') || ' ' || coalesce(new.note, '') || ' ' ||
        coalesce(new.cart_text, '') WHERE rowid = new.number;
END;
