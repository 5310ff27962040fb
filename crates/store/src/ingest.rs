//! Ingesting a batch: classify, update the known tree, append the events, in one transaction.

use boxkeeper_events::{classify, Batch, EntryKind, Event, KnownEntry, KnownTree, TreeChange};
use boxkeeper_naming::{ParsedPath, PathKind, PathRules};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

use crate::{Result, Store, StoreError, StoredEvent};

/// What one batch did.
#[derive(Debug, Default)]
pub struct Ingested {
    pub events: Vec<StoredEvent>,
    /// Entries of the known tree written or removed.
    pub tree_changes: usize,
    /// The ids of those entries, for what follows the tree (documents to read).
    pub touched: Vec<String>,
}

impl Store {
    /// Classifies `batch` against the stored tree of `source` and records the result. With
    /// `cursor`, the source's cursor moves in the same transaction.
    pub fn ingest(
        &mut self,
        source: i64,
        batch: &Batch,
        rules: &PathRules,
        cursor: Option<&str>,
        at_ms: i64,
    ) -> Result<Ingested> {
        let _span = tracing::debug_span!("ingest", source, entries = batch.entries.len()).entered();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let classified = {
            let mut tree = TxTree { tx: &tx, source };
            classify(&mut tree, batch)?
        };
        let tree_changes = classified.changes.len();
        let touched = classified
            .changes
            .iter()
            .map(|c| match c {
                TreeChange::Upsert(e) => e.id.clone(),
                TreeChange::Remove { id } => id.clone(),
            })
            .collect();
        // Parsing needs only the rules: on a big batch it runs on the other cores while this
        // thread writes the known tree, instead of after it.
        let events_in = classified.events;
        let changes = classified.changes;
        let parsing = Parsing::new(&events_in, rules);
        let applied = std::thread::scope(|s| {
            if events_in.len() >= PARALLEL_PARSE {
                for _ in 1..workers() {
                    s.spawn(|| parsing.work());
                }
            }
            let applied = apply_changes(&tx, source, &changes);
            // Then help with what is left of the parsing.
            parsing.work();
            applied
        });
        let parsed = parsing.finish();
        applied?;
        let events = append_events(&tx, source, events_in, parsed, at_ms)?;
        if let Some(cursor) = cursor {
            tx.execute(
                "UPDATE sources SET cursor = ?2 WHERE id = ?1",
                (source, cursor),
            )?;
        }
        tx.commit()?;
        Ok(Ingested {
            events,
            tree_changes,
            touched,
        })
    }

    /// Parses every stored event's path again, with new rules. Returns how many changed.
    pub fn reparse(&mut self, source: i64, rules: &PathRules) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut changed = 0;
        {
            let mut select =
                tx.prepare("SELECT seq, kind, path FROM events WHERE source_id = ?1")?;
            let rows = select
                .query_map([source], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut update = tx.prepare(
                "UPDATE events SET project_number = ?2, project_name = ?3, po_number = ?4,
                 vendor_name = ?5, vendor_type = ?6, document_type = ?7, file_number = ?8,
                 problems = ?9 WHERE seq = ?1",
            )?;
            for (seq, kind, path) in rows {
                let parsed = rules.parse(&path, path_kind_of_event(&kind));
                let p = ParsedColumns::of(&parsed);
                changed += update.execute(rusqlite::params![
                    seq,
                    parsed.project_number,
                    parsed.project_name,
                    parsed.po_number,
                    parsed.vendor_name,
                    p.vendor_type,
                    p.document_type,
                    parsed.file_number,
                    p.problems,
                ])?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }
}

fn path_kind_of_event(kind: &str) -> PathKind {
    if kind.starts_with("folder") {
        PathKind::Folder
    } else {
        PathKind::File
    }
}

fn path_kind(kind: EntryKind) -> PathKind {
    match kind {
        EntryKind::File => PathKind::File,
        EntryKind::Folder => PathKind::Folder,
    }
}

/// The parsed fields as the events table stores them.
pub(crate) struct ParsedColumns {
    pub vendor_type: Option<&'static str>,
    pub document_type: Option<&'static str>,
    pub problems: Option<String>,
}

impl ParsedColumns {
    pub fn of(p: &ParsedPath) -> ParsedColumns {
        ParsedColumns {
            vendor_type: p.vendor_type.map(|v| v.as_str()),
            document_type: p.document_type.map(|d| d.as_str()),
            problems: if p.problems.is_empty() {
                None
            } else {
                serde_json::to_string(&p.problems).ok()
            },
        }
    }
}

fn apply_changes(tx: &Transaction, source: i64, changes: &[TreeChange]) -> Result<()> {
    let mut remove =
        tx.prepare_cached("DELETE FROM entries WHERE source_id = ?1 AND entry_id = ?2")?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO entries (source_id, entry_id, key, path, kind, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (source_id, entry_id) DO UPDATE
         SET key = excluded.key, path = excluded.path, kind = excluded.kind, rev = excluded.rev",
    )?;
    for change in changes {
        match change {
            TreeChange::Remove { id } => {
                remove.execute((source, id))?;
            }
            TreeChange::Upsert(e) => {
                upsert.execute((source, &e.id, &e.key, &e.path, e.kind.as_str(), &e.rev))?;
            }
        }
    }
    Ok(())
}

fn append_events(
    tx: &Transaction,
    source: i64,
    events: Vec<Event>,
    parsed_all: Vec<ParsedPath>,
    at_ms: i64,
) -> Result<Vec<StoredEvent>> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (source_id, at_ms, kind, path, old_path, entry_id, descendants,
            project_number, project_name, po_number, vendor_name, vendor_type, document_type,
            file_number, problems)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    let mut stored = Vec::with_capacity(events.len());
    for (event, parsed) in events.into_iter().zip(parsed_all) {
        let p = ParsedColumns::of(&parsed);
        insert.execute(rusqlite::params![
            source,
            at_ms,
            event.kind.as_str(),
            event.path,
            event.old_path,
            event.id,
            event.descendants,
            parsed.project_number,
            parsed.project_name,
            parsed.po_number,
            parsed.vendor_name,
            p.vendor_type,
            p.document_type,
            parsed.file_number,
            p.problems,
        ])?;
        stored.push(StoredEvent {
            seq: tx.last_insert_rowid(),
            at_ms,
            event,
            parsed,
        });
    }
    Ok(stored)
}

/// Below this many events, parsing on other threads costs more than it saves.
const PARALLEL_PARSE: usize = 500;

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Parsing the events' paths in chunks that any thread can take: on a big batch (a first
/// scan, a listing page) the other cores parse while this thread writes the known tree, and
/// this thread takes what is left once it is done, so nobody waits on a fixed share.
struct Parsing<'a> {
    events: &'a [Event],
    rules: &'a PathRules,
    next: std::sync::atomic::AtomicUsize,
    chunks: Vec<std::sync::OnceLock<Vec<ParsedPath>>>,
}

