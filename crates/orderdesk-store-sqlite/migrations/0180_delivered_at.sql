-- When the order last moved to Delivered (issue #15, reconciliation): cash
-- on delivery not recorded some days after delivery is counted from here,
-- not from `updated_at`, which any tag, note or assignee change resets.
-- Orders delivered before this migration take the time of their timeline's
-- last move to `delivered`. PostgreSQL has the same migration.
ALTER TABLE orders ADD COLUMN delivered_at TEXT;
UPDATE orders SET delivered_at = d.at
FROM (SELECT order_number, MAX(at) AS at FROM timeline_entries
      WHERE to_status = 'delivered' GROUP BY order_number) AS d
WHERE orders.number = d.order_number;
