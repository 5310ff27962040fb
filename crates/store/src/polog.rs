//! PO logs kept for reconciliation: the text of each log read (from the followed tree, as a
//! document, or opened by hand), the newest log per project, and what the documents say each
//! PO's invoice lines add up to. Parsing and comparing is `boxkeeper-polog`'s, in the api: the
//! store keeps what was read and answers sums; even the log's file name is recognised by
//! `boxkeeper-polog`'s rule, the one the naming rules and the api use.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::search::parse_cents;
use crate::{Result, Store};

/// A PO log to keep: from a document of the tree (its source is the document's), or opened
/// by hand for `source`.
#[derive(Clone, Copy, Debug)]
pub struct NewPoLog<'a> {
    pub source: Option<i64>,
    pub document: Option<i64>,
    pub path: &'a str,
    pub project: &'a str,
    /// "YYYY-MM-DD HH:MM:SS", from the file name.
    pub exported_at: &'a str,
    pub text: &'a str,
}

/// A PO log as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPoLog {
    pub id: i64,
    pub document_id: Option<i64>,
    pub path: String,
    pub project_number: String,
    pub exported_at: String,
    pub text: String,
}

/// What one PO's invoice lines add up to in the documents: the lines' amounts of its
/// invoices (an invoice without lines counts with its total), rejected and deleted
/// documents left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoLineSum {
    pub project_number: String,
    pub po_number: String,
    pub cents: i64,
    pub invoices: u32,
}

impl Store {
    /// Keeps a PO log: read from a document of the tree (replacing what that document held;
    /// its source is the document's), or opened by hand for `source`.
    pub fn save_po_log(&mut self, log: &NewPoLog, now: i64) -> Result<i64> {
        let NewPoLog {
            source,
            document,
            path,
            project,
            exported_at,
            text,
        } = *log;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(doc) = document {
            tx.execute("DELETE FROM po_logs WHERE document_id = ?1", [doc])?;
        }
        tx.execute(
            "INSERT INTO po_logs (source_id, document_id, path, project_number, exported_at,
               text, read_ms)
             VALUES (coalesce(?1, (SELECT source_id FROM documents WHERE id = ?2)), ?2, ?3, ?4,
               ?5, ?6, ?7)",
            params![source, document, path, project, exported_at, text, now],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// The newest log of each project of `source` (logs opened by hand count for every
    /// source), newest export first within equal projects.
    pub fn newest_po_logs(&self, source: i64) -> Result<Vec<StoredPoLog>> {
        let mut stmt = self.conn.prepare(
            "SELECT l.id, l.document_id, l.path, l.project_number, l.exported_at, l.text
             FROM po_logs l LEFT JOIN documents d ON d.id = l.document_id
             WHERE (l.source_id = ?1 OR l.source_id IS NULL) AND d.deleted_ms IS NULL
             ORDER BY l.project_number, l.exported_at DESC, l.id DESC",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok(StoredPoLog {
                id: r.get(0)?,
                document_id: r.get(1)?,
                path: r.get(2)?,
                project_number: r.get(3)?,
                exported_at: r.get(4)?,
                text: r.get(5)?,
            })
        })?;
        let mut out: Vec<StoredPoLog> = Vec::new();
        for row in rows {
            let log = row?;
            if out
                .last()
                .is_none_or(|l| l.project_number != log.project_number)
            {
                out.push(log);
            }
        }
        Ok(out)
    }

    /// The log a document holds, if it is one.
    pub fn po_log_of(&self, document: i64) -> Result<Option<StoredPoLog>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, document_id, path, project_number, exported_at, text FROM po_logs
                 WHERE document_id = ?1",
                [document],
                |r| {
                    Ok(StoredPoLog {
                        id: r.get(0)?,
                        document_id: r.get(1)?,
                        path: r.get(2)?,
                        project_number: r.get(3)?,
                        exported_at: r.get(4)?,
                        text: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// What each PO's invoice lines add up to, for `project` (every project when None).
    pub fn po_line_sums(&self, source: i64, project: Option<&str>) -> Result<Vec<PoLineSum>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.project_number, d.po_number, d.total,
               (SELECT group_concat(coalesce(l.amount, ''), char(31)) FROM line_items l
                  WHERE l.document_id = d.id)
             FROM documents d WHERE d.source_id = ?1 AND d.deleted_ms IS NULL
               AND d.review != 'rejected' AND d.name_type = 'INVOICE'
               AND d.project_number IS NOT NULL AND d.po_number IS NOT NULL
               AND (?2 IS NULL OR d.project_number = ?2)
             ORDER BY d.project_number, d.po_number",
        )?;
        let rows = stmt.query_map(params![source, project], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out: Vec<PoLineSum> = Vec::new();
        for row in rows {
            let (project, po, total, amounts) = row?;
            let from_lines: Vec<i64> = amounts
                .iter()
                .flat_map(|a| a.split('\u{1f}'))
                .filter_map(parse_cents)
                .collect();
            let cents = if from_lines.is_empty() {
                total.as_deref().and_then(parse_cents).unwrap_or(0)
            } else {
                from_lines.iter().sum()
            };
            match out.last_mut() {
                Some(s) if s.project_number == project && s.po_number == po => {
                    s.cents += cents;
                    s.invoices += 1;
                }
                _ => out.push(PoLineSum {
                    project_number: project,
                    po_number: po,
                    cents,
                    invoices: 1,
                }),
            }
        }
        Ok(out)
    }
}
