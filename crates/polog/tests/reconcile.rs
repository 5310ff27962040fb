//! Reconciliation outcomes: exact match, within a cent, mismatch both ways, a PO without
//! documents, documents without a log row, fringes left out, terms and due dates per PO.

use boxkeeper_polog::{
    parse_named, reconcile, Date, LineStatus, Outcome, PoLines, Reconciliation, RowKind,
};

const NAME: &str = "PO_LOG_2416-2024-05-01_10-00-00.txt";
const HEADER: &str =
    "Date\tType\tPay ID\tAccount\tID\tVendor\tDescription\tPO\tFactors\tSub-Total $\tFringes $";

fn log(rows: &[&str]) -> boxkeeper_polog::PoLog {
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    let log = parse_named(NAME, &text);
    assert_eq!(log.problems, []);
    log
}

fn lines(project: &str, po: &str, cents: i64) -> PoLines {
    PoLines {
        project: project.to_string(),
        po: po.to_string(),
        lines_sum_cents: cents,
    }
}

fn find<'a>(results: &'a [Reconciliation], po: &str) -> &'a Reconciliation {
    results
        .iter()
        .find(|r| r.po == po)
        .unwrap_or_else(|| panic!("no PO {po} in {results:?}"))
}

/// A PO's number, outcome, actualized amount, lines' sum and status.
type Summary<'a> = (&'a str, Outcome, Option<i64>, Option<i64>, LineStatus);

fn summary(results: &[Reconciliation]) -> Vec<Summary<'_>> {
    results
        .iter()
        .map(|r| {
            (
                r.po.as_str(),
                r.outcome,
                r.actualized_cents,
                r.lines_cents,
                r.status(),
            )
        })
        .collect()
}

fn date(iso: &str) -> Option<Date> {
    Date::parse_iso(iso)
}

#[test]
fn the_demo_log_against_its_documents() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/2416 - Whop Keynote/5. Budget/1.5 PO Logs")
        .join(NAME);
    let log = boxkeeper_polog::parse_file(&path).unwrap();
    let results = reconcile(
        &log,
        &[
            lines("2416", "23", 300_000),
            lines("2416", "03", 4_217),
            lines("2416", "07", 55_000),
        ],
    );
    assert_eq!(
        summary(&results),
        [
            (
                "23",
                Outcome::Rtp,
                Some(300_000),
                Some(300_000),
                LineStatus::Rtp
            ),
            (
                "03",
                Outcome::Rtp,
                Some(4_217),
                Some(4_217),
                LineStatus::Paid
            ),
            (
                "07",
                Outcome::Mismatch {
                    difference_cents: -500
                },
                Some(55_500),
                Some(55_000),
                LineStatus::PoLogMismatch
            ),
        ]
    );
    let gaffer = find(&results, "23");
    assert_eq!(gaffer.project, "2416");
    assert_eq!(gaffer.vendor.as_deref(), Some("Jane Smith"));
    assert_eq!(gaffer.kind, Some(RowKind::Invoice));
    assert_eq!(gaffer.due_date, date("2024-05-22"));
    assert_eq!(gaffer.log_lines, [2]);
    assert_eq!(find(&results, "03").kind, Some(RowKind::Card));
}

#[test]
fn exact_and_within_a_cent_match_and_two_cents_do_not() {
    let log = log(&[
        "04/22/24\tINV\tNET30\t5300\t01\tA\tx\t10\t\t100.00\t0.00",
        "04/22/24\tINV\tNET30\t5300\t01\tB\tx\t11\t\t100.00\t0.00",
        "04/22/24\tINV\tNET30\t5300\t01\tC\tx\t12\t\t100.00\t0.00",
        "04/22/24\tINV\tNET30\t5300\t01\tD\tx\t13\t\t100.00\t0.00",
        "04/22/24\tINV\tNET30\t5300\t01\tE\tx\t14\t\t100.00\t0.00",
    ]);
    let results = reconcile(
        &log,
        &[
            lines("2416", "10", 10_000),
            lines("2416", "11", 10_001),
            lines("2416", "12", 9_999),
            lines("2416", "13", 10_002),
            lines("2416", "14", 9_998),
        ],
    );
    let outcomes: Vec<Outcome> = results.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Rtp,
            Outcome::Rtp,
            Outcome::Rtp,
            Outcome::Mismatch {
                difference_cents: 2
            },
            Outcome::Mismatch {
                difference_cents: -2
            },
        ]
    );
    let mismatch = find(&results, "13");
    assert_eq!(mismatch.actualized_cents, Some(10_000));
    assert_eq!(mismatch.lines_cents, Some(10_002));
    assert_eq!(mismatch.status(), LineStatus::PoLogMismatch);
    assert_eq!(mismatch.status().label(), "PO Log Mismatch");
}

#[test]
fn rows_of_one_po_add_up_and_fringes_stay_out() {
    let log = log(&[
        "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t5 days x 600\t3000.00\t450.00",
        "04/29/24\tINV\tNET15\t5300\t02\tJane Smith\tGaffer OT\t23\t\t$1,250.50\t187.58",
        "04/30/24\tINV\tNET30\t5300\t03\tJane Smith\tCredit\t023\t\t(250.50)\t0.00",
    ]);
    let results = reconcile(&log, &[lines("2416", "23", 400_000)]);
    assert_eq!(results.len(), 1, "{results:?}");
    let po = &results[0];
    assert_eq!(po.po, "23");
    assert_eq!(po.log_lines, [2, 3, 4]);
    assert_eq!(po.actualized_cents, Some(400_000));
    assert_eq!(po.fringes_cents, 63_758);
    assert_eq!(po.outcome, Outcome::Rtp);
    // The earliest due date of the three: 04/29 + 15 days.
    assert_eq!(po.due_date, date("2024-05-14"));
    assert_eq!(po.status_from_terms, Some(LineStatus::Pending));
}

