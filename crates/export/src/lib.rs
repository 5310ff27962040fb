//! CSV export of documents for a bookkeeper's spreadsheet or accounting system. The crate owns
//! the file formats and nothing else: the caller (the api crate) reads documents from the store
//! and hands them over as [`ExportDocument`]s; this crate turns each into rows for one of three
//! presets — [`Preset::Generic`] (every field), [`Preset::Xero`] (Xero's bill import template)
//! and [`Preset::QuickBooksOnline`] (QuickBooks Online's bill import) — in one of two shapes
//! (one row per document, or one row per line item with the document's columns repeated), and
//! streams them through [`ExportWriter`]. The output is RFC 4180 CSV (CRLF, quotes doubled)
//! written by the `csv` crate, UTF-8 with an optional byte order mark for Excel, and every cell
//! that a spreadsheet would run as a formula is neutralised (see [`neutralise`]).
//! [`write_file_atomically`] puts the result on disk through a temporary file and a rename, so
//! a reader never sees half a file. It knows nothing of SQLite or Tauri.

mod atomic;
mod cell;
mod date;
mod decimal;
mod preset;
mod writer;

pub use atomic::write_file_atomically;
pub use cell::neutralise;
pub use preset::{columns, DEFAULT_ACCOUNT_CODE, DEFAULT_XERO_TAX_TYPE};
pub use writer::{ExportSummary, ExportWriter};

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// One document as it is exported: the store's fields with a person's corrections already
/// applied. Amounts are decimal strings ("1234.50", "-12.00"), dates ISO `yyyy-mm-dd`, both as
/// stored; the presets check and reformat them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportDocument {
    pub id: i64,
    /// Path in its source, '/'-separated.
    pub path: String,
    pub file_name: String,
    pub project_number: Option<String>,
    pub project_name: Option<String>,
    /// The PO number as written in the folder name ("23", "03").
    pub po_number: Option<String>,
    /// "vendor" | "cc" | "pc".
    pub vendor_type: Option<String>,
    /// "INVOICE" | "RECEIPT" | "W9" | "W8-BEN" | "W8-BEN-E", or "PO_LOG" for a PO log.
    pub document_type: Option<String>,
    pub file_number: Option<String>,
    /// "to_review" | "approved" | "exported" | "rejected".
    pub review_state: String,
    pub vendor_name: Option<String>,
    pub invoice_number: Option<String>,
    /// ISO `yyyy-mm-dd` as stored.
    pub invoice_date: Option<String>,
    /// ISO `yyyy-mm-dd` as stored.
    pub due_date: Option<String>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    pub subtotal: Option<String>,
    pub tax: Option<String>,
    pub total: Option<String>,
    /// Short description of what the vendor did ("Gaffer", "Location Rental").
    pub description: Option<String>,
    /// The PO number printed on the document, if any.
    pub po_reference: Option<String>,
    pub share_link: Option<String>,
    pub lines: Vec<ExportLine>,
}

/// One line item of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportLine {
    pub position: i64,
    pub description: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub amount: Option<String>,
    /// ISO `yyyy-mm-dd` as stored.
    pub date: Option<String>,
    pub account_code: Option<String>,
}

/// Which columns, and which rules, the file follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Every field of [`ExportDocument`], as stored (dates reformatted).
    #[default]
    Generic,
    /// Xero's bill import template (Business > Bills to pay > Import).
    Xero,
    /// QuickBooks Online's bill import (Settings > Import data > Bills).
    QuickBooksOnline,
}

impl Preset {
    /// The name used on the command line and in settings: "generic", "xero", "qbo".
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Generic => "generic",
            Preset::Xero => "xero",
            Preset::QuickBooksOnline => "qbo",
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Preset::Generic => "the generic export",
            Preset::Xero => "Xero's bill import",
            Preset::QuickBooksOnline => "QuickBooks Online's bill import",
        })
    }
}

impl FromStr for Preset {
    type Err = ExportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "generic" => Ok(Preset::Generic),
            "xero" => Ok(Preset::Xero),
            "qbo" => Ok(Preset::QuickBooksOnline),
            _ => Err(ExportError::UnknownOption {
                what: "preset",
                value: s.to_string(),
                expected: "generic, xero or qbo",
            }),
        }
    }
}

/// One row per document, or one row per line item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Shape {
    #[default]
    Documents,
    /// One row per line item with the document's columns repeated; a document without lines
    /// still gives one row, so nothing is silently dropped.
    Lines,
}

impl FromStr for Shape {
    type Err = ExportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "documents" => Ok(Shape::Documents),
            "lines" => Ok(Shape::Lines),
            _ => Err(ExportError::UnknownOption {
                what: "shape",
                value: s.to_string(),
                expected: "documents or lines",
            }),
        }
    }
}

/// How dates are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DateStyle {
    /// `yyyy-mm-dd`
    #[default]
    Iso,
    /// `MM/DD/YYYY`
    Us,
    /// `DD/MM/YYYY`
    European,
}

impl FromStr for DateStyle {
    type Err = ExportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "iso" => Ok(DateStyle::Iso),
            "us" => Ok(DateStyle::Us),
            "european" | "eu" => Ok(DateStyle::European),
            _ => Err(ExportError::UnknownOption {
                what: "date style",
                value: s.to_string(),
                expected: "iso, us or european",
            }),
        }
    }
}

/// What to write: the preset's columns, one row per document or per line, the byte order mark,
/// and how dates look. The default is the generic preset, documents, no BOM, ISO dates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExportOptions {
    pub preset: Preset,
    pub shape: Shape,
    /// Start the file with a UTF-8 byte order mark, which Excel needs to read UTF-8.
    pub bom: bool,
    pub dates: DateStyle,
}

/// Why an export failed. A failed export leaves no file behind when written through
/// [`write_file_atomically`].
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write a CSV row: {0}")]
    Csv(#[from] csv::Error),
    /// The preset's importer requires a value that the document does not have and that has no
    /// sensible default (the vendor, the invoice date, the total).
    #[error(
        "{file_name} (document {document_id}): {preset} needs {what}, and the document has none"
    )]
    MissingValue {
        document_id: i64,
        file_name: String,
        preset: Preset,
        /// What is missing or wrong, in words: "the vendor", "a line's amount".
        what: &'static str,
    },
    /// An amount or quantity that an importer would reject.
    #[error("{file_name} (document {document_id}): {what} is {value:?}, not a plain decimal like 1234.50")]
    NotADecimal {
        document_id: i64,
        file_name: String,
        /// What is missing or wrong, in words: "the vendor", "a line's amount".
        what: &'static str,
        value: String,
    },
    /// A stored date that is not a valid `yyyy-mm-dd`, where an importer needs a date.
    #[error("{file_name} (document {document_id}): {what} is {value:?}, not a date (yyyy-mm-dd)")]
    NotADate {
        document_id: i64,
        file_name: String,
        /// What is missing or wrong, in words: "the vendor", "a line's amount".
        what: &'static str,
        value: String,
    },
    #[error("unknown export {what} {value:?}: expected {expected}")]
    UnknownOption {
        what: &'static str,
        value: String,
        expected: &'static str,
    },
    /// The finished temporary file could not be renamed over the destination; the destination
    /// is as it was.
    #[error("could not replace {path}: {source}")]
    Replace {
        path: PathBuf,
        source: std::io::Error,
    },
}
