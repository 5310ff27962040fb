//! Scans of a real corpus invoice: the image-only PDF has pages but no text, renders back to
//! the scan's picture, and its pages are sized like the original's.

use std::path::PathBuf;

use boxkeeper_extract::pdf::PdfEngine;
use boxkeeper_scans::{image_pdf, scan_document, ScanOptions};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus_pdf(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("BOXKEEPER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    std::fs::read(dir.join("corpus/zugferd/pdf").join(name)).expect("the shared corpus")
}

#[test]
fn an_image_only_pdf_has_the_pages_and_no_text() {
    if std::env::var_os("BOXKEEPER_PDFIUM_DIR").is_none() {
        std::env::set_var("BOXKEEPER_PDFIUM_DIR", repo().join(".tools/pdfium"));
    }
    let original = corpus_pdf("ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_OEPNV.pdf");
    let engine = PdfEngine::get().unwrap();
    let text = engine.text(&original).unwrap();
    assert!(text.has_text_layer());

    let opts = ScanOptions {
        dpi: 100,
        ..ScanOptions::default()
    };
    let pages = scan_document(&original, "OEPNV", &opts).unwrap();
    assert_eq!(pages.len(), text.pages.len());
    assert_eq!(pages, scan_document(&original, "OEPNV", &opts).unwrap());
    // A4 at 100 dpi.
    assert!(
        (825..=830).contains(&pages[0].image.width),
        "{}",
        pages[0].image.width
    );

    let scanned = image_pdf(&pages, 80).unwrap();
    let back = engine.text(&scanned).unwrap();
    assert_eq!(back.pages.len(), pages.len());
    assert!(!back.has_text_layer(), "{:?}", back.full_text());
    let rendered = engine.render_gray(&scanned, 0, 100).unwrap();
    assert_eq!(
        (rendered.width, rendered.height),
        (pages[0].image.width, pages[0].image.height)
    );
    // The same picture, up to JPEG's losses: mean absolute difference of a few gray levels.
    let diff: u64 = rendered
        .pixels
        .iter()
        .zip(&pages[0].image.pixels)
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    let mean = diff as f64 / rendered.pixels.len() as f64;
    assert!(mean < 8.0, "mean difference {mean}");
    // And not a blank page: the scan has ink.
    assert!(rendered.pixels.iter().filter(|p| **p < 100).count() > 1000);
}
