//! The Xero and QuickBooks Online files checked against the rules those importers document:
//! the template's columns in order, required columns non-empty on every row, dates in the
//! chosen format, amounts as plain decimals, the rows of one bill agreeing on the bill's
//! columns, and the amounts the importer would compute adding up to each document's total.
//! Also what happens when a document lacks what an importer needs.

mod fixtures;

use std::collections::{BTreeMap, BTreeSet};

use boxkeeper_export::{
    columns, DateStyle, ExportDocument, ExportError, ExportOptions, ExportSummary, ExportWriter,
    Preset, Shape,
};

const SHAPES: [Shape; 2] = [Shape::Documents, Shape::Lines];
const DATE_STYLES: [DateStyle; 3] = [DateStyle::Iso, DateStyle::Us, DateStyle::European];

/// Exact decimal as (units scaled by 10^6), parsed independently of the crate: an optional
/// '-', digits, an optional '.' and at most six digits.
fn micros(text: &str) -> Option<i128> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 6 {
        return None;
    }
    if rest.contains('.') && fraction.is_empty() {
        return None;
    }
    let value =
        whole.parse::<i128>().ok()? * 1_000_000 + format!("{fraction:0<6}").parse::<i128>().ok()?;
    Some(if negative { -value } else { value })
}

/// (year, month, day) from a cell in the given style, checked to be a real date.
fn parse_date(text: &str, style: DateStyle) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = match style {
        DateStyle::Iso => text.split('-').collect(),
        DateStyle::Us | DateStyle::European => text.split('/').collect(),
    };
    if parts.len() != 3 || parts.iter().any(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (y, m, d) = match style {
        DateStyle::Iso => (parts[0], parts[1], parts[2]),
        DateStyle::Us => (parts[2], parts[0], parts[1]),
        DateStyle::European => (parts[2], parts[1], parts[0]),
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    ((1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]).then_some((y, m, d))
}

struct Exported {
    header: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
    summary: ExportSummary,
}

fn export(docs: &[ExportDocument], opts: &ExportOptions) -> Result<Exported, ExportError> {
    let mut out = Vec::new();
    let mut writer = ExportWriter::new(&mut out, opts)?;
    for doc in docs {
        writer.push(doc)?;
    }
    let summary = writer.finish()?;
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(!text.starts_with('\u{feff}'));
    // Every record ends in CRLF (RFC 4180), the last one included.
    assert!(text.ends_with("\r\n"));
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|record| {
            let record = record.expect("a well-formed record of the header's width");
            header
                .iter()
                .cloned()
                .zip(record.iter().map(String::from))
                .collect()
        })
        .collect();
    Ok(Exported {
        header,
        rows,
        summary,
    })
}

/// What one importer requires, as its documentation says.
struct Rules {
    preset: Preset,
    required: &'static [&'static str],
    dates: [&'static str; 2],
    /// Columns that must be plain decimals.
    numbers: &'static [&'static str],
    /// The columns that identify a bill (rows with equal values form one bill).
    bill_key: [&'static str; 2],
    /// Columns that every row of a bill must repeat identically.
    bill_columns: &'static [&'static str],
}

const XERO: Rules = Rules {
    preset: Preset::Xero,
    required: &[
        "*ContactName",
        "*InvoiceNumber",
        "*InvoiceDate",
        "*DueDate",
        "*Quantity",
        "*UnitAmount",
        "*AccountCode",
        "*TaxType",
    ],
    dates: ["*InvoiceDate", "*DueDate"],
    numbers: &["*Quantity", "*UnitAmount"],
    bill_key: ["*ContactName", "*InvoiceNumber"],
    bill_columns: &["*InvoiceDate", "*DueDate", "Currency"],
};

const QBO: Rules = Rules {
    preset: Preset::QuickBooksOnline,
    required: &[
        "Bill No",
        "Supplier",
        "Bill Date",
        "Due Date",
        "Account",
        "Line Amount",
    ],
    dates: ["Bill Date", "Due Date"],
    numbers: &["Line Amount"],
    bill_key: ["Supplier", "Bill No"],
    bill_columns: &["Bill Date", "Due Date", "Terms", "Memo"],
};

/// The bill total the importer computes from a group of rows, in micros.
fn computed_total(preset: Preset, rows: &[&BTreeMap<String, String>]) -> i128 {
    rows.iter()
        .map(|row| match preset {
            Preset::Xero => {
                micros(&row["*Quantity"]).unwrap() * micros(&row["*UnitAmount"]).unwrap()
                    / 1_000_000
            }
            _ => micros(&row["Line Amount"]).unwrap(),
        })
        .sum()
}

