-- The highest inbound message id the bot could not use (free text off its
-- script at a checkout step): such a message needs a person even after the
-- bot's answer, until staff answer or mark the conversation done
-- (`answered_through`). PostgreSQL has the same migration under the same
-- version and name. Additive: older instances never read it.
ALTER TABLE conversations ADD COLUMN bot_missed_through INTEGER NOT NULL DEFAULT 0;
