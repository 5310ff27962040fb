//! One document, start to finish: the embedded e-invoice if the PDF carries one (the
//! invoice's own data, confidence 1.0), else the PDF's text layer, else OCR of its pages (or
//! of the image); an e-invoice XML file is read as it is. Every value says where it came
//! from. This is the boundary the app calls, so it also owns robustness: the bytes decide
//! the format when the name is wrong, every broken input comes back as an [`ExtractError`]
//! sentence, and a panic anywhere below is caught here rather than ending the process.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};

use serde::Serialize;

use crate::einvoice::{self, EInvoice, EInvoiceError};
use crate::ocr::{self, OcrError, OCR_DPI};
use crate::pdf::{self, DocumentText, PageText, PdfEngine, PdfError};
use crate::rules::{self, Found};
use crate::{InvoiceFields, LineItem};

/// At most this many pages of one PDF are read by OCR (about a second each): an invoice
/// is rarely longer, and a 500-page scan should not hold the queue for ten minutes.
pub const MAX_OCR_PAGES: usize = 20;

/// What kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Image,
    /// An e-invoice as a bare XML file (XRechnung is often sent that way).
    Xml,
}

impl Format {
    /// By the file's extension: PDF, the images leptonica reads, and XML; HEIC has no
    /// decoder here and says so.
    pub fn of_name(name: &str) -> Result<Format, ExtractError> {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "pdf" => Ok(Format::Pdf),
            "png" | "jpg" | "jpeg" | "tif" | "tiff" | "bmp" => Ok(Format::Image),
            "xml" => Ok(Format::Xml),
            "heic" | "heif" => Err(heic()),
            other => Err(ExtractError::Unsupported(format!(
                "files of type {:?}: Boxkeeper reads PDF, PNG, JPEG, TIFF, BMP and e-invoice XML",
                other
            ))),
        }
    }

    /// By the file's first bytes, when they are clear: `None` for anything else.
    pub fn of_content(bytes: &[u8]) -> Option<Format> {
        // An image's magic number is at byte 0; a PDF's header may follow some junk.
        if pdf::image_kind(bytes).is_some() {
            return Some(Format::Image);
        }
        let head = &bytes[..bytes.len().min(1024)];
        if head.windows(4).any(|w| w == b"%PDF") {
            return Some(Format::Pdf);
        }
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        let e_invoice = [
            "CrossIndustry",
            "urn:oasis:names:specification:ubl:schema:xsd:",
        ];
        (text.starts_with('<') && e_invoice.iter().any(|ns| text.contains(ns)))
            .then_some(Format::Xml)
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Pdf => "a PDF",
            Format::Image => "an image",
            Format::Xml => "e-invoice XML",
        }
    }
}

pub(crate) fn heic() -> ExtractError {
    ExtractError::Unsupported(
        "HEIC/HEIF photos cannot be read here (no HEIC decoder is installed): export the \
         photo as JPEG and add that"
            .into(),
    )
}

