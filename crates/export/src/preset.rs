//! The three presets: which columns each writes and how a document becomes rows.
//!
//! **Generic** writes every field as stored (dates in the chosen style when they are valid
//! ISO dates, otherwise as stored), so a spreadsheet sees exactly what the review screen shows.
//!
//! **Xero** follows the bill import template (Business > Bills to pay > Import > download the
//! template): the columns `*ContactName, EmailAddress, POAddressLine1..4, POCity, PORegion,
//! POPostalCode, POCountry, *InvoiceNumber, *InvoiceDate, *DueDate, Total, InventoryItemCode,
//! Description, *Quantity, *UnitAmount, *AccountCode, *TaxType, TaxAmount, TrackingName1,
//! TrackingOption1, TrackingName2, TrackingOption2, Currency`; starred columns are required.
//! Xero groups rows with the same contact and invoice number into one bill, calculates `Total`
//! and `TaxAmount` itself (so both are left empty), reads dates in the organisation's regional
//! format (choose [`DateStyle::Us`] for a US organisation, [`DateStyle::European`] for a UK or
//! Australian one) and takes at most 500 bills per file (not enforced here: the UI says so).
//!
//! **QuickBooks Online** follows the bill import (Settings > Import data > Bills): `Bill No,
//! Supplier, Bill Date, Due Date, Terms, Location, Memo, Account, Line Description, Line
//! Amount`; required are the bill number, supplier, bill date, due date (or terms), account and
//! line amount. Rows with the same bill number form one bill. Dates must be in the company's
//! date format ([`DateStyle::Us`] for a US company). `Account` is the account number, which
//! QuickBooks matches when account numbers are turned on. The importer has no currency column:
//! a bill takes its supplier's currency. The non-US tax columns (`Line Tax Code`, `Line Tax
//! Amount`) are not written: Boxkeeper's users are US production companies whose invoices
//! carry tax, if at all, as a line of its own.
//!
//! For both importers, a document becomes one bill; with [`Shape::Documents`] the bill has a
//! single line (the document's description, its total, the account code of its first line),
//! with [`Shape::Lines`] one line per line item (a document without line items still gives one
//! row, as with documents). Where an importer requires a value the document lacks, the default
//! is documented on the constant or function that supplies it; where there is no sensible
//! default (no vendor, no invoice date, no total) the export stops with
//! [`ExportError::MissingValue`] naming the document, rather than inventing a bill. Tax forms
//! (W9, W8-BEN, W8-BEN-E) and PO logs (`PO_LOG`, the budgeting software's export, read for
//! reconciliation) are not bills: the importer presets pass over them and list them in
//! [`crate::ExportSummary::skipped`]. A refund (a negative total) is written as a bill with a
//! negative amount; both importers expect a supplier credit for that, which the bookkeeper
//! converts after import.

use std::cmp::Ordering;

use crate::date::Date;
use crate::decimal::Decimal;
use crate::{DateStyle, ExportDocument, ExportError, ExportLine, ExportOptions, Preset, Shape};

/// The account a bill line books to when neither the line nor any line of its document has an
/// account code: 5000 Cost of Goods Sold, the account card receipts book to (domain rules) and
/// the catch-all for production costs. The bill arrives as a draft, where the bookkeeper can
/// recode it.
pub const DEFAULT_ACCOUNT_CODE: &str = "5000";

/// Xero's `*TaxType` for every line: "Tax Exempt", the purchase rate a US Xero organisation has
/// by default. Boxkeeper keeps no tax rate per line; invoices that carry tax have it as a line
/// of its own, so an exempt rate keeps the bill's total equal to the document's.
pub const DEFAULT_XERO_TAX_TYPE: &str = "Tax Exempt";

/// Payment terms when an invoice states no due date: NET 30 (domain rules).
const DEFAULT_TERMS_DAYS: i64 = 30;
/// QuickBooks' name for those terms.
const NET_30: &str = "Net 30";
/// A receipt without a due date was paid on the spot: its due date is its date.
const DUE_ON_RECEIPT: &str = "Due on receipt";

const GENERIC_DOCUMENT_COLUMNS: [&str; 21] = [
    "id",
    "path",
    "file_name",
    "project_number",
    "project_name",
    "po_number",
    "vendor_type",
    "document_type",
    "file_number",
    "review_state",
    "vendor_name",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax",
    "total",
    "description",
    "po_reference",
    "share_link",
];

const GENERIC_LINE_COLUMNS: [&str; 7] = [
    "line_position",
    "line_description",
    "line_quantity",
    "line_unit_price",
    "line_amount",
    "line_date",
    "line_account_code",
];

