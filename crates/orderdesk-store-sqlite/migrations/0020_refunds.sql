-- Refunds, full or partial, executed at the provider (or recorded for cash
-- and UPI). PostgreSQL has the same migration under the same version.
--
-- `refunds` is the order's list of refund records (JSON, as the API shows
-- them); `refunded_minor` the processed part of it, kept by the write path
-- with the list so listings need not parse it; `provider_payment_id` the
-- provider's payment id (`pay_…`, `pi_…`) from the paid event, which a
-- refund at the provider names.
ALTER TABLE orders ADD COLUMN refunds TEXT NOT NULL DEFAULT '[]';
ALTER TABLE orders ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN provider_payment_id TEXT;
