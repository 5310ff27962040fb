-- Documents: the files of a source that Boxkeeper reads (PDF and images). Identity is the
-- source's entry id, so a renamed or moved document keeps its fields. `path` follows the
-- known tree; when the entry is gone the document stays (its data is never dropped) and
-- `deleted_ms` says since when.
CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    entry_id       TEXT NOT NULL,
    path           TEXT NOT NULL,
    -- The revision last queued for extraction: a new revision queues the document again.
    rev            TEXT,
    -- SHA-256 of the bytes last extracted: equal bytes are never extracted twice.
    content_hash   TEXT,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'extracting', 'done', 'failed')),
    -- Why the last extraction failed, in words for the user.
    error          TEXT,
    -- What the running extraction is doing ("OCR page 2 of 5").
    progress       TEXT,
    document_type  TEXT,
    -- How the values were read: e-invoice, text, ocr; "+llm" when a model added to them.
    extracted_by   TEXT,
    extracted_ms   INTEGER,
    llm_tokens     INTEGER,
    problems       TEXT, -- JSON array of sentences; NULL when there are none
    -- A person edited the line items: extraction no longer replaces them.
    lines_by_person INTEGER NOT NULL DEFAULT 0,
    deleted_ms     INTEGER,
    updated_ms     INTEGER NOT NULL,
    UNIQUE (source_id, entry_id)
);
CREATE INDEX documents_by_hash ON documents (content_hash);
CREATE INDEX documents_by_status ON documents (status);

-- The durable job queue. A job is claimed by setting it running; a running job found at
-- start-up was interrupted (crash, quit) and is queued again. At most one open job per kind
-- and document, so queueing twice is harmless.
CREATE TABLE jobs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('extract')),
    document_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    state          TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    not_before_ms  INTEGER NOT NULL DEFAULT 0,
    -- Extract even when these bytes were extracted before (re-extract on demand).
    force          INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_open ON jobs (kind, document_id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_ready ON jobs (state, not_before_ms);

-- A document's fields. Extraction writes the `value` columns; a person writes `person_value`,
-- which wins while it is set. Extraction never touches the person's columns, so a correction
-- cannot be overwritten, and "revert to extracted" is clearing them.
CREATE TABLE fields (
    document_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    value          TEXT,
    confidence     REAL NOT NULL DEFAULT 0,
    provenance     TEXT NOT NULL CHECK (provenance IN ('offline', 'llm', 'e-invoice', 'file name', 'person')),
    -- Where on the document the value was read ("page 2"), when known, and the box on that
    -- page as a JSON array [x0, y0, x1, y1] (so the window can show where it came from).
    location       TEXT,
    bbox           TEXT,
    person_value   TEXT,
    person_ms      INTEGER,
    updated_ms     INTEGER NOT NULL,
    PRIMARY KEY (document_id, name)
) WITHOUT ROWID;

CREATE TABLE line_items (
    document_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    description    TEXT,
    quantity       TEXT,
    unit_price     TEXT,
    amount         TEXT,
    date           TEXT,
    account_code   TEXT,
    provenance     TEXT NOT NULL,
    PRIMARY KEY (document_id, position)
) WITHOUT ROWID;

-- Every change of every field: who changed it (person, offline, llm, e-invoice) and when.
CREATE TABLE field_history (
    id             INTEGER PRIMARY KEY,
    document_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    old_value      TEXT,
    new_value      TEXT,
    who            TEXT NOT NULL,
    at_ms          INTEGER NOT NULL
);
CREATE INDEX field_history_by_document ON field_history (document_id, id);
