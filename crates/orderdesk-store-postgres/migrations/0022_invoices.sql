-- Invoice and credit note numbers (#15 item 3). An order's invoice number
-- is written in the same transaction as the payment that earns it; each
-- series (kind and year) counts up from 1 with no gaps, its counter taken
-- in that transaction so a rolled-back payment takes its number back.
-- The other backend has the same migration.
ALTER TABLE orders ADD COLUMN invoice_number TEXT;
CREATE UNIQUE INDEX orders_invoice_number ON orders (invoice_number);

CREATE TABLE document_counters (
    series TEXT   PRIMARY KEY,
    last   BIGINT NOT NULL
);

-- The prefix of each series (`INV-`, `CN-`), set from the settings at
-- start; a number keeps the prefix it was issued with.
CREATE TABLE document_prefixes (
    kind   TEXT PRIMARY KEY,
    prefix TEXT NOT NULL
);