const XERO_COLUMNS: [&str; 26] = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "*InvoiceDate",
    "*DueDate",
    "Total",
    "InventoryItemCode",
    "Description",
    "*Quantity",
    "*UnitAmount",
    "*AccountCode",
    "*TaxType",
    "TaxAmount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
];

const QBO_COLUMNS: [&str; 10] = [
    "Bill No",
    "Supplier",
    "Bill Date",
    "Due Date",
    "Terms",
    "Location",
    "Memo",
    "Account",
    "Line Description",
    "Line Amount",
];

/// The header row of a preset and shape, for the UI's preview and for tests.
pub fn columns(preset: Preset, shape: Shape) -> Vec<&'static str> {
    match (preset, shape) {
        (Preset::Generic, Shape::Documents) => {
            let mut columns = GENERIC_DOCUMENT_COLUMNS.to_vec();
            columns.push("line_count");
            columns
        }
        (Preset::Generic, Shape::Lines) => {
            let mut columns = GENERIC_DOCUMENT_COLUMNS.to_vec();
            columns.extend(GENERIC_LINE_COLUMNS);
            columns
        }
        (Preset::Xero, _) => XERO_COLUMNS.to_vec(),
        (Preset::QuickBooksOnline, _) => QBO_COLUMNS.to_vec(),
    }
}

/// The rows for one document, or `None` when the preset passes over it (a tax form or a PO log
/// in an importer preset). All of a document's rows are built before any is written, so a document
/// that fails writes nothing.
pub(crate) fn rows(
    doc: &ExportDocument,
    opts: &ExportOptions,
) -> Result<Option<Vec<Vec<String>>>, ExportError> {
    match opts.preset {
        Preset::Generic => Ok(Some(generic_rows(doc, opts))),
        Preset::Xero | Preset::QuickBooksOnline if is_tax_form(doc) || is_po_log(doc) => Ok(None),
        Preset::Xero => {
            let bill = Bill::from_document(doc, opts)?;
            Ok(Some(
                bill.lines.iter().map(|l| xero_row(&bill, l)).collect(),
            ))
        }
        Preset::QuickBooksOnline => {
            let bill = Bill::from_document(doc, opts)?;
            Ok(Some(bill.lines.iter().map(|l| qbo_row(&bill, l)).collect()))
        }
    }
}

fn is_tax_form(doc: &ExportDocument) -> bool {
    doc.document_type.as_deref().is_some_and(|t| {
        let t = t.trim();
        ["W9", "W8-BEN", "W8-BEN-E"]
            .iter()
            .any(|form| t.eq_ignore_ascii_case(form))
    })
}

fn is_po_log(doc: &ExportDocument) -> bool {
    doc.document_type
        .as_deref()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("PO_LOG"))
}

fn is_receipt(doc: &ExportDocument) -> bool {
    doc.document_type
        .as_deref()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("RECEIPT"))
}

/// A text value, or `None` when it is missing or blank.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// Line items in position order (the store's order, made certain).
fn ordered_lines(doc: &ExportDocument) -> Vec<&ExportLine> {
    let mut lines: Vec<&ExportLine> = doc.lines.iter().collect();
    lines.sort_by_key(|line| line.position);
    lines
}

fn generic_date(value: &Option<String>, style: DateStyle) -> String {
    match value {
        Some(raw) => match Date::parse_iso(raw.trim()) {
            Some(date) => date.format(style),
            None => raw.clone(),
        },
        None => String::new(),
    }
}

fn generic_rows(doc: &ExportDocument, opts: &ExportOptions) -> Vec<Vec<String>> {
    let document = vec![
        doc.id.to_string(),
        doc.path.clone(),
        doc.file_name.clone(),
        text(&doc.project_number),
        text(&doc.project_name),
        text(&doc.po_number),
        text(&doc.vendor_type),
        text(&doc.document_type),
        text(&doc.file_number),
        doc.review_state.clone(),
        text(&doc.vendor_name),
        text(&doc.invoice_number),
        generic_date(&doc.invoice_date, opts.dates),
        generic_date(&doc.due_date, opts.dates),
        text(&doc.currency),
        text(&doc.subtotal),
        text(&doc.tax),
        text(&doc.total),
        text(&doc.description),
        text(&doc.po_reference),
        text(&doc.share_link),
    ];
    match opts.shape {
        Shape::Documents => {
            let mut row = document;
            row.push(doc.lines.len().to_string());
            vec![row]
        }
        Shape::Lines if doc.lines.is_empty() => {
            let mut row = document;
            row.extend(std::iter::repeat_n(
                String::new(),
                GENERIC_LINE_COLUMNS.len(),
            ));
            vec![row]
        }
        Shape::Lines => ordered_lines(doc)
            .into_iter()
            .map(|line| {
                let mut row = document.clone();
                row.extend([
                    line.position.to_string(),
                    text(&line.description),
                    text(&line.quantity),
                    text(&line.unit_price),
                    text(&line.amount),
                    generic_date(&line.date, opts.dates),
                    text(&line.account_code),
                ]);
                row
            })
            .collect(),
    }
}

