//! Flags: what a person should look at on a document, each with its reason. Kinds are the
//! review rules of domain.md: duplicates (same project, PO, document type and file number;
//! same bytes; same vendor and invoice number — the newer document is flagged and points to
//! the older), line items that do not add up, subtotal plus tax not the total, a file name
//! that disagrees with its folders or does not parse, a vendor PO with no W9 or W8, a failed
//! extraction.
//!
//! Flags are derived, never typed in: the store recomputes them in the transaction that
//! changes what they depend on. Dismissing keeps a flag (with the person's note) for as long
//! as its condition holds, so a dismissed duplicate does not come back on the next change.

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use crate::search::{format_cents, parse_cents};
use crate::{Result, Store};

pub const FLAG_KINDS: &[&str] = &[
    "duplicate",
    "lines_sum",
    "totals",
    "name_mismatch",
    "no_tax_form",
    "unparsed_name",
    "failed",
];

const TAX_FORMS: &str = "('W9', 'W8-BEN', 'W8-BEN-E')";

/// A flag as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub id: i64,
    pub document_id: i64,
    pub kind: String,
    /// The older document of a duplicate.
    pub other_id: Option<i64>,
    pub reason: String,
    pub dismissed: bool,
    pub dismiss_note: Option<String>,
}

struct Wanted {
    kind: &'static str,
    other: i64,
    reason: String,
}

struct DocRow {
    source: i64,
    status: String,
    error: Option<String>,
    deleted: bool,
    hash: Option<String>,
    project: Option<String>,
    po: Option<String>,
    name_type: Option<String>,
    file_number: Option<String>,
    vendor: Option<String>,
    number: Option<String>,
    vendor_type: Option<String>,
    problems: Option<String>,
}

/// Recomputes the flags of `docs` and of the documents whose flags depend on them: newer
/// duplicates, documents flagged as duplicates of them, and a tax form's PO.
pub(crate) fn refresh_flags(tx: &Transaction, docs: &[i64], now: i64) -> Result<()> {
    let mut all: Vec<i64> = docs.to_vec();
    for &doc in docs {
        all.extend(dependants(tx, doc)?);
    }
    all.sort_unstable();
    all.dedup();
    for doc in all {
        sync(tx, doc, &wanted(tx, doc)?, now)?;
    }
    Ok(())
}

fn load(tx: &Transaction, doc: i64) -> Result<Option<DocRow>> {
    Ok(tx
        .prepare_cached(
            "SELECT source_id, status, error, deleted_ms IS NOT NULL, content_hash,
               project_number, po_number, name_type, file_number, vendor, invoice_number,
               vendor_type, name_problems
             FROM documents WHERE id = ?1",
        )?
        .query_row([doc], |r| {
            Ok(DocRow {
                source: r.get(0)?,
                status: r.get(1)?,
                error: r.get(2)?,
                deleted: r.get(3)?,
                hash: r.get::<_, Option<String>>(4)?.filter(|h| !h.is_empty()),
                project: r.get(5)?,
                po: r.get(6)?,
                name_type: r.get(7)?,
                file_number: r.get(8)?,
                vendor: r
                    .get::<_, Option<String>>(9)?
                    .filter(|v| !v.trim().is_empty()),
                number: r
                    .get::<_, Option<String>>(10)?
                    .filter(|v| !v.trim().is_empty()),
                vendor_type: r.get(11)?,
                problems: r.get(12)?,
            })
        })
        .optional()?)
}

