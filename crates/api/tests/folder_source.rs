//! The folder source end to end through the workspace, on real temporary folders: what a
//! user does in a file manager must show up as the right events, once.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use boxkeeper_api::dto::{EventFilter, EventKind, EventRow, SourceState};
use boxkeeper_api::{DataPaths, Notice, Workspace};

const PO: &str = "2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";
const INVOICE: &str = "2416_23_01 Jane Smith Invoice.pdf";

struct Harness {
    _data: tempfile::TempDir,
    tree: tempfile::TempDir,
    ws: Workspace,
    notices: Receiver<Notice>,
}

impl Harness {
    fn new() -> Harness {
        let data = tempfile::tempdir().unwrap();
        let tree = tempfile::tempdir().unwrap();
        let (ws, notices) = open(data.path());
        Harness {
            _data: data,
            tree,
            ws,
            notices,
        }
    }

    fn root(&self) -> &Path {
        self.tree.path()
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn start(&self) {
        self.ws.watch_folder(self.root(), true).unwrap();
        wait_for_state(&self.notices, SourceState::Watching);
    }

    /// All events, oldest first.
    fn events(&self) -> Vec<EventRow> {
        let mut rows = Vec::new();
        loop {
            let page = self
                .ws
                .events_page(EventFilter::default(), rows.len() as u32, 1000)
                .unwrap();
            let done = page.rows.len() < 1000;
            rows.extend(page.rows);
            if done {
                break;
            }
        }
        rows.reverse();
        rows
    }

    /// Waits until an event satisfying `pred` is stored, then a little longer for stragglers.
    fn wait_event(&self, what: &str, pred: impl Fn(&EventRow) -> bool) -> EventRow {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(e) = self.events().into_iter().find(|e| pred(e)) {
                // Let the watcher's debounce window pass, so later assertions see everything.
                std::thread::sleep(Duration::from_millis(400));
                while self.notices.try_recv().is_ok() {}
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {:#?}",
                self.events()
            );
            let _ = self.notices.recv_timeout(Duration::from_millis(200));
        }
    }
}

fn open(data: &Path) -> (Workspace, Receiver<Notice>) {
    let (tx, rx) = channel();
    let tx = std::sync::Mutex::new(tx);
    let ws = Workspace::open(DataPaths::in_dir(data), move |n| {
        let _ = tx.lock().unwrap().send(n);
    })
    .unwrap();
    (ws, rx)
}

/// Opens a workspace on `data` and waits until it watches `tree`.
fn watching(data: &Path, tree: &Path) -> (Workspace, Receiver<Notice>) {
    let (ws, rx) = open(data);
    ws.watch_folder(tree, true).unwrap();
    wait_for_state(&rx, SourceState::Watching);
    (ws, rx)
}

fn wait_for_state(rx: &Receiver<Notice>, want: SourceState) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Notice::StatusChanged(s)) = rx.recv_timeout(Duration::from_millis(100)) {
            if s.state == want {
                return;
            }
        }
    }
    panic!("source never reached {want:?}");
}

fn seed(root: &Path) {
    fs::create_dir_all(root.join(PO)).unwrap();
    fs::write(root.join(PO).join(INVOICE), b"%PDF-1.4 demo").unwrap();
}

#[test]
fn initial_scan_records_the_tree_with_parsed_fields() {
    let h = Harness::new();
    seed(h.root());
    h.start();
    let events = h.events();
    assert_eq!(events.len(), 4, "{events:#?}");
    assert!(events
        .iter()
        .all(|e| matches!(e.kind, EventKind::FileAdded | EventKind::FolderAdded)));
    let invoice = events.iter().find(|e| e.path.ends_with(INVOICE)).unwrap();
    assert_eq!(invoice.project_number.as_deref(), Some("2416"));
    assert_eq!(invoice.project_name.as_deref(), Some("Whop Keynote"));
    assert_eq!(invoice.po_number.as_deref(), Some("23"));
    assert_eq!(invoice.vendor_name.as_deref(), Some("Jane Smith"));
    assert_eq!(invoice.vendor_type.as_deref(), Some("vendor"));
    assert_eq!(invoice.document_type.as_deref(), Some("INVOICE"));
    assert_eq!(invoice.file_number.as_deref(), Some("01"));
    assert!(invoice.problems.is_empty());
}

