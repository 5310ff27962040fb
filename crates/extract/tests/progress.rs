//! Long work says how far it got: a PDF without a text layer is read by OCR page by page,
//! and each page is announced before it is read.

mod common;
use common::*;

#[path = "fixtures/minimal_pdf.rs"]
mod minimal_pdf;

use std::sync::Mutex;

use boxkeeper_extract::document::{extract_document_with_progress, Format, Options};
use minimal_pdf::{pdf, Page};

#[test]
fn ocr_reports_each_page() {
    use_installed_pdfium();
    // Pages without text: nothing for the text layer, so every page goes to OCR.
    let blank = || Page {
        width: 200.0,
        height: 100.0,
        lines: Vec::new(),
    };
    let bytes = pdf(&[blank(), blank(), blank()], &[]);
    let seen = Mutex::new(Vec::new());
    let read = extract_document_with_progress(&bytes, Format::Pdf, &Options::default(), &|p| {
        seen.lock().unwrap().push(p.to_string())
    })
    .unwrap();
    assert_eq!(read.source, "ocr");
    assert_eq!(
        seen.into_inner().unwrap(),
        ["OCR page 1 of 3", "OCR page 2 of 3", "OCR page 3 of 3"]
    );
}
