-- Monday.com sync (issue 6): per PO, what the board holds for it and how the last try went.
-- The configuration (API URL, board, column mapping, enabled) lives in `settings`; the token
-- in the OS keyring. `item_id` and `subitem_ids` (JSON: file number -> ids in line order) are
-- a shortcut the sync checks against the board, never trusted blindly. `digest` is the hash
-- of what was last written to the board: a PO whose digest is unchanged is not sent again.
-- A failed try keeps the error, its kind (retrying: passing trouble, retried with backoff
-- until `tries` reaches the limit; item: the PO's own data or the board refused it, retried
-- when the data changes or a person asks; reconnect: the token was refused) and, for
-- retrying, when to try next. `tried_digest` is the digest of the data that failed.
CREATE TABLE monday_sync (
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    project_number TEXT NOT NULL,
    po_number     TEXT NOT NULL,
    item_id       TEXT,
    subitem_ids   TEXT NOT NULL DEFAULT '{}',
    digest        TEXT,
    synced_ms     INTEGER,
    error         TEXT,
    error_kind    TEXT CHECK (error_kind IN ('retrying', 'item', 'reconnect')),
    tried_digest  TEXT,
    tries         INTEGER NOT NULL DEFAULT 0,
    next_try_ms   INTEGER,
    PRIMARY KEY (source_id, project_number, po_number)
);
