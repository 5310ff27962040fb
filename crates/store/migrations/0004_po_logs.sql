-- PO logs exported by the budgeting software: found in the followed tree (then `document_id`
-- is the log file's document, read by the queue like any document) or opened by hand
-- (`document_id` NULL). The text is kept as read; reconciliation parses it again on demand,
-- so a better parser needs no migration. The newest log of a project (by the time in its
-- name, then by id) is the one the PO view compares with.
CREATE TABLE po_logs (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources (id) ON DELETE CASCADE,
    document_id     INTEGER UNIQUE REFERENCES documents (id) ON DELETE CASCADE,
    path            TEXT NOT NULL,
    project_number  TEXT NOT NULL,
    -- "2024-05-01 10:00:00" from the file name; sorts as text.
    exported_at     TEXT NOT NULL,
    text            TEXT NOT NULL,
    read_ms         INTEGER NOT NULL
);
CREATE INDEX po_logs_by_project ON po_logs (source_id, project_number, exported_at);
