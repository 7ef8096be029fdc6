-- After the checkout (#19 items 2 and 3, and the recovered-carts count):
-- where a cash-on-delivery order's confirmation stands (`asked`,
-- `reminded`, `confirmed`, `declined`, `not_confirmed`, `call_needed`;
-- NULL when never asked), the feedback asked after delivery (JSON: state,
-- rating, comment, times), and when a cart-recovery message last went out
-- (a checkout completed after it counts as recovered). SQLite has the
-- same migration.
ALTER TABLE orders ADD COLUMN cod_confirmation TEXT;
ALTER TABLE orders ADD COLUMN feedback JSONB;
ALTER TABLE orders ADD COLUMN reminded_at TIMESTAMPTZ;
