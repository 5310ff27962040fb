//! Document extraction. This crate owns turning a document's bytes into invoice fields, with
//! no network and no model: the PDF engine (pdfium, bound at run time from the libpdfium.so
//! that `make` installs, so a missing library is an error with instructions rather than a
//! crash; page text with word boxes; renders capped by a pixel budget), the e-invoice reader
//! (CII: Factur-X / ZUGFeRD / XRechnung CII; UBL 2.1: XRechnung UBL / Peppol, embedded in a
//! PDF or as a standalone .xml file: the XML is the answer, with full confidence), OCR with
//! tesseract for scans and photos, the offline rule-based extractor (EN/DE/FR/NL labels, US
//! and European amounts and dates, line items, the sum checks), `document` (one file start
//! to finish, with a specific error for each way a file can be broken) and `merge` (the
//! better-supported value per field when several readers answered, e.g. with an LLM's).

pub mod document;
pub mod einvoice;
mod fields;
pub mod merge;
pub mod ocr;
pub mod pdf;
pub mod render;
pub mod rules;
mod values;

pub use fields::{normalize_amount, InvoiceFields, LineItem};
pub use render::{page_count, render_page, RenderedPage};
pub use values::{add_days, find_date, parse_amount, Locale};
