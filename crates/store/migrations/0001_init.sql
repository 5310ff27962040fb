-- Sources: a watched local folder, or (later) a Dropbox account and root. The cursor is the
-- source's resume point and is written in the same transaction as the events it produced.
CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('folder', 'dropbox')),
    location    TEXT NOT NULL,
    cursor      TEXT,
    created_ms  INTEGER NOT NULL,
    UNIQUE (kind, location)
);

-- The known tree of each source: the last known id -> path map the classifier compares with.
-- `key` is the source's lookup form of the path (lower case for Dropbox), not unique by
-- constraint because a batch may swap two names; the classifier keeps it unique.
CREATE TABLE entries (
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    entry_id   TEXT NOT NULL,
    key        TEXT NOT NULL,
    path       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
    rev        TEXT,
    PRIMARY KEY (source_id, entry_id)
) WITHOUT ROWID;
CREATE INDEX entries_by_key ON entries (source_id, key);

-- The event log: append-only, what the dashboard shows. Parsed fields are stored with each
-- event so the dashboard can filter on them; they are re-derived when the naming rules change.
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    at_ms           INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    path            TEXT NOT NULL,
    old_path        TEXT,
    entry_id        TEXT,
    descendants     INTEGER NOT NULL DEFAULT 0,
    project_number  TEXT,
    project_name    TEXT,
    po_number       TEXT,
    vendor_name     TEXT,
    vendor_type     TEXT,
    document_type   TEXT,
    file_number     TEXT,
    problems        TEXT -- JSON array of readable sentences; NULL when the name parsed cleanly
);
CREATE INDEX events_by_source ON events (source_id, seq);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