fn check_rules(rules: &Rules) {
    let docs = fixtures::bills();
    let tax_forms: Vec<i64> = docs
        .iter()
        .filter(|d| d.document_type.as_deref() == Some("W9"))
        .map(|d| d.id)
        .collect();
    let bills: Vec<&ExportDocument> = docs.iter().filter(|d| !tax_forms.contains(&d.id)).collect();
    for shape in SHAPES {
        for style in DATE_STYLES {
            let context = format!("{:?} {shape:?} {style:?}", rules.preset);
            let opts = ExportOptions {
                preset: rules.preset,
                shape,
                bom: false,
                dates: style,
            };
            let exported = export(&docs, &opts).unwrap();
            assert_eq!(exported.header, columns(rules.preset, shape), "{context}");
            assert_eq!(exported.summary.skipped, tax_forms, "{context}");
            assert_eq!(exported.summary.documents, bills.len() as u64, "{context}");
            assert_eq!(
                exported.summary.rows,
                exported.rows.len() as u64,
                "{context}"
            );

            for (n, row) in exported.rows.iter().enumerate() {
                for column in rules.required {
                    assert!(
                        !row[*column].trim().is_empty(),
                        "{context}: row {n} has no {column}"
                    );
                }
                for column in rules.dates {
                    assert!(
                        parse_date(&row[column], style).is_some(),
                        "{context}: row {n} {column} {:?}",
                        row[column]
                    );
                }
                for column in rules.numbers {
                    assert!(
                        micros(&row[*column]).is_some(),
                        "{context}: row {n} {column} {:?}",
                        row[*column]
                    );
                }
                let bill_date = parse_date(&row[rules.dates[0]], style).unwrap();
                let due_date = parse_date(&row[rules.dates[1]], style).unwrap();
                assert!(
                    due_date >= bill_date,
                    "{context}: row {n} is due before it is dated"
                );
                // A line break in a cell would make the importers read two rows or a new contact.
                for (column, value) in row {
                    assert!(
                        !value.contains(['\n', '\r']),
                        "{context}: row {n} {column} {value:?}"
                    );
                }
            }

            // Group rows into bills the way the importer does.
            let mut groups: BTreeMap<(String, String), Vec<&BTreeMap<String, String>>> =
                BTreeMap::new();
            for row in &exported.rows {
                let key = (
                    row[rules.bill_key[0]].clone(),
                    row[rules.bill_key[1]].clone(),
                );
                groups.entry(key).or_default().push(row);
            }
            assert_eq!(
                groups.len(),
                bills.len(),
                "{context}: a bill per document, none merged"
            );
            let numbers: BTreeSet<&String> = groups.keys().map(|(_, number)| number).collect();
            assert_eq!(
                numbers.len(),
                groups.len(),
                "{context}: bill numbers are unique"
            );

            // Rows come out in document order, each document's rows together.
            let mut rows = exported.rows.iter();
            for doc in &bills {
                let row_count = match shape {
                    Shape::Lines if !doc.lines.is_empty() => doc.lines.len(),
                    _ => 1,
                };
                let bill_rows: Vec<&BTreeMap<String, String>> =
                    rows.by_ref().take(row_count).collect();
                assert_eq!(bill_rows.len(), row_count, "{context}: document {}", doc.id);
                for column in rules.bill_columns {
                    let values: BTreeSet<&String> = bill_rows.iter().map(|r| &r[*column]).collect();
                    assert_eq!(
                        values.len(),
                        1,
                        "{context}: document {} disagrees on {column}",
                        doc.id
                    );
                }
                let total = micros(doc.total.as_deref().unwrap()).unwrap();
                assert_eq!(
                    computed_total(rules.preset, &bill_rows),
                    total,
                    "{context}: document {} does not import at its total",
                    doc.id
                );
                // Where the document's line has both an amount and a quantity times price that
                // equals it, the importer's line is the same quantity and price.
                if rules.preset == Preset::Xero && shape == Shape::Lines {
                    let mut lines: Vec<_> = doc.lines.iter().collect();
                    lines.sort_by_key(|l| l.position);
                    for (line, row) in lines.iter().zip(&bill_rows) {
                        let line_amount = line.amount.as_deref().or(line
                            .unit_price
                            .as_deref()
                            .filter(|_| line.quantity.is_none()));
                        let row_amount = micros(&row["*Quantity"]).unwrap()
                            * micros(&row["*UnitAmount"]).unwrap()
                            / 1_000_000;
                        if let Some(amount) = line_amount {
                            assert_eq!(
                                row_amount,
                                micros(amount).unwrap(),
                                "{context}: document {} line {}",
                                doc.id,
                                line.position
                            );
                        }
                        if let (Some(q), Some(u), Some(a)) =
                            (&line.quantity, &line.unit_price, &line.amount)
                        {
                            if micros(q).unwrap() * micros(u).unwrap() / 1_000_000
                                == micros(a).unwrap()
                            {
                                assert_eq!(&row["*Quantity"], q, "{context}");
                                assert_eq!(micros(&row["*UnitAmount"]), micros(u), "{context}");
                            }
                        }
                    }
                }
            }
            assert!(
                rows.next().is_none(),
                "{context}: rows beyond the documents"
            );
        }
    }
}

