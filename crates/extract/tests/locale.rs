//! 05/06/2018: the document's own style decides; where it says nothing, the user's locale.

use boxkeeper_extract::pdf::{DocumentText, PageText};
use boxkeeper_extract::rules::{extract_with_locale, Extracted};
use boxkeeper_extract::Locale;

fn read(text: &str, locale: Locale) -> Extracted {
    let doc = DocumentText {
        pages: vec![PageText {
            number: 1,
            text: text.into(),
            words: Vec::new(),
        }],
    };
    extract_with_locale(&doc, locale)
}

fn date(e: &Extracted) -> Option<String> {
    e.invoice_date.as_ref().map(|f| f.value.clone())
}

#[test]
fn a_silent_document_follows_the_locale_setting() {
    let silent = "Invoice\nInvoice Date: 05/06/2018\nTotal 500";
    assert_eq!(
        date(&read(silent, Locale::Us)).as_deref(),
        Some("2018-05-06")
    );
    assert_eq!(
        date(&read(silent, Locale::European)).as_deref(),
        Some("2018-06-05")
    );
}

#[test]
fn a_document_that_tells_wins_over_the_setting() {
    // European amounts: day first, whatever the setting.
    let european =
        "Invoice\nInvoice Date: 05/06/2018\nSubtotal 1.000,00\nTax 190,00\nTotal 1.190,00";
    assert_eq!(
        date(&read(european, Locale::Us)).as_deref(),
        Some("2018-06-05")
    );
    // US amounts: month first.
    let us = "Invoice\nInvoice Date: 05/06/2018\nSubtotal 1,000.00\nTax 190.00\nTotal 1,190.00";
    assert_eq!(
        date(&read(us, Locale::European)).as_deref(),
        Some("2018-05-06")
    );
}
