-- The checkout's smarter script (#14): what a customer typed at the address
-- step instead of using the form, kept for staff; and how many messages at
-- the current step the bot could not use (it offers a person at the second).
ALTER TABLE orders ADD COLUMN address_as_typed TEXT;
ALTER TABLE orders ADD COLUMN off_script BIGINT NOT NULL DEFAULT 0;
