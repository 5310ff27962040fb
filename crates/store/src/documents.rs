//! Documents, their extraction jobs, fields, line items and field history.
//!
//! A document is a file of a source that Boxkeeper reads (PDF or image), found in the known
//! tree after each ingest. New and changed revisions get an `extract` job in the durable
//! queue; a worker claims a job, reads the bytes and records the result in one transaction.
//! A person's value sits beside the extracted one and wins while it is set: extraction
//! writes only its own columns, so no later extraction can overwrite a correction.

use boxkeeper_naming::PathRules;
use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use crate::flags::{self, Flag};
use crate::review::{Change, LineValues, Undo};
use crate::search::{fts_query, refresh_summary, write_search_row, ParsedColumns};
use crate::{Result, SourceKind, Store};

/// The file extensions Boxkeeper reads as documents (lower case). HEIC is queued too, so
/// the user sees why it could not be read.
pub const DOCUMENT_EXTENSIONS: &[&str] = &[
    "pdf", "png", "jpg", "jpeg", "tif", "tiff", "bmp", "heic", "heif", "xml",
];

/// Whether a file of this name is a document Boxkeeper reads (a PO log is one too: the queue
/// reads it for reconciliation).
pub fn is_document_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        DOCUMENT_EXTENSIONS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(ext))
    }) || boxkeeper_polog::is_po_log_name(name).is_some()
}

/// How long a failed job waits before its next try: 30 s, doubling, at most an hour.
pub(crate) fn retry_delay_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 8) - 1;
    (30_000i64 << exp).min(3_600_000)
}

/// A claimed extraction job: what to read and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractJob {
    pub job_id: i64,
    pub document_id: i64,
    pub source_kind: SourceKind,
    /// The folder, or the Dropbox root the source follows.
    pub source_location: String,
    pub entry_id: String,
    /// The document's path in its source (relative to the folder for a local source).
    pub path: String,
    pub rev: Option<String>,
    pub force: bool,
    /// Tries before this one.
    pub attempts: i64,
}

/// One field as an extractor found it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtractedField {
    pub name: String,
    pub value: String,
    pub confidence: f64,
    /// offline, llm, e-invoice or file name.
    pub provenance: String,
    pub location: Option<String>,
    /// The value's box on its page: x0, y0, x1, y1.
    pub bbox: Option<[f32; 4]>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtractedLine {
    pub description: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub amount: Option<String>,
    pub date: Option<String>,
    pub account_code: Option<String>,
    pub provenance: String,
}

/// What one extraction of a document yielded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewExtraction {
    pub content_hash: String,
    pub document_type: Option<String>,
    pub extracted_by: String,
    pub fields: Vec<ExtractedField>,
    pub lines: Vec<ExtractedLine>,
    pub problems: Vec<String>,
    pub llm_tokens: Option<i64>,
    /// The document's text as read (for search); None keeps the text stored before.
    pub text: Option<String>,
}

/// A row of the documents list.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentSummary {
    pub id: i64,
    pub path: String,
    pub status: String,
    pub error: Option<String>,
    pub progress: Option<String>,
    pub document_type: Option<String>,
    pub extracted_by: Option<String>,
    pub vendor_name: Option<String>,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<String>,
    pub total: Option<String>,
    pub currency: Option<String>,
    pub deleted: bool,
    pub updated_ms: i64,
    /// to_review, approved, exported or rejected.
    pub review: String,
    /// What the path says.
    pub project_number: Option<String>,
    pub po_number: Option<String>,
    pub vendor_type: Option<String>,
    /// The document type the file name gives (INVOICE, RECEIPT, W9, ...).
    pub name_type: Option<String>,
    pub file_number: Option<String>,
    /// Flags not dismissed.
    pub open_flags: u32,
    pub project_name: Option<String>,
    /// The Dropbox share link, once made; why there is none yet.
    pub share_link: Option<String>,
    pub share_error: Option<String>,
}

