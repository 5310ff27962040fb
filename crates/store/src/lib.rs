//! The store: Boxkeeper's one SQLite database (rusqlite, bundled SQLite, WAL). It owns the
//! schema (migrations are the .sql files in `migrations/`, applied in order and counted in
//! `PRAGMA user_version`), the known tree of each source, the append-only event log with the
//! fields parsed from each event's path, and the settings. Ingesting a batch is one
//! transaction: classify against the stored tree, update the tree, append the events and, for
//! sources that have one, move the cursor — so a crash leaves either all of it or none.

mod documents;
mod flags;
mod ingest;
mod links;
mod memory;
mod monday;
mod orders;
mod polog;
mod query;
mod review;
mod search;

pub use documents::{
    is_document_name, DocumentCounts, DocumentDetail, DocumentFilter, DocumentSort,
    DocumentSummary, ExtractJob, ExtractedField, ExtractedLine, FieldHistory, NewExtraction,
    StoredField, StoredLine,
};
pub use flags::{Flag, FLAG_KINDS};
pub use ingest::Ingested;
pub use links::{LinkCounts, PoFolderLink, PoLinkJob, ShareLinkCounts, ShareLinkJob};
pub use memory::{vendor_key, MemoryEntry, Suggestion, ACCEPTED_FROM_MEMORY, MEMORY_FIELDS};
pub use monday::{MondayErrorKind, MondayFailure, MondayPoState};
pub use orders::{PoTotals, PurchaseOrder, PO_STATUSES};
pub use polog::{NewPoLog, PoLineSum, StoredPoLog};
pub use query::{EventFilter, Facets, ProjectFacet, StoredEvent};
pub use review::{DocumentForExport, ExportRecord, LineValues, REVIEW_STATES};
pub use search::{format_cents, parse_cents};

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// Migrations in order. The database's `user_version` is how many have been applied.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/0001_init.sql")),
    (
        "0002_documents",
        include_str!("../migrations/0002_documents.sql"),
    ),
    ("0003_review", include_str!("../migrations/0003_review.sql")),
    (
        "0004_po_logs",
        include_str!("../migrations/0004_po_logs.sql"),
    ),
    (
        "0005_share_links",
        include_str!("../migrations/0005_share_links.sql"),
    ),
    (
        "0006_vendor_memory",
        include_str!("../migrations/0006_vendor_memory.sql"),
    ),
    ("0007_monday", include_str!("../migrations/0007_monday.sql")),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is full or the disk has no space left: {0}")]
    Full(#[source] rusqlite::Error),
    #[error("the database is used by another program and stayed locked: {0}")]
    Busy(#[source] rusqlite::Error),
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    #[error(
        "the database was written by a newer Boxkeeper (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("there is no document {0}")]
    NoSuchDocument(i64),
    /// A suggestion from memory was accepted or dismissed as the window showed it, but what
    /// memory offers for that field now differs (the remembered value was edited or
    /// relearned, or it is gone): nothing was done; the window shows the document again.
    #[error("the suggestion changed; look again")]
    SuggestionChanged { document: i64, field: String },
    /// A value the store refuses (a review state, a PO status, ...), in words for the user.
    #[error("{0}")]
    Invalid(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::Full(e),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(e),
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What kind of source a row of `sources` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Folder,
    Dropbox,
}

impl SourceKind {
    fn as_str(self) -> &'static str {
        match self {
            SourceKind::Folder => "folder",
            SourceKind::Dropbox => "dropbox",
        }
    }
}

/// A connection to the database. Open one per thread that needs it: WAL lets the ingesting
/// thread write while the UI's connection reads.
pub struct Store {
    conn: Connection,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.display().to_string(),
                source,
            })?;
        }
        Store::init(Connection::open(path)?)
    }

    pub fn open_in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL: readers never block the writer; NORMAL sync is durable across application
        // crashes (the WAL is synced at checkpoints), which is what a crash test checks.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A 64 MiB page cache: a first scan writes a few hundred thousand rows in one
        // transaction, and spilling dirty pages to the WAL mid-transaction is what slows it.
        conn.pragma_update(None, "cache_size", -65536)?;
        let mut store = Store { conn };
        store.migrate()?;
        // Statistics for the query planner, refreshed when they are stale (cheap when not):
        // without them a page filtered by project and PO but sorted by vendor walks the
        // vendor index over every document instead of reading the PO's fifty.
        // Best effort: another writer holding the database only delays them.
        if let Err(e) = store.conn.execute_batch("PRAGMA optimize = 0x10002;") {
            tracing::debug!(error = %e, "query statistics not refreshed");
        }
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let applied: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if applied > known {
            return Err(StoreError::TooNew {
                found: applied,
                known,
            });
        }
        for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
            tracing::info!(migration = name, "applied migration");
        }
        Ok(())
    }

    /// Every source's id, oldest first.
    pub fn source_ids(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare("SELECT id FROM sources ORDER BY id")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// The schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The id of a source, created on first use.
    pub fn source_id(&mut self, kind: SourceKind, location: &str) -> Result<i64> {
        let now = now_ms();
        self.conn.execute(
            "INSERT INTO sources (kind, location, created_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (kind, location) DO NOTHING",
            (kind.as_str(), location, now),
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM sources WHERE kind = ?1 AND location = ?2",
            (kind.as_str(), location),
            |r| r.get(0),
        )?)
    }

    pub fn cursor(&self, source: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT cursor FROM sources WHERE id = ?1", [source], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// How many entries the known tree of a source holds.
    pub fn entry_count(&self, source: i64) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM entries WHERE source_id = ?1",
            [source],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )?;
        Ok(())
    }

    pub fn delete_setting(&self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