pub(crate) fn is_heic(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && [b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heif"]
            .iter()
            .any(|brand| &bytes[8..12] == *brand)
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Ignore an embedded e-invoice and read the text instead. Without it, a PDF that
    /// carries an e-invoice is answered from the e-invoice alone: its text is not read.
    pub no_embedded: bool,
    /// OCR every page, even those with a text layer.
    pub force_ocr: bool,
    /// Tesseract language(s), e.g. "eng" or "eng+deu".
    pub ocr_lang: String,
    /// How to read 05/06/2018 and 1,234 when the document's own style does not tell
    /// (default: the US style).
    pub locale: Option<crate::Locale>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error("the file is empty")]
    Empty,
    /// The file is not what its name says, and its bytes are nothing Boxkeeper reads.
    #[error("the file is not {expected}: {found}")]
    NotThatFormat {
        expected: &'static str,
        found: String,
    },
    /// An image whose header is right but whose data the decoder cannot read.
    #[error("the image is damaged or cut short ({kind} that cannot be decoded): {detail}")]
    DamagedImage { kind: &'static str, detail: String },
    /// A page image was asked of a file that has no pages (`render`): an e-invoice XML file
    /// is data only.
    #[error(
        "{what} has no page to show: it is data, not a printed page, and its fields are the \
         whole document"
    )]
    NoPageToShow { what: &'static str },
    /// A page past the document's last (`render`); `number` is 1-based, as people count.
    #[error("the document has no page {number} (it has {count})")]
    NoSuchPage { number: u32, count: u32 },
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Ocr(#[from] OcrError),
    #[error(transparent)]
    EInvoice(#[from] EInvoiceError),
    /// A panic below this boundary (pdfium's binding, tesseract's): a bug, reported on the
    /// file instead of ending the run.
    #[error("reading the document failed unexpectedly (internal error: {0})")]
    Internal(String),
}

/// A field's value, how sure the extractor is (0..=1), and where it came from: "e-invoice",
/// "page 2", "ocr page 1".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldValue {
    pub value: String,
    pub confidence: f32,
    pub source: String,
    /// Where on its page the value was read: x0, y0, x1, y1 in the page's coordinates as
    /// the reader gives them (points for a text layer, pixels at the OCR DPI for a scan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f32; 4]>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DocumentExtraction {
    pub document_type: Option<String>,
    /// How the fields were read: "e-invoice", "text" or "ocr".
    pub source: String,
    pub fields: BTreeMap<String, FieldValue>,
    pub line_items: Vec<LineItem>,
    pub problems: Vec<String>,
    /// The text that was read (pages joined), for a model to read next; empty for an
    /// e-invoice. Not printed: it can be long, and it is the document's, not a result.
    #[serde(skip)]
    pub text: String,
}

/// Extracts one document. `format` is what the file's name says; when the bytes clearly
/// are another format Boxkeeper reads, they win and a problem says so.
pub fn extract_document(
    bytes: &[u8],
    format: Format,
    opts: &Options,
) -> Result<DocumentExtraction, ExtractError> {
    extract_document_with_progress(bytes, format, opts, &|_| {})
}

/// [`extract_document`], saying what it is doing as it goes ("OCR page 2 of 5"): OCR of a
/// long scan takes a while, and the user sees how far it got.
pub fn extract_document_with_progress(
    bytes: &[u8],
    format: Format,
    opts: &Options,
    progress: &dyn Fn(&str),
) -> Result<DocumentExtraction, ExtractError> {
    let _span = tracing::info_span!("extract_document", ?format, size = bytes.len()).entered();
    match panic::catch_unwind(AssertUnwindSafe(|| {
        extract_checked(bytes, format, opts, progress)
    })) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            tracing::error!(panic = %message, "extraction panicked");
            Err(ExtractError::Internal(message))
        }
    }
}

fn extract_checked(
    bytes: &[u8],
    named: Format,
    opts: &Options,
    progress: &dyn Fn(&str),
) -> Result<DocumentExtraction, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    if is_heic(bytes) {
        return Err(heic());
    }
    let format = Format::of_content(bytes).unwrap_or(named);
    let mut renamed = None;
    if format != named {
        tracing::info!(?named, actual = ?format, "file content differs from its name");
        renamed = Some(format!(
            "the file's name says {} but it holds {}; it was read as such",
            named.describe(),
            format.describe()
        ));
    }
    let mut result = match format {
        Format::Image => extract_image(bytes, opts)?,
        Format::Xml => from_einvoice(einvoice::parse(bytes)?),
        Format::Pdf => extract_pdf(bytes, opts, progress)?,
    };
    result.problems.splice(0..0, renamed);
    Ok(result)
}

fn ocr_lang(opts: &Options) -> &str {
    if opts.ocr_lang.is_empty() {
        "eng"
    } else {
        &opts.ocr_lang
    }
}

fn extract_image(bytes: &[u8], opts: &Options) -> Result<DocumentExtraction, ExtractError> {
    let kind = pdf::image_kind(bytes).ok_or_else(|| ExtractError::NotThatFormat {
        expected: "an image Boxkeeper reads (PNG, JPEG, TIFF, BMP)",
        found: pdf::what_it_is(bytes),
    })?;
    let page = ocr::read_image(bytes, ocr_lang(opts)).map_err(|e| match e {
        OcrError::Image(detail) => ExtractError::DamagedImage { kind, detail },
        other => other.into(),
    })?;
    let text = DocumentText {
        pages: vec![PageText {
            number: 1,
            text: page.text,
            words: page.words,
        }],
    };
    Ok(from_rules(&text, "ocr", opts))
}