/// A field as stored: the extracted value and, when a person set one, theirs (which wins).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredField {
    pub name: String,
    /// The value in force: the person's when set, else the extracted one.
    pub value: Option<String>,
    pub extracted_value: Option<String>,
    pub confidence: f64,
    pub provenance: String,
    pub location: Option<String>,
    pub bbox: Option<[f32; 4]>,
    pub pinned: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLine {
    pub position: i64,
    pub description: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub amount: Option<String>,
    pub date: Option<String>,
    pub account_code: Option<String>,
    pub provenance: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldHistory {
    pub change_id: Option<i64>,
    pub undone: bool,
    pub name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub who: String,
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DocumentDetail {
    pub summary: DocumentSummary,
    pub content_hash: Option<String>,
    pub problems: Vec<String>,
    pub llm_tokens: Option<i64>,
    pub attempts: i64,
    pub fields: Vec<StoredField>,
    pub lines: Vec<StoredLine>,
    /// A person edited the line items: extraction no longer replaces them.
    pub lines_by_person: bool,
    pub history: Vec<FieldHistory>,
    pub flags: Vec<Flag>,
    pub project_name: Option<String>,
    /// The PO folder's vendor, and the vendor the file name gives.
    pub po_vendor: Option<String>,
    pub name_vendor: Option<String>,
    /// Why the name did not parse, or disagrees with its folders.
    pub name_problems: Vec<String>,
    /// There is a person's change that undo would take back.
    pub can_undo: bool,
    /// Values vendor memory offers for this document (never written into it).
    pub suggestions: Vec<crate::memory::Suggestion>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocumentCounts {
    pub queued: u32,
    pub extracting: u32,
    pub done: u32,
    pub failed: u32,
    /// By review state (documents not deleted).
    pub to_review: u32,
    pub approved: u32,
    pub exported: u32,
    pub rejected: u32,
    /// Documents with open flags.
    pub flagged: u32,
}

/// Which documents to list. `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    pub status: Option<String>,
    /// Words to find (full text: path, vendor, invoice number, the document's text); each
    /// word matches as a prefix.
    pub text: Option<String>,
    pub review: Option<String>,
    pub project: Option<String>,
    pub po: Option<String>,
    pub vendor_type: Option<String>,
    /// The document type the file name gives.
    pub name_type: Option<String>,
    /// Only documents with (true) or without (false) open flags.
    pub flagged: Option<bool>,
    /// Only these documents (an export of a selection).
    pub ids: Option<Vec<i64>>,
    pub sort: DocumentSort,
}

/// The order of a documents list. Every order ends with the id, so pages are stable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DocumentSort {
    /// Newest first (by id: rows do not jump while the queue works through them).
    #[default]
    Newest,
    Oldest,
    Vendor {
        descending: bool,
    },
    InvoiceDate {
        descending: bool,
    },
    Total {
        descending: bool,
    },
    Path {
        descending: bool,
    },
}

impl DocumentSort {
    fn sql(self) -> &'static str {
        match self {
            DocumentSort::Newest => "d.id DESC",
            DocumentSort::Oldest => "d.id",
            DocumentSort::Vendor { descending: false } => "d.vendor COLLATE NOCASE, d.id",
            DocumentSort::Vendor { descending: true } => "d.vendor COLLATE NOCASE DESC, d.id DESC",
            DocumentSort::InvoiceDate { descending: false } => "d.invoice_date, d.id",
            DocumentSort::InvoiceDate { descending: true } => "d.invoice_date DESC, d.id DESC",
            DocumentSort::Total { descending: false } => "d.total_cents, d.id",
            DocumentSort::Total { descending: true } => "d.total_cents DESC, d.id DESC",
            DocumentSort::Path { descending: false } => "d.path, d.id",
            DocumentSort::Path { descending: true } => "d.path DESC, d.id DESC",
        }
    }
}

pub(crate) const SUMMARY_COLUMNS: &str = "d.id, d.path, d.status, d.error, d.progress,
    d.document_type, d.extracted_by, d.vendor, d.invoice_number, d.invoice_date, d.total,
    d.currency, d.deleted_ms IS NOT NULL, d.updated_ms, d.review, d.project_number,
    d.po_number, d.vendor_type, d.name_type, d.file_number,
    (SELECT count(*) FROM flags f WHERE f.document_id = d.id AND f.dismissed_ms IS NULL),
    d.project_name, d.share_link, d.share_error";
const SUMMARY_WIDTH: usize = 24;

pub(crate) fn summary_row(r: &rusqlite::Row) -> rusqlite::Result<DocumentSummary> {
    Ok(DocumentSummary {
        id: r.get(0)?,
        path: r.get(1)?,
        status: r.get(2)?,
        error: r.get(3)?,
        progress: r.get(4)?,
        document_type: r.get(5)?,
        extracted_by: r.get(6)?,
        vendor_name: r.get(7)?,
        invoice_number: r.get(8)?,
        invoice_date: r.get(9)?,
        total: r.get(10)?,
        currency: r.get(11)?,
        deleted: r.get(12)?,
        updated_ms: r.get(13)?,
        review: r.get(14)?,
        project_number: r.get(15)?,
        po_number: r.get(16)?,
        vendor_type: r.get(17)?,
        name_type: r.get(18)?,
        file_number: r.get(19)?,
        open_flags: r.get(20)?,
        project_name: r.get(21)?,
        share_link: r.get(22)?,
        share_error: r.get(23)?,
    })
}

