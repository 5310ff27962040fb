//! E-invoices: the XML an invoice carries as its own data. Two syntaxes cover EN 16931:
//! UN/CEFACT Cross Industry Invoice (Factur-X, ZUGFeRD 2.x and XRechnung CII, root
//! `CrossIndustryInvoice`; ZUGFeRD 1.0, root `CrossIndustryDocument`, older element names)
//! and OASIS UBL 2.1 (XRechnung UBL, Peppol; roots `Invoice` and `CreditNote`). Elements are
//! matched by local name, so the namespace prefixes a producer chose do not matter. When a
//! PDF embeds such XML, or the file is the XML itself, it is the invoice's own data: its
//! values are taken as they are, with full confidence.

use roxmltree::{Document, Node};

use crate::fields::{normalize_amount, trim_decimal, InvoiceFields, LineItem};
use crate::pdf::{PdfEngine, PdfError};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EInvoiceError {
    #[error("the e-invoice XML is not well-formed: {0}")]
    Xml(String),
    #[error("the embedded XML is not a CII invoice (root element {0})")]
    NotCii(String),
    #[error(
        "the XML is not an e-invoice (root element {0}; expected a CII CrossIndustryInvoice \
         or a UBL Invoice or CreditNote)"
    )]
    NotEInvoice(String),
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

/// The XML syntax an e-invoice is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Cii,
    Ubl,
}

/// What the document is, by its type code (UNTDID 1001) or UBL root element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    /// The name the rest of the app gives it ("INVOICE", "CREDIT_NOTE").
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "INVOICE",
            DocumentKind::CreditNote => "CREDIT_NOTE",
        }
    }

    /// UNTDID 1001: 381 credit note, 396 factored credit note, 261 self-billed credit note,
    /// 262 consolidated credit note, 532 forwarder's credit note; anything else (380,
    /// 384 corrected, 389 self-billed, 751 ...) bills.
    fn of_type_code(code: Option<&str>) -> DocumentKind {
        match code.map(str::trim) {
            Some("381" | "396" | "261" | "262" | "532") => DocumentKind::CreditNote,
            _ => DocumentKind::Invoice,
        }
    }
}

/// An e-invoice read from its XML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EInvoice {
    pub syntax: Syntax,
    pub kind: DocumentKind,
    pub fields: InvoiceFields,
}

const UBL_INVOICE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const UBL_CREDIT_NOTE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";

/// The names Factur-X, ZUGFeRD and XRechnung give their embedded XML, tried before any
/// other `.xml` attachment.
const KNOWN_NAMES: [&str; 5] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "xrechnung.xml",
    "zugferd_invoice.xml",
    "ubl.xml",
];

/// The e-invoice embedded in a PDF, if it carries one: `Ok(None)` for a PDF without one.
pub fn from_pdf(pdf: &[u8]) -> Result<Option<InvoiceFields>, EInvoiceError> {
    read_pdf(pdf).map(|found| found.map(|e| e.fields))
}

