//! Reconciling a PO log with the documents: for each PO, the actualized amount the budgeting
//! software recorded (the sum of its rows' Sub-Totals) against the sum of the PO's extracted
//! invoice lines. Within a cent they match and the lines are ready to pay (RTP); otherwise it
//! is a "PO Log Mismatch" carrying both amounts. A PO in the log without documents, and
//! documents of the log's project whose PO has no row, are reported too, so nothing is
//! silently left out.
//!
//! Fringes are not part of the actualized amount: they are the payroll burden the budgeting
//! software adds on top of labour (taxes, union benefits); they never appear on the vendor's
//! invoice, so adding them would make every labour PO with fringes a mismatch. They are
//! carried alongside for display.

use std::collections::{HashMap, HashSet};

use crate::log::{split_po, PoLog, PoLogRow, RowKind};
use crate::terms::LineStatus;
use crate::Date;

/// The sum of one PO's extracted invoice lines, as the caller (the store) computes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoLines {
    /// The project number ("2416").
    pub project: String,
    /// The PO number as in the folder name ("23", "03").
    pub po: String,
    pub lines_sum_cents: i64,
}

/// How far apart the two amounts may be and still match: rounding in the budgeting software
/// or on an invoice can leave a cent.
pub const TOLERANCE_CENTS: i64 = 1;

/// What comparing a PO's amounts found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The lines add up to the actualized amount within [`TOLERANCE_CENTS`].
    Rtp,
    /// They do not; `difference_cents` is the lines' sum minus the actualized amount
    /// (positive: invoiced more than the budget recorded).
    Mismatch { difference_cents: i64 },
    /// The log has the PO but no document lines were given for it.
    NoDocuments,
    /// Documents of the log's project have this PO but the log has no row for it.
    NotInLog,
}

/// The reconciliation of one PO.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub project: String,
    /// The PO number as written in the log (without a written project), or in the documents
    /// for [`Outcome::NotInLog`].
    pub po: String,
    /// The kind of the PO's rows (Invoice when they differ); `None` when not in the log.
    pub kind: Option<RowKind>,
    /// The vendor of the PO's first row that names one.
    pub vendor: Option<String>,
    /// The log lines of the PO's rows.
    pub log_lines: Vec<usize>,
    /// The sum of the rows' Sub-Totals; `None` when not in the log.
    pub actualized_cents: Option<i64>,
    /// The sum of the rows' Fringes (not part of the comparison).
    pub fringes_cents: i64,
    /// The sum of the PO's invoice lines; `None` when there are no documents.
    pub lines_cents: Option<i64>,
    pub outcome: Outcome,
    /// The earliest due date of the rows not yet paid, from their terms.
    pub due_date: Option<Date>,
    /// The least advanced status the rows' terms give (a row without terms counts as
    /// Pending); `None` when no row has terms.
    pub status_from_terms: Option<LineStatus>,
}

impl Reconciliation {
    /// The status the PO's invoice lines should have: Paid when the log says every row is
    /// paid; otherwise RTP when the amounts match, PO Log Mismatch when they do not, Pending
    /// when one side is missing. (RTP terms in the log do not override a mismatch: the
    /// documents disagree with the budget, and that is what a person must see.)
    pub fn status(&self) -> LineStatus {
        if self.status_from_terms == Some(LineStatus::Paid) {
            return LineStatus::Paid;
        }
        match self.outcome {
            Outcome::Rtp => LineStatus::Rtp,
            Outcome::Mismatch { .. } => LineStatus::PoLogMismatch,
            Outcome::NoDocuments | Outcome::NotInLog => LineStatus::Pending,
        }
    }
}

/// A PO number compared without its zero padding ("03" is "3") and without regard to case,
/// since the log and the folder names may pad differently.
fn po_key(po: &str) -> String {
    let po = po.trim();
    if !po.is_empty() && po.bytes().all(|b| b.is_ascii_digit()) {
        let stripped = po.trim_start_matches('0');
        if stripped.is_empty() {
            "0".to_string()
        } else {
            stripped.to_string()
        }
    } else {
        po.to_lowercase()
    }
}

/// Sums in a wide integer and saturates: no PO reaches i64 cents, but a sum must not wrap.
fn saturate(sum: i128) -> i64 {
    i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX })
}

/// A PO compared across the log and the documents: the project and [`po_key`].
type PoKey = (String, String);

/// The documents' side of one PO: its number as the documents write it, and the sum.
struct DocumentSum<'a> {
    po: &'a str,
    cents: i128,
}

/// The rows of one PO, in log order.
struct PoRows<'a> {
    project: String,
    po: &'a str,
    rows: Vec<&'a PoLogRow>,
}

