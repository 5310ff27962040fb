//! TIFF and BMP images go through OCR like PNG and JPEG: two small fixtures cut from a
//! corpus page render (invoice2data's SammyMaystoneLinesTest.png, see fixtures/README.md)
//! must yield the dates printed on them ("Date: Jan 1, 2022", "Due Date: Jan 31, 2022").

mod common;
use common::*;

use boxkeeper_extract::document::{extract_document, DocumentExtraction, Format, Options};

fn read(name: &str) -> DocumentExtraction {
    use_installed_pdfium();
    let bytes = std::fs::read(repo().join("crates/extract/tests/fixtures").join(name)).unwrap();
    let format = Format::of_name(name).unwrap();
    assert_eq!(format, Format::Image);
    extract_document(&bytes, format, &Options::default()).unwrap()
}

fn value(got: &DocumentExtraction, field: &str) -> Option<String> {
    got.fields.get(field).map(|f| f.value.clone())
}

#[test]
fn a_group4_tiff_is_read_by_ocr() {
    let got = read("sammy-header.tif");
    assert_eq!(got.source, "ocr");
    assert_eq!(value(&got, "invoice_date").as_deref(), Some("2022-01-01"));
    assert_eq!(value(&got, "due_date").as_deref(), Some("2022-01-31"));
    assert_eq!(value(&got, "total").as_deref(), Some("127.50"));
    assert_eq!(got.fields["invoice_date"].source, "ocr page 1");
}

#[test]
fn a_one_bit_bmp_is_read_by_ocr() {
    let got = read("sammy-number.bmp");
    assert_eq!(got.source, "ocr");
    assert_eq!(value(&got, "invoice_date").as_deref(), Some("2022-01-01"));
    assert_eq!(value(&got, "due_date").as_deref(), Some("2022-01-31"));
}