#[test]
fn xero_files_follow_the_bill_import_template() {
    check_rules(&XERO);
}

#[test]
fn quickbooks_files_follow_the_bill_import() {
    check_rules(&QBO);
}

#[test]
fn xero_constant_columns_hold_their_documented_defaults() {
    let opts = ExportOptions {
        preset: Preset::Xero,
        shape: Shape::Lines,
        ..ExportOptions::default()
    };
    let exported = export(&fixtures::bills(), &opts).unwrap();
    for row in &exported.rows {
        assert_eq!(row["*TaxType"], "Tax Exempt");
        // Xero calculates these itself.
        assert_eq!(row["Total"], "");
        assert_eq!(row["TaxAmount"], "");
    }
}

#[test]
fn missing_due_dates_follow_the_terms() {
    let opts = ExportOptions {
        preset: Preset::QuickBooksOnline,
        shape: Shape::Documents,
        bom: false,
        dates: DateStyle::Iso,
    };
    let exported = export(&fixtures::bills(), &opts).unwrap();
    let by_number: BTreeMap<&str, &BTreeMap<String, String>> = exported
        .rows
        .iter()
        .map(|r| (r["Bill No"].as_str(), r))
        .collect();
    // An invoice without a due date: NET 30 (across a leap February).
    assert_eq!(by_number["54/2024-007"]["Due Date"], "2024-03-01");
    assert_eq!(by_number["54/2024-007"]["Terms"], "Net 30");
    // ... and across a year end.
    assert_eq!(by_number["TK-2024-0311"]["Due Date"], "2025-01-14");
    // A receipt: due when bought; its bill number is the file's key in the tree.
    assert_eq!(by_number["2416_03_02"]["Due Date"], "2024-03-07");
    assert_eq!(by_number["2416_03_02"]["Terms"], "Due on receipt");
    // A stated due date is kept, and no terms are invented for it.
    assert_eq!(by_number["CZ-1001"]["Due Date"], "2024-04-04");
    assert_eq!(by_number["CZ-1001"]["Terms"], "");
}

fn doc_with(change: impl FnOnce(&mut ExportDocument)) -> ExportDocument {
    let mut doc = fixtures::bills().remove(0);
    change(&mut doc);
    doc
}

fn first_error(doc: &ExportDocument, preset: Preset, shape: Shape) -> ExportError {
    let opts = ExportOptions {
        preset,
        shape,
        ..ExportOptions::default()
    };
    let mut out = Vec::new();
    let mut writer = ExportWriter::new(&mut out, &opts).unwrap();
    let error = writer
        .push(doc)
        .expect_err("the document cannot be imported");
    writer.finish().unwrap();
    // Nothing of the failed document was written: only the header.
    assert_eq!(String::from_utf8(out).unwrap().matches("\r\n").count(), 1);
    error
}