const PARSE_CHUNK: usize = 256;

impl<'a> Parsing<'a> {
    fn new(events: &'a [Event], rules: &'a PathRules) -> Parsing<'a> {
        Parsing {
            events,
            rules,
            next: std::sync::atomic::AtomicUsize::new(0),
            chunks: (0..events.len().div_ceil(PARSE_CHUNK))
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        }
    }

    fn parse_chunk(&self, i: usize) -> Vec<ParsedPath> {
        let end = ((i + 1) * PARSE_CHUNK).min(self.events.len());
        self.events[i * PARSE_CHUNK..end]
            .iter()
            .map(|e| self.rules.parse(&e.path, path_kind(e.kind.entry_kind())))
            .collect()
    }

    /// Parses chunks until none is left to take.
    fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(slot) = self.chunks.get(i) else {
                return;
            };
            let _ = slot.set(self.parse_chunk(i));
        }
    }

    /// Every event's parse, in order. A chunk whose thread failed is parsed here.
    fn finish(mut self) -> Vec<ParsedPath> {
        let chunks = std::mem::take(&mut self.chunks);
        let mut out = Vec::with_capacity(self.events.len());
        for (i, slot) in chunks.into_iter().enumerate() {
            match slot.into_inner() {
                Some(parsed) => out.extend(parsed),
                None => out.extend(self.parse_chunk(i)),
            }
        }
        out
    }
}

/// The known tree of one source, read inside the ingesting transaction.
struct TxTree<'a> {
    tx: &'a Transaction<'a>,
    source: i64,
}

const ENTRY_COLUMNS: &str = "entry_id, key, path, kind, rev";

// Lookups by key name their index: `entries` is WITHOUT ROWID and has no statistics, so the
// planner otherwise prefers the primary key's `source_id` prefix and scans the whole source's
// tree for every lookup, which makes a first listing quadratic.
const BY_KEY: &str = "SELECT entry_id, key, path, kind, rev FROM entries INDEXED BY entries_by_key
     WHERE source_id = ?1 AND key = ?2";
const BELOW_KEY: &str =
    "SELECT entry_id, key, path, kind, rev FROM entries INDEXED BY entries_by_key
     WHERE source_id = ?1 AND key >= ?2 AND key < ?3";

fn entry_row(r: &rusqlite::Row) -> rusqlite::Result<KnownEntry> {
    let kind: String = r.get(3)?;
    Ok(KnownEntry {
        id: r.get(0)?,
        key: r.get(1)?,
        path: r.get(2)?,
        kind: EntryKind::parse(&kind).unwrap_or(EntryKind::File),
        rev: r.get(4)?,
    })
}

impl KnownTree for TxTree<'_> {
    type Error = StoreError;

    fn by_id(&mut self, id: &str) -> Result<Option<KnownEntry>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM entries WHERE source_id = ?1 AND entry_id = ?2"
        ))?;
        Ok(st.query_row((self.source, id), entry_row).optional()?)
    }

    fn by_key(&mut self, key: &str) -> Result<Option<KnownEntry>> {
        let mut st = self.tx.prepare_cached(BY_KEY)?;
        Ok(st.query_row((self.source, key), entry_row).optional()?)
    }

    fn descendants(&mut self, key: &str) -> Result<Vec<KnownEntry>> {
        // Keys below "/a" sort from "/a/" up to (not including) "/a0".
        let mut st = self.tx.prepare_cached(BELOW_KEY)?;
        let rows = st.query_map(
            (self.source, format!("{key}/"), format!("{key}0")),
            entry_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn all(&mut self) -> Result<Vec<KnownEntry>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM entries WHERE source_id = ?1"
        ))?;
        let rows = st.query_map([self.source], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every known-tree lookup must be an index search, never a scan of the source's tree.
    #[test]
    fn key_lookups_search_the_key_index() {
        let store = Store::open_in_memory().unwrap();
        for sql in [BY_KEY, BELOW_KEY] {
            let mut st = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let nulls = vec![rusqlite::types::Null; st.parameter_count()];
            let plan: Vec<String> = st
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter()
                    .all(|step| step.contains("USING INDEX entries_by_key")),
                "{sql}: {plan:?}"
            );
        }
    }
}
