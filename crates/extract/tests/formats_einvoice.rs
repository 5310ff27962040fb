//! UBL e-invoices (XRechnung UBL, Peppol): hand-written UBL 2.1 invoice and credit note
//! fixtures read directly, as standalone .xml files and embedded in a PDF, and the one real
//! UBL-carrying PDF of the corpus (invoice2data's AzureInterior.pdf, made by Odoo) against
//! its expected output. Also: a PDF with both an e-invoice and a text layer answers from the
//! e-invoice, every field at confidence 1.0, unless `no_embedded` asks for the text.

mod common;
use common::*;

#[path = "fixtures/minimal_pdf.rs"]
mod minimal_pdf;

use boxkeeper_extract::document::{extract_document, ExtractError, Format, Options};
use boxkeeper_extract::einvoice::{self, DocumentKind, EInvoiceError, Syntax};
use boxkeeper_extract::LineItem;
use minimal_pdf::{pdf, Page};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("crates/extract/tests/fixtures").join(name)).unwrap()
}

fn line(description: &str, quantity: &str, unit_price: &str, amount: &str) -> LineItem {
    LineItem {
        description: Some(description.into()),
        quantity: Some(quantity.into()),
        unit_price: Some(unit_price.into()),
        amount: Some(amount.into()),
    }
}

#[test]
fn a_ubl_invoice_gives_every_field() {
    let got = einvoice::parse(&fixture("ubl-invoice.xml")).unwrap();
    assert_eq!(got.syntax, Syntax::Ubl);
    assert_eq!(got.kind, DocumentKind::Invoice);
    let f = got.fields;
    // The legal name (BT-27), not the trading name.
    assert_eq!(f.vendor_name.as_deref(), Some("Nordlicht Druck GmbH"));
    assert_eq!(f.invoice_number.as_deref(), Some("RE-2024-0815"));
    assert_eq!(f.invoice_date.as_deref(), Some("2024-03-14"));
    assert_eq!(f.due_date.as_deref(), Some("2024-04-13"));
    assert_eq!(f.currency.as_deref(), Some("EUR"));
    assert_eq!(f.subtotal.as_deref(), Some("985.00"));
    // The EUR tax total, not the SEK one listed first.
    assert_eq!(f.tax.as_deref(), Some("187.15"));
    // The total with tax (BT-112), not the amount due after the prepayment.
    assert_eq!(f.total.as_deref(), Some("1172.15"));
    assert_eq!(f.po_number.as_deref(), Some("PO-7781"));
    assert_eq!(
        f.line_items,
        vec![
            line("Flyer A5, 4/4-farbig", "500", "1.25", "625.00"),
            line("Satz und Gestaltung", "4.5", "80", "360.00"),
        ]
    );
}

#[test]
fn a_ubl_credit_note_is_a_credit_note() {
    let got = einvoice::parse(&fixture("ubl-credit-note.xml")).unwrap();
    assert_eq!(got.syntax, Syntax::Ubl);
    assert_eq!(got.kind, DocumentKind::CreditNote);
    let f = got.fields;
    // Only a trading name is given: it stands in for the legal name.
    assert_eq!(f.vendor_name.as_deref(), Some("Nordlicht Druck"));
    assert_eq!(f.invoice_number.as_deref(), Some("CN-2024-007"));
    // "2024-05-02Z": the zone is dropped.
    assert_eq!(f.invoice_date.as_deref(), Some("2024-05-02"));
    // On the payment means, as credit notes have no DueDate of their own.
    assert_eq!(f.due_date.as_deref(), Some("2024-05-16"));
    assert_eq!(f.subtotal.as_deref(), Some("125.00"));
    assert_eq!(f.tax.as_deref(), Some("23.75"));
    assert_eq!(f.total.as_deref(), Some("148.75"));
    assert_eq!(f.po_number.as_deref(), Some("PO-7781"));
    assert_eq!(
        f.line_items,
        vec![line(
            "Flyer A5, 4/4-farbig (Fehldruck)",
            "100",
            "1.25",
            "125.00"
        )]
    );
}

#[test]
fn an_invoice_with_type_code_381_is_a_credit_note() {
    let xml = String::from_utf8(fixture("ubl-invoice.xml"))
        .unwrap()
        .replace("<cbc:InvoiceTypeCode>380<", "<cbc:InvoiceTypeCode>381<");
    assert_eq!(
        einvoice::parse(xml.as_bytes()).unwrap().kind,
        DocumentKind::CreditNote
    );
}

