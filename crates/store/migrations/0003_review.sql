-- Review: where a document is in the bookkeeper's flow. Exported is set by an export and
-- undone with it.
ALTER TABLE documents ADD COLUMN review TEXT NOT NULL DEFAULT 'to_review'
    CHECK (review IN ('to_review', 'approved', 'exported', 'rejected'));
ALTER TABLE documents ADD COLUMN review_ms INTEGER;

-- What the document's path says, parsed with the rules in force (for filters, the PO view
-- and flags). `po_vendor` is the PO folder's vendor; `name_vendor` the one in the file name.
ALTER TABLE documents ADD COLUMN project_number TEXT;
ALTER TABLE documents ADD COLUMN project_name TEXT;
ALTER TABLE documents ADD COLUMN po_number TEXT;
ALTER TABLE documents ADD COLUMN po_vendor TEXT;
ALTER TABLE documents ADD COLUMN vendor_type TEXT;
ALTER TABLE documents ADD COLUMN name_vendor TEXT;
ALTER TABLE documents ADD COLUMN name_type TEXT;
ALTER TABLE documents ADD COLUMN file_number TEXT;
ALTER TABLE documents ADD COLUMN name_problems TEXT; -- JSON array of sentences, NULL when clean
-- The rules the parsed columns above were read with; NULL: not parsed yet.
ALTER TABLE documents ADD COLUMN parsed_with TEXT;

-- The values in force (a person's, else the extracted one) of the fields that lists sort
-- and filter on. The store writes them with every change of `fields`, so a sorted page of
-- 100,000 documents reads one row per document, not a subquery per field.
ALTER TABLE documents ADD COLUMN vendor TEXT;
ALTER TABLE documents ADD COLUMN invoice_number TEXT;
ALTER TABLE documents ADD COLUMN invoice_date TEXT;
ALTER TABLE documents ADD COLUMN total TEXT;
ALTER TABLE documents ADD COLUMN total_cents INTEGER;
ALTER TABLE documents ADD COLUMN currency TEXT;
-- The line items as the last extraction read them (JSON), so "revert lines" after a
-- person's edits has something to go back to.
ALTER TABLE documents ADD COLUMN extracted_lines TEXT;

UPDATE documents SET
    vendor = (SELECT coalesce(person_value, value) FROM fields f WHERE f.document_id = documents.id AND f.name = 'vendor_name'),
    invoice_number = (SELECT coalesce(person_value, value) FROM fields f WHERE f.document_id = documents.id AND f.name = 'invoice_number'),
    invoice_date = (SELECT coalesce(person_value, value) FROM fields f WHERE f.document_id = documents.id AND f.name = 'invoice_date'),
    total = (SELECT coalesce(person_value, value) FROM fields f WHERE f.document_id = documents.id AND f.name = 'total'),
    currency = (SELECT coalesce(person_value, value) FROM fields f WHERE f.document_id = documents.id AND f.name = 'currency');
-- Cents for sorting only; the store recomputes them exactly on the next write.
UPDATE documents SET total_cents = CAST(round(CAST(total AS REAL) * 100) AS INTEGER)
    WHERE total IS NOT NULL AND total != '';

CREATE INDEX documents_by_review ON documents (source_id, review, id);
CREATE INDEX documents_by_po ON documents (source_id, project_number, po_number);
CREATE INDEX documents_by_vendor ON documents (source_id, vendor COLLATE NOCASE);
CREATE INDEX documents_by_date ON documents (source_id, invoice_date);
CREATE INDEX documents_by_total ON documents (source_id, total_cents);
CREATE INDEX documents_by_number ON documents (invoice_number COLLATE NOCASE);

-- Flags: what a person should look at, each with its reason. Recomputed by the store when
-- a document or its neighbours change; a dismissed flag stays dismissed (with the person's
-- note) while its condition holds, and goes when the condition does. A duplicate points to
-- the older document (`other_id`; 0 for kinds that point nowhere).
CREATE TABLE flags (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('duplicate', 'lines_sum', 'totals',
                      'name_mismatch', 'no_tax_form', 'unparsed_name', 'failed')),
    other_id      INTEGER NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    dismissed_ms  INTEGER,
    dismiss_note  TEXT,
    UNIQUE (document_id, kind, other_id)
);
CREATE INDEX flags_open ON flags (document_id) WHERE dismissed_ms IS NULL;
CREATE INDEX flags_by_other ON flags (other_id) WHERE other_id != 0;

-- A person's say over a PO: its status and vendor type override the rules; verifying the
-- tax form records which form (the newest document then) was verified, so a newer W9 asks
-- for verification again.
CREATE TABLE po_overrides (
    source_id         INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    project_number    TEXT NOT NULL,
    po_number         TEXT NOT NULL,
    status            TEXT,
    vendor_type       TEXT CHECK (vendor_type IN ('vendor', 'cc', 'pc')),
    verified_form_id  INTEGER,
    updated_ms        INTEGER NOT NULL,
    PRIMARY KEY (source_id, project_number, po_number)
) WITHOUT ROWID;

-- Undo: the rows one change wrote share `change_id`; `undo` (JSON, on the change's first
-- row) says how to put back what it replaced; `undone` marks a change already undone.
ALTER TABLE field_history ADD COLUMN change_id INTEGER;
ALTER TABLE field_history ADD COLUMN undo TEXT;
ALTER TABLE field_history ADD COLUMN undone INTEGER NOT NULL DEFAULT 0;
CREATE INDEX field_history_undo ON field_history (document_id, change_id) WHERE undo IS NOT NULL;

-- Exports: what each one marked Exported, and the state it had before (to undo it).
CREATE TABLE exports (
    id          INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    path        TEXT NOT NULL,
    preset      TEXT NOT NULL,
    shape       TEXT NOT NULL,
    documents   INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    undone_ms   INTEGER
);
CREATE TABLE exported_documents (
    export_id        INTEGER NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
    document_id      INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    previous_review  TEXT NOT NULL,
    PRIMARY KEY (export_id, document_id)
) WITHOUT ROWID;

-- Full-text search over what a bookkeeper looks for: the path (file name and folders), vendor, invoice number and
-- the document's text. The rowid is the document's id.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    path, vendor, invoice_number, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO documents_fts (rowid, path, vendor, invoice_number, body)
    SELECT id, path, vendor, invoice_number, '' FROM documents;
