-- An order's customer by the key the inbox and conversations use (issue
-- #12): a conversation shows its customer's newest open order, and writing
-- a batch's conversations looks that up for every customer in it. Without
-- this index each look-up walked the orders newest first until it met the
-- customer's, a scan that grows with the table (all of it for a customer
-- with no open order).
CREATE INDEX orders_customer_key_number ON orders (customer_key, number);
