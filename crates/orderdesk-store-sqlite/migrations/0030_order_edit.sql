-- Orders as merchants run them (issue #16): a shipping fee and a discount
-- that staff set when editing an order (the total follows them), tags and
-- the staff member the order is assigned to. PostgreSQL has the same
-- migration under the same version and name.

ALTER TABLE orders ADD COLUMN shipping_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0;
-- A JSON array of tag names, as serde_json writes it.
ALTER TABLE orders ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
-- The assignee's email (lower case), or NULL.
ALTER TABLE orders ADD COLUMN assignee TEXT;

-- `assignee=` walks this backwards from the cursor, as status filters do.
CREATE INDEX orders_assignee_number ON orders (assignee, number);

-- Staff creating an order for a phone number find the customer (and their
-- business-scoped id and 24-hour window) by it.
CREATE INDEX customers_wa_id ON customers (wa_id);
