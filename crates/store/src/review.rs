//! A person's work on documents: review states (To review → Approved → Exported, and
//! Rejected), line items edited by hand, undo, and exports (which mark documents Exported
//! and can be undone as a whole).
//!
//! Every change a person makes is rows of `field_history` sharing a `change_id`; the first
//! row carries how to undo the change (JSON). Undo is durable: it survives a restart, and it
//! puts back exactly what the change replaced, then is itself recorded in the history.

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::documents::DocumentFilter;
use crate::search::refresh_summary;
use crate::{flags, Result, Store, StoreError};

/// The review states, in the order of the flow.
pub const REVIEW_STATES: &[&str] = &["to_review", "approved", "exported", "rejected"];

/// A line item's values as a person edits them (the order of a list is the lines' order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineValues {
    pub description: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub amount: Option<String>,
    pub date: Option<String>,
    pub account_code: Option<String>,
    /// offline, llm, e-invoice or person.
    #[serde(default)]
    pub provenance: String,
}

impl LineValues {
    /// How history shows a line: "Gaffer · 5 x 600.00 = 3000.00 · 2024-03-01 · 5300".
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.description.as_deref().filter(|d| !d.is_empty()) {
            parts.push(d.to_string());
        }
        let money = match (&self.quantity, &self.unit_price, &self.amount) {
            (Some(q), Some(p), Some(a)) => format!("{q} x {p} = {a}"),
            (_, _, Some(a)) => a.clone(),
            _ => String::new(),
        };
        if !money.is_empty() {
            parts.push(money);
        }
        for v in [&self.date, &self.account_code].into_iter().flatten() {
            if !v.is_empty() {
                parts.push(v.clone());
            }
        }
        parts.join(" · ")
    }

    fn same_values(&self, other: &LineValues) -> bool {
        (
            &self.description,
            &self.quantity,
            &self.unit_price,
            &self.amount,
            &self.date,
            &self.account_code,
        ) == (
            &other.description,
            &other.quantity,
            &other.unit_price,
            &other.amount,
            &other.date,
            &other.account_code,
        )
    }
}

/// How to put back what a person's change replaced.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "undo", rename_all = "snake_case")]
pub(crate) enum Undo {
    /// The field's person value before (None: it was not pinned).
    Field {
        name: String,
        person_value: Option<String>,
    },
    Lines {
        lines: Vec<LineValues>,
        by_person: bool,
    },
    Review {
        review: String,
    },
}

/// The rows of one change in `field_history`: the first gets the undo and names the change.
pub(crate) struct Change {
    id: Option<i64>,
    undo: Option<String>,
}

impl Change {
    pub(crate) fn new(undo: Option<&Undo>) -> Change {
        Change {
            id: None,
            undo: undo.map(|u| serde_json::to_string(u).unwrap_or_default()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record(
        &mut self,
        tx: &Transaction,
        doc: i64,
        name: &str,
        old: Option<String>,
        new: Option<String>,
        who: &str,
        now: i64,
    ) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO field_history (document_id, name, old_value, new_value, who, at_ms,
               change_id, undo)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            doc,
            name,
            old,
            new,
            who,
            now,
            self.id,
            if self.id.is_none() {
                self.undo.take()
            } else {
                None
            }
        ])?;
        if self.id.is_none() {
            let id = tx.last_insert_rowid();
            tx.execute(
                "UPDATE field_history SET change_id = ?1 WHERE id = ?1",
                [id],
            )?;
            self.id = Some(id);
        }
        Ok(())
    }
}

