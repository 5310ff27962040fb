//! The generic preset: every field, nothing dropped, nothing that breaks on odd input.

mod fixtures;

use boxkeeper_export::{
    columns, DateStyle, ExportDocument, ExportLine, ExportOptions, ExportWriter, Preset, Shape,
};

fn records(docs: &[ExportDocument], opts: ExportOptions) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut writer = ExportWriter::new(&mut out, &opts).unwrap();
    for doc in docs {
        writer.push(doc).unwrap();
    }
    let summary = writer.finish().unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice());
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(summary.rows as usize, records.len() - 1);
    assert!(
        summary.skipped.is_empty(),
        "the generic preset writes everything"
    );
    records
}

#[test]
fn every_document_gives_a_row_and_every_line_a_row() {
    let docs = fixtures::all();
    for dates in [DateStyle::Iso, DateStyle::Us, DateStyle::European] {
        let opts = ExportOptions {
            preset: Preset::Generic,
            shape: Shape::Documents,
            bom: false,
            dates,
        };
        let rows = records(&docs, opts);
        assert_eq!(rows[0], columns(Preset::Generic, Shape::Documents));
        assert_eq!(rows.len() - 1, docs.len());

        let opts = ExportOptions {
            shape: Shape::Lines,
            ..opts
        };
        let rows = records(&docs, opts);
        assert_eq!(rows[0], columns(Preset::Generic, Shape::Lines));
        let expected: usize = docs.iter().map(|d| d.lines.len().max(1)).sum();
        assert_eq!(rows.len() - 1, expected);
        // Documents without lines are there, with empty line columns.
        for doc in docs.iter().filter(|d| d.lines.is_empty()) {
            let row = rows.iter().find(|r| r[0] == doc.id.to_string()).unwrap();
            assert!(
                row[21..].iter().all(String::is_empty),
                "document {}",
                doc.id
            );
        }
    }
}

#[test]
fn dates_follow_the_style_and_odd_dates_are_kept_as_stored() {
    let doc = ExportDocument {
        id: 1,
        invoice_date: Some("2024-03-05".into()),
        due_date: Some("next Tuesday".into()),
        lines: vec![ExportLine {
            date: Some("2024-02-30".into()),
            ..ExportLine::default()
        }],
        ..ExportDocument::default()
    };
    let column = |rows: &[Vec<String>], name: &str| {
        let i = rows[0].iter().position(|c| c == name).unwrap();
        rows[1][i].clone()
    };
    for (style, expected) in [
        (DateStyle::Iso, "2024-03-05"),
        (DateStyle::Us, "03/05/2024"),
        (DateStyle::European, "05/03/2024"),
    ] {
        let rows = records(
            std::slice::from_ref(&doc),
            ExportOptions {
                preset: Preset::Generic,
                shape: Shape::Lines,
                bom: false,
                dates: style,
            },
        );
        assert_eq!(column(&rows, "invoice_date"), expected);
        assert_eq!(column(&rows, "due_date"), "next Tuesday");
        assert_eq!(column(&rows, "line_date"), "2024-02-30");
    }
}

#[test]
fn odd_input_does_not_break_any_preset() {
    let odd = [
        "",
        " ",
        "\n",
        "\r\n",
        "\"",
        "\"\"",
        ",",
        "'",
        "\u{feff}",
        "\0",
        "\u{202e}evil",
        "🎬🎬",
        "a\u{301}",
        "-",
        "=",
        "@",
        "+",
        "\t",
        "\r",
        "-0",
        "1e9",
        "9".repeat(200).as_str(),
        "é".repeat(5000).as_str(),
    ]
    .map(String::from);
    let docs: Vec<ExportDocument> = odd
        .iter()
        .enumerate()
        .map(|(i, s)| ExportDocument {
            id: i as i64,
            path: s.clone(),
            file_name: s.clone(),
            project_number: Some(s.clone()),
            po_number: Some(s.clone()),
            document_type: Some(s.clone()),
            review_state: s.clone(),
            vendor_name: Some(s.clone()),
            invoice_number: Some(s.clone()),
            invoice_date: Some(s.clone()),
            due_date: Some(s.clone()),
            total: Some(s.clone()),
            description: Some(s.clone()),
            lines: vec![ExportLine {
                position: i64::MIN,
                description: Some(s.clone()),
                quantity: Some(s.clone()),
                unit_price: Some(s.clone()),
                amount: Some(s.clone()),
                date: Some(s.clone()),
                account_code: Some(s.clone()),
            }],
            ..ExportDocument::default()
        })
        .collect();
    for preset in [Preset::Generic, Preset::Xero, Preset::QuickBooksOnline] {
        for shape in [Shape::Documents, Shape::Lines] {
            let opts = ExportOptions {
                preset,
                shape,
                bom: true,
                dates: DateStyle::Us,
            };
            let mut out = Vec::new();
            let mut writer = ExportWriter::new(&mut out, &opts).unwrap();
            let mut written = 0;
            for doc in &docs {
                // Importers may refuse a document (with a typed error); nothing may panic, and
                // the generic preset refuses nothing.
                match writer.push(doc) {
                    Ok(()) => written += 1,
                    Err(error) => assert_ne!(preset, Preset::Generic, "{error}"),
                }
            }
            let summary = writer.finish().unwrap();
            assert_eq!(summary.documents + summary.skipped.len() as u64, written);
            assert!(out.starts_with(b"\xEF\xBB\xBF"));
            let mut reader = csv::ReaderBuilder::new().from_reader(&out[3..]);
            assert_eq!(
                reader.headers().unwrap().len(),
                columns(preset, shape).len()
            );
            let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
            assert_eq!(records.len() as u64, summary.rows);
        }
    }
}
