//! One document, start to finish: the embedded e-invoice if the PDF carries one (the
//! invoice's own data, confidence 1.0), else the PDF's text layer, else OCR of its pages (or
//! of the image), read by the offline extractor. Every value says where it came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ocr::{self, OcrError};
use crate::pdf::{DocumentText, PageText, PdfEngine, PdfError};
use crate::rules::{self, Found};
use crate::{einvoice, InvoiceFields, LineItem};

/// What kind of file, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Image,
}

impl Format {
    /// PDF and the images leptonica reads; HEIC has no decoder here and says so.
    pub fn of_name(name: &str) -> Result<Format, ExtractError> {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "pdf" => Ok(Format::Pdf),
            "png" | "jpg" | "jpeg" | "tif" | "tiff" | "bmp" => Ok(Format::Image),
            "heic" | "heif" => Err(ExtractError::Unsupported(
                "HEIC photos: no HEIC decoder is installed; export the photo as JPEG".into(),
            )),
            other => Err(ExtractError::Unsupported(format!(
                "files of type {:?}: Boxkeeper reads PDF, PNG, JPEG, TIFF and BMP",
                other
            ))),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Ignore an embedded e-invoice and read the text instead.
    pub no_embedded: bool,
    /// OCR every page, even those with a text layer.
    pub force_ocr: bool,
    /// Tesseract language(s), e.g. "eng" or "eng+deu".
    pub ocr_lang: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Ocr(#[from] OcrError),
}

/// A field's value, how sure the extractor is (0..=1), and where it came from: "e-invoice",
/// "page 2", "ocr page 1".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldValue {
    pub value: String,
    pub confidence: f32,
    pub source: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DocumentExtraction {
    pub document_type: Option<String>,
    /// How the fields were read: "e-invoice", "text" or "ocr".
    pub source: String,
    pub fields: BTreeMap<String, FieldValue>,
    pub line_items: Vec<LineItem>,
    pub problems: Vec<String>,
}

/// Extracts one document.
pub fn extract_document(
    bytes: &[u8],
    format: Format,
    opts: &Options,
) -> Result<DocumentExtraction, ExtractError> {
    let lang = if opts.ocr_lang.is_empty() {
        "eng"
    } else {
        &opts.ocr_lang
    };
    match format {
        Format::Image => {
            let page = ocr::read_image(bytes, lang)?;
            let text = DocumentText {
                pages: vec![PageText {
                    number: 1,
                    text: page.text,
                    words: page.words,
                }],
            };
            Ok(from_rules(&text, "ocr"))
        }
        Format::Pdf => {
            let mut embedded_problem = None;
            if !opts.no_embedded {
                match einvoice::from_pdf(bytes) {
                    Ok(Some(fields)) => return Ok(from_einvoice(fields)),
                    Ok(None) => {}
                    Err(einvoice::EInvoiceError::Pdf(e)) => return Err(e.into()),
                    // A broken embedded XML is not fatal: the text is read instead, and the
                    // document says why its values are not the e-invoice's.
                    Err(other) => {
                        tracing::warn!(error = %other, "embedded e-invoice unreadable");
                        embedded_problem = Some(format!("{other}; the text was read instead"));
                    }
                }
            }
            let engine = PdfEngine::get()?;
            let text = engine.text(bytes)?;
            let mut result = if !opts.force_ocr && text.has_text_layer() {
                from_rules(&text, "text")
            } else {
                let mut pages = Vec::new();
                for (i, page) in text.pages.iter().enumerate() {
                    let read = ocr::read_pdf_page(bytes, i, lang)?;
                    pages.push(PageText {
                        number: page.number,
                        text: read.text,
                        words: read.words,
                    });
                }
                from_rules(&DocumentText { pages }, "ocr")
            };
            result.problems.extend(embedded_problem);
            Ok(result)
        }
    }
}

/// The fields by name, leaving out those not found.
fn field_map(fields: [(&str, Option<FieldValue>); 9]) -> BTreeMap<String, FieldValue> {
    fields
        .into_iter()
        .filter_map(|(name, v)| v.map(|v| (name.to_string(), v)))
        .collect()
}

fn from_einvoice(f: InvoiceFields) -> DocumentExtraction {
    let sure = |v: Option<String>| {
        v.map(|value| FieldValue {
            value,
            confidence: 1.0,
            source: "e-invoice".into(),
        })
    };
    DocumentExtraction {
        document_type: Some("INVOICE".into()),
        source: "e-invoice".into(),
        fields: field_map([
            ("vendor_name", sure(f.vendor_name)),
            ("invoice_number", sure(f.invoice_number)),
            ("invoice_date", sure(f.invoice_date)),
            ("due_date", sure(f.due_date)),
            ("currency", sure(f.currency)),
            ("subtotal", sure(f.subtotal)),
            ("tax", sure(f.tax)),
            ("total", sure(f.total)),
            ("po_number", sure(f.po_number)),
        ]),
        line_items: f.line_items,
        problems: Vec::new(),
    }
}

fn from_rules(text: &DocumentText, how: &str) -> DocumentExtraction {
    let got = rules::extract(text);
    let prefix = if how == "ocr" { "ocr page" } else { "page" };
    let read = |v: Option<Found>| {
        v.map(|f| FieldValue {
            source: f
                .page
                .map_or_else(|| how.to_string(), |p| format!("{prefix} {p}")),
            value: f.value,
            confidence: f.confidence,
        })
    };
    let fields = field_map([
        ("vendor_name", read(got.vendor_name)),
        ("invoice_number", read(got.invoice_number)),
        ("invoice_date", read(got.invoice_date)),
        ("due_date", read(got.due_date)),
        ("currency", read(got.currency)),
        ("subtotal", read(got.subtotal)),
        ("tax", read(got.tax)),
        ("total", read(got.total)),
        ("po_number", read(got.po_number)),
    ]);
    let mut problems = got.problems;
    if text.pages.iter().all(|p| p.text.trim().is_empty()) {
        problems.push("no text could be read from this document".into());
    }
    DocumentExtraction {
        document_type: got.document_type,
        source: how.to_string(),
        fields,
        line_items: Vec::new(),
        problems,
    }
}
