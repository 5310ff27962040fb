//! Any text survives the trip through a CSV reader unchanged, except for the neutralising
//! quote in front of what a spreadsheet would run as a formula.

use boxkeeper_export::{
    DateStyle, ExportDocument, ExportLine, ExportOptions, ExportWriter, Preset, Shape,
};
use proptest::prelude::*;

/// What the file should hold for `text`, decided without the crate's own code: a leading
/// quote when the text starts with = + - @ tab or CR, unless it is a plain number.
fn expected(text: &str) -> String {
    let plain_number = {
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (unsigned, None),
        };
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        digits(whole) && fraction.is_none_or(digits)
    };
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !plain_number {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn round_trip(texts: &[String], bom: bool) -> Result<(), TestCaseError> {
    let docs: Vec<ExportDocument> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| ExportDocument {
            id: i as i64,
            path: text.clone(),
            vendor_name: Some(text.clone()),
            total: Some(text.clone()),
            review_state: "approved".into(),
            lines: vec![ExportLine {
                position: 1,
                description: Some(text.clone()),
                ..ExportLine::default()
            }],
            ..ExportDocument::default()
        })
        .collect();
    let opts = ExportOptions {
        preset: Preset::Generic,
        shape: Shape::Lines,
        bom,
        dates: DateStyle::Iso,
    };
    let mut out = Vec::new();
    let mut writer = ExportWriter::new(&mut out, &opts).unwrap();
    for doc in &docs {
        writer.push(doc).unwrap();
    }
    writer.finish().unwrap();

    let body = if bom {
        prop_assert!(out.starts_with(b"\xEF\xBB\xBF"));
        &out[3..]
    } else {
        &out[..]
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(body);
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (path, vendor, total, line) = (
        at("path"),
        at("vendor_name"),
        at("total"),
        at("line_description"),
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    prop_assert_eq!(records.len(), texts.len());
    for (record, text) in records.iter().zip(texts) {
        let want = expected(text);
        prop_assert_eq!(&record[path], want.as_str());
        prop_assert_eq!(&record[vendor], want.as_str());
        prop_assert_eq!(&record[total], want.as_str());
        prop_assert_eq!(&record[line], want.as_str());
    }
    Ok(())
}

/// Text weighted towards what matters to CSV and to spreadsheets.
fn tricky_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[=+@\t\r\n\",' a-zé東🎬0-9.\\-]{0,12}",
        "-?[0-9]{1,6}(\\.[0-9]{1,3})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_round_trips(texts in proptest::collection::vec(tricky_text(), 1..6), bom in any::<bool>()) {
        round_trip(&texts, bom)?;
    }
}

#[test]
fn known_awkward_texts_round_trip() {
    let texts: Vec<String> = [
        "",
        "\"",
        "\r\n",
        "\n",
        "\r",
        "a\r\nb",
        "=1+2",
        "-12.00",
        "-",
        "+",
        "@",
        "\t",
        "'",
        "\u{feff}x",
        "Café Zürich, Inc.",
        "Studio \"54\"",
        "Jane\nSmith",
        "=HYPERLINK(\"x\")",
        "@SUM(A1)",
    ]
    .map(String::from)
    .to_vec();
    round_trip(&texts, false).unwrap();
    round_trip(&texts, true).unwrap();
}