pub(crate) fn current_lines(tx: &Transaction, doc: i64) -> Result<(Vec<LineValues>, bool)> {
    let lines = tx
        .prepare_cached(
            "SELECT description, quantity, unit_price, amount, date, account_code, provenance
             FROM line_items WHERE document_id = ?1 ORDER BY position",
        )?
        .query_map([doc], |r| {
            Ok(LineValues {
                description: r.get(0)?,
                quantity: r.get(1)?,
                unit_price: r.get(2)?,
                amount: r.get(3)?,
                date: r.get(4)?,
                account_code: r.get(5)?,
                provenance: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let by_person: bool = tx.query_row(
        "SELECT lines_by_person FROM documents WHERE id = ?1",
        [doc],
        |r| r.get(0),
    )?;
    Ok((lines, by_person))
}

pub(crate) fn write_lines(tx: &Transaction, doc: i64, lines: &[LineValues]) -> Result<()> {
    tx.prepare_cached("DELETE FROM line_items WHERE document_id = ?1")?
        .execute([doc])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO line_items (document_id, position, description, quantity, unit_price,
           amount, date, account_code, provenance)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (i, l) in lines.iter().enumerate() {
        insert.execute(params![
            doc,
            i as i64 + 1,
            l.description,
            l.quantity,
            l.unit_price,
            l.amount,
            l.date,
            l.account_code,
            l.provenance
        ])?;
    }
    Ok(())
}

/// Replaces the lines and records, per position, what changed.
fn replace_lines(
    tx: &Transaction,
    doc: i64,
    new: &[LineValues],
    by_person: bool,
    mut change: Change,
    who: &str,
    now: i64,
) -> Result<()> {
    let (old, _) = current_lines(tx, doc)?;
    write_lines(tx, doc, new)?;
    tx.execute(
        "UPDATE documents SET lines_by_person = ?2 WHERE id = ?1",
        params![doc, by_person],
    )?;
    for i in 0..old.len().max(new.len()) {
        let before = old.get(i);
        let after = new.get(i);
        let same = matches!((before, after), (Some(b), Some(a)) if b.same_values(a));
        if !same {
            change.record(
                tx,
                doc,
                &format!("line {}", i + 1),
                before.map(LineValues::describe),
                after.map(LineValues::describe),
                who,
                now,
            )?;
        }
    }
    flags::refresh_flags(tx, &[doc], now)?;
    Ok(())
}

/// Replaces a document's lines with a person's (recorded as `who`'s undoable change) and
/// pins them. Returns the lines before.
pub(crate) fn set_lines_in(
    tx: &Transaction,
    doc: i64,
    lines: &[LineValues],
    who: &str,
    now: i64,
) -> Result<Vec<LineValues>> {
    exists(tx, doc)?;
    let (old, by_person) = current_lines(tx, doc)?;
    // A line the person left as it was keeps its provenance; the rest are theirs.
    let new: Vec<LineValues> = lines
        .iter()
        .map(|l| {
            let kept = old.iter().find(|o| o.same_values(l));
            LineValues {
                provenance: kept.map_or_else(|| "person".into(), |o| o.provenance.clone()),
                ..l.clone()
            }
        })
        .collect();
    let change = Change::new(Some(&Undo::Lines {
        lines: old.clone(),
        by_person,
    }));
    replace_lines(tx, doc, &new, true, change, who, now)?;
    Ok(old)
}

fn exists(tx: &Transaction, doc: i64) -> Result<()> {
    let found: Option<i64> = tx
        .query_row("SELECT id FROM documents WHERE id = ?1", [doc], |r| {
            r.get(0)
        })
        .optional()?;
    found.map(|_| ()).ok_or(StoreError::NoSuchDocument(doc))
}

/// A document's review state as stored, or the error that it is not one.
fn check_state(state: &str) -> Result<()> {
    if REVIEW_STATES.contains(&state) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "\"{state}\" is not a review state (to_review, approved, exported, rejected)"
        )))
    }
}

/// What an export recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRecord {
    pub id: i64,
    pub at_ms: i64,
    pub path: String,
    pub preset: String,
    pub shape: String,
    pub documents: i64,
    pub rows: i64,
    pub undone: bool,
}

/// One document with everything an export writes.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentForExport {
    pub summary: crate::DocumentSummary,
    /// Every field's value in force (a person's, else the extracted one), by name.
    pub fields: Vec<(String, String)>,
    pub lines: Vec<crate::StoredLine>,
}

