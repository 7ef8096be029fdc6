-- The money that arrived for each order (issue #15: refunds are bounded by
-- it, not by the order's current total, which staff edits can change):
-- the sum of its `paid` payment events in the order's currency, kept by
-- the write path with each new one. Orders with no such event (paid before
-- the ledger) keep 0, which the domain reads as "the total". SQLite has the
-- same migration.
ALTER TABLE orders ADD COLUMN received_minor BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET received_minor = d.amount
FROM (SELECT order_number, currency, SUM(amount_minor) AS amount FROM payment_events
      WHERE kind = 'paid' GROUP BY order_number, currency) AS d
WHERE orders.number = d.order_number AND orders.currency = d.currency;
