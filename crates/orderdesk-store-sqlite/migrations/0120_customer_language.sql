-- The language a customer gets their texts in (issue #19): guessed from
-- their first message in a language we can tell (`detected`), or set by
-- staff (`staff`, which a later guess never replaces). No row: the
-- business's language.
CREATE TABLE customer_languages (
    customer_key TEXT PRIMARY KEY,
    language TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
