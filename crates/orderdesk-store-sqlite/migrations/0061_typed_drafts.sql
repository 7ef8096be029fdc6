-- A customer's typed order shown back as a draft (#21): the lines to order
-- on "Place order", with what the draft was priced against. One per
-- customer; a newer draft replaces it. `lines` is "retailer id\tpacks" a
-- line; a tap holds only while catalog_version and latest_order are unchanged.
CREATE TABLE typed_drafts (
    customer_key TEXT PRIMARY KEY,
    lines TEXT NOT NULL,
    catalog_version BIGINT NOT NULL,
    latest_order BIGINT
);