fn extract_pdf(
    bytes: &[u8],
    opts: &Options,
    progress: &dyn Fn(&str),
) -> Result<DocumentExtraction, ExtractError> {
    let mut embedded_problem = None;
    if !opts.no_embedded {
        match einvoice::read_pdf(bytes) {
            Ok(Some(found)) => return Ok(from_einvoice(found)),
            Ok(None) => {}
            Err(EInvoiceError::Pdf(e)) => return Err(e.into()),
            // A broken embedded XML is not fatal: the text is read instead, and the
            // document says why its values are not the e-invoice's.
            Err(other) => {
                tracing::warn!(error = %other, "embedded e-invoice unreadable");
                embedded_problem = Some(format!(
                    "an XML file is attached but could not be used: {other}; the text was read \
                     instead"
                ));
            }
        }
    }
    let engine = PdfEngine::get()?;
    let text = engine.text(bytes)?;
    let mut result = if !opts.force_ocr && text.has_text_layer() {
        from_rules(&text, "text", opts)
    } else {
        ocr_pdf(engine, bytes, &text, opts, progress)?
    };
    result.problems.extend(embedded_problem);
    Ok(result)
}

/// OCR of a PDF's pages (the first [`MAX_OCR_PAGES`]), each rendered at [`OCR_DPI`] unless
/// it is too large for that: the problems say which pages were read at a lower DPI.
fn ocr_pdf(
    engine: &PdfEngine,
    bytes: &[u8],
    text: &DocumentText,
    opts: &Options,
    progress: &dyn Fn(&str),
) -> Result<DocumentExtraction, ExtractError> {
    let sizes = engine.page_sizes(bytes)?;
    let mut problems = Vec::new();
    let mut pages = Vec::new();
    for (i, page) in text.pages.iter().take(MAX_OCR_PAGES).enumerate() {
        if let Some(&(w, h)) = sizes.get(i) {
            let dpi = pdf::fit_dpi(w, h, OCR_DPI);
            if dpi < OCR_DPI {
                problems.push(format!(
                    "page {} is {:.0} x {:.0} mm, too large to render at {OCR_DPI} dpi \
                     within {} megapixels: it was read at {dpi} dpi, so small text may be missed",
                    page.number,
                    f64::from(w) * 25.4 / 72.0,
                    f64::from(h) * 25.4 / 72.0,
                    pdf::MAX_RENDER_PIXELS / 1_000_000,
                ));
            }
        }
        progress(&format!(
            "OCR page {} of {}",
            i + 1,
            text.pages.len().min(MAX_OCR_PAGES)
        ));
        let read = ocr::read_pdf_page(bytes, i, ocr_lang(opts))?;
        pages.push(PageText {
            number: page.number,
            text: read.text,
            words: read.words,
        });
    }
    if text.pages.len() > MAX_OCR_PAGES {
        problems.push(format!(
            "only the first {MAX_OCR_PAGES} of {} pages were read by OCR",
            text.pages.len()
        ));
    }
    let mut result = from_rules(&DocumentText { pages }, "ocr", opts);
    result.problems.extend(problems);
    Ok(result)
}

/// The fields by name, leaving out those not found.
fn field_map(fields: [(&str, Option<FieldValue>); 9]) -> BTreeMap<String, FieldValue> {
    fields
        .into_iter()
        .filter_map(|(name, v)| v.map(|v| (name.to_string(), v)))
        .collect()
}

fn from_einvoice(found: EInvoice) -> DocumentExtraction {
    let f: InvoiceFields = found.fields;
    let sure = |v: Option<String>| {
        v.map(|value| FieldValue {
            value,
            confidence: 1.0,
            source: "e-invoice".into(),
            bbox: None,
        })
    };
    DocumentExtraction {
        document_type: Some(found.kind.as_str().into()),
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
        text: String::new(),
    }
}

fn from_rules(text: &DocumentText, how: &str, opts: &Options) -> DocumentExtraction {
    let got = rules::extract_with_locale(text, opts.locale.unwrap_or(crate::Locale::Us));
    let prefix = if how == "ocr" { "ocr page" } else { "page" };
    let read = |v: Option<Found>| {
        v.map(|f| FieldValue {
            source: f
                .page
                .map_or_else(|| how.to_string(), |p| format!("{prefix} {p}")),
            value: f.value,
            confidence: f.confidence,
            bbox: f.bbox,
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
        line_items: got.line_items.into_iter().map(|l| l.item).collect(),
        problems,
        text: text.full_text(),
    }
}