#[test]
fn live_add_rename_move_and_delete_of_files() {
    let h = Harness::new();
    seed(h.root());
    h.start();

    fs::write(h.p(PO).join("2416_23_02 Jane Smith Invoice.pdf"), b"two").unwrap();
    let added = h.wait_event("file added", |e| {
        e.kind == EventKind::FileAdded && e.path.ends_with("2416_23_02 Jane Smith Invoice.pdf")
    });
    assert_eq!(added.file_number.as_deref(), Some("02"));

    fs::rename(
        h.p(PO).join("2416_23_02 Jane Smith Invoice.pdf"),
        h.p(PO).join("2416_23_03 Jane Smith Invoice.pdf"),
    )
    .unwrap();
    let renamed = h.wait_event("file renamed", |e| e.kind == EventKind::FileRenamed);
    assert!(renamed.path.ends_with("2416_23_03 Jane Smith Invoice.pdf"));
    assert!(renamed
        .old_path
        .as_deref()
        .unwrap()
        .ends_with("2416_23_02 Jane Smith Invoice.pdf"));
    assert_eq!(renamed.file_number.as_deref(), Some("03"));

    fs::create_dir(h.p("2416 - Whop Keynote/Inbox")).unwrap();
    h.wait_event("folder added", |e| {
        e.kind == EventKind::FolderAdded && e.path.ends_with("/Inbox")
    });
    fs::rename(
        h.p(PO).join("2416_23_03 Jane Smith Invoice.pdf"),
        h.p("2416 - Whop Keynote/Inbox/2416_23_03 Jane Smith Invoice.pdf"),
    )
    .unwrap();
    let moved = h.wait_event("file moved", |e| e.kind == EventKind::FileMoved);
    assert!(moved
        .path
        .ends_with("/Inbox/2416_23_03 Jane Smith Invoice.pdf"));

    fs::remove_file(h.p("2416 - Whop Keynote/Inbox/2416_23_03 Jane Smith Invoice.pdf")).unwrap();
    let deleted = h.wait_event("file deleted", |e| e.kind == EventKind::FileDeleted);
    assert!(deleted
        .path
        .ends_with("/Inbox/2416_23_03 Jane Smith Invoice.pdf"));

    // Nothing was recorded twice.
    let events = h.events();
    let count = |k: EventKind| events.iter().filter(|e| e.kind == k).count();
    assert_eq!(count(EventKind::FileRenamed), 1, "{events:#?}");
    assert_eq!(count(EventKind::FileMoved), 1, "{events:#?}");
    assert_eq!(count(EventKind::FileDeleted), 1, "{events:#?}");
}

#[test]
fn a_folder_move_with_1000_descendants_is_one_event() {
    let h = Harness::new();
    seed(h.root());
    let big = h.p("2416 - Whop Keynote/1. Purchase Orders/2416_30 Big Vendor");
    fs::create_dir_all(big.join("Add'l Files")).unwrap();
    for i in 0..999 {
        fs::write(
            big.join("Add'l Files").join(format!("scan {i:04}.pdf")),
            b"x",
        )
        .unwrap();
    }
    h.start();
    let before = h.events().len();

    fs::create_dir(h.p("Archive")).unwrap();
    h.wait_event("archive folder", |e| e.path == "/Archive");
    fs::rename(&big, h.p("Archive/2416_30 Big Vendor")).unwrap();
    let moved = h.wait_event("folder moved", |e| e.kind == EventKind::FolderMoved);
    assert_eq!(moved.path, "/Archive/2416_30 Big Vendor");
    assert_eq!(moved.descendants, 1000);
    let events = h.events();
    assert_eq!(
        events.len(),
        before + 2,
        "one event for the new folder, one for the move: {:#?}",
        &events[before..]
    );

    // Renaming the folder is again one event, and later changes inside it get real paths.
    fs::rename(
        h.p("Archive/2416_30 Big Vendor"),
        h.p("Archive/2416_30 Bigger Vendor"),
    )
    .unwrap();
    let renamed = h.wait_event("folder renamed", |e| e.kind == EventKind::FolderRenamed);
    assert_eq!(renamed.descendants, 1000);
    fs::write(
        h.p("Archive/2416_30 Bigger Vendor/Add'l Files/late.pdf"),
        b"x",
    )
    .unwrap();
    let late = h.wait_event("file in renamed folder", |e| e.path.ends_with("late.pdf"));
    assert_eq!(
        late.path,
        "/Archive/2416_30 Bigger Vendor/Add'l Files/late.pdf"
    );
    assert_eq!(h.events().len(), before + 4);
}

#[test]
fn a_folder_delete_is_one_event() {
    let h = Harness::new();
    seed(h.root());
    h.start();
    fs::remove_dir_all(h.p("2416 - Whop Keynote/1. Purchase Orders")).unwrap();
    let gone = h.wait_event("folder deleted", |e| e.kind == EventKind::FolderDeleted);
    assert_eq!(gone.path, "/2416 - Whop Keynote/1. Purchase Orders");
    assert_eq!(gone.descendants, 2);
    assert_eq!(h.events().len(), 5);
}

