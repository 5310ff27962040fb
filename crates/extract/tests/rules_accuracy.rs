//! The offline extractor on the ZUGFeRD corpus with the embedded XML ignored: text only, as
//! for any PDF invoice. Counts each distinct invoice once (by seller, number, date, total),
//! prints the accuracy per field, and fails if any field falls below the floor it reached
//! when written, so a change that makes it worse does not pass unnoticed.

mod common;
use common::*;

use std::collections::BTreeMap;

use boxkeeper_extract::normalize_amount;
use boxkeeper_extract::pdf::PdfEngine;
use boxkeeper_extract::rules::extract;
use serde_json::Value;

#[test]
fn offline_accuracy_on_the_zugferd_corpus_text() {
    use_installed_pdfium();
    let engine = PdfEngine::get().expect("pdfium");
    let dir = zugferd_dir();
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground_truth.json")).unwrap())
            .unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut right: BTreeMap<&str, usize> = BTreeMap::new();
    let mut distinct = 0;
    let mut misses = Vec::new();
    for doc in truth["documents"].as_array().unwrap() {
        let s = |k: &str| doc[k].as_str().unwrap_or("").to_string();
        if !seen.insert((
            fold(&s("seller_name")),
            s("invoice_number"),
            s("issue_date"),
            s("grand_total"),
        )) {
            continue;
        }
        distinct += 1;
        let text = engine
            .text(&std::fs::read(dir.join(s("file"))).unwrap())
            .unwrap();
        let got = extract(&text);
        let v = |f: &Option<boxkeeper_extract::rules::Found>| f.as_ref().map(|f| f.value.clone());
        let amount = |k: &str| normalize_amount(&s(k));
        let checks: [(&str, bool); 7] = [
            (
                "invoice_number",
                v(&got.invoice_number) == Some(s("invoice_number")),
            ),
            (
                "invoice_date",
                v(&got.invoice_date) == Some(s("issue_date")),
            ),
            ("currency", v(&got.currency) == Some(s("currency"))),
            ("total", v(&got.total) == amount("grand_total")),
            ("subtotal", v(&got.subtotal) == amount("tax_basis_total")),
            ("tax", v(&got.tax) == amount("tax_total")),
            (
                "vendor_name",
                v(&got.vendor_name)
                    .map(|x| fold(&x))
                    .is_some_and(|x| x.contains(&fold(&s("seller_name")))),
            ),
        ];
        for (field, ok) in checks {
            *right.entry(field).or_default() += usize::from(ok);
            if !ok {
                misses.push(format!("{}: {field}", s("file")));
            }
        }
    }
    println!("offline extractor, {distinct} distinct invoices, text only:");
    for (field, n) in &right {
        println!("  {field:<15} {n:>2}/{distinct}");
    }
    println!("misses:\n  {}", misses.join("\n  "));
    assert_eq!(distinct, 19);
    // Floors: what the extractor reached when this test was written.
    let floor = |field: &str| -> usize {
        match field {
            "currency" => 17,
            "invoice_date" => 16,
            "invoice_number" => 16,
            "subtotal" => 17,
            "tax" => 14,
            "total" => 15,
            "vendor_name" => 12,
            other => panic!("no floor for {other}"),
        }
    };
    for (field, n) in &right {
        assert!(
            *n >= floor(field),
            "{field}: {n}/{distinct}, below its floor {}",
            floor(field)
        );
    }
}
