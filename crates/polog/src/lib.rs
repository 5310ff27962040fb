//! PO logs exported by the budgeting software, and their reconciliation with the documents.
//! A PO log (`PO_LOG_<project>-YYYY-MM-DD_HH-MM-SS.txt`, recognised by [`is_po_log_name`]) is
//! a tab-separated table of what the production actualized against each purchase order:
//! date, type (card, petty cash, invoice), payment terms, account, vendor, PO, factors and
//! amounts. [`parse`] reads it into [`PoLogRow`]s — money as integer cents, never floating
//! point — and reports each line it cannot read as a [`RowProblem`] with its line number while
//! reading the rest. [`reconcile`] compares each PO's actualized amount with the sum of its
//! extracted invoice lines and says which lines are ready to pay and which are a "PO Log
//! Mismatch". The crate is pure: the store supplies the lines' sums and keeps the results;
//! the only I/O is [`parse_file`], a convenience for the CLI and tests.

mod amount;
mod date;
mod decode;
mod factors;
mod log;
mod name;
mod reconcile;
mod terms;

pub use amount::{format_cents, parse_amount, AmountError, Decimal};
pub use date::{Date, Timestamp};
pub use decode::decode;
pub use factors::{parse_factors, Factors};
pub use log::{parse, parse_named, PoLog, PoLogRow, RowKind, RowProblem};
pub use name::{is_po_log_name, PoLogName};
pub use reconcile::{reconcile, Outcome, PoLines, Reconciliation, TOLERANCE_CENTS};
pub use terms::{LineStatus, Terms};

use std::path::{Path, PathBuf};

/// A PO log file that could not be read at all (a malformed row is not an error: it is a
/// [`RowProblem`]).
#[derive(Debug, thiserror::Error)]
#[error("could not read the PO log {path}: {source}")]
pub struct ReadError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Reads a PO log's bytes as they come from a file or a download (UTF-8 with or without a
/// byte order mark, UTF-16 with one, or Windows-1252), knowing its file name for the project.
pub fn parse_bytes(file_name: &str, bytes: &[u8]) -> PoLog {
    parse_named(file_name, &decode(bytes))
}

/// Reads a PO log file; the project comes from its name.
pub fn parse_file(path: &Path) -> Result<PoLog, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    Ok(parse_bytes(&name, &bytes))
}
