-- Issue #4: a payment event that could not be believed (amount or currency
-- differs from the order's) flags the order until staff settle it.
-- Additive only, so instances still running the previous version keep working.
ALTER TABLE orders ADD COLUMN payment_review TEXT;
