-- Customer-facing texts the business has edited, per language. Texts
-- nobody changed are built into the binary and not stored here.
CREATE TABLE message_templates (
    key TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    whatsapp_template TEXT,
    whatsapp_language TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (key, language)
);
