//! The review workspace through the surface the app and the CLI call, on the bundled demo
//! folder: the PO view's statuses by the rules and by hand, flags, line items and fields
//! corrected as typed (and refused when mistyped), undo, the review flow, page images,
//! full-text search, and a CSV export that marks what it wrote and can be undone — all of it
//! surviving a restart.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use boxkeeper_api::dto::{
    DocumentQuery, DocumentRow, DocumentStatus, ExportPreset, ExportRequest, ExportShape,
    LineInput, PoChange, ReviewState,
};
use boxkeeper_api::{DataPaths, Workspace};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn open(data: &Path, folder: &Path) -> Workspace {
    if std::env::var_os("BOXKEEPER_PDFIUM_DIR").is_none() {
        std::env::set_var("BOXKEEPER_PDFIUM_DIR", repo().join(".tools/pdfium"));
    }
    let ws = Workspace::open(DataPaths::in_dir(data), |_| {}).unwrap();
    ws.watch_folder(folder, true).unwrap();
    ws
}

fn all(ws: &Workspace, query: DocumentQuery) -> Vec<DocumentRow> {
    ws.documents_page(query, 0, 1000).unwrap().rows
}

fn settle(ws: &Workspace) -> Vec<DocumentRow> {
    ws.start_extraction().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let rows = all(ws, DocumentQuery::default());
        if !rows.is_empty()
            && rows
                .iter()
                .all(|r| matches!(r.status, DocumentStatus::Done | DocumentStatus::Failed))
        {
            ws.stop_extraction();
            return rows;
        }
        assert!(Instant::now() < deadline, "not settled: {rows:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn named<'a>(rows: &'a [DocumentRow], name: &str) -> &'a DocumentRow {
    rows.iter()
        .find(|r| r.path.ends_with(name))
        .unwrap_or_else(|| panic!("no {name} in {rows:#?}"))
}

#[test]
fn a_bookkeeper_reviews_corrects_and_exports_the_demo() {
    let folder = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("demo"), folder.path());
    let ws = open(data.path(), folder.path());
    let rows = settle(&ws);

    // The PO view, by the rules of domain.md.
    let pos = ws.purchase_orders().unwrap();
    let po = |project: &str, number: &str| {
        pos.iter()
            .find(|p| p.project_number == project && p.po_number == number)
            .unwrap_or_else(|| panic!("no PO {project}_{number} in {pos:#?}"))
            .clone()
    };
    assert_eq!(po("2416", "03").status, "CC / PC");
    assert_eq!(po("2416", "03").vendor_type.as_deref(), Some("cc"));
    assert_eq!(po("2416", "07").status, "Tax Form Needed");
    assert_eq!(
        po("2416", "07").vendor.as_deref(),
        Some("Courier Car Rental, Inc")
    );
    let jane = po("2416", "23");
    assert_eq!(jane.status, "Needs Verification", "{jane:?}");
    assert_eq!((jane.invoices, jane.tax_forms), (2, 1));
    assert!(!jane.totals.is_empty(), "{jane:?}");

    // Verifying the W9 approves the PO; a status set by hand wins and says so.
    let pos = ws
        .change_po(&PoChange {
            project_number: "2416".into(),
            po_number: "23".into(),
            verify_tax_form: true,
            ..Default::default()
        })
        .unwrap();
    let jane = pos.iter().find(|p| p.po_number == "23").unwrap();
    assert_eq!(jane.status, "Approved");
    let pos = ws
        .change_po(&PoChange {
            project_number: "2416".into(),
            po_number: "07".into(),
            status: Some("Approved".into()),
            ..Default::default()
        })
        .unwrap();
    let courier = pos.iter().find(|p| p.po_number == "07").unwrap();
    assert!(courier.status_by_person && courier.status == "Approved");
    assert!(ws
        .change_po(&PoChange {
            project_number: "2416".into(),
            po_number: "07".into(),
            status: Some("Paid maybe".into()),
            ..Default::default()
        })
        .is_err());

    // Flags: the Courier invoice's PO has no W9; the scratch PDF's name does not parse.
    let courier_inv = named(&rows, "2416_07_01 Courier Car Rental, Inc Invoice.pdf");
    let detail = ws.document(courier_inv.id).unwrap().unwrap();
    assert!(
        detail.flags.iter().any(|f| f.kind == "no_tax_form"),
        "{:?}",
        detail.flags
    );
    let notes = named(&rows, "call sheet notes.pdf");
    let notes_detail = ws.document(notes.id).unwrap().unwrap();
    let unparsed = notes_detail
        .flags
        .iter()
        .find(|f| f.kind == "unparsed_name")
        .unwrap_or_else(|| panic!("{:?}", notes_detail.flags));
    assert!(
        ws.dismiss_flag(unparsed.id, Some("  ")).is_err(),
        "a note is required"
    );
    let after = ws
        .dismiss_flag(unparsed.id, Some("call sheet, not a bill"))
        .unwrap()
        .unwrap();
    let dismissed = after.flags.iter().find(|f| f.id == unparsed.id).unwrap();
    assert!(dismissed.dismissed);
    assert_eq!(
        dismissed.dismiss_note.as_deref(),
        Some("call sheet, not a bill")
    );

    // Corrections are checked as typed; a bad one is refused and changes nothing.
    let inv = named(&rows, "2416_23_01 Jane Smith Invoice.pdf").clone();
    let err = ws.correct_field(inv.id, "total", "12,50").unwrap_err();
    assert!(err.to_string().contains("not an amount"), "{err}");
    let err = ws
        .correct_field(inv.id, "invoice_date", "2024-02-30")
        .unwrap_err();
    assert!(err.to_string().contains("invoice date"), "{err}");
    let fixed = ws
        .correct_field(inv.id, "total", "1234.5")
        .unwrap()
        .unwrap();
    assert_eq!(fixed.document.total.as_deref(), Some("1234.50"));

    // A line by hand: added, validated, pinned; undo takes it back, then the total.
    let lines: Vec<LineInput> = fixed
        .lines
        .iter()
        .map(|l| LineInput {
            description: l.description.clone(),
            quantity: l.quantity.clone(),
            unit_price: l.unit_price.clone(),
            amount: l.amount.clone(),
            date: l.date.clone(),
            account_code: l.account_code.clone(),
        })
        .chain([LineInput {
            description: Some("Kit rental".into()),
            quantity: Some("2".into()),
            unit_price: Some("50".into()),
            amount: Some("100".into()),
            account_code: Some("5300 US Labor".into()),
            ..Default::default()
        }])
        .collect();
    let mut bad = lines.clone();
    bad.last_mut().unwrap().account_code = Some("9999".into());
    let err = ws.set_lines(inv.id, &bad).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("line {}", lines.len())),
        "{err}"
    );
    let edited = ws.set_lines(inv.id, &lines).unwrap().unwrap();
    assert!(edited.lines_by_person);
    let added = edited.lines.last().unwrap();
    assert_eq!(added.amount.as_deref(), Some("100.00"));
    assert_eq!(added.account_code.as_deref(), Some("5300"));
    assert_eq!(added.provenance, "person");
    assert_eq!(ws.undo(inv.id).unwrap().as_deref(), Some("line items"));
    let undone = ws.document(inv.id).unwrap().unwrap();
    assert_eq!(undone.lines.len(), lines.len() - 1);
    assert!(!undone.lines_by_person);
    assert!(
        undone.can_undo,
        "the total's correction is still there to undo"
    );

    // The review flow: approve, a refused move, back.
    assert_eq!(ws.set_review(&[inv.id], ReviewState::Approved).unwrap(), 1);
    assert!(ws.set_review(&[inv.id], ReviewState::Exported).is_err());
    let rejected = named(&rows, "2416_23_02 Jane Smith Invoice.pdf").id;
    ws.set_review(&[rejected], ReviewState::Rejected).unwrap();
    assert!(ws.set_review(&[rejected], ReviewState::Approved).is_err());
    let status = ws.status().unwrap();
    let counts = status.documents;
    assert_eq!((counts.approved, counts.rejected), (1, 1), "{counts:?}");

    // Full-text search finds the vendor by a prefix and a word of the document's text.
    let found = all(
        &ws,
        DocumentQuery {
            text: Some("cour car".into()),
            ..Default::default()
        },
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    // A page image of the approved invoice.
    let page = ws.page_image(inv.id, 0, 800).unwrap();
    assert!(page.data_url.starts_with("data:image/png;base64,"));
    assert_eq!(page.width, 800);
    assert!(page.page_count >= 1 && page.height > 0);
    assert!(ws.page_image(inv.id, 99, 800).is_err());

    // Export the approved documents: the file is written, they are Exported; undo.
    let out = data.path().join("approved.csv");
    let request = ExportRequest {
        path: out.display().to_string(),
        preset: ExportPreset::Generic,
        shape: ExportShape::Lines,
        query: DocumentQuery {
            review: Some(ReviewState::Approved),
            ..Default::default()
        },
        mark_exported: true,
        ..Default::default()
    };
    let done = ws.export_csv(&request).unwrap();
    assert_eq!((done.documents, done.marked), (1, 1), "{done:?}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.contains("1234.50"), "{csv}");
    assert_eq!(
        ws.document(inv.id).unwrap().unwrap().document.review,
        ReviewState::Exported
    );
    // A failed export (a folder in the way) writes nothing and marks nothing.
    let blocked = ExportRequest {
        path: data.path().display().to_string(),
        ..request.clone()
    };
    assert!(ws.export_csv(&blocked).is_err());
    assert_eq!(ws.undo_export(done.export_id.unwrap()).unwrap(), 1);
    assert_eq!(
        ws.document(inv.id).unwrap().unwrap().document.review,
        ReviewState::Approved
    );

    // After a restart: the correction, the history, the review state, the PO override.
    drop(ws);
    let ws = open(data.path(), folder.path());
    let again = ws.document(inv.id).unwrap().unwrap();
    assert_eq!(again.document.total.as_deref(), Some("1234.50"));
    assert_eq!(again.document.review, ReviewState::Approved);
    let whos: Vec<&str> = again.history.iter().map(|h| h.who.as_str()).collect();
    for who in ["person", "person (undo)", "export", "export undone"] {
        assert!(whos.contains(&who), "{who} missing from {whos:?}");
    }
    let pos = ws.purchase_orders().unwrap();
    assert_eq!(
        pos.iter().find(|p| p.po_number == "07").unwrap().status,
        "Approved"
    );
}

/// The demo's PO log is read from the tree and compared with the invoices: a PO whose lines
/// differ from the actualized amount is "PO Log Mismatch" with both amounts; a newer log
/// opened by hand, whose amount matches, makes it RTP, and its malformed row is reported by
/// line number while the rest is used.
#[test]
fn po_logs_are_reconciled_with_the_invoice_lines() {
    let folder = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("demo"), folder.path());
    let ws = open(data.path(), folder.path());
    let rows = settle(&ws);

    let log_doc = named(&rows, "PO_LOG_2416-2024-05-01_10-00-00.txt");
    assert_eq!(log_doc.status, DocumentStatus::Done, "{log_doc:?}");
    assert_eq!(log_doc.name_type.as_deref(), Some("PO_LOG"));
    assert_eq!(log_doc.open_flags, 0, "a PO log is not a misnamed document");
    // Nor is its event row: the Events tab shows its project and no problem.
    let events = ws
        .events_page(boxkeeper_api::dto::EventFilter::default(), 0, 1000)
        .unwrap();
    let log_event = events
        .rows
        .iter()
        .find(|e| e.path.ends_with("PO_LOG_2416-2024-05-01_10-00-00.txt"))
        .unwrap();
    assert!(log_event.problems.is_empty(), "{log_event:?}");
    assert_eq!(log_event.project_number.as_deref(), Some("2416"));

    let pos = ws.purchase_orders().unwrap();
    let jane = pos.iter().find(|p| p.po_number == "23").unwrap();
    let log = jane.log.clone().unwrap_or_else(|| panic!("{jane:#?}"));
    assert_eq!(log.status, "PO Log Mismatch", "{log:?}");
    assert_eq!(log.actualized.as_deref(), Some("3000.00"));
    let lines = log.lines.clone().unwrap();
    assert_ne!(lines, "3000.00");
    assert!(log.difference.is_some());
    assert_eq!(log.log_lines, vec![2]);
    assert_eq!(
        log.due_date.as_deref(),
        Some("2024-05-22"),
        "NET30 from 04/22/24"
    );

    // A newer log, by hand: PO 23 now matches what the invoices say; one row is broken.
    let newer = data.path().join("PO_LOG_2416-2024-06-01_09-30-00.txt");
    std::fs::write(
        &newer,
        format!(
            "Date\tType\tPay ID\tAccount\tID\tVendor\tDescription\tPO\tFactors\tSub-Total $\tFringes $\n\
             05/30/24\tINV\tRTP\t5300\t01\tJane Smith\tGaffer\t23\t\t{lines}\t0.00\n\
             13/45/24\tINV\tRTP\t5300\t02\tNobody\tBroken\t24\t\t10.00\t0.00\n"
        ),
    )
    .unwrap();
    let report = ws.open_po_log(&newer).unwrap();
    assert_eq!(report.rows, 1);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with("line 3"),
        "{:?}",
        report.problems
    );
    let pos = ws.purchase_orders().unwrap();
    let jane = pos.iter().find(|p| p.po_number == "23").unwrap();
    assert_eq!(jane.log.as_ref().unwrap().status, "RTP", "{jane:#?}");
    assert!(ws.open_po_log(&data.path().join("notes.txt")).is_err());
}
