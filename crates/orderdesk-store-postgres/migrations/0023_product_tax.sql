-- Tax details per product for invoices (issue #15), from the catalog CSV's
-- optional hsn and tax_rate columns: the HSN (or SAC) code printed on the
-- invoice line ('' none), and the GST/VAT rate in basis points (1800 =
-- 18 %; NULL: the business's default rate, ORDERDESK_TAX_RATE). Kept
-- across feed syncs, which do not carry them.
ALTER TABLE products ADD COLUMN hsn TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN tax_rate_bp BIGINT;

-- One order's payment events (the date its invoice carries is its paid
-- event's), read without scanning the whole ledger.
CREATE INDEX payment_events_order ON payment_events (order_number, at, id);
