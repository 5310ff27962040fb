//! Reading PO logs: the demo export in full, malformed rows each reported on their line while
//! the rest is read, line ends and byte order marks, columns in another order or added.

use std::path::PathBuf;

use boxkeeper_polog::{
    parse, parse_bytes, parse_file, parse_named, Date, LineStatus, PoLog, RowKind, Terms,
};

const HEADER: &str =
    "Date\tType\tPay ID\tAccount\tID\tVendor\tDescription\tPO\tFactors\tSub-Total $\tFringes $";
const GAFFER: &str =
    "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t5 days x 600\t3000.00\t0.00";

fn demo_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/2416 - Whop Keynote/5. Budget/1.5 PO Logs")
        .join("PO_LOG_2416-2024-05-01_10-00-00.txt")
}

fn date(iso: &str) -> Date {
    Date::parse_iso(iso).unwrap()
}

fn problem_lines(log: &PoLog) -> Vec<usize> {
    log.problems.iter().map(|p| p.line).collect()
}

#[test]
fn the_demo_log_parses_fully() {
    let log = parse_file(&demo_path()).unwrap();
    assert_eq!(log.problems, []);
    assert_eq!(log.project.as_deref(), Some("2416"));
    assert_eq!(log.rows.len(), 3);

    let gaffer = &log.rows[0];
    assert_eq!(gaffer.line, 2);
    assert_eq!(gaffer.date, date("2024-04-22"));
    assert_eq!(gaffer.kind, RowKind::Invoice);
    assert_eq!(gaffer.type_code, "INV");
    assert_eq!(gaffer.pay_id, "NET30");
    assert_eq!(gaffer.terms, Some(Terms::Net(30)));
    assert_eq!(gaffer.due_date(), Some(date("2024-05-22")));
    assert_eq!(gaffer.account, "5300");
    assert_eq!(gaffer.id, "01");
    assert_eq!(gaffer.vendor, "Jane Smith");
    assert_eq!(gaffer.description, "Gaffer");
    assert_eq!(gaffer.po, "23");
    assert_eq!(gaffer.po_number(), "23");
    assert_eq!(gaffer.po_project(), None);
    assert_eq!(gaffer.factors_text, "5 days x 600");
    let factors = gaffer.factors.as_ref().unwrap();
    assert_eq!(factors.quantity.to_string(), "5");
    assert_eq!(factors.unit.as_deref(), Some("days"));
    assert_eq!(factors.rate_cents, 60_000);
    assert_eq!(gaffer.subtotal_cents, 300_000);
    assert_eq!(gaffer.fringes_cents, 0);

    let uber = &log.rows[1];
    assert_eq!(uber.line, 3);
    assert_eq!(uber.kind, RowKind::Card);
    assert_eq!(uber.terms, Some(Terms::Paid));
    assert_eq!(uber.status_from_terms(), Some(LineStatus::Paid));
    assert_eq!(uber.due_date(), None);
    assert_eq!(uber.po, "03");
    assert_eq!(uber.factors, None);
    assert_eq!(uber.subtotal_cents, 4_217);

    let van = &log.rows[2];
    assert_eq!(van.vendor, "Courier Car Rental, Inc");
    assert_eq!(van.terms, Some(Terms::ReadyToPay));
    assert_eq!(van.due_date(), Some(date("2024-04-24")));
    assert_eq!(van.po, "07");
    assert_eq!(van.factors.as_ref().unwrap().rate_cents, 18_500);
    assert_eq!(van.subtotal_cents, 55_500);
}

