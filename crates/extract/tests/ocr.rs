//! OCR on real documents: a corpus invoice rendered as a scan would be, and the demo's
//! receipt photo.

mod common;
use common::*;

use boxkeeper_extract::ocr::{self, OcrError};

#[test]
fn a_rendered_invoice_page_reads_back_its_number() {
    use_installed_pdfium();
    let pdf = std::fs::read(repo().join(
        "demo/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23 Jane Smith W9.pdf",
    ))
    .unwrap();
    let page = ocr::read_pdf_page(&pdf, 0, "eng").unwrap();
    let text = fold(&page.text);
    assert!(
        text.contains("request for taxpayer identification number"),
        "{text}"
    );
    assert!(text.contains("jane smith"), "{text}");
    assert!(page.confidence > 60, "confidence {}", page.confidence);
    let w = page
        .words
        .iter()
        .find(|w| w.text == "Smith")
        .expect("a word with its box");
    assert!(
        w.bbox.iter().all(|v| (0.0..=1.0).contains(v)) && w.bbox[0] < w.bbox[2],
        "{:?}",
        w.bbox
    );
}

#[test]
fn the_demo_receipt_photo_is_read() {
    let png = std::fs::read(repo().join(
        "demo/2417_Orbit Launch/1. Purchase Orders/2417_05 AMEX 8738/2417_05_01 Blue Bottle Coffee Receipt.png",
    ))
    .unwrap();
    let page = ocr::read_image(&png, "eng").unwrap();
    let text = fold(&page.text);
    // invoice2data's ground truth for this image: amount 319.0, date 2015-10-20 (printed
    // 20-10-2015). The issuer is a logo, not text, so OCR cannot be asked for it.
    assert!(text.contains("grand total = 319.00"), "{text}");
    assert!(text.contains("invoice date: 20-10-2015"), "{text}");
}

#[test]
fn bad_input_gets_a_clear_error() {
    match ocr::read_image(b"GIF89a not an image we read", "eng") {
        Err(OcrError::Image(_)) => {}
        other => panic!("{other:?}"),
    }
    match ocr::read_image(b"\x89PNG", "xx-not-a-language") {
        Err(OcrError::Init { lang, .. }) => assert_eq!(lang, "xx-not-a-language"),
        other => panic!("{other:?}"),
    }
}
