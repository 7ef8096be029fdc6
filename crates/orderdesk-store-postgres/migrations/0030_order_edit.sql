-- Orders as merchants run them (issue #16): a shipping fee and a discount
-- that staff set when editing an order (the total follows them), tags and
-- the staff member the order is assigned to. SQLite has the same migration
-- under the same version and name.

ALTER TABLE orders ADD COLUMN shipping_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
-- A JSON array of tag names.
ALTER TABLE orders ADD COLUMN tags JSONB NOT NULL DEFAULT '[]';
-- The assignee's email (lower case), or NULL.
ALTER TABLE orders ADD COLUMN assignee TEXT;

-- `assignee=` walks this backwards from the cursor, as status filters do;
-- `tag=` is a containment test the GIN index answers.
CREATE INDEX orders_assignee_number ON orders (assignee, number);
CREATE INDEX orders_tags ON orders USING gin (tags);

-- Staff creating an order for a phone number find the customer (and their
-- business-scoped id and 24-hour window) by it.
CREATE INDEX customers_wa_id ON customers (wa_id);