/// Documents whose flags may change when `doc` changes.
fn dependants(tx: &Transaction, doc: i64) -> Result<Vec<i64>> {
    let mut out: Vec<i64> = tx
        .prepare_cached("SELECT document_id FROM flags WHERE other_id = ?1")?
        .query_map([doc], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let Some(row) = load(tx, doc)? else {
        return Ok(out);
    };
    out.extend(
        duplicates(tx, doc, &row, false)?
            .into_iter()
            .map(|(id, _)| id),
    );
    if row.name_type.as_deref().is_some_and(is_tax_form) {
        out.extend(
            tx.prepare_cached(
                "SELECT id FROM documents WHERE source_id = ?1 AND project_number IS ?2
                   AND po_number IS ?3 AND id != ?4",
            )?
            .query_map(params![row.source, row.project, row.po, doc], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?,
        );
    }
    Ok(out)
}

fn is_tax_form(t: &str) -> bool {
    matches!(t, "W9" | "W8-BEN" | "W8-BEN-E")
}

/// Other live documents of the same source that duplicate `doc`, with why: the older ones
/// (`older`) or the newer ones. At most a few per rule, oldest first.
fn duplicates(
    tx: &Transaction,
    doc: i64,
    row: &DocRow,
    older: bool,
) -> Result<Vec<(i64, &'static str)>> {
    let side = if older { "id < ?2" } else { "id > ?2" };
    let mut found: Vec<(i64, &'static str)> = Vec::new();
    let mut add = |ids: Vec<i64>, why: &'static str| {
        for id in ids {
            found.push((id, why));
        }
    };
    if let (Some(project), Some(po), Some(kind), Some(number)) =
        (&row.project, &row.po, &row.name_type, &row.file_number)
    {
        add(
            ids(
                tx,
                &format!(
                    "SELECT id FROM documents WHERE source_id = ?1 AND {side}
                       AND deleted_ms IS NULL AND project_number = ?3 AND po_number = ?4
                       AND name_type = ?5 AND file_number = ?6 ORDER BY id LIMIT 5"
                ),
                params![row.source, doc, project, po, kind, number],
            )?,
            "the same project, PO, document type and file number",
        );
    }
    if let Some(hash) = &row.hash {
        add(
            ids(
                tx,
                &format!(
                    "SELECT id FROM documents WHERE source_id = ?1 AND {side}
                       AND deleted_ms IS NULL AND content_hash = ?3 ORDER BY id LIMIT 5"
                ),
                params![row.source, doc, hash],
            )?,
            "the same content",
        );
    }
    if let (Some(vendor), Some(number)) = (&row.vendor, &row.number) {
        add(
            ids(
                tx,
                &format!(
                    "SELECT id FROM documents WHERE source_id = ?1 AND {side}
                       AND deleted_ms IS NULL AND invoice_number = ?3 COLLATE NOCASE
                       AND vendor = ?4 COLLATE NOCASE ORDER BY id LIMIT 5"
                ),
                params![row.source, doc, number.trim(), vendor.trim()],
            )?,
            "the same vendor and invoice number",
        );
    }
    Ok(found)
}

fn ids(tx: &Transaction, sql: &str, p: impl rusqlite::Params) -> Result<Vec<i64>> {
    Ok(tx
        .prepare_cached(sql)?
        .query_map(p, |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

fn field(tx: &Transaction, doc: i64, name: &str) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached(
            "SELECT coalesce(person_value, value) FROM fields WHERE document_id = ?1 AND name = ?2",
        )?
        .query_row(params![doc, name], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .as_deref()
        .and_then(parse_cents))
}

fn wanted(tx: &Transaction, doc: i64) -> Result<Vec<Wanted>> {
    let mut out = Vec::new();
    let Some(row) = load(tx, doc)? else {
        return Ok(out);
    };
    if row.deleted {
        return Ok(out);
    }
    if row.status == "failed" {
        out.push(Wanted {
            kind: "failed",
            other: 0,
            reason: format!(
                "extraction failed: {}",
                row.error.as_deref().unwrap_or("no reason recorded")
            ),
        });
    }
    let problems: Vec<String> = row
        .problems
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let (mismatch, other): (Vec<String>, Vec<String>) = problems
        .into_iter()
        .partition(|p| p.starts_with("file name says"));
    if !mismatch.is_empty() {
        out.push(Wanted {
            kind: "name_mismatch",
            other: 0,
            reason: mismatch.join("; "),
        });
    }
    if !other.is_empty() {
        out.push(Wanted {
            kind: "unparsed_name",
            other: 0,
            reason: other.join("; "),
        });
    }
    let mut by_older: Vec<(i64, Vec<&str>)> = Vec::new();
    for (id, why) in duplicates(tx, doc, &row, true)? {
        match by_older.iter_mut().find(|(o, _)| *o == id) {
            Some((_, whys)) => whys.push(why),
            None => by_older.push((id, vec![why])),
        }
    }
    for (older, whys) in by_older {
        let path: String = tx
            .prepare_cached("SELECT path FROM documents WHERE id = ?1")?
            .query_row([older], |r| r.get(0))?;
        out.push(Wanted {
            kind: "duplicate",
            other: older,
            reason: format!(
                "{} as the older document {} (#{older})",
                capitalise(&whys.join(", and ")),
                path.rsplit('/').next().unwrap_or(&path)
            ),
        });
    }
    let total = field(tx, doc, "total")?;
    let tax = field(tx, doc, "tax")?;
    let subtotal = field(tx, doc, "subtotal")?;
    if let (Some(s), Some(t), Some(total)) = (subtotal, tax, total) {
        if s + t != total {
            out.push(Wanted {
                kind: "totals",
                other: 0,
                reason: format!(
                    "subtotal {} plus tax {} is {}, not the total {}",
                    format_cents(s),
                    format_cents(t),
                    format_cents(s + t),
                    format_cents(total)
                ),
            });
        }
    }
    if let Some(total) = total {
        let amounts: Vec<Option<String>> = tx
            .prepare_cached("SELECT amount FROM line_items WHERE document_id = ?1")?
            .query_map([doc], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let parsed: Vec<i64> = amounts
            .iter()
            .flatten()
            .filter_map(|a| parse_cents(a))
            .collect();
        if !parsed.is_empty() {
            let sum: i64 = parsed.iter().sum();
            // Lines may list the tax as a line of its own, or leave it to the tax field.
            let adds_up = sum == total || tax.is_some_and(|t| sum + t == total);
            if !adds_up {
                out.push(Wanted {
                    kind: "lines_sum",
                    other: 0,
                    reason: format!(
                        "the line items add up to {}{}, not the total {}",
                        format_cents(sum),
                        tax.map(|t| format!(" ({} with tax)", format_cents(sum + t)))
                            .unwrap_or_default(),
                        format_cents(total)
                    ),
                });
            }
        }
    }
    if let (Some(project), Some(po), Some("INVOICE")) =
        (&row.project, &row.po, row.name_type.as_deref())
    {
        // A person's vendor type for the PO wins over the path's.
        let chosen: Option<String> = tx
            .prepare_cached(
                "SELECT vendor_type FROM po_overrides WHERE source_id = ?1
                   AND project_number = ?2 AND po_number = ?3",
            )?
            .query_row(params![row.source, project, po], |r| r.get(0))
            .optional()?
            .flatten();
        if chosen.or(row.vendor_type.clone()).as_deref() == Some("vendor") {
            let has_form: bool = tx
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM documents WHERE source_id = ?1
                       AND project_number = ?2 AND po_number = ?3 AND deleted_ms IS NULL
                       AND name_type IN {TAX_FORMS})"
                ))?
                .query_row(params![row.source, project, po], |r| r.get(0))?;
            if !has_form {
                out.push(Wanted {
                    kind: "no_tax_form",
                    other: 0,
                    reason: format!("PO {project}_{po} has no W9 or W8 on file"),
                });
            }
        }
    }
    Ok(out)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Makes the stored flags of `doc` those `wanted`: new ones added, gone ones deleted, the
/// ones that stay keep their dismissal (and get the current reason).
fn sync(tx: &Transaction, doc: i64, wanted: &[Wanted], now: i64) -> Result<()> {
    let existing: Vec<(i64, String, i64)> = tx
        .prepare_cached("SELECT id, kind, other_id FROM flags WHERE document_id = ?1")?
        .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, kind, other) in &existing {
        if !wanted.iter().any(|w| w.kind == kind && w.other == *other) {
            tx.prepare_cached("DELETE FROM flags WHERE id = ?1")?
                .execute([id])?;
        }
    }
    for w in wanted {
        tx.prepare_cached(
            "INSERT INTO flags (document_id, kind, other_id, reason, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (document_id, kind, other_id) DO UPDATE SET reason = excluded.reason
             WHERE flags.reason != excluded.reason",
        )?
        .execute(params![doc, w.kind, w.other, w.reason, now])?;
    }
    Ok(())
}

pub(crate) fn flags_of(conn: &rusqlite::Connection, doc: i64) -> Result<Vec<Flag>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, document_id, kind, other_id, reason, dismissed_ms IS NOT NULL,
               dismiss_note FROM flags WHERE document_id = ?1 ORDER BY id",
        )?
        .query_map([doc], |r| {
            Ok(Flag {
                id: r.get(0)?,
                document_id: r.get(1)?,
                kind: r.get(2)?,
                other_id: Some(r.get::<_, i64>(3)?).filter(|&o| o != 0),
                reason: r.get(4)?,
                dismissed: r.get(5)?,
                dismiss_note: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Dismisses a flag with the person's note (None: restore it). Returns its document.
    pub fn dismiss_flag(&mut self, flag: i64, note: Option<&str>, now: i64) -> Result<Option<i64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let doc: Option<i64> = tx
            .query_row(
                "UPDATE flags SET dismissed_ms = CASE WHEN ?2 THEN ?3 END,
                   dismiss_note = CASE WHEN ?2 THEN ?4 END
                 WHERE id = ?1 RETURNING document_id",
                params![flag, note.is_some(), now, note.map(str::trim)],
                |r| r.get(0),
            )
            .optional()?;
        tx.commit()?;
        Ok(doc)
    }

    pub fn flags(&self, doc: i64) -> Result<Vec<Flag>> {
        flags_of(&self.conn, doc)
    }

    /// Recomputes every document's flags (after an upgrade, or from the CLI).
    pub fn refresh_all_flags(&mut self, now: i64) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let docs: Vec<i64> = tx
            .prepare("SELECT id FROM documents")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for &doc in &docs {
            sync(&tx, doc, &wanted(&tx, doc)?, now)?;
        }
        tx.commit()?;
        Ok(docs.len())
    }
}
