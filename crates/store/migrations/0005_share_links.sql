-- Share links: every document and PO folder of a Dropbox source gets a Dropbox share link in
-- the background. A document's link is made by a `share_link` job in the durable queue; its
-- link (or why there is none) is kept on the document. A PO folder has no document row, so
-- its link is a row of `po_links` that is its own small queue.

-- SQLite cannot alter a CHECK: `jobs` is rebuilt to accept the new kind, rows and indexes
-- kept. Nothing references `jobs`, so dropping it inside the migration's transaction is safe.
CREATE TABLE jobs_new (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('extract', 'share_link')),
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
INSERT INTO jobs_new (id, kind, document_id, state, attempts, not_before_ms, force, last_error,
                      created_ms, updated_ms)
    SELECT id, kind, document_id, state, attempts, not_before_ms, force, last_error,
           created_ms, updated_ms FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE UNIQUE INDEX jobs_open ON jobs (kind, document_id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_ready ON jobs (state, not_before_ms);

-- The document's Dropbox share link, and why there is none yet (a failure, "(will retry)"
-- while it waits for another try).
ALTER TABLE documents ADD COLUMN share_link TEXT;
ALTER TABLE documents ADD COLUMN share_error TEXT;

-- One row per PO folder of a Dropbox source (the folder whose name gives the PO; its
-- subfolders inherit it). `entry_id` is Dropbox's id, so a renamed folder keeps its link.
CREATE TABLE po_links (
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    project_number  TEXT NOT NULL,
    po_number       TEXT NOT NULL,
    entry_id        TEXT NOT NULL,
    path            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    link            TEXT,
    -- Why the last try failed, in words for the user.
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    not_before_ms   INTEGER NOT NULL DEFAULT 0,
    updated_ms      INTEGER NOT NULL,
    PRIMARY KEY (source_id, project_number, po_number)
);
CREATE INDEX po_links_ready ON po_links (state, not_before_ms);