#[test]
fn malformed_rows_are_reported_on_their_line_and_the_rest_is_read() {
    // (row, words the message must contain)
    let bad: &[(&str, &[&str])] = &[
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t5 days x 600\t3000.00",
            &["10 columns", "header has 11"],
        ),
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane\tSmith\tGaffer\t23\t5 days x 600\t3000.00\t0.00",
            &["12 columns", "header has 11"],
        ),
        (
            "22/04/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t3000.00\t0.00",
            &["Date \"22/04/24\"", "month/day/year"],
        ),
        (
            "2024-04-22\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t3000.00\t0.00",
            &["Date \"2024-04-22\""],
        ),
        (
            "\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t3000.00\t0.00",
            &["Date is empty"],
        ),
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\tthree thousand\t0.00",
            &["Sub-Total $ \"three thousand\"", "not an amount"],
        ),
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t3.000,00\t0.00",
            &["Sub-Total $ \"3.000,00\"", "not an amount"],
        ),
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t\t0.00",
            &["Sub-Total $ is empty"],
        ),
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t3000.005\t0.00",
            &["fractions of a cent"],
        ),
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t3000.00\tn/a",
            &["Fringes $ \"n/a\""],
        ),
        (
            "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t\t\t3000.00\t0.00",
            &["PO is empty"],
        ),
        (
            "13/45/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\tabc\t0.00",
            &["Date \"13/45/24\"", "Sub-Total $ \"abc\""],
        ),
    ];
    let mut text = format!("{HEADER}\n{GAFFER}\n");
    for (row, _) in bad {
        text.push_str(row);
        text.push('\n');
    }
    text.push_str(GAFFER);
    text.push('\n');

    let log = parse(&text);
    assert_eq!(log.rows.len(), 2, "{:?}", log.problems);
    assert_eq!(log.rows[0].line, 2);
    assert_eq!(log.rows[1].line, bad.len() + 3);
    assert_eq!(log.problems.len(), bad.len(), "{:?}", log.problems);
    for (i, ((row, words), problem)) in bad.iter().zip(&log.problems).enumerate() {
        assert_eq!(problem.line, i + 3, "{row}");
        for word in *words {
            assert!(
                problem.message.contains(word),
                "line {}: {:?} lacks {word:?}",
                problem.line,
                problem.message
            );
        }
        assert!(problem
            .to_string()
            .starts_with(&format!("line {}: ", i + 3)));
    }
}

#[test]
fn a_header_without_required_columns_reads_no_row() {
    let log = parse(&format!("Date\tVendor\tAmount\n{GAFFER}\n"));
    assert_eq!(log.rows, []);
    assert_eq!(problem_lines(&log), [1]);
    let message = &log.problems[0].message;
    for word in ["Type", "PO", "Sub-Total $", "Date, Vendor, Amount"] {
        assert!(message.contains(word), "{message}");
    }
    assert!(!message.contains("no Date"), "{message}");
}

#[test]
fn an_empty_log_says_so() {
    for text in ["", "\n\n", "\u{feff}", "  \r\n\t\r\n"] {
        let log = parse(text);
        assert_eq!(log.rows, []);
        assert_eq!(problem_lines(&log), [1], "{text:?}");
        assert!(log.problems[0].message.contains("empty"));
    }
}

#[test]
fn a_header_alone_has_no_rows_and_no_problems() {
    let log = parse(&format!("{HEADER}\n"));
    assert_eq!(log, PoLog::default());
}

#[test]
fn crlf_bom_blank_lines_and_trailing_whitespace() {
    let text = format!("\u{feff}{HEADER}\t\r\n\r\n{GAFFER}  \r\n\t\t\r\n{GAFFER}\t\r\n");
    let log = parse(&text);
    assert_eq!(log.problems, []);
    assert_eq!(log.rows.len(), 2);
    assert_eq!(log.rows[0].line, 3);
    assert_eq!(log.rows[1].line, 5);
    assert_eq!(log.rows[0].date, date("2024-04-22"));
    assert_eq!(log.rows[1].fringes_cents, 0);
    assert_eq!(
        log.rows[0],
        parse(&format!("{HEADER}\n\n{GAFFER}\n")).rows[0]
    );
}

#[test]
fn bytes_in_other_encodings_read_the_same() {
    let text = format!(
        "{HEADER}\r\n{}\r\n",
        GAFFER.replace("Jane Smith", "Café Lumière")
    );
    let mut utf16 = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let cp1252: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let name = "PO_LOG_2416-2024-05-01_10-00-00.txt";
    for bytes in [text.as_bytes().to_vec(), utf16, cp1252] {
        let log = parse_bytes(name, &bytes);
        assert_eq!(log.problems, []);
        assert_eq!(log.project.as_deref(), Some("2416"));
        assert_eq!(log.rows[0].vendor, "Café Lumière");
    }
}