/// A document as the importers see it: a bill with its lines, every required value present
/// and checked.
struct Bill {
    supplier: String,
    number: String,
    date: String,
    due: String,
    /// Set when the due date was derived from default terms rather than read.
    terms: Option<&'static str>,
    memo: String,
    currency: String,
    lines: Vec<BillLine>,
}

struct BillLine {
    description: String,
    /// Xero's quantity and unit amount; their product is `amount`.
    quantity: String,
    unit_amount: String,
    /// QuickBooks' line amount.
    amount: String,
    account: String,
}

/// Reads and checks one document's values on behalf of a preset, so that every error names
/// the document and the value.
struct Reader<'a> {
    doc: &'a ExportDocument,
    preset: Preset,
}

impl Reader<'_> {
    fn missing(&self, what: &'static str) -> ExportError {
        ExportError::MissingValue {
            document_id: self.doc.id,
            file_name: self.doc.file_name.clone(),
            preset: self.preset,
            what,
        }
    }

    fn decimal(
        &self,
        value: &Option<String>,
        what: &'static str,
    ) -> Result<Option<Decimal>, ExportError> {
        match present(value) {
            None => Ok(None),
            Some(raw) => Decimal::parse(raw)
                .map(Some)
                .ok_or_else(|| ExportError::NotADecimal {
                    document_id: self.doc.id,
                    file_name: self.doc.file_name.clone(),
                    what,
                    value: raw.to_string(),
                }),
        }
    }

    fn date(
        &self,
        value: &Option<String>,
        what: &'static str,
    ) -> Result<Option<Date>, ExportError> {
        match present(value) {
            None => Ok(None),
            Some(raw) => Date::parse_iso(raw)
                .map(Some)
                .ok_or_else(|| ExportError::NotADate {
                    document_id: self.doc.id,
                    file_name: self.doc.file_name.clone(),
                    what,
                    value: raw.to_string(),
                }),
        }
    }

    /// The bill number: the invoice number; for a document without one (a receipt), the
    /// file's key in the folder tree, `<project>_<PO>_<file number>` ("2416_03_02", file
    /// number "01" when unknown), which the naming convention keeps unique; failing that the
    /// file name without its extension.
    fn bill_number(&self) -> Result<String, ExportError> {
        let doc = self.doc;
        if let Some(number) = present(&doc.invoice_number) {
            return Ok(number.to_string());
        }
        if let (Some(project), Some(po)) = (present(&doc.project_number), present(&doc.po_number)) {
            let file = present(&doc.file_number).unwrap_or("01");
            return Ok(format!("{project}_{po}_{file}"));
        }
        let stem = match doc.file_name.rsplit_once('.') {
            Some((stem, _)) => stem,
            None => doc.file_name.as_str(),
        };
        match stem.trim() {
            "" => Err(self.missing("an invoice number")),
            stem => Ok(stem.to_string()),
        }
    }
}

