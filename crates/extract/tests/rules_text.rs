//! The offline extractor on small texts in the shapes US vendors print.

use boxkeeper_extract::pdf::{DocumentText, PageText};
use boxkeeper_extract::rules::extract;

fn doc(text: &str) -> DocumentText {
    DocumentText {
        pages: vec![PageText {
            number: 1,
            text: text.to_string(),
            words: Vec::new(),
        }],
    }
}

fn value(f: &Option<boxkeeper_extract::rules::Found>) -> Option<&str> {
    f.as_ref().map(|f| f.value.as_str())
}

const US_INVOICE: &str = "Blue Sky Grip LLC
1200 Lot Road, Burbank CA 91502
INVOICE
Invoice No. BSG-2024-0412
Invoice Date: 04/12/2024
Terms: NET 30
PO Number: 2417_06
Description Qty Rate Amount
Grip truck, 5 days x 600 5 600.00 3,000.00
Subtotal $3,000.00
Sales Tax $0.00
Total Due $3,000.00
";

#[test]
fn a_us_invoice_with_net_terms() {
    let got = extract(&doc(US_INVOICE));
    assert_eq!(got.document_type.as_deref(), Some("INVOICE"));
    assert_eq!(value(&got.vendor_name), Some("Blue Sky Grip LLC"));
    assert_eq!(value(&got.invoice_number), Some("BSG-2024-0412"));
    assert_eq!(value(&got.invoice_date), Some("2024-04-12"));
    assert_eq!(
        value(&got.due_date),
        Some("2024-05-12"),
        "NET 30 from the invoice date"
    );
    assert_eq!(value(&got.currency), Some("USD"));
    assert_eq!(value(&got.subtotal), Some("3000.00"));
    assert_eq!(value(&got.tax), Some("0.00"));
    assert_eq!(value(&got.total), Some("3000.00"));
    assert_eq!(value(&got.po_number), Some("2417_06"));
    assert!(got.problems.is_empty());
    // The sum check raised the amounts' confidence above a lone label's.
    assert!(got.total.unwrap().confidence > 0.7);
}

#[test]
fn sums_that_do_not_add_up_are_flagged() {
    let text = US_INVOICE.replace("Total Due $3,000.00", "Total Due $3,100.00");
    let got = extract(&doc(&text));
    assert_eq!(value(&got.total), Some("3100.00"));
    assert_eq!(
        got.problems,
        vec!["subtotal 3000.00 plus tax 0.00 is not the total 3100.00"]
    );
    assert!(got.total.unwrap().confidence < 0.7);
}

#[test]
fn a_french_invoice() {
    let got = extract(&doc(
        "Atelier Lumière SARL\nFacture n° F-2023-117\nDate de facture : 3 mars 2023\n\
         Échéance : 02/04/2023\nTotal HT 1 200,00 €\nTVA 20 % 240,00 €\nTotal TTC 1 440,00 €\n",
    ));
    assert_eq!(value(&got.invoice_number), Some("F-2023-117"));
    assert_eq!(value(&got.invoice_date), Some("2023-03-03"));
    assert_eq!(value(&got.due_date), Some("2023-04-02"));
    assert_eq!(value(&got.currency), Some("EUR"));
    assert_eq!(value(&got.subtotal), Some("1200.00"));
    assert_eq!(value(&got.tax), Some("240.00"));
    assert_eq!(value(&got.total), Some("1440.00"));
    assert_eq!(value(&got.vendor_name), Some("Atelier Lumière SARL"));
}

#[test]
fn a_tax_form_is_recognised() {
    let got = extract(&doc(
        "Form W-9\nRequest for Taxpayer Identification Number and Certification",
    ));
    assert_eq!(got.document_type.as_deref(), Some("TAX_FORM"));
}

#[test]
fn phone_numbers_and_ids_are_not_amounts() {
    let got = extract(&doc(
        "Service Tax #: AAACW8725FSD001 Phone: 8756390642\nTotal 319.00\n",
    ));
    assert_eq!(value(&got.tax), None);
    assert_eq!(value(&got.total), Some("319.00"));
}
