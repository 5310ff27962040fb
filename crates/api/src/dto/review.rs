//! The review workspace's types at the boundary: review states, flags, edited line items,
//! the PO view, page images and exports.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Where a document is in the bookkeeper's flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    #[default]
    ToReview,
    Approved,
    Exported,
    Rejected,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::ToReview => "to_review",
            ReviewState::Approved => "approved",
            ReviewState::Exported => "exported",
            ReviewState::Rejected => "rejected",
        }
    }

    pub fn of(s: &str) -> ReviewState {
        match s {
            "approved" => ReviewState::Approved,
            "exported" => ReviewState::Exported,
            "rejected" => ReviewState::Rejected,
            _ => ReviewState::ToReview,
        }
    }

    /// The moves a person may make: approve or reject what is to review, send an approved
    /// or rejected document back, undo an export by hand (exports themselves set Exported).
    pub fn may_become(self, next: ReviewState) -> bool {
        use ReviewState::*;
        matches!(
            (self, next),
            (ToReview, Approved)
                | (ToReview, Rejected)
                | (Approved, ToReview)
                | (Approved, Rejected)
                | (Rejected, ToReview)
                | (Exported, Approved)
                | (Exported, ToReview)
        ) || self == next
    }
}

/// How a documents list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DocumentOrder {
    #[default]
    Newest,
    Oldest,
    Vendor,
    InvoiceDate,
    Total,
    Path,
}

/// Something a person should look at on a document, with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct FlagRow {
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
    /// duplicate, lines_sum, totals, name_mismatch, no_tax_form, unparsed_name, failed.
    pub kind: String,
    /// The older document a duplicate points to.
    #[specta(type = Option<specta_typescript::Number>)]
    pub other_id: Option<i64>,
    pub reason: String,
    pub dismissed: bool,
    pub dismiss_note: Option<String>,
}

impl From<boxkeeper_store::Flag> for FlagRow {
    fn from(f: boxkeeper_store::Flag) -> FlagRow {
        FlagRow {
            id: f.id,
            kind: f.kind,
            other_id: f.other_id,
            reason: f.reason,
            dismissed: f.dismissed,
            dismiss_note: f.dismiss_note,
        }
    }
}

/// A line item as a person edits it; the list's order is the lines' order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct LineInput {
    pub description: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub amount: Option<String>,
    /// yyyy-mm-dd.
    pub date: Option<String>,
    pub account_code: Option<String>,
}

/// Totals of one currency, as decimals ("1234.50").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct PoTotalsRow {
    pub currency: String,
    pub invoiced: String,
    pub received: String,
}

/// A row of the PO view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct PurchaseOrderRow {
    pub project_number: String,
    pub project_name: Option<String>,
    pub po_number: String,
    pub vendor: Option<String>,
    /// vendor, cc, pc.
    pub vendor_type: Option<String>,
    pub vendor_type_by_person: bool,
    /// CC / PC, Approved, Tax Form Needed, Needs Verification.
    pub status: String,
    pub status_by_person: bool,
    pub status_reason: String,
    pub documents: u32,
    pub invoices: u32,
    pub receipts: u32,
    pub tax_forms: u32,
    pub to_review: u32,
    pub flagged: u32,
    pub totals: Vec<PoTotalsRow>,
    /// How the PO compares with the newest PO log of its project, when there is one.
    pub log: Option<PoReconciliationRow>,
    /// The PO folder's Dropbox share link, once made (Dropbox sources only).
    pub folder_link: Option<String>,
    /// Where the PO stands with the Monday.com board, while the sync is set up.
    pub monday: Option<super::MondayPoRow>,
}

