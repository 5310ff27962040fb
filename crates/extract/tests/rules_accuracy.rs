//! The offline extractor on the ZUGFeRD corpus with the embedded XML ignored: text only, as
//! for any PDF invoice. Counts each distinct invoice once (by seller, number, date, total),
//! prints the accuracy per field and of the line items, and fails if any falls below the
//! floor it reached when last improved, so a change that makes it worse does not pass
//! unnoticed.

mod common;
use common::*;

use std::collections::BTreeMap;

use boxkeeper_extract::normalize_amount;
use boxkeeper_extract::pdf::PdfEngine;
use boxkeeper_extract::rules::{extract, Found};
use serde_json::Value;

/// The seller's name without identifiers the XML puts in front of it: one invoice's
/// BT-27 is "GLN 4333741000005 Lief-Nr: 549910 MUSTERLIEFERANT GMBH", whose page prints
/// the GLN and supplier number on their own lines above the name.
fn seller_name(truth: &str) -> String {
    let words: Vec<&str> = truth.split_whitespace().collect();
    let start = words
        .iter()
        .rposition(|w| w.chars().any(|c| c.is_ascii_digit()))
        .filter(|p| p + 1 < words.len())
        .map_or(0, |p| p + 1);
    fold(&words[start..].join(" "))
}

/// Quantities compare as numbers written without trailing zeros ("1.0000" is "1").
fn number(text: &str) -> String {
    let t = text.trim();
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t.to_string()
    }
}

/// Line items whose description names the item, when last improved.
const NAMED_FLOOR: usize = 21;

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
    let (mut lines_expected, mut lines_amount, mut lines_full, mut lines_extra) = (0, 0, 0, 0);
    let mut lines_named = 0;
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
        let v = |f: &Option<Found>| f.as_ref().map(|f| f.value.clone());
        let amount = |k: &str| normalize_amount(&s(k));
        let checks: [(&str, Option<String>, Option<String>, bool); 7] = [
            (
                "invoice_number",
                Some(s("invoice_number")),
                v(&got.invoice_number),
                v(&got.invoice_number) == Some(s("invoice_number")),
            ),
            (
                "invoice_date",
                Some(s("issue_date")),
                v(&got.invoice_date),
                v(&got.invoice_date) == Some(s("issue_date")),
            ),
            (
                "currency",
                Some(s("currency")),
                v(&got.currency),
                v(&got.currency) == Some(s("currency")),
            ),
            (
                "total",
                amount("grand_total"),
                v(&got.total),
                v(&got.total) == amount("grand_total"),
            ),
            (
                "subtotal",
                amount("tax_basis_total"),
                v(&got.subtotal),
                v(&got.subtotal) == amount("tax_basis_total"),
            ),
            (
                "tax",
                amount("tax_total"),
                v(&got.tax),
                v(&got.tax) == amount("tax_total"),
            ),
            (
                "vendor_name",
                Some(s("seller_name")),
                v(&got.vendor_name),
                v(&got.vendor_name)
                    .map(|x| fold(&x))
                    .is_some_and(|x| x.contains(&seller_name(&s("seller_name")))),
            ),
        ];
        for (field, want, have, ok) in checks {
            *right.entry(field).or_default() += usize::from(ok);
            if !ok {
                misses.push(format!(
                    "{}: {field}: want {want:?}, got {have:?}",
                    s("file")
                ));
            }
        }
        // Line items: an expected line is found when an extracted line has its amount; fully
        // when the quantity and unit price agree too.
        let mut unused: Vec<_> = got.line_items.iter().map(|l| &l.item).collect();
        for line in doc["line_items"].as_array().into_iter().flatten() {
            let ls = |k: &str| line[k].as_str().unwrap_or("").to_string();
            lines_expected += 1;
            let want = normalize_amount(&ls("line_total"));
            let Some(pos) = unused.iter().position(|i| i.amount == want) else {
                continue;
            };
            let item = unused.remove(pos);
            lines_amount += 1;
            let same = |a: &Option<String>, b: &str| a.as_deref().map(number) == Some(number(b));
            if same(&item.quantity, &ls("quantity"))
                && same(&item.unit_price, &ls("net_unit_price"))
            {
                lines_full += 1;
            }
            // Named: the description shares the item name's first word.
            let first = fold(&ls("name"))
                .split(' ')
                .next()
                .unwrap_or("")
                .to_string();
            if item
                .description
                .as_deref()
                .is_some_and(|d| !first.is_empty() && fold(d).contains(&first))
            {
                lines_named += 1;
            }
        }
        lines_extra += unused.len();
    }
    println!("offline extractor, {distinct} distinct invoices, text only:");
    for (field, n) in &right {
        println!("  {field:<15} {n:>2}/{distinct}");
    }
    println!(
        "  line items: {lines_amount}/{lines_expected} found by amount, {lines_full} with \
         quantity and unit price, {lines_named} named; {lines_extra} extra rows taken for items"
    );
    println!("misses:\n  {}", misses.join("\n  "));
    assert_eq!(distinct, 19);
    // Floors: what the extractor reached when it was last improved.
    let floor = |field: &str| -> usize {
        match field {
            "currency" => 19,
            "invoice_date" => 19,
            "invoice_number" => 19,
            "subtotal" => 19,
            "tax" => 19,
            "total" => 19,
            "vendor_name" => 18,
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
    assert!(
        lines_amount >= 32,
        "line items found: {lines_amount}, floor 32"
    );
    assert!(
        lines_full >= 29,
        "line items complete: {lines_full}, floor 29"
    );
    assert!(
        lines_named >= NAMED_FLOOR,
        "line items named: {lines_named}, floor {NAMED_FLOOR}"
    );
}
