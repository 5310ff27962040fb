-- Vendor memory: what a person taught the app about a vendor (the spelling of its name, the
-- short description of what it does, the account code its lines book to), learned in the
-- transaction of the correction that taught it. One value per vendor and field: a newer
-- correction replaces an older one. `vendor_key` is the vendor's name normalised (case,
-- punctuation and legal suffixes set aside), `vendor` the name as the document gave it.
-- For a spelling, `value_key` is the remembered spelling's own key, so a document whose
-- vendor already reads as that vendor (differently spelt) is offered the spelling too.
CREATE TABLE vendor_memory (
    id           INTEGER PRIMARY KEY,
    vendor_key   TEXT NOT NULL,
    vendor       TEXT NOT NULL,
    field        TEXT NOT NULL CHECK (field IN ('vendor_name', 'description', 'account_code')),
    value        TEXT NOT NULL,
    value_key    TEXT,
    -- The document it was learned from (NULL once that document is gone), when and by whom.
    document_id  INTEGER REFERENCES documents (id) ON DELETE SET NULL,
    learned_by   TEXT NOT NULL,
    learned_ms   INTEGER NOT NULL,
    -- Set when a person edited the value on the settings page.
    edited_ms    INTEGER,
    UNIQUE (vendor_key, field)
);
CREATE INDEX vendor_memory_by_value_key ON vendor_memory (value_key) WHERE value_key IS NOT NULL;

-- A suggestion from memory a person dismissed on a document: it stays dismissed (through
-- every re-extraction) for that value; a different remembered value is offered again.
CREATE TABLE dismissed_suggestions (
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    field         TEXT NOT NULL,
    value         TEXT NOT NULL,
    dismissed_ms  INTEGER NOT NULL,
    PRIMARY KEY (document_id, field, value)
) WITHOUT ROWID;