impl Store {
    /// Sets a document's review state (recorded, undoable).
    pub fn set_review(&mut self, doc: i64, state: &str, now: i64) -> Result<()> {
        check_state(state)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        exists(&tx, doc)?;
        let prev: String =
            tx.query_row("SELECT review FROM documents WHERE id = ?1", [doc], |r| {
                r.get(0)
            })?;
        if prev != state {
            tx.execute(
                "UPDATE documents SET review = ?2, review_ms = ?3 WHERE id = ?1",
                params![doc, state, now],
            )?;
            Change::new(Some(&Undo::Review {
                review: prev.clone(),
            }))
            .record(
                &tx,
                doc,
                "review",
                Some(prev),
                Some(state.into()),
                "person",
                now,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A person's line items (edited, added, deleted or reordered): they replace the lines
    /// and pin them, so no extraction replaces them until reverted. An account code they
    /// gave is remembered for the document's vendor in the same transaction.
    pub fn set_lines(&mut self, doc: i64, lines: &[LineValues], now: i64) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = set_lines_in(&tx, doc, lines, "person", now)?;
        crate::memory::learn_lines(&tx, doc, &old, lines, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Puts back the line items the last extraction read (recorded, undoable).
    pub fn revert_lines(&mut self, doc: i64, now: i64) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        exists(&tx, doc)?;
        let extracted: Option<String> = tx.query_row(
            "SELECT extracted_lines FROM documents WHERE id = ?1",
            [doc],
            |r| r.get(0),
        )?;
        let extracted: Vec<LineValues> = extracted
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        let (old, by_person) = current_lines(&tx, doc)?;
        let change = Change::new(Some(&Undo::Lines {
            lines: old,
            by_person,
        }));
        replace_lines(&tx, doc, &extracted, false, change, "person", now)?;
        tx.commit()?;
        Ok(())
    }

    /// Undoes the document's last change by a person that is not undone yet. Returns what
    /// it undid ("total", "line items", "review"), or None when there is nothing to undo.
    pub fn undo_last(&mut self, doc: i64, now: i64) -> Result<Option<String>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<(i64, String, Option<String>)> = tx
            .query_row(
                "SELECT change_id, undo, new_value FROM field_history
                 WHERE document_id = ?1 AND undo IS NOT NULL AND undone = 0
                 ORDER BY change_id DESC LIMIT 1",
                [doc],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((change_id, undo, new_value)) = last else {
            return Ok(None);
        };
        let undo: Undo = serde_json::from_str(&undo)
            .map_err(|e| StoreError::Invalid(format!("a stored undo cannot be read: {e}")))?;
        tx.execute(
            "UPDATE field_history SET undone = 1 WHERE document_id = ?1 AND change_id = ?2",
            params![doc, change_id],
        )?;
        let what = match undo {
            Undo::Field { name, person_value } => {
                let old = crate::documents::current_value(&tx, doc, &name)?;
                match &person_value {
                    Some(v) => {
                        tx.execute(
                            "INSERT INTO fields (document_id, name, value, confidence, provenance,
                               person_value, person_ms, updated_ms)
                             VALUES (?1, ?2, NULL, 0, 'person', ?3, ?4, ?4)
                             ON CONFLICT (document_id, name) DO UPDATE SET
                               person_value = excluded.person_value,
                               person_ms = excluded.person_ms, updated_ms = excluded.updated_ms",
                            params![doc, name, v, now],
                        )?;
                    }
                    None => crate::documents::clear_person_value(&tx, doc, &name, now)?,
                }
                let new = crate::documents::current_value(&tx, doc, &name)?;
                if old != new {
                    Change::new(None).record(&tx, doc, &name, old, new, "person (undo)", now)?;
                }
                refresh_summary(&tx, doc, None)?;
                flags::refresh_flags(&tx, &[doc], now)?;
                name
            }
            Undo::Lines { lines, by_person } => {
                // Lines that were the extraction's come back as the extraction reads them
                // now (a reading since replaced them), like an undone field's value.
                let lines = if by_person {
                    lines
                } else {
                    let extracted: Option<String> = tx.query_row(
                        "SELECT extracted_lines FROM documents WHERE id = ?1",
                        [doc],
                        |r| r.get(0),
                    )?;
                    extracted
                        .and_then(|j| serde_json::from_str(&j).ok())
                        .unwrap_or(lines)
                };
                let change = Change::new(None);
                replace_lines(&tx, doc, &lines, by_person, change, "person (undo)", now)?;
                "line items".to_string()
            }
            Undo::Review { review } => {
                let prev: String =
                    tx.query_row("SELECT review FROM documents WHERE id = ?1", [doc], |r| {
                        r.get(0)
                    })?;
                // Moved on since (an export): undoing the person's older move would skip
                // over that; the export has its own undo.
                if new_value.as_deref() != Some(prev.as_str()) {
                    return Err(StoreError::Invalid(format!(
                        "the document is {prev} since that change: undo the export first"
                    )));
                }
                tx.execute(
                    "UPDATE documents SET review = ?2, review_ms = ?3 WHERE id = ?1",
                    params![doc, review, now],
                )?;
                Change::new(None).record(
                    &tx,
                    doc,
                    "review",
                    Some(prev),
                    Some(review),
                    "person (undo)",
                    now,
                )?;
                "review".to_string()
            }
        };
        tx.commit()?;
        Ok(Some(what))
    }

    /// Records an export and marks its documents Exported. Returns the export's id and how
    /// many documents it marked (those not Exported already).
    pub fn record_export(
        &mut self,
        docs: &[i64],
        path: &str,
        preset: &str,
        shape: &str,
        rows: u64,
        now: i64,
    ) -> Result<(i64, usize)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO exports (at_ms, path, preset, shape, documents, rows)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![now, path, preset, shape, docs.len() as i64, rows as i64],
        )?;
        let export = tx.last_insert_rowid();
        let mut marked = 0;
        {
            let mut prev = tx.prepare_cached("SELECT review FROM documents WHERE id = ?1")?;
            let mut mark = tx.prepare_cached(
                "UPDATE documents SET review = 'exported', review_ms = ?2 WHERE id = ?1",
            )?;
            let mut remember = tx.prepare_cached(
                "INSERT OR IGNORE INTO exported_documents (export_id, document_id,
                   previous_review) VALUES (?1, ?2, ?3)",
            )?;
            for &doc in docs {
                let Some(before): Option<String> =
                    prev.query_row([doc], |r| r.get(0)).optional()?
                else {
                    continue;
                };
                remember.execute(params![export, doc, before])?;
                if before != "exported" {
                    marked += 1;
                    mark.execute(params![doc, now])?;
                    Change::new(None).record(
                        &tx,
                        doc,
                        "review",
                        Some(before),
                        Some("exported".into()),
                        "export",
                        now,
                    )?;
                }
            }
        }
        tx.commit()?;
        Ok((export, marked))
    }

    /// Undoes an export: its documents still Exported go back to the state they had.
    /// Returns how many went back.
    pub fn undo_export(&mut self, export: i64, now: i64) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let undone: Option<Option<i64>> = tx
            .query_row(
                "SELECT undone_ms FROM exports WHERE id = ?1",
                [export],
                |r| r.get(0),
            )
            .optional()?;
        match undone {
            None => return Err(StoreError::Invalid(format!("there is no export {export}"))),
            Some(Some(_)) => return Ok(0),
            Some(None) => {}
        }
        let back: Vec<(i64, String)> = tx
            .prepare(
                "SELECT e.document_id, e.previous_review FROM exported_documents e
                 JOIN documents d ON d.id = e.document_id
                 WHERE e.export_id = ?1 AND d.review = 'exported'",
            )?
            .query_map([export], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (doc, review) in &back {
            if review == "exported" {
                continue;
            }
            tx.execute(
                "UPDATE documents SET review = ?2, review_ms = ?3 WHERE id = ?1",
                params![doc, review, now],
            )?;
            Change::new(None).record(
                &tx,
                *doc,
                "review",
                Some("exported".into()),
                Some(review.clone()),
                "export undone",
                now,
            )?;
        }
        tx.execute(
            "UPDATE exports SET undone_ms = ?2 WHERE id = ?1",
            params![export, now],
        )?;
        tx.commit()?;
        Ok(back.iter().filter(|(_, r)| r != "exported").count())
    }

    /// The exports, newest first.
    pub fn exports(&self, limit: u32) -> Result<Vec<ExportRecord>> {
        Ok(self
            .conn
            .prepare(
                "SELECT id, at_ms, path, preset, shape, documents, rows, undone_ms IS NOT NULL
                 FROM exports ORDER BY id DESC LIMIT ?1",
            )?
            .query_map([limit], |r| {
                Ok(ExportRecord {
                    id: r.get(0)?,
                    at_ms: r.get(1)?,
                    path: r.get(2)?,
                    preset: r.get(3)?,
                    shape: r.get(4)?,
                    documents: r.get(5)?,
                    rows: r.get(6)?,
                    undone: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Streams the documents `filter` selects (of `source`, or every source), oldest first,
    /// each with its fields in force and its lines: three ordered scans merged, so an export
    /// of 100,000 documents does not run a query per document.
    pub fn for_each_document_to_export(
        &self,
        source: Option<i64>,
        filter: &DocumentFilter,
        mut each: impl FnMut(DocumentForExport) -> Result<()>,
    ) -> Result<u64> {
        let (clause, params) = filter.sql(source);
        let docs_sql = format!(
            "SELECT {} FROM documents d WHERE {clause} ORDER BY d.id",
            crate::documents::SUMMARY_COLUMNS
        );
        let fields_sql = format!(
            "SELECT f.document_id, f.name, coalesce(f.person_value, f.value) FROM fields f
             WHERE f.document_id IN (SELECT d.id FROM documents d WHERE {clause})
               AND coalesce(f.person_value, f.value) IS NOT NULL
             ORDER BY f.document_id, f.name"
        );
        let lines_sql = format!(
            "SELECT l.document_id, l.position, l.description, l.quantity, l.unit_price,
               l.amount, l.date, l.account_code, l.provenance FROM line_items l
             WHERE l.document_id IN (SELECT d.id FROM documents d WHERE {clause})
             ORDER BY l.document_id, l.position"
        );
        let mut docs_stmt = self.conn.prepare(&docs_sql)?;
        let mut fields_stmt = self.conn.prepare(&fields_sql)?;
        let mut lines_stmt = self.conn.prepare(&lines_sql)?;
        let mut docs = docs_stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut fields = fields_stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .peekable();
        let mut lines = lines_stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    crate::StoredLine {
                        position: r.get(1)?,
                        description: r.get(2)?,
                        quantity: r.get(3)?,
                        unit_price: r.get(4)?,
                        amount: r.get(5)?,
                        date: r.get(6)?,
                        account_code: r.get(7)?,
                        provenance: r.get(8)?,
                    },
                ))
            })?
            .peekable();
        let mut n = 0;
        while let Some(row) = docs.next()? {
            let summary = crate::documents::summary_row(row)?;
            let id = summary.id;
            let mut doc_fields = Vec::new();
            loop {
                match fields.peek() {
                    Some(Ok((d, _, _))) if *d <= id => {
                        let (d, name, value) = fields.next().expect("peeked")?;
                        if d == id {
                            doc_fields.push((name, value));
                        }
                    }
                    Some(Err(_)) => {
                        fields.next().expect("peeked")?;
                    }
                    _ => break,
                }
            }
            let mut doc_lines = Vec::new();
            loop {
                match lines.peek() {
                    Some(Ok((d, _))) if *d <= id => {
                        let (d, line) = lines.next().expect("peeked")?;
                        if d == id {
                            doc_lines.push(line);
                        }
                    }
                    Some(Err(_)) => {
                        lines.next().expect("peeked")?;
                    }
                    _ => break,
                }
            }
            each(DocumentForExport {
                summary,
                fields: doc_fields,
                lines: doc_lines,
            })?;
            n += 1;
        }
        Ok(n)
    }
}
