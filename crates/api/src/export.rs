//! CSV export: the documents a filter selects, streamed from the store into
//! `boxkeeper-export`'s writer, written atomically, then recorded and (when asked) marked
//! Exported in one transaction — after the file is in place, so a failed write marks
//! nothing. The export can be undone: its documents go back to the state they had.

use std::path::{Path, PathBuf};

use boxkeeper_export::{
    write_file_atomically, DateStyle, ExportDocument, ExportLine, ExportOptions, ExportWriter,
    Preset, Shape,
};
use boxkeeper_store::{now_ms, DocumentFilter, DocumentForExport};

use crate::dto::{
    DocumentQuery, ExportDates, ExportPreset, ExportRequest, ExportResult, ExportShape,
};
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

impl ExportPreset {
    fn preset(self) -> Preset {
        match self {
            ExportPreset::Generic => Preset::Generic,
            ExportPreset::Xero => Preset::Xero,
            ExportPreset::Qbo => Preset::QuickBooksOnline,
        }
    }
}

impl ExportRequest {
    fn options(&self) -> ExportOptions {
        ExportOptions {
            preset: self.preset.preset(),
            shape: match self.shape {
                ExportShape::Documents => Shape::Documents,
                ExportShape::Lines => Shape::Lines,
            },
            bom: self.bom,
            dates: match self.dates {
                ExportDates::Iso => DateStyle::Iso,
                ExportDates::Us => DateStyle::Us,
                ExportDates::European => DateStyle::European,
            },
        }
    }
}

/// A stored document as the export crate takes it.
pub fn export_document(d: DocumentForExport) -> ExportDocument {
    let field = |name: &str| {
        d.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let s = &d.summary;
    ExportDocument {
        id: s.id,
        file_name: s.path.rsplit('/').next().unwrap_or(&s.path).to_string(),
        path: s.path.clone(),
        project_number: s.project_number.clone(),
        project_name: s.project_name.clone(),
        po_number: s.po_number.clone(),
        vendor_type: s.vendor_type.clone(),
        document_type: s.name_type.clone(),
        file_number: s.file_number.clone(),
        review_state: s.review.clone(),
        vendor_name: field("vendor_name"),
        invoice_number: field("invoice_number"),
        invoice_date: field("invoice_date"),
        due_date: field("due_date"),
        currency: field("currency"),
        subtotal: field("subtotal"),
        tax: field("tax"),
        total: field("total"),
        description: field("description"),
        po_reference: field("po_number"),
        share_link: s.share_link.clone(),
        lines: d
            .lines
            .into_iter()
            .map(|l| ExportLine {
                position: l.position,
                description: l.description,
                quantity: l.quantity,
                unit_price: l.unit_price,
                amount: l.amount,
                date: l.date,
                account_code: l.account_code,
            })
            .collect(),
    }
}

impl Workspace {
    /// Writes the CSV the request asks for and, with `mark_exported`, marks what it wrote
    /// Exported. The documents are those of the followed source that the query selects
    /// (and, with `ids`, only those).
    pub fn export_csv(&self, request: &ExportRequest) -> Result<ExportResult> {
        let source = lock(&self.inner.status).source;
        let mut filter = request.query.filter();
        filter.ids = request
            .ids
            .as_ref()
            .map(|ids| ids.iter().map(|&i| i64::from(i)).collect());
        self.export_filtered(source, &filter, request)
    }

    /// The CLI's export: the documents of every source that `query` selects.
    pub fn export_all(
        &self,
        query: &DocumentQuery,
        request: &ExportRequest,
    ) -> Result<ExportResult> {
        self.export_filtered(None, &query.filter(), request)
    }

    fn export_filtered(
        &self,
        source: Option<i64>,
        filter: &DocumentFilter,
        request: &ExportRequest,
    ) -> Result<ExportResult> {
        let path = PathBuf::from(request.path.trim());
        if request.path.trim().is_empty() {
            return Err(ApiError::Invalid("say where to write the CSV file".into()));
        }
        let opts = request.options();
        let mut written = Vec::new();
        let summary = {
            let store = lock(&self.inner.reader);
            write_file_atomically(&path, |out| {
                let mut writer = ExportWriter::new(out, &opts)?;
                let mut failed = None;
                store
                    .for_each_document_to_export(source, filter, |doc| {
                        let id = doc.summary.id;
                        if let Err(e) = writer.push(&export_document(doc)) {
                            failed = Some(e);
                            return Err(boxkeeper_store::StoreError::Invalid("stopped".into()));
                        }
                        written.push(id);
                        Ok(())
                    })
                    .map_err(|e| match failed.take() {
                        Some(export) => export,
                        None => {
                            boxkeeper_export::ExportError::Io(std::io::Error::other(e.to_string()))
                        }
                    })?;
                writer.finish()
            })
            .map_err(|e| ApiError::Invalid(format!("export to {}: {e}", path.display())))?
        };
        written.retain(|id| !summary.skipped.contains(id));
        let mut export_id = None;
        let mut marked = 0;
        if request.mark_exported && !written.is_empty() {
            let mut store = lock(&self.inner.reader);
            let (id, newly) = store.record_export(
                &written,
                &display(&path),
                opts.preset.as_str(),
                match request.shape {
                    ExportShape::Documents => "documents",
                    ExportShape::Lines => "lines",
                },
                summary.rows,
                now_ms(),
            )?;
            marked = newly as u32;
            export_id = Some(id);
            drop(store);
            self.documents_changed();
        }
        tracing::info!(
            documents = summary.documents,
            rows = summary.rows,
            preset = opts.preset.as_str(),
            "exported CSV"
        );
        Ok(ExportResult {
            export_id,
            path: display(&path),
            documents: summary.documents as u32,
            rows: summary.rows as u32,
            skipped: summary.skipped.len() as u32,
            marked,
        })
    }

    /// Undoes an export: its documents still Exported go back to the state they had.
    pub fn undo_export(&self, export: i64) -> Result<u32> {
        let n = lock(&self.inner.reader).undo_export(export, now_ms())?;
        self.documents_changed();
        Ok(n as u32)
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