/// Compares each PO of `log` with the sum of its invoice lines in `invoiced`. Rows take their
/// project from their PO cell ("2416_23") or else from the log's file name; a log read
/// without its name and without projects in its PO cells has project "" and matches only
/// documents of project "". Entries of `invoiced` for the same PO are added together.
///
/// The result lists the log's POs in the order they first appear, then the documents' POs
/// of the log's projects that the log lacks, by project and PO number.
pub fn reconcile(log: &PoLog, invoiced: &[PoLines]) -> Vec<Reconciliation> {
    let mut groups: Vec<PoRows<'_>> = Vec::new();
    let mut group_of: HashMap<PoKey, usize> = HashMap::new();
    for row in &log.rows {
        let (written_project, number) = split_po(&row.po);
        let project = written_project
            .map(str::to_string)
            .or_else(|| log.project.clone())
            .unwrap_or_default();
        let key = (project.trim().to_string(), po_key(number));
        let at = *group_of.entry(key).or_insert_with(|| {
            groups.push(PoRows {
                project: project.trim().to_string(),
                po: number,
                rows: Vec::new(),
            });
            groups.len() - 1
        });
        groups[at].rows.push(row);
    }

    let mut documents: HashMap<PoKey, DocumentSum<'_>> = HashMap::new();
    for lines in invoiced {
        let key = (lines.project.trim().to_string(), po_key(&lines.po));
        documents
            .entry(key)
            .or_insert(DocumentSum {
                po: lines.po.as_str(),
                cents: 0,
            })
            .cents += i128::from(lines.lines_sum_cents);
    }

    let mut results = Vec::with_capacity(groups.len());
    for group in &groups {
        let key = (group.project.clone(), po_key(group.po));
        let actualized = saturate(
            group
                .rows
                .iter()
                .map(|r| i128::from(r.subtotal_cents))
                .sum(),
        );
        let fringes = saturate(group.rows.iter().map(|r| i128::from(r.fringes_cents)).sum());
        let lines = documents.get(&key).map(|sum| saturate(sum.cents));
        let outcome = match lines {
            None => Outcome::NoDocuments,
            Some(lines) => {
                let difference = saturate(i128::from(lines) - i128::from(actualized));
                if difference.unsigned_abs() <= TOLERANCE_CENTS.unsigned_abs() {
                    Outcome::Rtp
                } else {
                    Outcome::Mismatch {
                        difference_cents: difference,
                    }
                }
            }
        };
        let first_kind = group.rows[0].kind;
        let kind = if group.rows.iter().all(|r| r.kind == first_kind) {
            first_kind
        } else {
            RowKind::Invoice
        };
        let status_from_terms = if group.rows.iter().any(|r| r.terms.is_some()) {
            group
                .rows
                .iter()
                .map(|r| r.status_from_terms().unwrap_or(LineStatus::Pending))
                .min()
        } else {
            None
        };
        results.push(Reconciliation {
            project: group.project.clone(),
            po: group.po.to_string(),
            kind: Some(kind),
            vendor: group
                .rows
                .iter()
                .map(|r| r.vendor.as_str())
                .find(|v| !v.is_empty())
                .map(str::to_string),
            log_lines: group.rows.iter().map(|r| r.line).collect(),
            actualized_cents: Some(actualized),
            fringes_cents: fringes,
            lines_cents: lines,
            outcome,
            due_date: group.rows.iter().filter_map(|r| r.due_date()).min(),
            status_from_terms,
        });
    }

    let log_projects: HashSet<&str> = groups
        .iter()
        .map(|g| g.project.as_str())
        .chain(log.project.as_deref().map(str::trim))
        .collect();
    let mut missing: Vec<(&PoKey, &DocumentSum<'_>)> = documents
        .iter()
        .filter(|(key, _)| log_projects.contains(key.0.as_str()) && !group_of.contains_key(*key))
        .collect();
    // Numbers in numeric order ("7" before "23"), then by text.
    missing.sort_by(|(a, _), (b, _)| (&a.0, a.1.len(), &a.1).cmp(&(&b.0, b.1.len(), &b.1)));
    for ((project, _), sum) in missing {
        results.push(Reconciliation {
            project: project.clone(),
            po: sum.po.to_string(),
            kind: None,
            vendor: None,
            log_lines: Vec::new(),
            actualized_cents: None,
            fringes_cents: 0,
            lines_cents: Some(saturate(sum.cents)),
            outcome: Outcome::NotInLog,
            due_date: None,
            status_from_terms: None,
        });
    }
    tracing::debug!(
        pos = results.len(),
        "reconciled a PO log with the documents"
    );
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn po_keys_ignore_padding() {
        assert_eq!(po_key("03"), "3");
        assert_eq!(po_key(" 3 "), "3");
        assert_eq!(po_key("00"), "0");
        assert_eq!(po_key("23A"), "23a");
    }

    #[test]
    fn sums_saturate() {
        assert_eq!(saturate(i128::from(i64::MAX) + 5), i64::MAX);
        assert_eq!(saturate(i128::from(i64::MIN) - 5), i64::MIN);
        assert_eq!(saturate(-7), -7);
    }
}