#[test]
fn restart_repeats_nothing_and_finds_changes_made_while_stopped() {
    let data = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    seed(tree.path());
    watching(data.path(), tree.path()).0.stop_watching();
    // While stopped: a rename and an add.
    fs::rename(
        tree.path().join(PO).join(INVOICE),
        tree.path()
            .join(PO)
            .join("2416_23_01 Jane Smith Invoice (signed).pdf"),
    )
    .unwrap();
    fs::write(tree.path().join("2416 - Whop Keynote/notes.txt"), b"x").unwrap();

    let (ws, rx) = open(data.path());
    assert_eq!(
        ws.remembered_folder().unwrap().as_deref(),
        Some(tree.path().canonicalize().unwrap().as_path())
    );
    ws.watch_folder(tree.path(), true).unwrap();
    wait_for_state(&rx, SourceState::Watching);
    let mut rows = ws.events_page(EventFilter::default(), 0, 100).unwrap().rows;
    rows.reverse();
    let kinds: Vec<EventKind> = rows.iter().map(|e| e.kind).collect();
    assert_eq!(rows.len(), 6, "{rows:#?}");
    assert_eq!(kinds[4..], [EventKind::FileRenamed, EventKind::FileAdded]);
    let renamed = &rows[4];
    assert!(renamed.path.ends_with("(signed).pdf"));
    // The new name has no document type word at its end, so it says why.
    assert!(!renamed.problems.is_empty());

    // A third start with nothing changed records nothing.
    drop(ws);
    let (ws, _rx) = watching(data.path(), tree.path());
    assert_eq!(ws.status().unwrap().total_events, 6);
}

#[test]
fn ignored_names_are_skipped() {
    let h = Harness::new();
    seed(h.root());
    fs::create_dir(h.p(".dropbox.cache")).unwrap();
    fs::write(h.p(".dropbox.cache/blob"), b"x").unwrap();
    fs::write(h.p("~$draft.docx"), b"x").unwrap();
    h.start();
    assert!(h
        .events()
        .iter()
        .all(|e| !e.path.contains("dropbox") && !e.path.contains("~$")));
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let (ws, _rx) = open(data.path());
    let err = ws
        .watch_folder(Path::new("/nonexistent/boxkeeper-test"), true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/boxkeeper-test"), "{err}");
}

#[test]
fn a_bad_rules_file_keeps_the_last_good_rules() {
    let data = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    seed(tree.path());
    let (ws, _rx) = watching(data.path(), tree.path());

    let rules_path = ws.paths().rules.clone();
    let good = fs::read_to_string(&rules_path).unwrap();
    fs::write(&rules_path, format!("{good}\n[po_folder]\nbogus = 1\n")).unwrap();
    let status = ws.reload_rules().unwrap();
    let err = status.rules_error.expect("the error is reported");
    assert!(err.contains("line"), "{err}");
    // Parsing still works with the last good rules.
    let page = ws.events_page(EventFilter::default(), 0, 10).unwrap();
    assert!(page
        .rows
        .iter()
        .any(|e| e.po_number.as_deref() == Some("23")));

    // A good change is applied and re-parses what is stored.
    let renamed = good.replace("1. Purchase Orders", "1. POs");
    fs::write(&rules_path, renamed).unwrap();
    let status = ws.reload_rules().unwrap();
    assert_eq!(status.rules_error, None);
    let page = ws.events_page(EventFilter::default(), 0, 10).unwrap();
    let invoice = page
        .rows
        .iter()
        .find(|e| e.path.ends_with(INVOICE))
        .unwrap();
    assert_eq!(
        invoice.po_number.as_deref(),
        Some("23"),
        "the file name still names its PO"
    );
}

#[test]
fn filters_narrow_the_page_and_the_count() {
    let h = Harness::new();
    seed(h.root());
    fs::create_dir_all(h.p("2417_Orbit/1. Purchase Orders/2417_05 AMEX 8738")).unwrap();
    fs::write(
        h.p("2417_Orbit/1. Purchase Orders/2417_05 AMEX 8738/2417_05_01 Uber Receipt.pdf"),
        b"x",
    )
    .unwrap();
    h.start();
    let by = |f: EventFilter| h.ws.events_page(f, 0, 100).unwrap();
    let receipts = by(EventFilter {
        document_type: Some("RECEIPT".into()),
        ..Default::default()
    });
    assert_eq!(receipts.total, 1);
    assert_eq!(receipts.rows[0].vendor_type.as_deref(), Some("cc"));
    let po = by(EventFilter {
        po: Some("2416_23".into()),
        ..Default::default()
    });
    assert_eq!(po.total, 2, "the PO folder and its invoice");
    let folders = by(EventFilter {
        kind: Some(EventKind::FolderAdded),
        project: Some("2417".into()),
        ..Default::default()
    });
    assert_eq!(folders.total, 3);
    let facets = h.ws.facets().unwrap();
    assert_eq!(facets.projects.len(), 2);
    assert_eq!(facets.pos, vec!["2416_23", "2417_05"]);
    assert!(facets.vendors.contains(&"Uber".to_string()));
}
