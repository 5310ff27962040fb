//! The offline extractor on invoice2data's test corpus (11 PDFs and one text file; the PNG
//! renders are OCR inputs and left to the OCR tests). Its expected outputs are invoice2data's
//! own, from per-vendor templates: `issuer` is sometimes the template's name ("OYO" for
//! Oravel Stays, "Flipkart" for WS Retail Services), so the vendor counts when either name
//! contains the other as whole words. Prints the accuracy per field (over the documents that
//! have the field) and fails below the floor reached when last improved.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::path::PathBuf;

use boxkeeper_extract::pdf::{DocumentText, PageText, PdfEngine};
use boxkeeper_extract::rules::{extract, Found};
use serde_json::Value;

fn corpus() -> PathBuf {
    zugferd_dir().join("../invoice2data")
}

/// Lower-case words of letters and digits: "Coolblue B.V." -> ["coolblue", "b", "v"].
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn contains_words(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// invoice2data writes amounts as JSON numbers (4.11, 1939.0): two decimals, on the digits.
fn money(v: &Value) -> Option<String> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    boxkeeper_extract::normalize_amount(&text)
}

#[test]
fn offline_accuracy_on_the_invoice2data_corpus() {
    use_installed_pdfium();
    let engine = PdfEngine::get().expect("pdfium");
    let dir = corpus();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    // field -> (right, documents with the field)
    let mut score: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut documents = 0;
    for json in names {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let expected = match &expected {
            Value::Array(a) => a[0].clone(),
            other => other.clone(),
        };
        let pdf = json.with_extension("pdf");
        let txt = json.with_extension("txt");
        let text = if pdf.exists() {
            engine.text(&std::fs::read(&pdf).unwrap()).unwrap()
        } else if txt.exists() {
            DocumentText {
                pages: vec![PageText {
                    number: 1,
                    text: std::fs::read_to_string(&txt).unwrap(),
                    words: Vec::new(),
                }],
            }
        } else {
            continue;
        };
        documents += 1;
        let got = extract(&text);
        let v = |f: &Option<Found>| f.as_ref().map(|f| f.value.clone());
        let e = |k: &str| expected.get(k).filter(|v| !v.is_null());
        let es = |k: &str| e(k).and_then(|v| v.as_str()).map(str::to_string);
        let name = json.file_stem().unwrap().to_string_lossy().to_string();
        let mut check =
            |field: &'static str, want: Option<String>, have: Option<String>, ok: bool| {
                let Some(want) = want else { return };
                let entry = score.entry(field).or_default();
                entry.1 += 1;
                if ok {
                    entry.0 += 1;
                } else {
                    misses.push(format!("{name}: {field}: want {want:?}, got {have:?}"));
                }
            };
        let number = |s: &str| s.trim().trim_start_matches('#').to_string();
        check(
            "invoice_number",
            es("invoice_number"),
            v(&got.invoice_number),
            v(&got.invoice_number).map(|x| number(&x)) == es("invoice_number").map(|x| number(&x)),
        );
        check(
            "invoice_date",
            es("date"),
            v(&got.invoice_date),
            v(&got.invoice_date) == es("date"),
        );
        check(
            "due_date",
            es("date_due"),
            v(&got.due_date),
            v(&got.due_date) == es("date_due"),
        );
        check(
            "currency",
            es("currency"),
            v(&got.currency),
            v(&got.currency) == es("currency"),
        );
        let amount = |k: &str| e(k).and_then(money);
        check(
            "total",
            amount("amount"),
            v(&got.total),
            v(&got.total) == amount("amount"),
        );
        check(
            "subtotal",
            amount("amount_untaxed"),
            v(&got.subtotal),
            v(&got.subtotal) == amount("amount_untaxed"),
        );
        check(
            "tax",
            amount("amount_tax"),
            v(&got.tax),
            v(&got.tax) == amount("amount_tax"),
        );
        let issuer = es("issuer").unwrap_or_default();
        let vendor_ok = v(&got.vendor_name).is_some_and(|x| {
            let (a, b) = (words(&x), words(&issuer));
            contains_words(&a, &b) || contains_words(&b, &a)
        });
        check("vendor_name", es("issuer"), v(&got.vendor_name), vendor_ok);
    }
    println!(
        "offline extractor on invoice2data, {documents} documents (right / having the field):"
    );
    for (field, (right, of)) in &score {
        println!("  {field:<15} {right:>2}/{of}");
    }
    println!("misses:\n  {}", misses.join("\n  "));
    assert_eq!(documents, 12);
    let floor = |field: &str| -> usize {
        match field {
            "currency" => 12,
            "due_date" => 3,
            "invoice_date" => 12,
            "invoice_number" => 9,
            "subtotal" => 7,
            "tax" => 2,
            "total" => 10,
            "vendor_name" => 7,
            other => panic!("no floor for {other}"),
        }
    };
    for (field, (right, of)) in &score {
        assert!(
            *right >= floor(field),
            "{field}: {right}/{of}, below its floor {}",
            floor(field)
        );
    }
}
