//! The streaming writer: the byte order mark and header when it is made, a document's rows per
//! push, and a flush at the end, so an export of 500,000 line items never holds more than one
//! document's rows in memory.

use std::io::Write;

use crate::cell::{neutralise, single_line};
use crate::preset::{columns, rows};
use crate::{ExportDocument, ExportError, ExportOptions, Preset};

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Documents that gave at least one row.
    pub documents: u64,
    /// Data rows, not counting the header.
    pub rows: u64,
    /// Ids of documents the preset passes over (tax forms and PO logs in the Xero and
    /// QuickBooks presets, which import bills), so the caller does not mark them Exported.
    pub skipped: Vec<i64>,
}

/// Streams rows: header (and BOM) on new, one push per document, finish flushes.
pub struct ExportWriter<W: Write> {
    csv: csv::Writer<W>,
    opts: ExportOptions,
    summary: ExportSummary,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl<W: Write> ExportWriter<W> {
    /// Writes the byte order mark (when asked for) and the header row.
    pub fn new(mut out: W, opts: &ExportOptions) -> Result<Self, ExportError> {
        if opts.bom {
            // Straight to `out`, before the csv writer's buffer, so it is the first bytes.
            out.write_all(UTF8_BOM)?;
        }
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        csv.write_record(columns(opts.preset, opts.shape))?;
        Ok(ExportWriter {
            csv,
            opts: *opts,
            summary: ExportSummary::default(),
        })
    }

    /// Writes one document's rows. A document that cannot be exported in this preset returns
    /// the error and writes nothing of itself.
    pub fn push(&mut self, doc: &ExportDocument) -> Result<(), ExportError> {
        let Some(rows) = rows(doc, &self.opts)? else {
            self.summary.skipped.push(doc.id);
            return Ok(());
        };
        let importer = self.opts.preset != Preset::Generic;
        for row in &rows {
            self.csv.write_record(row.iter().map(|cell| {
                if importer {
                    neutralise(&single_line(cell)).into_owned()
                } else {
                    neutralise(cell).into_owned()
                }
            }))?;
        }
        self.summary.rows += rows.len() as u64;
        self.summary.documents += 1;
        Ok(())
    }

    /// Flushes everything to the underlying writer and says what was written.
    pub fn finish(mut self) -> Result<ExportSummary, ExportError> {
        self.csv.flush()?;
        Ok(self.summary)
    }
}
