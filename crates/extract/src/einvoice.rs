//! E-invoices in UN/CEFACT Cross Industry Invoice syntax: Factur-X, ZUGFeRD 2.x and
//! XRechnung (CII D16B, root `CrossIndustryInvoice`) and ZUGFeRD 1.0 (root
//! `CrossIndustryDocument`, older element names). Elements are matched by local name, so the
//! namespace prefixes a producer chose do not matter. When a PDF embeds such XML it is the
//! invoice's own data: its values are taken as they are, with full confidence.

use roxmltree::{Document, Node};

use crate::fields::{normalize_amount, trim_decimal, InvoiceFields, LineItem};
use crate::pdf::{PdfEngine, PdfError};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EInvoiceError {
    #[error("the embedded invoice XML is not well-formed: {0}")]
    Xml(String),
    #[error("the embedded XML is not a CII invoice (root element {0})")]
    NotCii(String),
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

/// The names Factur-X, ZUGFeRD and XRechnung give their embedded XML.
const KNOWN_NAMES: [&str; 4] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "xrechnung.xml",
    "zugferd_invoice.xml",
];

/// The e-invoice embedded in a PDF, if it carries one: `Ok(None)` for a PDF without one.
pub fn from_pdf(pdf: &[u8]) -> Result<Option<InvoiceFields>, EInvoiceError> {
    let files = PdfEngine::get()?.embedded_files(pdf)?;
    let xml = files
        .iter()
        .find(|f| KNOWN_NAMES.contains(&f.name.to_ascii_lowercase().as_str()))
        .or_else(|| {
            files
                .iter()
                .find(|f| f.name.to_ascii_lowercase().ends_with(".xml"))
        });
    match xml {
        Some(file) => {
            let text = String::from_utf8_lossy(&file.bytes);
            parse_cii(&text).map(Some)
        }
        None => Ok(None),
    }
}

/// Reads the fields of a CII invoice.
pub fn parse_cii(xml: &str) -> Result<InvoiceFields, EInvoiceError> {
    // A byte-order mark before the declaration is common in the wild.
    let xml = xml.trim_start_matches('\u{feff}');
    let doc = Document::parse(xml).map_err(|e| EInvoiceError::Xml(e.to_string()))?;
    let root = doc.root_element();
    let v1 = match root.tag_name().name() {
        "CrossIndustryInvoice" => false,
        "CrossIndustryDocument" => true,
        other => return Err(EInvoiceError::NotCii(other.to_string())),
    };
    // The two generations name the same things differently.
    let (header, transaction, agreement, settlement, summation, order_id) = if v1 {
        (
            "HeaderExchangedDocument",
            "SpecifiedSupplyChainTradeTransaction",
            "ApplicableSupplyChainTradeAgreement",
            "ApplicableSupplyChainTradeSettlement",
            "SpecifiedTradeSettlementMonetarySummation",
            "ID",
        )
    } else {
        (
            "ExchangedDocument",
            "SupplyChainTradeTransaction",
            "ApplicableHeaderTradeAgreement",
            "ApplicableHeaderTradeSettlement",
            "SpecifiedTradeSettlementHeaderMonetarySummation",
            "IssuerAssignedID",
        )
    };
    let tx = child(root, transaction);
    let agreement = tx.and_then(|t| child(t, agreement));
    let settlement = tx.and_then(|t| child(t, settlement));
    let currency = settlement.and_then(|s| text_of(s, &["InvoiceCurrencyCode"]));
    let sums = settlement.and_then(|s| child(s, summation));
    let amount = |name: &str| -> Option<String> {
        let sums = sums?;
        // TaxTotalAmount may appear once per currency: take the invoice currency's.
        let mut candidates = sums.children().filter(|n| n.tag_name().name() == name);
        let chosen = match &currency {
            Some(cur) => candidates
                .clone()
                .find(|n| n.attribute("currencyID") == Some(cur.as_str()))
                .or_else(|| candidates.next()),
            None => candidates.next(),
        };
        chosen.and_then(|n| n.text()).and_then(normalize_amount)
    };

    let (subtotal, tax, total) = (
        amount("TaxBasisTotalAmount"),
        amount("TaxTotalAmount"),
        amount("GrandTotalAmount"),
    );
    Ok(InvoiceFields {
        vendor_name: agreement.and_then(|a| text_of(a, &["SellerTradeParty", "Name"])),
        invoice_number: child(root, header).and_then(|h| text_of(h, &["ID"])),
        invoice_date: child(root, header)
            .and_then(|h| child(h, "IssueDateTime"))
            .and_then(date_of),
        due_date: settlement
            .and_then(|s| {
                s.children()
                    .filter(|n| n.tag_name().name() == "SpecifiedTradePaymentTerms")
                    .find_map(|t| child(t, "DueDateDateTime"))
            })
            .and_then(date_of),
        currency,
        subtotal,
        tax,
        total,
        po_number: agreement.and_then(|a| text_of(a, &["BuyerOrderReferencedDocument", order_id])),
        line_items: tx
            .map(|t| {
                t.children()
                    .filter(|n| n.tag_name().name() == "IncludedSupplyChainTradeLineItem")
                    .map(|line| line_item(line, v1))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn line_item(line: Node, v1: bool) -> LineItem {
    let (delivery, agreement, settlement, sums) = if v1 {
        (
            "SpecifiedSupplyChainTradeDelivery",
            "SpecifiedSupplyChainTradeAgreement",
            "SpecifiedSupplyChainTradeSettlement",
            "SpecifiedTradeSettlementMonetarySummation",
        )
    } else {
        (
            "SpecifiedLineTradeDelivery",
            "SpecifiedLineTradeAgreement",
            "SpecifiedLineTradeSettlement",
            "SpecifiedTradeSettlementLineMonetarySummation",
        )
    };
    LineItem {
        description: text_of(line, &["SpecifiedTradeProduct", "Name"]),
        quantity: text_of(line, &[delivery, "BilledQuantity"]).and_then(|q| trim_decimal(&q)),
        unit_price: text_of(
            line,
            &[agreement, "NetPriceProductTradePrice", "ChargeAmount"],
        )
        .and_then(|p| trim_decimal(&p)),
        amount: text_of(line, &[settlement, sums, "LineTotalAmount"])
            .and_then(|a| normalize_amount(&a)),
    }
}

/// The first child element with this local name.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// The trimmed, non-empty text at a path of local names below `node`.
fn text_of(node: Node, path: &[&str]) -> Option<String> {
    let mut at = node;
    for name in path {
        at = child(at, name)?;
    }
    let text = at.text()?.trim();
    (!text.is_empty()).then(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A CII date (`<udt:DateTimeString format="102">20180920</udt:DateTimeString>`) as
/// YYYY-MM-DD. Only format 102 (a calendar date) is a date; others are left out.
fn date_of(node: Node) -> Option<String> {
    let s = node
        .children()
        .find(|n| n.tag_name().name() == "DateTimeString")?;
    if s.attribute("format").is_some_and(|f| f != "102") {
        return None;
    }
    let t = s.text()?.trim();
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..]))
}
