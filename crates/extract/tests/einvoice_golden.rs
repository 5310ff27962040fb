//! Golden test: every PDF of the ZUGFeRD corpus (../shared/corpus/zugferd) read through its
//! embedded XML, compared field by field with the ground truth.

mod common;
use common::*;

use boxkeeper_extract::einvoice::{self, EInvoiceError};
use boxkeeper_extract::normalize_amount;
use boxkeeper_extract::pdf::PdfError;
use serde_json::Value;

/// "8.4100" and "8.41" are the same number.
fn same_decimal(a: Option<&str>, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim();
        let (i, f) = s.split_once('.').unwrap_or((s, ""));
        let f = f.trim_end_matches('0');
        let i = i.trim_start_matches('0');
        format!("{}.{}", if i.is_empty() { "0" } else { i }, f)
    };
    a.is_some_and(|a| norm(a) == norm(b))
}

#[test]
fn every_corpus_invoice_matches_its_ground_truth() {
    use_installed_pdfium();
    let dir = zugferd_dir();
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground_truth.json")).unwrap())
            .unwrap();
    let docs = truth["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 48);
    let mut problems = Vec::new();
    let mut checked = 0;
    for doc in docs {
        let file = doc["file"].as_str().unwrap();
        let pdf = std::fs::read(dir.join(file)).unwrap();
        let fields = match einvoice::from_pdf(&pdf) {
            Ok(Some(f)) => f,
            other => {
                problems.push(format!("{file}: {other:?}"));
                continue;
            }
        };
        let mut check = |name: &str, ok: bool, got: &dyn std::fmt::Debug, want: &Value| {
            checked += 1;
            if !ok {
                problems.push(format!("{file}: {name}: got {got:?}, want {want}"));
            }
        };
        let s = |k: &str| doc[k].as_str();
        check(
            "invoice_number",
            fields.invoice_number.as_deref() == s("invoice_number"),
            &fields.invoice_number,
            &doc["invoice_number"],
        );
        check(
            "invoice_date",
            fields.invoice_date.as_deref() == s("issue_date"),
            &fields.invoice_date,
            &doc["issue_date"],
        );
        check(
            "currency",
            fields.currency.as_deref() == s("currency"),
            &fields.currency,
            &doc["currency"],
        );
        check(
            "vendor_name",
            fields.vendor_name.as_deref().map(fold) == s("seller_name").map(fold),
            &fields.vendor_name,
            &doc["seller_name"],
        );
        for (ours, theirs) in [
            (&fields.subtotal, "tax_basis_total"),
            (&fields.tax, "tax_total"),
            (&fields.total, "grand_total"),
        ] {
            let want = s(theirs).and_then(normalize_amount);
            check(
                theirs,
                ours.as_deref() == want.as_deref(),
                ours,
                &doc[theirs],
            );
        }
        if let Some(due) = s("due_date") {
            check(
                "due_date",
                fields.due_date.as_deref() == Some(due),
                &fields.due_date,
                &doc["due_date"],
            );
        }
        if let Some(po) = s("order_reference") {
            check(
                "po_number",
                fields.po_number.as_deref() == Some(po),
                &fields.po_number,
                &doc["order_reference"],
            );
        }
        let lines = doc["line_items"].as_array().unwrap();
        check(
            "line count",
            fields.line_items.len() == lines.len(),
            &fields.line_items.len(),
            &Value::from(lines.len()),
        );
        for (ours, theirs) in fields.line_items.iter().zip(lines) {
            // A null in the ground truth means the XML has no such value: ours must be
            // absent too.
            let t = |k: &str| theirs[k].as_str();
            let decimal = |ours: Option<&str>, k: &str| match t(k) {
                Some(want) => same_decimal(ours, want),
                None => ours.is_none(),
            };
            check(
                "line name",
                ours.description.as_deref().map(fold) == t("name").map(fold),
                &ours.description,
                &theirs["name"],
            );
            check(
                "line quantity",
                decimal(ours.quantity.as_deref(), "quantity"),
                &ours.quantity,
                &theirs["quantity"],
            );
            check(
                "line unit price",
                decimal(ours.unit_price.as_deref(), "net_unit_price"),
                &ours.unit_price,
                &theirs["net_unit_price"],
            );
            check(
                "line total",
                ours.amount.as_deref() == t("line_total").and_then(normalize_amount).as_deref(),
                &ours.amount,
                &theirs["line_total"],
            );
        }
    }
    println!("{checked} values checked over {} invoices", docs.len());
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_pdf_without_an_embedded_invoice_is_none_and_garbage_is_an_error() {
    use_installed_pdfium();
    let plain = std::fs::read(repo().join(
        "demo/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23 Jane Smith W9.pdf",
    ))
    .unwrap();
    assert_eq!(einvoice::from_pdf(&plain).unwrap(), None);
    match einvoice::from_pdf(b"%PDF-1.4 this is not really a pdf") {
        Err(EInvoiceError::Pdf(PdfError::Damaged(_))) => {}
        other => panic!("expected Damaged, got {other:?}"),
    }
}

#[test]
fn xml_that_is_not_cii_is_named() {
    assert_eq!(
        einvoice::parse_cii(
            "<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>"
        ),
        Err(EInvoiceError::NotCii("Invoice".into()))
    );
    assert!(matches!(
        einvoice::parse_cii("<unclosed"),
        Err(EInvoiceError::Xml(_))
    ));
}