impl DocumentFilter {
    /// The WHERE clause (over `documents d`) and its parameters; `source` None: every source.
    pub(crate) fn sql(&self, source: Option<i64>) -> (String, Vec<Value>) {
        let mut clause = String::from("1");
        let mut params = Vec::new();
        let mut eq = |column: &str, value: &Option<String>| {
            if let Some(v) = value {
                clause.push_str(&format!(" AND {column} = ?"));
                params.push(Value::Text(v.clone()));
            }
        };
        eq("d.status", &self.status);
        eq("d.review", &self.review);
        eq("d.project_number", &self.project);
        eq("d.po_number", &self.po);
        eq("d.vendor_type", &self.vendor_type);
        eq("d.name_type", &self.name_type);
        if let Some(source) = source {
            clause.push_str(" AND d.source_id = ?");
            params.push(Value::Integer(source));
        }
        if let Some(query) = self.text.as_deref().and_then(fts_query) {
            clause.push_str(
                " AND d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)",
            );
            params.push(Value::Text(query));
        }
        // The open flags' documents as one set (the partial index flags_open), not a probe
        // per row: a page of the newest flagged documents then reads the ids backwards and
        // keeps those in the set.
        match self.flagged {
            Some(true) => clause.push_str(
                " AND d.id IN (SELECT f.document_id FROM flags f WHERE f.dismissed_ms IS NULL)",
            ),
            Some(false) => clause.push_str(
                " AND d.id NOT IN (SELECT f.document_id FROM flags f WHERE f.dismissed_ms IS NULL)",
            ),
            None => {}
        }
        if let Some(ids) = &self.ids {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            clause.push_str(&format!(" AND d.id IN ({})", list.join(",")));
        }
        (clause, params)
    }
}