impl Bill {
    fn from_document(doc: &ExportDocument, opts: &ExportOptions) -> Result<Bill, ExportError> {
        let reader = Reader {
            doc,
            preset: opts.preset,
        };
        let supplier = present(&doc.vendor_name)
            .ok_or_else(|| reader.missing("the vendor"))?
            .to_string();
        let number = reader.bill_number()?;
        let date = reader
            .date(&doc.invoice_date, "the invoice date")?
            .ok_or_else(|| reader.missing("the invoice date"))?;
        let (due, terms) = match reader.date(&doc.due_date, "the due date")? {
            Some(due) => (due, None),
            None if is_receipt(doc) => (date, Some(DUE_ON_RECEIPT)),
            None => (
                date.plus_days(DEFAULT_TERMS_DAYS)
                    .ok_or_else(|| reader.missing("the due date"))?,
                Some(NET_30),
            ),
        };
        let lines = ordered_lines(doc);
        // The account of the document's first line that has one: a line without its own
        // account books where its siblings do.
        let document_account = lines
            .iter()
            .find_map(|line| present(&line.account_code))
            .unwrap_or(DEFAULT_ACCOUNT_CODE);
        let description = present(&doc.description)
            .or_else(|| lines.iter().find_map(|line| present(&line.description)))
            .unwrap_or(doc.file_name.trim())
            .to_string();

        let single_line = |reader: &Reader| -> Result<Vec<BillLine>, ExportError> {
            let total = reader
                .decimal(&doc.total, "the total")?
                .ok_or_else(|| reader.missing("the total"))?
                .money()
                .to_string();
            Ok(vec![BillLine {
                description: description.clone(),
                quantity: "1".to_string(),
                unit_amount: total.clone(),
                amount: total,
                account: document_account.to_string(),
            }])
        };
        let bill_lines = match opts.shape {
            Shape::Documents => single_line(&reader)?,
            Shape::Lines if lines.is_empty() => single_line(&reader)?,
            Shape::Lines => lines
                .iter()
                .map(|line| {
                    let mut bill_line = bill_line(&reader, line)?;
                    if bill_line.description.is_empty() {
                        bill_line.description = description.clone();
                    }
                    if bill_line.account.is_empty() {
                        bill_line.account = document_account.to_string();
                    }
                    Ok(bill_line)
                })
                .collect::<Result<_, ExportError>>()?,
        };

        let memo = match (present(&doc.project_number), present(&doc.po_number)) {
            (Some(project), Some(po)) => format!("PO {project}_{po}: {description}"),
            _ => description.clone(),
        };
        Ok(Bill {
            supplier,
            number,
            date: date.format(opts.dates),
            due: due.format(opts.dates),
            terms,
            memo,
            currency: present(&doc.currency).unwrap_or("").to_string(),
            lines: bill_lines,
        })
    }
}

/// One line item as a bill line. The line's amount is what the vendor charged, so it wins:
/// Xero gets the line's quantity and unit price when their product is the amount (or there is
/// no amount), otherwise quantity 1 at the amount; QuickBooks gets the amount, else quantity
/// times unit price, else the unit price. A line with no amount and no unit price cannot be
/// imported and stops the export.
fn bill_line(reader: &Reader, line: &ExportLine) -> Result<BillLine, ExportError> {
    let quantity = reader.decimal(&line.quantity, "a line's quantity")?;
    let unit = reader.decimal(&line.unit_price, "a line's unit price")?;
    let amount = reader.decimal(&line.amount, "a line's amount")?;
    let product = match (quantity, unit) {
        (Some(q), Some(u)) => q.checked_mul(u),
        _ => None,
    };
    let (quantity, unit_amount, amount) = match (quantity, unit, amount, product) {
        (Some(q), Some(u), Some(a), Some(p)) if p.checked_cmp(a) == Some(Ordering::Equal) => {
            (q, u, a)
        }
        (_, _, Some(a), _) => (Decimal::one(), a, a),
        (Some(q), Some(u), None, Some(p)) => (q, u, p),
        (None, Some(u), None, _) => (Decimal::one(), u, u),
        _ => return Err(reader.missing("a line's amount")),
    };
    Ok(BillLine {
        description: present(&line.description).unwrap_or("").to_string(),
        quantity: quantity.to_string(),
        unit_amount: unit_amount.money().to_string(),
        amount: amount.money().to_string(),
        account: present(&line.account_code).unwrap_or("").to_string(),
    })
}

fn xero_row(bill: &Bill, line: &BillLine) -> Vec<String> {
    let empty = String::new;
    vec![
        bill.supplier.clone(),
        empty(), // EmailAddress
        empty(), // POAddressLine1
        empty(), // POAddressLine2
        empty(), // POAddressLine3
        empty(), // POAddressLine4
        empty(), // POCity
        empty(), // PORegion
        empty(), // POPostalCode
        empty(), // POCountry
        bill.number.clone(),
        bill.date.clone(),
        bill.due.clone(),
        empty(), // Total: Xero calculates it
        empty(), // InventoryItemCode
        line.description.clone(),
        line.quantity.clone(),
        line.unit_amount.clone(),
        line.account.clone(),
        DEFAULT_XERO_TAX_TYPE.to_string(),
        empty(), // TaxAmount: Xero calculates it from the tax type
        empty(), // TrackingName1
        empty(), // TrackingOption1
        empty(), // TrackingName2
        empty(), // TrackingOption2
        bill.currency.clone(),
    ]
}

fn qbo_row(bill: &Bill, line: &BillLine) -> Vec<String> {
    vec![
        bill.number.clone(),
        bill.supplier.clone(),
        bill.date.clone(),
        bill.due.clone(),
        bill.terms.unwrap_or("").to_string(),
        String::new(), // Location: a QuickBooks list of its own, not known here
        bill.memo.clone(),
        line.account.clone(),
        line.description.clone(),
        line.amount.clone(),
    ]
}