#[test]
fn a_document_without_what_an_importer_needs_stops_the_export_by_name() {
    for preset in [Preset::Xero, Preset::QuickBooksOnline] {
        for shape in SHAPES {
            let missing =
                |doc: ExportDocument, expected: &str| match first_error(&doc, preset, shape) {
                    ExportError::MissingValue {
                        document_id,
                        file_name,
                        what,
                        ..
                    } => {
                        assert_eq!(document_id, 1);
                        assert_eq!(file_name, doc.file_name);
                        assert_eq!(what, expected);
                    }
                    other => panic!("{preset:?} {shape:?}: {other}"),
                };
            missing(
                doc_with(|d| d.vendor_name = Some(" \n ".into())),
                "the vendor",
            );
            missing(doc_with(|d| d.vendor_name = None), "the vendor");
            missing(doc_with(|d| d.invoice_date = None), "the invoice date");
            missing(
                doc_with(|d| {
                    d.invoice_number = None;
                    d.project_number = None;
                    d.file_name = ".pdf".into();
                }),
                "an invoice number",
            );

            let error = first_error(
                &doc_with(|d| d.invoice_date = Some("05/03/2024".into())),
                preset,
                shape,
            );
            assert!(
                matches!(error, ExportError::NotADate { ref value, .. } if value == "05/03/2024"),
                "{error}"
            );
        }

        let error = first_error(&doc_with(|d| d.total = None), preset, Shape::Documents);
        assert!(
            matches!(
                error,
                ExportError::MissingValue {
                    what: "the total",
                    ..
                }
            ),
            "{error}"
        );
        let error = first_error(
            &doc_with(|d| d.total = Some("$3,250.00".into())),
            preset,
            Shape::Documents,
        );
        assert!(
            matches!(error, ExportError::NotADecimal { ref value, .. } if value == "$3,250.00"),
            "{error}"
        );
        let error = first_error(
            &doc_with(|d| {
                d.lines[0].amount = None;
                d.lines[0].unit_price = None;
            }),
            preset,
            Shape::Lines,
        );
        assert!(
            matches!(
                error,
                ExportError::MissingValue {
                    what: "a line's amount",
                    ..
                }
            ),
            "{error}"
        );
        let error = first_error(
            &doc_with(|d| d.lines[1].quantity = Some("five".into())),
            preset,
            Shape::Lines,
        );
        assert!(
            matches!(
                error,
                ExportError::NotADecimal {
                    what: "a line's quantity",
                    ..
                }
            ),
            "{error}"
        );
    }
    // The message names the document and what is missing.
    let error = first_error(
        &doc_with(|d| d.vendor_name = None),
        Preset::Xero,
        Shape::Documents,
    );
    assert_eq!(
        error.to_string(),
        "2416_23_01 Café Zürich, Inc Invoice.pdf (document 1): Xero's bill import needs the vendor, and the document has none"
    );
}

#[test]
fn a_failed_document_leaves_the_others_and_the_file_well_formed() {
    let opts = ExportOptions {
        preset: Preset::QuickBooksOnline,
        shape: Shape::Lines,
        ..ExportOptions::default()
    };
    let docs = fixtures::bills();
    let mut out = Vec::new();
    let mut writer = ExportWriter::new(&mut out, &opts).unwrap();
    writer.push(&docs[0]).unwrap();
    let broken = doc_with(|d| d.lines[1].amount = Some("12,5".into()));
    assert!(writer.push(&broken).is_err());
    writer.push(&docs[1]).unwrap();
    let summary = writer.finish().unwrap();
    assert_eq!(summary.documents, 2);
    assert_eq!(summary.rows, 4);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("\r\n").count(), 5);
}

/// A PO log sits among the documents (it is read for reconciliation) but is no bill: the
/// importers pass over it as over a tax form, instead of stopping for its missing vendor.
#[test]
fn a_po_log_is_passed_over_by_the_importers() {
    let po_log = ExportDocument {
        id: 9,
        file_name: "PO_LOG_2416-2024-05-01_10-00-00.txt".into(),
        document_type: Some("PO_LOG".into()),
        review_state: "approved".into(),
        lines: vec![boxkeeper_export::ExportLine::default()],
        ..ExportDocument::default()
    };
    let mut docs = fixtures::bills();
    docs.insert(1, po_log.clone());
    for preset in [Preset::Xero, Preset::QuickBooksOnline] {
        for shape in SHAPES {
            let opts = ExportOptions {
                preset,
                shape,
                ..ExportOptions::default()
            };
            let exported = export(&docs, &opts).unwrap();
            assert!(
                exported.summary.skipped.contains(&9),
                "{preset:?} {shape:?}: {:?}",
                exported.summary.skipped
            );
        }
    }
    // The generic preset writes every document, the log included.
    let opts = ExportOptions::default();
    let exported = export(std::slice::from_ref(&po_log), &opts).unwrap();
    assert!(exported.summary.skipped.is_empty());
    assert_eq!(exported.rows.len(), 1);
}

#[test]
fn options_parse_from_their_names() {
    assert_eq!("xero".parse::<Preset>().unwrap(), Preset::Xero);
    assert_eq!("QBO".parse::<Preset>().unwrap(), Preset::QuickBooksOnline);
    assert_eq!("generic".parse::<Preset>().unwrap(), Preset::Generic);
    assert_eq!("lines".parse::<Shape>().unwrap(), Shape::Lines);
    assert_eq!("documents".parse::<Shape>().unwrap(), Shape::Documents);
    assert_eq!("us".parse::<DateStyle>().unwrap(), DateStyle::Us);
    assert_eq!(
        "european".parse::<DateStyle>().unwrap(),
        DateStyle::European
    );
    assert_eq!("iso".parse::<DateStyle>().unwrap(), DateStyle::Iso);
    let error = "sage".parse::<Preset>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown export preset \"sage\": expected generic, xero or qbo"
    );
    for preset in [Preset::Generic, Preset::Xero, Preset::QuickBooksOnline] {
        assert_eq!(preset.as_str().parse::<Preset>().unwrap(), preset);
    }
}