#[test]
fn an_invoice_root_outside_the_ubl_namespace_is_not_an_e_invoice() {
    assert_eq!(
        einvoice::parse(b"<Invoice><ID>1</ID></Invoice>"),
        Err(EInvoiceError::NotEInvoice("Invoice".into()))
    );
    assert_eq!(
        einvoice::parse(b"<html><body/></html>")
            .unwrap_err()
            .to_string(),
        "the XML is not an e-invoice (root element html; expected a CII CrossIndustryInvoice \
         or a UBL Invoice or CreditNote)"
    );
}

#[test]
fn a_standalone_xml_e_invoice_is_read_as_one() {
    let format = Format::of_name("RE-2024-0815.xml").unwrap();
    assert_eq!(format, Format::Xml);
    let got = extract_document(&fixture("ubl-invoice.xml"), format, &Options::default()).unwrap();
    assert_eq!(got.source, "e-invoice");
    assert_eq!(got.document_type.as_deref(), Some("INVOICE"));
    assert_eq!(got.fields["total"].value, "1172.15");
    assert_eq!(got.line_items.len(), 2);
    assert!(got.problems.is_empty(), "{:?}", got.problems);

    let credit = extract_document(
        &fixture("ubl-credit-note.xml"),
        Format::Xml,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(credit.document_type.as_deref(), Some("CREDIT_NOTE"));

    // XML that is no invoice is an error that says what it is.
    match extract_document(
        b"<?xml version='1.0'?><catalog/>",
        Format::Xml,
        &Options::default(),
    ) {
        Err(ExtractError::EInvoice(EInvoiceError::NotEInvoice(root))) => {
            assert_eq!(root, "catalog")
        }
        other => panic!("{other:?}"),
    }
}

/// The page text a PDF shows for the UBL fixture: different enough from the XML that the
/// test can tell which one answered.
fn ubl_pdf(xml_name: &str, xml: &[u8]) -> Vec<u8> {
    pdf(
        &[Page::a4(&[
            "Nordlicht Druck GmbH",
            "Hafenstrasse 12, 20457 Hamburg",
            "RECHNUNG",
            "Rechnungsnummer: RE-2024-0815",
            "Rechnungsdatum: 14.03.2024",
            "Nettobetrag: 985,00 EUR",
            "USt 19%: 187,15 EUR",
            "Gesamtbetrag: 1.172,15 EUR",
        ])],
        &[(xml_name, xml)],
    )
}

#[test]
fn a_pdf_with_an_embedded_ubl_invoice_answers_from_it_with_full_confidence() {
    use_installed_pdfium();
    let doc = ubl_pdf("xrechnung.xml", &fixture("ubl-invoice.xml"));
    let got = extract_document(&doc, Format::Pdf, &Options::default()).unwrap();
    assert_eq!(got.source, "e-invoice");
    assert_eq!(got.document_type.as_deref(), Some("INVOICE"));
    assert_eq!(got.fields.len(), 9, "{:?}", got.fields.keys());
    for (name, value) in &got.fields {
        assert_eq!(value.confidence, 1.0, "{name}");
        assert_eq!(value.source, "e-invoice", "{name}");
    }
    assert_eq!(got.fields["vendor_name"].value, "Nordlicht Druck GmbH");
    assert_eq!(got.fields["invoice_date"].value, "2024-03-14");
    assert_eq!(got.line_items.len(), 2);

    // Asked to ignore the e-invoice, the same PDF is read from its text.
    let text = extract_document(
        &doc,
        Format::Pdf,
        &Options {
            no_embedded: true,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(text.source, "text");
    assert!(
        text.fields.values().all(|v| v.source != "e-invoice"),
        "{:?}",
        text.fields
    );
    assert!(text.line_items.is_empty());
}

#[test]
fn a_pdf_with_an_embedded_ubl_credit_note_is_a_credit_note() {
    use_installed_pdfium();
    let doc = ubl_pdf("ubl.xml", &fixture("ubl-credit-note.xml"));
    let got = extract_document(&doc, Format::Pdf, &Options::default()).unwrap();
    assert_eq!(got.source, "e-invoice");
    assert_eq!(got.document_type.as_deref(), Some("CREDIT_NOTE"));
    assert_eq!(got.fields["invoice_number"].value, "CN-2024-007");
}

#[test]
fn an_unrelated_xml_attachment_does_not_hide_the_e_invoice() {
    use_installed_pdfium();
    let doc = pdf(
        &[Page::a4(&["Invoice RE-2024-0815"])],
        &[
            ("a-metadata.xml", b"<?xml version='1.0'?><metadata/>"),
            ("z-invoice.xml", &fixture("ubl-invoice.xml")),
        ],
    );
    let got = extract_document(&doc, Format::Pdf, &Options::default()).unwrap();
    assert_eq!(got.source, "e-invoice");
    assert_eq!(got.fields["invoice_number"].value, "RE-2024-0815");
}

/// invoice2data's expected output for AzureInterior.pdf, whose Odoo UBL attachment is its
/// own source of truth: the same values must come out of the XML.
#[test]
fn the_corpus_odoo_ubl_pdf_matches_its_expected_output() {
    use_installed_pdfium();
    let dir = zugferd_dir().join("../invoice2data");
    let pdf = std::fs::read(dir.join("AzureInterior.pdf")).unwrap();
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("AzureInterior.json")).unwrap())
            .unwrap();
    let want = &want[0];
    let got = extract_document(&pdf, Format::Pdf, &Options::default()).unwrap();
    assert_eq!(got.source, "e-invoice");
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    let field = |name: &str| got.fields[name].value.clone();
    let money = |k: &str| format!("{:.2}", want[k].as_f64().unwrap());
    assert_eq!(field("vendor_name"), want["issuer"].as_str().unwrap());
    assert_eq!(
        field("invoice_number"),
        want["invoice_number"].as_str().unwrap()
    );
    assert_eq!(field("invoice_date"), want["date"].as_str().unwrap());
    assert_eq!(field("due_date"), want["date_due"].as_str().unwrap());
    assert_eq!(field("currency"), want["currency"].as_str().unwrap());
    assert_eq!(field("total"), money("amount"));
    assert_eq!(field("tax"), money("amount_tax"));
    assert_eq!(field("subtotal"), money("amount_untaxed"));
    // The expected lines with a price: Odoo also writes its section headings and notes as
    // lines of quantity 0, which are left out.
    let priced: Vec<&Value> = want["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l.get("price_unit").is_some())
        .collect();
    let ours: Vec<&LineItem> = got.line_items.iter().collect();
    assert_eq!(ours.len(), priced.len(), "{:?}", got.line_items);
    assert_eq!(ours[0].description.as_deref(), Some("Beeswax XL"));
    for (ours, theirs) in ours.iter().zip(priced) {
        let number = |k: &str| theirs[k].as_f64().unwrap();
        let parse = |v: &Option<String>| v.as_deref().unwrap().parse::<f64>().unwrap();
        assert_eq!(parse(&ours.quantity), number("qty"), "{ours:?}");
        // The XML's price is the net one (BT-146, after the line's discount); invoice2data
        // reports the price before it.
        let net = number("price_unit") * (1.0 - number("discount") / 100.0);
        assert!((parse(&ours.unit_price) - net).abs() < 1e-9, "{ours:?}");
        assert_eq!(parse(&ours.amount), number("price_subtotal"), "{ours:?}");
    }
}

#[test]
fn a_cii_document_with_type_code_381_is_a_credit_note() {
    let cii = |code: &str| {
        format!(
            "<rsm:CrossIndustryInvoice \
               xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100' \
               xmlns:ram='urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100'>\
               <rsm:ExchangedDocument><ram:ID>GS-1</ram:ID><ram:TypeCode>{code}</ram:TypeCode>\
               </rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"
        )
    };
    let credit = einvoice::parse(cii("381").as_bytes()).unwrap();
    assert_eq!(credit.syntax, Syntax::Cii);
    assert_eq!(credit.kind, DocumentKind::CreditNote);
    assert_eq!(credit.fields.invoice_number.as_deref(), Some("GS-1"));
    let invoice = einvoice::parse(cii("380").as_bytes()).unwrap();
    assert_eq!(invoice.kind, DocumentKind::Invoice);
}