impl Store {
    /// Brings the documents of `source` up to date with its known tree: new document files
    /// become documents, a new revision queues the document again, a moved one follows its
    /// entry, and one whose entry is gone is marked deleted (its data kept). With `touched`,
    /// only those entry ids are looked at; without, the whole tree (at start-up, so a crash
    /// between an ingest and this loses nothing). Returns how many jobs were queued.
    pub fn discover_documents(
        &mut self,
        source: i64,
        touched: Option<&[String]>,
        rules: &PathRules,
        now: i64,
    ) -> Result<usize> {
        let fingerprint = rules.fingerprint();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let queued = {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO documents (source_id, entry_id, path, rev, status, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5)
                 ON CONFLICT (source_id, entry_id) DO UPDATE SET
                   path = excluded.path, deleted_ms = NULL, updated_ms = excluded.updated_ms,
                   rev = excluded.rev,
                   status = CASE WHEN documents.rev IS excluded.rev THEN documents.status
                                 ELSE 'queued' END
                 WHERE documents.path IS NOT excluded.path OR documents.rev IS NOT excluded.rev
                   OR documents.deleted_ms IS NOT NULL
                 RETURNING id, status",
            )?;
            let mut gone = tx.prepare_cached(
                "UPDATE documents SET deleted_ms = ?3, updated_ms = ?3
                 WHERE source_id = ?1 AND entry_id = ?2 AND deleted_ms IS NULL RETURNING id",
            )?;
            let mut entry = tx.prepare_cached(
                "SELECT path, kind, rev FROM entries WHERE source_id = ?1 AND entry_id = ?2",
            )?;
            let mut to_queue = Vec::new();
            let mut orphans = Vec::new();
            // Documents whose path or presence changed: their parse and flags follow.
            let mut changed = Vec::new();
            let mut visit = |id: &str, found: Option<(String, String, Option<String>)>| {
                match found {
                    Some((path, kind, rev)) if kind == "file" && is_document_name(&path) => {
                        let row: Option<(i64, String)> = upsert
                            .query_row(params![source, id, path, rev, now], |r| {
                                Ok((r.get(0)?, r.get(1)?))
                            })
                            .optional()?;
                        if let Some((doc, status)) = row {
                            if status == "queued" {
                                to_queue.push(doc);
                            }
                            changed.push((doc, Some(path)));
                        }
                    }
                    _ => {
                        if let Some(doc) = gone
                            .query_row(params![source, id, now], |r| r.get(0))
                            .optional()?
                        {
                            changed.push((doc, None));
                        }
                    }
                }
                Ok::<_, rusqlite::Error>(())
            };
            match touched {
                Some(ids) => {
                    for id in ids {
                        let found = entry
                            .query_row(params![source, id], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                            })
                            .optional()?;
                        visit(id, found)?;
                    }
                }
                None => {
                    let all: Vec<(String, String, String, Option<String>)> = tx
                        .prepare(
                            "SELECT entry_id, path, kind, rev FROM entries WHERE source_id = ?1",
                        )?
                        .query_map([source], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                        })?
                        .collect::<rusqlite::Result<_>>()?;
                    for (id, path, kind, rev) in all {
                        visit(&id, Some((path, kind, rev)))?;
                    }
                    let vanished: Vec<String> = tx
                        .prepare(
                            "SELECT entry_id FROM documents d WHERE source_id = ?1
                             AND deleted_ms IS NULL AND NOT EXISTS (SELECT 1 FROM entries e
                               WHERE e.source_id = d.source_id AND e.entry_id = d.entry_id)",
                        )?
                        .query_map([source], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    for id in vanished {
                        visit(&id, None)?;
                    }
                    // Documents left queued without a job (none should be; be sure).
                    orphans.extend(
                        tx.prepare(
                            "SELECT id FROM documents d WHERE source_id = ?1 AND status = 'queued'
                             AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.document_id = d.id
                               AND j.kind = 'extract' AND j.state IN ('queued', 'running'))",
                        )?
                        .query_map([source], |r| r.get::<_, i64>(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                    );
                }
            }
            // Flags from the name (it does not parse, a tax form arrived) show at once, before
            // the document is read.
            let mut docs = Vec::with_capacity(changed.len());
            for (doc, path) in changed {
                if let Some(path) = path {
                    ParsedColumns::of(rules, &path).write(&tx, doc, &fingerprint)?;
                }
                write_search_row(&tx, doc, None)?;
                docs.push(doc);
            }
            flags::refresh_flags(&tx, &docs, now)?;
            let mut n = 0;
            for doc in to_queue.into_iter().chain(orphans) {
                n += queue_job(&tx, doc, false, now)?;
            }
            n
        };
        tx.commit()?;
        Ok(queued)
    }

    /// Queues the documents again (re-extract on demand): `force` extracts even bytes that
    /// were extracted before. Returns how many jobs were queued.
    pub fn queue_extraction(&mut self, documents: &[i64], force: bool, now: i64) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0;
        for &doc in documents {
            let changed = tx.execute(
                "UPDATE documents SET status = 'queued', error = NULL, updated_ms = ?2
                 WHERE id = ?1 AND status != 'extracting'",
                params![doc, now],
            )?;
            if changed > 0 {
                n += queue_job(&tx, doc, force, now)?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Jobs left running by a process that ended (crash, quit) are queued again. Call once at
    /// start-up, before any worker runs.
    pub fn requeue_interrupted_jobs(&self, now: i64) -> Result<usize> {
        let n = self.conn.execute(
            "UPDATE jobs SET state = 'queued', updated_ms = ?1
             WHERE state = 'running' AND kind = 'extract'",
            [now],
        )?;
        self.conn.execute(
            "UPDATE documents SET status = 'queued', progress = NULL, updated_ms = ?1
             WHERE status = 'extracting'",
            [now],
        )?;
        Ok(n)
    }

    /// Takes the next due extraction job, oldest first, and marks it and its document as
    /// running. Two workers never get the same job: the claim is one UPDATE.
    pub fn claim_extract_job(&mut self, now: i64) -> Result<Option<ExtractJob>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let claimed: Option<(i64, i64, bool, i64)> = tx
            .query_row(
                "UPDATE jobs SET state = 'running', updated_ms = ?1
                 WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND kind = 'extract'
                             AND not_before_ms <= ?1 ORDER BY not_before_ms, id LIMIT 1)
                 RETURNING id, document_id, force, attempts",
                [now],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((job_id, document_id, force, attempts)) = claimed else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE documents SET status = 'extracting', progress = NULL, updated_ms = ?2
             WHERE id = ?1",
            params![document_id, now],
        )?;
        let job = tx.query_row(
            "SELECT s.kind, s.location, d.entry_id, d.path, d.rev FROM documents d
             JOIN sources s ON s.id = d.source_id WHERE d.id = ?1",
            [document_id],
            |r| {
                let kind: String = r.get(0)?;
                Ok(ExtractJob {
                    job_id,
                    document_id,
                    source_kind: if kind == "dropbox" {
                        SourceKind::Dropbox
                    } else {
                        SourceKind::Folder
                    },
                    source_location: r.get(1)?,
                    entry_id: r.get(2)?,
                    path: r.get(3)?,
                    rev: r.get(4)?,
                    force,
                    attempts,
                })
            },
        )?;
        tx.commit()?;
        Ok(Some(job))
    }

    /// Where a document's bytes are, shaped as a job (id 0: nothing was claimed), for
    /// reading them to show a page.
    pub fn document_job(&self, document_id: i64) -> Result<Option<ExtractJob>> {
        Ok(self
            .conn
            .query_row(
                "SELECT s.kind, s.location, d.entry_id, d.path, d.rev FROM documents d
                 JOIN sources s ON s.id = d.source_id WHERE d.id = ?1",
                [document_id],
                |r| {
                    let kind: String = r.get(0)?;
                    Ok(ExtractJob {
                        job_id: 0,
                        document_id,
                        source_kind: if kind == "dropbox" {
                            SourceKind::Dropbox
                        } else {
                            SourceKind::Folder
                        },
                        source_location: r.get(1)?,
                        entry_id: r.get(2)?,
                        path: r.get(3)?,
                        rev: r.get(4)?,
                        force: false,
                        attempts: 0,
                    })
                },
            )
            .optional()?)
    }

    /// Queued jobs waiting out a backoff may run now (the connection they waited for is
    /// back).
    pub fn make_waiting_jobs_due(&self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE jobs SET not_before_ms = 0 WHERE state = 'queued' AND not_before_ms > 0",
            [],
        )?)
    }

    /// When the next queued job is due (for a worker deciding how long to sleep).
    pub fn next_job_due(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT min(not_before_ms) FROM jobs WHERE state = 'queued' AND kind = 'extract'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Says what a running extraction is doing.
    pub fn set_progress(&self, document: i64, progress: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE documents SET progress = ?2 WHERE id = ?1",
            params![document, progress],
        )?;
        Ok(())
    }

    /// Another document whose bytes (by hash) were already extracted, if any.
    pub fn extracted_twin(&self, content_hash: &str, except: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM documents WHERE content_hash = ?1 AND id != ?2
                 AND status = 'done' ORDER BY extracted_ms DESC LIMIT 1",
                params![content_hash, except],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The extraction of `twin` (a document with the same bytes), as it was extracted: what
    /// a person changed on the twin is theirs, not the bytes'.
    pub fn extraction_of(&self, twin: i64) -> Result<Option<NewExtraction>> {
        let head = self
            .conn
            .query_row(
                "SELECT content_hash, document_type, extracted_by, problems, llm_tokens
                 FROM documents WHERE id = ?1 AND status = 'done'",
                [twin],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((hash, document_type, extracted_by, problems, _)) = head else {
            return Ok(None);
        };
        let fields = self
            .conn
            .prepare(
                "SELECT name, value, confidence, provenance, location, bbox FROM fields
                 WHERE document_id = ?1 AND value IS NOT NULL AND provenance != 'person'",
            )?
            .query_map([twin], |r| {
                Ok(ExtractedField {
                    name: r.get(0)?,
                    value: r.get(1)?,
                    confidence: r.get(2)?,
                    provenance: r.get(3)?,
                    location: r.get(4)?,
                    bbox: parse_bbox(r.get(5)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        // The lines the twin's extraction read, not a person's edits of them.
        let extracted: Option<String> = self.conn.query_row(
            "SELECT extracted_lines FROM documents WHERE id = ?1",
            [twin],
            |r| r.get(0),
        )?;
        let lines = match extracted.and_then(|j| serde_json::from_str::<Vec<LineValues>>(&j).ok()) {
            Some(lines) => lines
                .into_iter()
                .map(|l| ExtractedLine {
                    description: l.description,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    amount: l.amount,
                    date: l.date,
                    account_code: l.account_code,
                    provenance: l.provenance,
                })
                .collect(),
            None => self
                .lines(twin)?
                .into_iter()
                .map(|l| ExtractedLine {
                    description: l.description,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    amount: l.amount,
                    date: l.date,
                    account_code: l.account_code,
                    provenance: l.provenance,
                })
                .collect(),
        };
        Ok(Some(NewExtraction {
            content_hash: hash.unwrap_or_default(),
            document_type,
            extracted_by: extracted_by.unwrap_or_default(),
            fields,
            lines,
            problems: parse_problems(problems),
            // The model was not asked again: no tokens were spent on this document.
            llm_tokens: None,
            text: self.document_text(twin)?,
        }))
    }

    /// Records a finished extraction: the fields (never a person's), the line items (unless a
    /// person edited them), history for every value that changed, and the job done, in one
    /// transaction. If the document got a new revision meanwhile, it is queued again.
    pub fn record_extraction(
        &mut self,
        job: &ExtractJob,
        result: &NewExtraction,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let doc = job.document_id;
        write_fields(&tx, doc, &result.fields, now)?;
        let lines_by_person: bool = tx.query_row(
            "SELECT lines_by_person FROM documents WHERE id = ?1",
            [doc],
            |r| r.get(0),
        )?;
        let lines: Vec<LineValues> = result
            .lines
            .iter()
            .map(|l| LineValues {
                description: l.description.clone(),
                quantity: l.quantity.clone(),
                unit_price: l.unit_price.clone(),
                amount: l.amount.clone(),
                date: l.date.clone(),
                account_code: l.account_code.clone(),
                provenance: l.provenance.clone(),
            })
            .collect();
        tx.execute(
            "UPDATE documents SET extracted_lines = ?2 WHERE id = ?1",
            params![doc, serde_json::to_string(&lines).unwrap_or_default()],
        )?;
        if !lines_by_person {
            crate::review::write_lines(&tx, doc, &lines)?;
        }
        let problems = (!result.problems.is_empty())
            .then(|| serde_json::to_string(&result.problems).unwrap_or_default());
        tx.execute(
            "UPDATE documents SET status = 'done', error = NULL, progress = NULL,
               content_hash = ?2, document_type = ?3, extracted_by = ?4, extracted_ms = ?5,
               llm_tokens = coalesce(?6, llm_tokens), problems = ?7, updated_ms = ?5
             WHERE id = ?1",
            params![
                doc,
                result.content_hash,
                result.document_type,
                result.extracted_by,
                now,
                result.llm_tokens,
                problems
            ],
        )?;
        refresh_summary(&tx, doc, result.text.as_deref())?;
        finish_job(&tx, job, "done", None, now)?;
        flags::refresh_flags(&tx, &[doc], now)?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed try. With `retry`, the job is queued again after a backoff (until
    /// `max_attempts`); without, or when tries are used up, the document is failed with the
    /// reason. Fields extracted before stay.
    pub fn fail_extraction(
        &mut self,
        job: &ExtractJob,
        error: &str,
        retry: bool,
        max_attempts: i64,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let attempts = job.attempts + 1;
        if retry && attempts < max_attempts {
            tx.execute(
                "UPDATE jobs SET state = 'queued', attempts = ?2, last_error = ?3,
                   not_before_ms = ?4, updated_ms = ?5 WHERE id = ?1",
                params![
                    job.job_id,
                    attempts,
                    error,
                    now + retry_delay_ms(attempts),
                    now
                ],
            )?;
            tx.execute(
                "UPDATE documents SET status = 'queued', error = ?2, progress = NULL,
                   updated_ms = ?3 WHERE id = ?1",
                params![job.document_id, format!("{error} (will retry)"), now],
            )?;
        } else {
            tx.execute(
                "UPDATE jobs SET state = 'failed', attempts = ?2, last_error = ?3,
                   updated_ms = ?4 WHERE id = ?1",
                params![job.job_id, attempts, error, now],
            )?;
            tx.execute(
                "UPDATE documents SET status = 'failed', error = ?2, progress = NULL,
                   updated_ms = ?3 WHERE id = ?1",
                params![job.document_id, error, now],
            )?;
            requeue_if_changed(&tx, job, now)?;
        }
        flags::refresh_flags(&tx, &[job.document_id], now)?;
        tx.commit()?;
        Ok(())
    }

    /// A person's value for a field (None clears the field to empty, still pinned). It wins
    /// over every extraction until reverted. A vendor name or description is remembered for
    /// the document's vendor in the same transaction (vendor memory).
    pub fn correct_field(
        &mut self,
        document: i64,
        name: &str,
        value: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = set_person_value(&tx, document, name, value, "person", now)?;
        if let Some(value) = value {
            crate::memory::learn_field(&tx, document, name, value, old.as_deref(), now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Drops a person's value: the extracted one is in force again (recorded as the
    /// person's change: they asked for it).
    pub fn revert_field(&mut self, document: i64, name: &str, now: i64) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = current_value(&tx, document, name)?;
        let before = person_value(&tx, document, name)?;
        if before.is_none() {
            return Ok(());
        }
        clear_person_value(&tx, document, name, now)?;
        let new = current_value(&tx, document, name)?;
        Change::new(Some(&Undo::Field {
            name: name.to_string(),
            person_value: before,
        }))
        .record(&tx, document, name, old, new, "person", now)?;
        refresh_summary(&tx, document, None)?;
        flags::refresh_flags(&tx, &[document], now)?;
        tx.commit()?;
        Ok(())
    }

    pub fn count_documents(&self, source: i64, filter: &DocumentFilter) -> Result<u64> {
        let (clause, params) = filter.sql(Some(source));
        let n: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM documents d WHERE {clause}"),
            rusqlite::params_from_iter(params),
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// A page of documents in the filter's order.
    pub fn documents(
        &self,
        source: i64,
        filter: &DocumentFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<DocumentSummary>> {
        let (clause, mut params) = filter.sql(Some(source));
        params.push(Value::Integer(limit as i64));
        params.push(Value::Integer(offset as i64));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents d WHERE {clause}
             ORDER BY {} LIMIT ? OFFSET ?",
            filter.sort.sql()
        ))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), summary_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The ids of the documents `filter` selects, in its order (the review queue): the ids
    /// alone, not the list's columns.
    pub fn document_ids(&self, source: i64, filter: &DocumentFilter) -> Result<Vec<i64>> {
        let (clause, params) = filter.sql(Some(source));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT d.id FROM documents d WHERE {clause} ORDER BY {}",
            filter.sort.sql()
        ))?;
        let ids = stmt
            .query_map(rusqlite::params_from_iter(params), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Every document of every source (`boxkeeper documents`), oldest first.
    pub fn all_documents(&self) -> Result<Vec<DocumentSummary>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents d ORDER BY d.id"
        ))?;
        let rows = stmt
            .query_map([], summary_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The document whose path in `source` is `path`, if any.
    pub fn document_at(&self, source: i64, path: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM documents WHERE source_id = ?1 AND path = ?2
                 ORDER BY deleted_ms IS NOT NULL, id DESC LIMIT 1",
                params![source, path],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn document_counts(&self, source: i64) -> Result<DocumentCounts> {
        let mut counts = DocumentCounts::default();
        let mut stmt = self.conn.prepare(
            "SELECT status, count(*) FROM documents WHERE source_id = ?1 GROUP BY status",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
        })?;
        for row in rows {
            let (status, n) = row?;
            match status.as_str() {
                "queued" => counts.queued = n,
                "extracting" => counts.extracting = n,
                "done" => counts.done = n,
                _ => counts.failed += n,
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT review, count(*) FROM documents WHERE source_id = ?1 GROUP BY review",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
        })?;
        for row in rows {
            let (review, n) = row?;
            match review.as_str() {
                "to_review" => counts.to_review = n,
                "approved" => counts.approved = n,
                "exported" => counts.exported = n,
                _ => counts.rejected += n,
            }
        }
        // Deleted documents count too: the list a count opens shows them (marked deleted).
        counts.flagged = self.conn.query_row(
            "SELECT count(DISTINCT f.document_id) FROM flags f JOIN documents d ON d.id = f.document_id
             WHERE d.source_id = ?1 AND f.dismissed_ms IS NULL",
            [source],
            |r| r.get(0),
        )?;
        Ok(counts)
    }

    pub fn document(&self, id: i64) -> Result<Option<DocumentDetail>> {
        let head = self
            .conn
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, d.content_hash, d.problems, d.llm_tokens,
                       (SELECT coalesce(max(attempts), 0) FROM jobs j WHERE j.document_id = d.id
                         AND j.kind = 'extract'),
                       d.lines_by_person, d.project_name, d.po_vendor, d.name_vendor,
                       d.name_problems,
                       EXISTS (SELECT 1 FROM field_history h WHERE h.document_id = d.id
                         AND h.undo IS NOT NULL AND h.undone = 0)
                     FROM documents d WHERE d.id = ?1"
                ),
                [id],
                |r| {
                    let w = SUMMARY_WIDTH;
                    Ok((
                        summary_row(r)?,
                        r.get::<_, Option<String>>(w)?,
                        r.get::<_, Option<String>>(w + 1)?,
                        r.get::<_, Option<i64>>(w + 2)?,
                        r.get::<_, i64>(w + 3)?,
                        (
                            r.get::<_, bool>(w + 4)?,
                            r.get::<_, Option<String>>(w + 5)?,
                            r.get::<_, Option<String>>(w + 6)?,
                            r.get::<_, Option<String>>(w + 7)?,
                            r.get::<_, Option<String>>(w + 8)?,
                            r.get::<_, bool>(w + 9)?,
                        ),
                    ))
                },
            )
            .optional()?;
        let Some((summary, content_hash, problems, llm_tokens, attempts, more)) = head else {
            return Ok(None);
        };
        let (lines_by_person, project_name, po_vendor, name_vendor, name_problems, can_undo) = more;
        let fields = self
            .conn
            .prepare(
                "SELECT name, coalesce(person_value, value), value, confidence,
                   CASE WHEN person_value IS NOT NULL THEN 'person' ELSE provenance END,
                   location, person_value IS NOT NULL, bbox
                 FROM fields WHERE document_id = ?1 ORDER BY name",
            )?
            .query_map([id], |r| {
                Ok(StoredField {
                    name: r.get(0)?,
                    value: r.get(1)?,
                    extracted_value: r.get(2)?,
                    confidence: r.get(3)?,
                    provenance: r.get(4)?,
                    location: r.get(5)?,
                    pinned: r.get(6)?,
                    bbox: parse_bbox(r.get(7)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let history = self
            .conn
            .prepare(
                "SELECT name, old_value, new_value, who, at_ms, change_id, undone
                 FROM field_history WHERE document_id = ?1 ORDER BY id",
            )?
            .query_map([id], |r| {
                Ok(FieldHistory {
                    name: r.get(0)?,
                    old_value: r.get(1)?,
                    new_value: r.get(2)?,
                    who: r.get(3)?,
                    at_ms: r.get(4)?,
                    change_id: r.get(5)?,
                    undone: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(DocumentDetail {
            summary,
            content_hash,
            problems: parse_problems(problems),
            llm_tokens,
            attempts,
            fields,
            lines: self.lines(id)?,
            lines_by_person,
            history,
            flags: flags::flags_of(&self.conn, id)?,
            project_name,
            po_vendor,
            name_vendor,
            name_problems: parse_problems(name_problems),
            can_undo,
            suggestions: crate::memory::suggestions(&self.conn, id)?,
        }))
    }

    fn lines(&self, document: i64) -> Result<Vec<StoredLine>> {
        let rows = self
            .conn
            .prepare(
                "SELECT position, description, quantity, unit_price, amount, date, account_code,
                   provenance FROM line_items WHERE document_id = ?1 ORDER BY position",
            )?
            .query_map([document], |r| {
                Ok(StoredLine {
                    position: r.get(0)?,
                    description: r.get(1)?,
                    quantity: r.get(2)?,
                    unit_price: r.get(3)?,
                    amount: r.get(4)?,
                    date: r.get(5)?,
                    account_code: r.get(6)?,
                    provenance: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

fn queue_job(tx: &Transaction, document: i64, force: bool, now: i64) -> Result<usize> {
    let n = tx.execute(
        "INSERT INTO jobs (kind, document_id, state, force, created_ms, updated_ms)
         VALUES ('extract', ?1, 'queued', ?2, ?3, ?3)
         ON CONFLICT (kind, document_id) WHERE state IN ('queued', 'running') DO UPDATE
           SET force = max(force, excluded.force),
               -- Asked for by a person: no waiting out a retry's backoff.
               not_before_ms = CASE WHEN excluded.force THEN 0 ELSE jobs.not_before_ms END",
        params![document, force, now],
    )?;
    Ok(n)
}

fn finish_job(
    tx: &Transaction,
    job: &ExtractJob,
    state: &str,
    error: Option<&str>,
    now: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE jobs SET state = ?2, last_error = ?3, attempts = attempts + 1, updated_ms = ?4
         WHERE id = ?1",
        params![job.job_id, state, error, now],
    )?;
    requeue_if_changed(tx, job, now)
}

/// A revision that arrived while the job ran queues the document again.
fn requeue_if_changed(tx: &Transaction, job: &ExtractJob, now: i64) -> Result<()> {
    let rev: Option<String> = tx.query_row(
        "SELECT rev FROM documents WHERE id = ?1",
        [job.document_id],
        |r| r.get(0),
    )?;
    if rev != job.rev {
        tx.execute(
            "UPDATE documents SET status = 'queued', updated_ms = ?2 WHERE id = ?1",
            params![job.document_id, now],
        )?;
        queue_job(tx, job.document_id, false, now)?;
    }
    Ok(())
}

fn write_fields(tx: &Transaction, doc: i64, fields: &[ExtractedField], now: i64) -> Result<()> {
    let mut old_rows = tx.prepare_cached(
        "SELECT name, value FROM fields WHERE document_id = ?1 AND value IS NOT NULL",
    )?;
    let old: Vec<(String, String)> = old_rows
        .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO fields (document_id, name, value, confidence, provenance, location,
           updated_ms, bbox)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (document_id, name) DO UPDATE SET value = excluded.value,
           confidence = excluded.confidence, provenance = excluded.provenance,
           location = excluded.location, updated_ms = excluded.updated_ms,
           bbox = excluded.bbox",
    )?;
    for f in fields {
        upsert.execute(params![
            doc,
            f.name,
            f.value,
            f.confidence,
            f.provenance,
            f.location,
            now,
            f.bbox
                .map(|b| serde_json::to_string(&b).unwrap_or_default())
        ])?;
        let before = old.iter().find(|(n, _)| *n == f.name).map(|(_, v)| v);
        if before != Some(&f.value) {
            history(
                tx,
                doc,
                &f.name,
                before.cloned(),
                Some(f.value.clone()),
                &f.provenance,
                now,
            )?;
        }
    }
    // Values this extraction no longer finds are cleared (a person's value stays).
    for (name, value) in &old {
        if !fields.iter().any(|f| f.name == *name) {
            tx.execute(
                "UPDATE fields SET value = NULL, confidence = 0, location = NULL, bbox = NULL,
                   updated_ms = ?3 WHERE document_id = ?1 AND name = ?2",
                params![doc, name, now],
            )?;
            history(tx, doc, name, Some(value.clone()), None, "extraction", now)?;
        }
    }
    Ok(())
}

/// Writes a person's value for a field (None: empty, still pinned), recorded as `who`'s
/// undoable change, with the list columns and flags that follow. Returns the value in force
/// before.
pub(crate) fn set_person_value(
    tx: &Transaction,
    document: i64,
    name: &str,
    value: Option<&str>,
    who: &str,
    now: i64,
) -> Result<Option<String>> {
    let old = current_value(tx, document, name)?;
    let before = person_value(tx, document, name)?;
    tx.execute(
        "INSERT INTO fields (document_id, name, value, confidence, provenance, person_value,
           person_ms, updated_ms)
         VALUES (?1, ?2, NULL, 0, 'person', ?3, ?4, ?4)
         ON CONFLICT (document_id, name) DO UPDATE SET person_value = excluded.person_value,
           person_ms = excluded.person_ms, updated_ms = excluded.updated_ms",
        params![document, name, value.unwrap_or(""), now],
    )?;
    let new = value.map(str::to_string).or(Some(String::new()));
    if old != new || before.is_none() {
        Change::new(Some(&Undo::Field {
            name: name.to_string(),
            person_value: before,
        }))
        .record(tx, document, name, old.clone(), new, who, now)?;
    }
    refresh_summary(tx, document, None)?;
    flags::refresh_flags(tx, &[document], now)?;
    Ok(old)
}

/// Drops a person's value; a row only a person wrote goes.
pub(crate) fn clear_person_value(
    tx: &Transaction,
    document: i64,
    name: &str,
    now: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE fields SET person_value = NULL, person_ms = NULL, updated_ms = ?3
         WHERE document_id = ?1 AND name = ?2",
        params![document, name, now],
    )?;
    tx.execute(
        "DELETE FROM fields WHERE document_id = ?1 AND name = ?2 AND provenance = 'person'
           AND value IS NULL",
        params![document, name],
    )?;
    Ok(())
}

fn person_value(tx: &Transaction, document: i64, name: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT person_value FROM fields WHERE document_id = ?1 AND name = ?2",
            params![document, name],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

pub(crate) fn current_value(tx: &Transaction, document: i64, name: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT coalesce(person_value, value) FROM fields
             WHERE document_id = ?1 AND name = ?2",
            params![document, name],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

fn history(
    tx: &Transaction,
    document: i64,
    name: &str,
    old: Option<String>,
    new: Option<String>,
    who: &str,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO field_history (document_id, name, old_value, new_value, who, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![document, name, old, new, who, now])?;
    Ok(())
}

fn parse_bbox(json: Option<String>) -> Option<[f32; 4]> {
    json.and_then(|j| serde_json::from_str(&j).ok())
}

fn parse_problems(json: Option<String>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default()
}