/// The e-invoice embedded in a PDF, with its syntax and kind: `Ok(None)` for a PDF without
/// an XML attachment. The known names are tried first, then every other `.xml` file; the
/// first that is an e-invoice wins. When XML is attached but none of it is an e-invoice,
/// the first attachment's error says why.
pub fn read_pdf(pdf: &[u8]) -> Result<Option<EInvoice>, EInvoiceError> {
    let files = PdfEngine::get()?.embedded_files(pdf)?;
    let lower = |f: &crate::pdf::EmbeddedFile| f.name.to_ascii_lowercase();
    let known = files
        .iter()
        .filter(|f| KNOWN_NAMES.contains(&lower(f).as_str()));
    let other_xml = files
        .iter()
        .filter(|f| !KNOWN_NAMES.contains(&lower(f).as_str()) && lower(f).ends_with(".xml"));
    let mut first_error = None;
    for file in known.chain(other_xml) {
        match parse(&file.bytes) {
            Ok(found) => {
                tracing::debug!(attachment = %file.name, syntax = ?found.syntax, "e-invoice found");
                return Ok(Some(found));
            }
            Err(e) => {
                tracing::debug!(attachment = %file.name, error = %e, "attachment is no e-invoice");
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(None), Err)
}

/// Reads an e-invoice in either syntax from its XML bytes (UTF-8, with or without a
/// byte-order mark).
pub fn parse(xml: &[u8]) -> Result<EInvoice, EInvoiceError> {
    let text = String::from_utf8_lossy(xml);
    let text = text.trim_start_matches('\u{feff}');
    let doc = Document::parse(text).map_err(|e| EInvoiceError::Xml(e.to_string()))?;
    let root = doc.root_element();
    match (root.tag_name().name(), root.tag_name().namespace()) {
        ("CrossIndustryInvoice" | "CrossIndustryDocument", _) => Ok(EInvoice {
            syntax: Syntax::Cii,
            kind: cii_kind(root),
            fields: cii_fields(root)?,
        }),
        ("Invoice", Some(UBL_INVOICE_NS)) | ("CreditNote", Some(UBL_CREDIT_NOTE_NS)) => {
            Ok(ubl(root))
        }
        (other, _) => Err(EInvoiceError::NotEInvoice(other.to_string())),
    }
}

/// Reads the fields of a CII invoice.
pub fn parse_cii(xml: &str) -> Result<InvoiceFields, EInvoiceError> {
    // A byte-order mark before the declaration is common in the wild.
    let xml = xml.trim_start_matches('\u{feff}');
    let doc = Document::parse(xml).map_err(|e| EInvoiceError::Xml(e.to_string()))?;
    cii_fields(doc.root_element())
}

/// A CII document's kind, by its TypeCode (`ExchangedDocument`, or
/// `HeaderExchangedDocument` in ZUGFeRD 1.0).
fn cii_kind(root: Node) -> DocumentKind {
    let code = ["ExchangedDocument", "HeaderExchangedDocument"]
        .iter()
        .find_map(|h| child(root, h))
        .and_then(|h| text_of(h, &["TypeCode"]));
    DocumentKind::of_type_code(code.as_deref())
}

fn cii_fields(root: Node) -> Result<InvoiceFields, EInvoiceError> {
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

/// A UBL 2.1 Invoice or CreditNote, read by the EN 16931 binding (as XRechnung and Peppol
/// BIS use it). A CreditNote's lines are `CreditNoteLine` with a `CreditedQuantity`; an
/// Invoice whose type code is 381 is a credit note too.
fn ubl(root: Node) -> EInvoice {
    let credit_note = root.tag_name().name() == "CreditNote";
    let kind = if credit_note {
        DocumentKind::CreditNote
    } else {
        DocumentKind::of_type_code(text_of(root, &["InvoiceTypeCode"]).as_deref())
    };
    let currency = text_of(root, &["DocumentCurrencyCode"]);
    let totals = child(root, "LegalMonetaryTotal");
    let total_amount = |name: &str| {
        totals
            .and_then(|t| text_of(t, &[name]))
            .and_then(|a| normalize_amount(&a))
    };
    // BT-110 is the TaxTotal in the document currency; a second TaxTotal may give the tax
    // in the accounting currency (BT-111).
    let tax_totals: Vec<Node> = root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "TaxTotal")
        .filter_map(|t| child(t, "TaxAmount"))
        .collect();
    let tax = currency
        .as_deref()
        .and_then(|cur| {
            tax_totals
                .iter()
                .find(|n| n.attribute("currencyID") == Some(cur))
        })
        .or(tax_totals.first())
        .and_then(|n| n.text())
        .and_then(normalize_amount);
    let supplier = child(root, "AccountingSupplierParty").and_then(|p| child(p, "Party"));
    // BT-27 (the seller's legal name) is the registration name; the trading name (BT-28)
    // stands in when a producer only gives that.
    let vendor_name = supplier.and_then(|p| {
        text_of(p, &["PartyLegalEntity", "RegistrationName"])
            .or_else(|| text_of(p, &["PartyName", "Name"]))
    });
    // BT-9: Invoice/DueDate in UBL 2.1 invoices; credit notes, and UBL 2.0 producers, put it
    // on the payment means.
    let due_date = text_of(root, &["DueDate"])
        .or_else(|| {
            root.children()
                .filter(|n| n.is_element() && n.tag_name().name() == "PaymentMeans")
                .find_map(|m| text_of(m, &["PaymentDueDate"]))
        })
        .and_then(|d| iso_date(&d));
    let (line_name, quantity_name) = if credit_note {
        ("CreditNoteLine", "CreditedQuantity")
    } else {
        ("InvoiceLine", "InvoicedQuantity")
    };
    let line_items = root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == line_name)
        .map(|line| LineItem {
            description: text_of(line, &["Item", "Name"]),
            quantity: text_of(line, &[quantity_name]).and_then(|q| trim_decimal(&q)),
            unit_price: text_of(line, &["Price", "PriceAmount"]).and_then(|p| trim_decimal(&p)),
            amount: text_of(line, &["LineExtensionAmount"]).and_then(|a| normalize_amount(&a)),
        })
        // Some producers (Odoo) write section headings and notes as lines of nothing:
        // quantity 0, amount 0. They bill nothing and are not line items.
        .filter(|l| !(l.quantity.as_deref() == Some("0") && l.amount.as_deref() == Some("0.00")))
        .collect();
    EInvoice {
        syntax: Syntax::Ubl,
        kind,
        fields: InvoiceFields {
            vendor_name,
            invoice_number: text_of(root, &["ID"]),
            invoice_date: text_of(root, &["IssueDate"]).and_then(|d| iso_date(&d)),
            due_date,
            currency,
            subtotal: total_amount("TaxExclusiveAmount"),
            tax,
            // BT-112, the total with tax, as CII's GrandTotalAmount; the amount due (BT-115,
            // less prepayments) only when a producer leaves the former out.
            total: total_amount("TaxInclusiveAmount").or_else(|| total_amount("PayableAmount")),
            po_number: text_of(root, &["OrderReference", "ID"]),
            line_items,
        },
    }
}

/// An xsd:date ("2023-03-20", possibly with a zone: "2023-03-20Z", "2023-03-20+01:00") as
/// YYYY-MM-DD; anything else is left out.
fn iso_date(text: &str) -> Option<String> {
    let date = text.trim().get(..10)?;
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10))
        .then(|| date.to_string())
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
