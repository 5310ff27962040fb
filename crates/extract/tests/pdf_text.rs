//! The text layer of real PDFs: the ZUGFeRD corpus guarantees that each invoice's number and
//! seller appear in its page text, so pdfium must find them there, with word boxes.

mod common;
use common::*;

use boxkeeper_extract::pdf::PdfEngine;
use serde_json::Value;

fn engine() -> &'static PdfEngine {
    use_installed_pdfium();
    PdfEngine::get().expect("pdfium (make pdfium)")
}

#[test]
fn corpus_text_holds_each_invoice_number_and_seller_with_boxes() {
    let engine = engine();
    let dir = zugferd_dir();
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground_truth.json")).unwrap())
            .unwrap();
    let mut missing = Vec::new();
    for doc in truth["documents"].as_array().unwrap() {
        let file = doc["file"].as_str().unwrap();
        let text = engine
            .text(&std::fs::read(dir.join(file)).unwrap())
            .unwrap();
        assert!(text.has_text_layer(), "{file}");
        let full = fold(&text.full_text());
        for key in ["invoice_number", "seller_name"] {
            let want = fold(doc[key].as_str().unwrap());
            if !full.contains(&want) {
                missing.push(format!("{file}: {key} {want:?}"));
            }
        }
        // The invoice number is a word on some page, with a box inside the page.
        let number = doc["invoice_number"].as_str().unwrap();
        let word = text
            .pages
            .iter()
            .flat_map(|p| &p.words)
            .find(|w| w.text.contains(number));
        match word {
            Some(w) => assert!(
                w.bbox.iter().all(|v| (0.0..=1.0).contains(v))
                    && w.bbox[0] < w.bbox[2]
                    && w.bbox[1] < w.bbox[3],
                "{file}: bad box {:?}",
                w.bbox
            ),
            None => missing.push(format!("{file}: no word holds {number}")),
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_demo_w9_has_a_text_layer_and_garbage_is_an_error() {
    let engine = engine();
    let w9 = std::fs::read(repo().join(
        "demo/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23 Jane Smith W9.pdf",
    ))
    .unwrap();
    let text = engine.text(&w9).unwrap();
    assert!(text.has_text_layer());
    assert!(text
        .full_text()
        .contains("Request for Taxpayer Identification Number"));
    assert!(engine.text(b"not a pdf").is_err());
}
