//! Document extraction. This crate owns turning a document's bytes into invoice fields: the
//! PDF engine (pdfium, bound at run time from the libpdfium.so that `make` installs, so a
//! missing library is an error with instructions rather than a crash), the embedded
//! e-invoice reader (Factur-X / ZUGFeRD / XRechnung in CII syntax: when a PDF carries its
//! invoice as XML, that XML is the answer, with full confidence), and the field types the
//! rest of the app stores. Text extraction, OCR and the rule-based and LLM extractors
//! (issue 4) build on these.

pub mod document;
pub mod einvoice;
mod fields;
pub mod merge;
pub mod ocr;
pub mod pdf;
pub mod rules;
mod values;

pub use fields::{normalize_amount, InvoiceFields, LineItem};
pub use values::{add_days, find_date, parse_amount, Locale};