#[test]
fn columns_in_another_order_and_extra_columns() {
    let text = "\
Notes\tSub-Total $\tPO\tVendor\tDate\tFringes $\tType\tPay ID\tFactors\tDescription\tAccount\tID\tApproved By
first\t$3,000.00\t2416_23\tJane Smith\t04/22/24\t(100.00)\tINV\tNET15\t5 days x 600\tGaffer\t5300\t01\tKim
\t(42.17)\t03\tUber\t4/23/2024\t\tcrd\tPAID\t\tRefund\t5000\t01\t
";
    let log = parse_named("PO_LOG_2416-2024-05-01_10-00-00.txt", text);
    assert_eq!(log.problems, []);
    let [gaffer, refund] = &log.rows[..] else {
        panic!("{:?}", log.rows)
    };
    assert_eq!(gaffer.subtotal_cents, 300_000);
    assert_eq!(gaffer.fringes_cents, -10_000);
    assert_eq!(gaffer.po, "2416_23");
    assert_eq!(gaffer.po_project(), Some("2416"));
    assert_eq!(gaffer.po_number(), "23");
    assert_eq!(gaffer.vendor, "Jane Smith");
    assert_eq!(gaffer.terms, Some(Terms::Net(15)));
    assert_eq!(gaffer.due_date(), Some(date("2024-05-07")));
    assert_eq!(gaffer.description, "Gaffer");
    assert_eq!(gaffer.account, "5300");
    assert_eq!(refund.subtotal_cents, -4_217);
    assert_eq!(refund.fringes_cents, 0);
    assert_eq!(refund.kind, RowKind::Card);
    assert_eq!(refund.date, date("2024-04-23"));
}

#[test]
fn a_terms_column_is_preferred_to_pay_id() {
    let text = "Date\tType\tPay ID\tTerms\tPO\tSub-Total $\n\
                04/22/24\tCHK\t10442\tNET 10\t23\t100.00\n\
                04/22/24\tCHK\tNET30\t\t24\t100.00\n";
    let log = parse(text);
    assert_eq!(log.problems, []);
    assert_eq!(log.rows[0].pay_id, "10442");
    assert_eq!(log.rows[0].terms, Some(Terms::Net(10)));
    assert_eq!(log.rows[0].kind, RowKind::Invoice);
    assert_eq!(log.rows[1].terms, None);
    // Only the four needed columns: the others read as empty.
    assert_eq!(log.rows[0].vendor, "");
    assert_eq!(log.rows[0].fringes_cents, 0);
}

#[test]
fn a_row_of_another_project_is_a_problem_in_a_named_log() {
    let text = format!(
        "{HEADER}\n{GAFFER}\n{}\n",
        GAFFER.replace("\t23\t", "\t2417_23\t")
    );
    let log = parse_named("PO_LOG_2416-2024-05-01_10-00-00.txt", &text);
    assert_eq!(log.rows.len(), 1);
    assert_eq!(problem_lines(&log), [3]);
    assert!(log.problems[0].message.contains("project 2417"));
    // Without the name nothing says which project is right: both rows are read.
    assert_eq!(parse(&text).rows.len(), 2);
    // A name that is not a PO log's leaves the project unknown.
    assert_eq!(parse_named("notes.txt", &text).project, None);
}

#[test]
fn a_duplicated_header_column_is_reported_and_the_first_read() {
    let text = "Date\tType\tPO\tSub-Total $\tSub-Total $\n04/22/24\tINV\t23\t5.00\t9.00\n";
    let log = parse(text);
    assert_eq!(problem_lines(&log), [1]);
    assert!(log.problems[0].message.contains("twice"));
    assert_eq!(log.rows[0].subtotal_cents, 500);
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let error = parse_file(&PathBuf::from(
        "/nonexistent/PO_LOG_1-2024-05-01_10-00-00.txt",
    ))
    .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/PO_LOG_1"),
        "{error}"
    );
}