#[test]
fn a_po_without_documents_and_documents_without_a_log_row() {
    let log = log(&[
        "04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t3000.00\t0.00",
        "04/24/24\tINV\tRTP\t5300\t01\tCourier\tVan\t07\t\t555.00\t0.00",
    ]);
    let results = reconcile(
        &log,
        &[
            lines("2416", "7", 55_500),
            lines("2416", "31", 1_000),
            lines("2416", "09", 2_000),
            // Another project's documents are not this log's business.
            lines("2417", "23", 300_000),
        ],
    );
    assert_eq!(
        summary(&results),
        [
            (
                "23",
                Outcome::NoDocuments,
                Some(300_000),
                None,
                LineStatus::Pending
            ),
            // "07" in the log is PO 7 of the documents.
            (
                "07",
                Outcome::Rtp,
                Some(55_500),
                Some(55_500),
                LineStatus::Rtp
            ),
            (
                "09",
                Outcome::NotInLog,
                None,
                Some(2_000),
                LineStatus::Pending
            ),
            (
                "31",
                Outcome::NotInLog,
                None,
                Some(1_000),
                LineStatus::Pending
            ),
        ]
    );
    let missing = find(&results, "09");
    assert_eq!(missing.project, "2416");
    assert_eq!(missing.kind, None);
    assert!(missing.log_lines.is_empty());
}

#[test]
fn document_entries_for_one_po_are_added() {
    let log = log(&["04/22/24\tINV\tNET30\t5300\t01\tA\tx\t10\t\t100.00\t0.00"]);
    let results = reconcile(
        &log,
        &[lines("2416", "10", 6_000), lines("2416", "010", 4_000)],
    );
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].lines_cents, Some(10_000));
    assert_eq!(results[0].outcome, Outcome::Rtp);
}

#[test]
fn paid_terms_win_only_when_every_row_is_paid() {
    let log = log(&[
        "04/22/24\tINV\tPAID\t5300\t01\tA\tx\t10\t\t100.00\t0.00",
        "04/22/24\tINV\tPAID\t5300\t02\tA\tx\t10\t\t50.00\t0.00",
        "04/22/24\tINV\tPAID\t5300\t01\tB\tx\t11\t\t100.00\t0.00",
        "04/23/24\tINV\tNET0\t5300\t02\tB\tx\t11\t\t50.00\t0.00",
        "04/22/24\tINV\tRTP\t5300\t01\tC\tx\t12\t\t100.00\t0.00",
        "04/22/24\tINV\t\t5300\t01\tD\tx\t13\t\t100.00\t0.00",
    ]);
    let results = reconcile(
        &log,
        &[
            lines("2416", "10", 99),
            lines("2416", "11", 15_000),
            lines("2416", "12", 5_000),
            lines("2416", "13", 10_000),
        ],
    );
    let all_paid = find(&results, "10");
    assert_eq!(all_paid.status_from_terms, Some(LineStatus::Paid));
    assert_eq!(all_paid.due_date, None);
    // Paid in the budgeting software stays paid even when the documents disagree.
    assert!(matches!(all_paid.outcome, Outcome::Mismatch { .. }));
    assert_eq!(all_paid.status(), LineStatus::Paid);

    let half_paid = find(&results, "11");
    assert_eq!(half_paid.status_from_terms, Some(LineStatus::Pending));
    assert_eq!(half_paid.due_date, date("2024-04-23"));
    assert_eq!(half_paid.status(), LineStatus::Rtp);

    // RTP terms do not hide a mismatch.
    let rtp = find(&results, "12");
    assert_eq!(rtp.status_from_terms, Some(LineStatus::Rtp));
    assert_eq!(rtp.status(), LineStatus::PoLogMismatch);

    let no_terms = find(&results, "13");
    assert_eq!(no_terms.status_from_terms, None);
    assert_eq!(no_terms.due_date, None);
    assert_eq!(no_terms.status(), LineStatus::Rtp);
}

#[test]
fn projects_written_in_po_cells_are_used() {
    let text = format!("{HEADER}\n04/22/24\tINV\tNET30\t5300\t01\tA\tx\t2416_23\t\t100.00\t0.00\n");
    let log = boxkeeper_polog::parse(&text);
    assert_eq!(log.project, None);
    let results = reconcile(&log, &[lines("2416", "23", 10_000)]);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].project, "2416");
    assert_eq!(results[0].po, "23");
    assert_eq!(results[0].outcome, Outcome::Rtp);
}

#[test]
fn mixed_kinds_count_as_invoice() {
    let log = log(&[
        "04/22/24\tCRD\tPAID\t5000\t01\tA\tx\t10\t\t100.00\t0.00",
        "04/22/24\tPC\tPAID\t5000\t02\tA\tx\t10\t\t100.00\t0.00",
        "04/22/24\tPC\tPAID\t5000\t01\tA\tx\t11\t\t100.00\t0.00",
    ]);
    let results = reconcile(&log, &[]);
    assert_eq!(find(&results, "10").kind, Some(RowKind::Invoice));
    assert_eq!(find(&results, "11").kind, Some(RowKind::PettyCash));
}
