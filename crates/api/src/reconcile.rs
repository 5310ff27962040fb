//! PO-log reconciliation: a PO log (exported by the budgeting software) found in the followed
//! tree is read by the queue like a document; one opened by hand is read here. Each PO's
//! actualized amount in the project's newest log is compared with the sum of its invoice
//! lines in the documents (`boxkeeper-polog`): within a cent the lines are ready to pay
//! (RTP), otherwise "PO Log Mismatch" with both amounts. Malformed rows are reported by line
//! number and the rest is used.

use std::path::Path;

use boxkeeper_polog::{LineStatus, Outcome, PoLines, Reconciliation};
use boxkeeper_store::{format_cents, now_ms, Store};

use crate::dto::{PoLogReport, PoReconciliationRow};
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

/// The problems of a log, one sentence each with its line.
pub(crate) fn problems(log: &boxkeeper_polog::PoLog) -> Vec<String> {
    log.problems.iter().map(ToString::to_string).collect()
}

fn row(r: Reconciliation, log_path: &str) -> PoReconciliationRow {
    PoReconciliationRow {
        status: match r.status() {
            LineStatus::Pending => "Pending",
            LineStatus::Rtp => "RTP",
            LineStatus::PoLogMismatch => "PO Log Mismatch",
            LineStatus::Paid => "Paid",
        }
        .to_string(),
        outcome: match r.outcome {
            Outcome::Rtp => "rtp",
            Outcome::Mismatch { .. } => "mismatch",
            Outcome::NoDocuments => "no_documents",
            Outcome::NotInLog => "not_in_log",
        }
        .to_string(),
        difference: match r.outcome {
            Outcome::Mismatch { difference_cents } => Some(format_cents(difference_cents)),
            _ => None,
        },
        actualized: r.actualized_cents.map(format_cents),
        lines: r.lines_cents.map(format_cents),
        due_date: r.due_date.map(|d| d.to_string()),
        log_lines: r.log_lines.iter().map(|&l| l as u32).collect(),
        log_path: log_path.to_string(),
        project_number: r.project,
        po_number: r.po,
        vendor: r.vendor,
    }
}

/// Compares one parsed log with the documents of `source`.
fn compare(
    store: &Store,
    source: i64,
    log: &boxkeeper_polog::PoLog,
    path: &str,
) -> Result<Vec<PoReconciliationRow>> {
    let sums: Vec<PoLines> = store
        .po_line_sums(source, log.project.as_deref())?
        .into_iter()
        .map(|s| PoLines {
            project: s.project_number,
            po: s.po_number,
            lines_sum_cents: s.cents,
        })
        .collect();
    Ok(boxkeeper_polog::reconcile(log, &sums)
        .into_iter()
        .map(|r| row(r, path))
        .collect())
}

impl Workspace {
    /// Every PO of the newest log of each project, compared with the documents.
    pub fn po_log_reconciliation(&self) -> Result<Vec<PoReconciliationRow>> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(Vec::new());
        };
        self.po_log_reconciliation_of(source)
    }

    /// Every PO of the newest log of each project of `source`, compared with its documents.
    pub(crate) fn po_log_reconciliation_of(&self, source: i64) -> Result<Vec<PoReconciliationRow>> {
        let store = lock(&self.inner.reader);
        let mut out = Vec::new();
        for stored in store.newest_po_logs(source)? {
            let log = boxkeeper_polog::parse_named(&stored.path, &stored.text);
            out.extend(compare(&store, source, &log, &stored.path)?);
        }
        Ok(out)
    }

    /// Reads a PO log chosen by hand, keeps it (it is the project's newest if its export time
    /// says so), and reports its rows, its problems and the comparison.
    pub fn open_po_log(&self, path: &Path) -> Result<PoLogReport> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(boxkeeper_polog::PoLogName {
            project,
            exported_at,
        }) = boxkeeper_polog::is_po_log_name(name)
        else {
            return Err(ApiError::Invalid(format!(
                "{name:?} is not named like a PO log (PO_LOG_<project>-YYYY-MM-DD_HH-MM-SS.txt)"
            )));
        };
        let bytes = std::fs::read(path).map_err(|source| ApiError::Io {
            what: "cannot read the PO log",
            path: path.display().to_string(),
            source,
        })?;
        let log = boxkeeper_polog::parse_bytes(name, &bytes);
        let text = boxkeeper_polog::decode(&bytes);
        let source = lock(&self.inner.status).source;
        // Without a followed source (the CLI), the log is compared with every source's.
        let compare_with = match source {
            Some(s) => vec![s],
            None => lock(&self.inner.reader).source_ids()?,
        };
        let shown = path.display().to_string();
        lock(&self.inner.reader).save_po_log(
            &boxkeeper_store::NewPoLog {
                source,
                document: None,
                path: &shown,
                project: &project,
                exported_at: &exported_at.to_string(),
                text: &text,
            },
            now_ms(),
        )?;
        let mut reconciliation = Vec::new();
        for s in compare_with {
            reconciliation.extend(compare(&lock(&self.inner.reader), s, &log, &shown)?);
        }
        self.documents_changed();
        Ok(PoLogReport {
            path: shown,
            project_number: project,
            rows: log.rows.len() as u32,
            problems: problems(&log),
            reconciliation,
        })
    }
}