/// One PO compared with its project's newest PO log: the actualized amount the budgeting
/// software recorded against the sum of the PO's invoice lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct PoReconciliationRow {
    pub project_number: String,
    pub po_number: String,
    pub vendor: Option<String>,
    /// The invoice lines' status: RTP, PO Log Mismatch, Pending, Paid.
    pub status: String,
    /// rtp, mismatch, no_documents, not_in_log.
    pub outcome: String,
    /// Decimals ("1234.50"); None when that side is missing.
    pub actualized: Option<String>,
    pub lines: Option<String>,
    /// lines minus actualized, for a mismatch.
    pub difference: Option<String>,
    /// yyyy-mm-dd, from the log's terms (NET n).
    pub due_date: Option<String>,
    pub log_path: String,
    /// The log's lines (1-based) of the PO's rows.
    pub log_lines: Vec<u32>,
}

/// What reading a PO log found: its rows, the malformed ones by line, and the comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct PoLogReport {
    pub path: String,
    pub project_number: String,
    pub rows: u32,
    /// "line 7: the date \"13/45/24\" is not a date" — the other rows were read.
    pub problems: Vec<String>,
    pub reconciliation: Vec<PoReconciliationRow>,
}

impl From<boxkeeper_store::PurchaseOrder> for PurchaseOrderRow {
    fn from(p: boxkeeper_store::PurchaseOrder) -> PurchaseOrderRow {
        use boxkeeper_store::format_cents;
        PurchaseOrderRow {
            project_number: p.project_number,
            project_name: p.project_name,
            po_number: p.po_number,
            vendor: p.vendor,
            vendor_type: p.vendor_type,
            vendor_type_by_person: p.vendor_type_by_person,
            status: p.status,
            status_by_person: p.status_by_person,
            status_reason: p.status_reason,
            documents: p.documents,
            invoices: p.invoices,
            receipts: p.receipts,
            tax_forms: p.tax_forms,
            to_review: p.to_review,
            flagged: p.flagged,
            totals: p
                .totals
                .into_iter()
                .map(|t| PoTotalsRow {
                    currency: t.currency,
                    invoiced: format_cents(t.invoiced_cents),
                    received: format_cents(t.received_cents),
                })
                .collect(),
            log: None,
            folder_link: p.folder_link,
            monday: None,
        }
    }
}

/// A change to a PO made by hand. None fields are left as they are; an empty string
/// clears the override (the rules decide again).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct PoChange {
    pub project_number: String,
    pub po_number: String,
    pub status: Option<String>,
    pub vendor_type: Option<String>,
    /// The tax form on file is verified.
    pub verify_tax_form: bool,
}

/// One page of a document, rendered for the document view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct PageImage {
    /// data:image/png;base64,...
    pub data_url: String,
    pub width: u32,
    pub height: u32,
    /// 0-based.
    pub page: u32,
    pub page_count: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportPreset {
    /// Every field.
    #[default]
    Generic,
    /// Xero's bill import.
    Xero,
    /// QuickBooks Online's bill import.
    Qbo,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportShape {
    /// One row per document.
    #[default]
    Documents,
    /// One row per line item, the document's fields repeated.
    Lines,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportDates {
    /// yyyy-mm-dd.
    #[default]
    Iso,
    /// MM/DD/YYYY.
    Us,
    /// DD/MM/YYYY.
    European,
}

/// What to export, where to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct ExportRequest {
    pub path: String,
    pub preset: ExportPreset,
    pub shape: ExportShape,
    /// A byte-order mark, for Excel.
    pub bom: bool,
    pub dates: ExportDates,
    /// The documents the list shows (its filter).
    pub query: super::DocumentQuery,
    /// Only these documents (a selection), within the filter.
    pub ids: Option<Vec<u32>>,
    /// Mark the exported documents Exported (undoable).
    pub mark_exported: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct ExportResult {
    #[specta(type = Option<specta_typescript::Number>)]
    pub export_id: Option<i64>,
    pub path: String,
    pub documents: u32,
    pub rows: u32,
    /// Documents the preset passes over (tax forms and PO logs in Xero and QuickBooks files).
    pub skipped: u32,
    /// Documents marked Exported by this export.
    pub marked: u32,
}
