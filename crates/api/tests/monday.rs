//! The Monday.com sync through the surface the app and the CLI call, on the bundled demo
//! folder against the monday.com emulator: the settings (the token never comes back), the
//! board and the mapping's problems, a first sync (one item per PO in its project's group,
//! one subitem per line), a resync that writes nothing, a lost answer and lost ids that
//! make no duplicates, a correction made in the app that reaches the board, a rate limit
//! waited out, an outage that ends the pass, a gone PO's retry that leaves the worker at
//! rest, a rejected document's lines marked Removed, a pass's notices to the window at
//! most once a second, and per-PO errors shown and retried.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use boxkeeper_api::dto::{
    DocumentQuery, DocumentRow, DocumentStatus, MondayConfig, MondayMapping, MondayOutcomeKind,
    MondayReport, MondaySyncState,
};
use boxkeeper_api::{DataPaths, Notice, Workspace};
use monday_emulator::{Config, Emulator, Fault, ItemEventKind, Seed};

const BOARD: &str = "1234567890";
const SUB_BOARD: &str = "1234567999";
const TOKEN: &str = "monday-token-for-the-app-SECRET-41";

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

fn emulator(without_group: Option<&str>) -> Emulator {
    let mut boards: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("crates/api/tests/fixtures/monday_board.json"))
            .unwrap(),
    )
    .unwrap();
    if let Some(project) = without_group {
        boards[0]["groups"]
            .as_array_mut()
            .unwrap()
            .retain(|g| !g["title"].as_str().unwrap().starts_with(project));
    }
    let mut seed = Seed::empty();
    seed.add_value(boards).unwrap();
    Emulator::start_with(
        "127.0.0.1:0",
        Config {
            token: TOKEN.into(),
            seed,
            ..Config::default()
        },
    )
    .unwrap()
}

fn mapping() -> MondayMapping {
    MondayMapping {
        project: "text_project".into(),
        po_number: "text_po".into(),
        description: "long_text_desc".into(),
        status: "color_status".into(),
        tax_form_link: "link_tax".into(),
        folder_link: "link_folder".into(),
        contact_link: String::new(),
        line_status: "color_line".into(),
        file_number: "text_file".into(),
        line_description: "text_line_desc".into(),
        quantity: "numeric_qty".into(),
        rate: "numeric_rate".into(),
        date: "date_line".into(),
        due_date: "date_due".into(),
        account_code: "text_account".into(),
        file_link: "link_file".into(),
    }
}

struct Demo {
    ws: Workspace,
    notices: Arc<Mutex<u32>>,
    _folder: tempfile::TempDir,
    data: tempfile::TempDir,
}

fn demo() -> Demo {
    std::env::set_var("BOXKEEPER_KEYRING", "off");
    std::env::set_var("BOXKEEPER_MONDAY_BACKOFF_MS", "10");
    if std::env::var_os("BOXKEEPER_PDFIUM_DIR").is_none() {
        std::env::set_var("BOXKEEPER_PDFIUM_DIR", repo().join(".tools/pdfium"));
    }
    let folder = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("demo"), folder.path());
    let notices = Arc::new(Mutex::new(0));
    let n = notices.clone();
    let ws = Workspace::open(DataPaths::in_dir(data.path()), move |notice| {
        if matches!(notice, Notice::MondayChanged) {
            *n.lock().unwrap() += 1;
        }
    })
    .unwrap();
    ws.watch_folder(folder.path(), true).unwrap();
    settle(&ws);
    Demo {
        ws,
        notices,
        _folder: folder,
        data,
    }
}

fn settle(ws: &Workspace) -> Vec<DocumentRow> {
    ws.start_extraction().unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let rows = ws
            .documents_page(DocumentQuery::default(), 0, 1000)
            .unwrap()
            .rows;
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

fn configure(ws: &Workspace, emu: &Emulator) {
    let config = MondayConfig {
        api_url: emu.api_url(),
        board_id: BOARD.into(),
        mapping: mapping(),
        enabled: false,
        ..MondayConfig::default()
    };
    let saved = ws.save_monday_config(&config, Some(TOKEN)).unwrap();
    assert!(saved.has_token);
    assert_eq!(saved.mapping, mapping());
}

fn creations(emu: &Emulator) -> (usize, usize) {
    let log = emu.item_log();
    (
        log.iter()
            .filter(|e| e.kind == ItemEventKind::Created)
            .count(),
        log.iter()
            .filter(|e| e.kind == ItemEventKind::SubitemCreated)
            .count(),
    )
}

fn pos_of(ws: &Workspace) -> Vec<(String, String)> {
    ws.purchase_orders()
        .unwrap()
        .into_iter()
        .map(|p| (p.project_number, p.po_number))
        .collect()
}

/// Every PO is one item, in its project's group; no PO has two.
fn assert_mirrored(ws: &Workspace, emu: &Emulator) {
    let items = emu.items(BOARD);
    for (project, po) in pos_of(ws) {
        let mine: Vec<_> = items
            .iter()
            .filter(|i| {
                i.text("text_project") == Some(project.as_str())
                    && i.text("text_po") == Some(po.as_str())
            })
            .collect();
        assert_eq!(mine.len(), 1, "PO {project}_{po}: {mine:#?}");
        assert_eq!(mine[0].group_id, format!("group_{project}"));
    }
    assert_eq!(items.len(), pos_of(ws).len(), "no other items");
}

fn outcome_of<'a>(
    report: &'a MondayReport,
    project: &str,
    po: &str,
) -> &'a boxkeeper_api::dto::MondayPoOutcome {
    report
        .rows
        .iter()
        .find(|r| r.project_number == project && r.po_number == po)
        .unwrap_or_else(|| panic!("no {project}_{po} in {report:#?}"))
}

#[test]
fn the_first_sync_mirrors_every_po_and_a_resync_writes_nothing() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    assert!(
        ws.monday_sync_once().is_err(),
        "not set up: the pass says so"
    );
    configure(ws, &emu);

    // The token is stored but never handed back.
    let config = ws.monday_config().unwrap();
    assert!(config.has_token);
    assert!(!serde_json::to_string(&config).unwrap().contains(TOKEN));
    let status = serde_json::to_string(&ws.monday_status().unwrap()).unwrap();
    assert!(!status.contains(TOKEN));

    // The board for the form, and a mapping that fits it.
    let board = ws.monday_board(BOARD).unwrap();
    assert_eq!(board.name, "Purchase Orders");
    assert!(board.has_subitems);
    assert!(board.groups.iter().any(|g| g.title.starts_with("2416")));
    assert!(board
        .fields
        .iter()
        .any(|f| f.key == "quantity" && f.on_subitem));
    assert!(ws
        .validate_monday_mapping(BOARD, &mapping())
        .unwrap()
        .is_empty());
    let mut wrong = mapping();
    wrong.quantity = "name".into();
    let problems = ws.validate_monday_mapping(BOARD, &wrong).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.field.as_deref() == Some("quantity") && p.message.contains("Numbers")),
        "{problems:#?}"
    );

    let pos = pos_of(ws);
    assert!(pos.len() >= 6, "{pos:?}");
    let before = ws.purchase_orders().unwrap();
    assert!(before
        .iter()
        .all(|p| p.monday.as_ref().unwrap().state == MondaySyncState::Pending));

    let first = ws.monday_sync_once().unwrap();
    assert_eq!(first.stopped, None);
    assert!(
        first
            .rows
            .iter()
            .all(|r| r.outcome == MondayOutcomeKind::Created),
        "{first:#?}"
    );
    assert_mirrored(ws, &emu);
    let (items, subitems) = creations(&emu);
    assert_eq!(items, pos.len());
    assert!(subitems >= 6, "a subitem per invoice line or receipt");

    // Jane Smith's PO: two invoices (file numbers 01 and 02), a W9, and the right status.
    let jane = emu
        .items(BOARD)
        .into_iter()
        .find(|i| i.text("text_po") == Some("23"))
        .unwrap();
    assert_eq!(jane.name, "Jane Smith");
    let lines: Vec<_> = jane
        .subitem_ids
        .iter()
        .map(|id| emu.item(id).unwrap())
        .collect();
    assert!(lines.iter().all(|l| l.board_id == SUB_BOARD));
    let files: std::collections::BTreeSet<_> =
        lines.iter().filter_map(|l| l.text("text_file")).collect();
    assert_eq!(files.into_iter().collect::<Vec<_>>(), vec!["01", "02"]);
    let card = emu
        .items(BOARD)
        .into_iter()
        .find(|i| i.text("text_po") == Some("03") && i.text("text_project") == Some("2416"))
        .unwrap();
    assert_eq!(card.text("color_status"), Some("CC / PC"));
    assert!(card
        .subitem_ids
        .iter()
        .all(|id| emu.item(id).unwrap().text("color_line") == Some("Paid")));

    let rows = ws.purchase_orders().unwrap();
    assert!(
        rows.iter().all(|p| {
            let m = p.monday.as_ref().unwrap();
            m.state == MondaySyncState::Synced && m.synced_ms.is_some() && m.item_id.is_some()
        }),
        "{rows:#?}"
    );
    assert!(*d.notices.lock().unwrap() > 0, "the window hears of it");

    // Nothing changed: nothing is sent.
    let log = emu.item_log().len();
    emu.clear_requests();
    let again = ws.monday_sync_once().unwrap();
    assert!(again
        .rows
        .iter()
        .all(|r| r.outcome == MondayOutcomeKind::Skipped && r.writes == 0));
    assert_eq!(emu.item_log().len(), log, "no writes");
    let requests = emu.requests();
    assert!(
        requests.iter().all(|r| r
            .query
            .as_deref()
            .unwrap_or("")
            .starts_with("query BoardSchema")),
        "only the board's schema is read: {requests:#?}"
    );
}

#[test]
fn a_lost_answer_or_lost_ids_make_no_duplicates() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);

    // The first create_item runs on the board but its answer never arrives.
    emu.inject_fault_on("create_item", Fault::DropAfterCommit, 1);
    let first = ws.monday_sync_once().unwrap();
    assert!(first
        .rows
        .iter()
        .all(|r| r.outcome == MondayOutcomeKind::Created));
    assert_mirrored(ws, &emu);
    let created = creations(&emu);

    // A crash after the board was written and before the ids were stored: the store forgets.
    {
        let store = boxkeeper_store::Store::open(&DataPaths::in_dir(d.data.path()).db).unwrap();
        assert!(store.forget_monday_sync().unwrap() > 0);
    }
    let log = emu.item_log().len();
    let again = ws.monday_sync_once().unwrap();
    assert!(
        again
            .rows
            .iter()
            .all(|r| r.outcome == MondayOutcomeKind::Unchanged && r.writes == 0),
        "{again:#?}"
    );
    assert_eq!(creations(&emu), created);
    assert_eq!(emu.item_log().len(), log, "found, not written again");
    assert_mirrored(ws, &emu);
}

#[test]
fn a_correction_in_the_app_reaches_the_board_on_the_next_pass() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);
    ws.monday_sync_once().unwrap();

    let rows = ws
        .documents_page(DocumentQuery::default(), 0, 1000)
        .unwrap()
        .rows;
    let invoice = rows
        .iter()
        .find(|r| {
            r.path
                .ends_with("2416_07_01 Courier Car Rental, Inc Invoice.pdf")
        })
        .unwrap();
    ws.correct_field(invoice.id, "description", "Picture car, 3 days")
        .unwrap();
    let po = ws
        .purchase_orders()
        .unwrap()
        .into_iter()
        .find(|p| p.project_number == "2416" && p.po_number == "07")
        .unwrap();
    assert_eq!(po.monday.unwrap().state, MondaySyncState::Pending);

    let report = ws.monday_sync_once().unwrap();
    let row = outcome_of(&report, "2416", "07");
    assert_eq!(row.outcome, MondayOutcomeKind::Updated, "{report:#?}");
    assert!(row.writes >= 1);
    let others = report
        .rows
        .iter()
        .filter(|r| !(r.project_number == "2416" && r.po_number == "07"))
        .all(|r| r.outcome == MondayOutcomeKind::Skipped);
    assert!(others, "only the corrected PO is sent: {report:#?}");
    let item = emu
        .items(BOARD)
        .into_iter()
        .find(|i| i.text("text_po") == Some("07"))
        .unwrap();
    assert_eq!(item.text("long_text_desc"), Some("Picture car, 3 days"));
    assert_mirrored(ws, &emu);
}

#[test]
fn a_rate_limit_is_waited_out_and_passing_trouble_is_retried() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);

    emu.inject_fault(Fault::RateLimit { retry_after: 1 }, 2);
    let first = ws.monday_sync_once().unwrap();
    assert!(first
        .rows
        .iter()
        .all(|r| r.outcome == MondayOutcomeKind::Created));
    assert_eq!(emu.pending_faults(), 0);
    assert_mirrored(ws, &emu);

    // The next PO sent meets a server that keeps failing: shown as retrying, with why.
    let rows = ws
        .documents_page(DocumentQuery::default(), 0, 1000)
        .unwrap()
        .rows;
    let invoice = rows
        .iter()
        .find(|r| r.path.ends_with("2417_06_01 Blue Sky Grip Invoice.pdf"))
        .unwrap();
    ws.correct_field(invoice.id, "description", "Grip truck and crew")
        .unwrap();
    // (Only reading the PO's item fails: the board's schema is read first, and fine.)
    emu.inject_fault_on("items", Fault::Status { status: 503 }, 40);
    let report = ws.monday_sync_once().unwrap();
    let row = outcome_of(&report, "2417", "06");
    assert_eq!(row.outcome, MondayOutcomeKind::Retrying, "{report:#?}");
    emu.clear_faults();
    let po = ws
        .purchase_orders()
        .unwrap()
        .into_iter()
        .find(|p| p.project_number == "2417" && p.po_number == "06")
        .unwrap();
    let m = po.monday.unwrap();
    assert_eq!(m.state, MondaySyncState::Retrying);
    assert!(m.message.unwrap().contains("unavailable"));
    assert_eq!(m.tries, 1);

    // Not due yet (the backoff); a person's Retry sends it at once.
    let waiting = ws.monday_sync_once().unwrap();
    assert_eq!(
        outcome_of(&waiting, "2417", "06").outcome,
        MondayOutcomeKind::Skipped
    );
    assert_eq!(ws.retry_monday(Some(("2417", "06"))).unwrap(), 1);
    let report = ws.monday_sync_once().unwrap();
    assert_eq!(
        outcome_of(&report, "2417", "06").outcome,
        MondayOutcomeKind::Updated
    );
    let item = emu
        .items(BOARD)
        .into_iter()
        .find(|i| i.text("text_po") == Some("06"))
        .unwrap();
    assert_eq!(item.text("long_text_desc"), Some("Grip truck and crew"));
}

#[test]
fn a_pos_own_error_is_shown_and_tried_again_only_when_asked() {
    // The board has no group for project 2417: its POs cannot be placed.
    let emu = emulator(Some("2417"));
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);
    let report = ws.monday_sync_once().unwrap();
    let failed: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.outcome == MondayOutcomeKind::Failed)
        .collect();
    assert!(!failed.is_empty());
    assert!(failed
        .iter()
        .all(|r| r.project_number == "2417" && r.message.as_deref().unwrap().contains("no group")));
    assert!(report
        .rows
        .iter()
        .filter(|r| r.project_number == "2416")
        .all(|r| r.outcome == MondayOutcomeKind::Created));
    let po = ws
        .purchase_orders()
        .unwrap()
        .into_iter()
        .find(|p| p.project_number == "2417")
        .unwrap();
    let m = po.monday.unwrap();
    assert_eq!(m.state, MondaySyncState::Failed);
    assert!(m.message.unwrap().contains("2417"));

    // Not sent again by itself...
    let again = ws.monday_sync_once().unwrap();
    assert!(again
        .rows
        .iter()
        .all(|r| r.outcome == MondayOutcomeKind::Skipped));
    // ...but on a person's Retry.
    assert!(ws.retry_monday(None).unwrap() >= 1);
    let retried = ws.monday_sync_once().unwrap();
    assert!(retried
        .rows
        .iter()
        .filter(|r| r.project_number == "2417")
        .all(|r| r.outcome == MondayOutcomeKind::Failed));
}

#[test]
fn a_refused_token_stops_the_sync_until_it_is_saved_again() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);
    emu.revoke_token();
    assert!(ws.monday_sync_once().is_err());
    let status = ws.monday_status().unwrap();
    assert!(status.reconnect.unwrap().contains("reconnect"));
    assert!(status.last_error.is_some());

    emu.set_token(TOKEN);
    let config = ws.monday_config().unwrap();
    ws.save_monday_config(&config, Some(TOKEN)).unwrap();
    assert_eq!(ws.monday_status().unwrap().reconnect, None);
    let report = ws.monday_sync_once().unwrap();
    assert!(report
        .rows
        .iter()
        .all(|r| r.outcome == MondayOutcomeKind::Created));
}

#[test]
fn the_worker_syncs_when_enabled_and_after_a_correction() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    let config = MondayConfig {
        api_url: emu.api_url(),
        board_id: BOARD.into(),
        mapping: mapping(),
        enabled: true,
        ..MondayConfig::default()
    };
    ws.save_monday_config(&config, Some(TOKEN)).unwrap();
    let all_synced = |ws: &Workspace| {
        ws.purchase_orders()
            .unwrap()
            .iter()
            .all(|p| p.monday.as_ref().unwrap().state == MondaySyncState::Synced)
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !all_synced(ws) {
        assert!(Instant::now() < deadline, "the worker did not sync");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_mirrored(ws, &emu);

    let rows = ws
        .documents_page(DocumentQuery::default(), 0, 1000)
        .unwrap()
        .rows;
    let invoice = rows
        .iter()
        .find(|r| r.path.ends_with("2416_11_01 Studio54 1999 Invoice.PDF"))
        .unwrap();
    ws.correct_field(invoice.id, "description", "Stage rental")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let item = emu
            .items(BOARD)
            .into_iter()
            .find(|i| i.text("text_po") == Some("11"))
            .unwrap();
        if item.text("long_text_desc") == Some("Stage rental") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the correction did not reach the board"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    ws.stop_monday_sync();
}

#[test]
fn a_retry_left_by_a_po_that_is_gone_does_not_keep_the_worker_busy() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    let config = MondayConfig {
        api_url: emu.api_url(),
        board_id: BOARD.into(),
        mapping: mapping(),
        enabled: true,
        ..MondayConfig::default()
    };
    ws.save_monday_config(&config, Some(TOKEN)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ws.purchase_orders().unwrap().iter().all(|p| {
        p.monday
            .as_ref()
            .is_some_and(|m| m.state == MondaySyncState::Synced)
    }) {
        assert!(Instant::now() < deadline, "the worker did not sync");
        std::thread::sleep(Duration::from_millis(200));
    }

    // A PO that waited to retry and is gone since (its PO number was corrected): its retry
    // time is long past.
    let store = boxkeeper_store::Store::open(&d.data.path().join("boxkeeper.db")).unwrap();
    let source = store.source_ids().unwrap()[0];
    let failure = boxkeeper_store::MondayFailure {
        error: "monday.com is unavailable",
        kind: boxkeeper_store::MondayErrorKind::Retrying,
        item_id: None,
        tried_digest: "gone",
        next_try_ms: Some(boxkeeper_store::now_ms() - 60_000),
    };
    store
        .record_monday_failure(source, "2416", "99", &failure)
        .unwrap();
    let before = ws.monday_status().unwrap().last_pass_ms;
    ws.monday_sync_now();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ws.monday_status().unwrap().last_pass_ms == before {
        assert!(Instant::now() < deadline, "no pass after Sync now");
        std::thread::sleep(Duration::from_millis(100));
    }
    // That pass cleared the gone PO's retry: the worker rests instead of running a pass
    // (a board read at least) every debounce.
    emu.clear_requests();
    std::thread::sleep(Duration::from_secs(7));
    assert_eq!(emu.requests().len(), 0, "passes ran with nothing to send");
    assert_eq!(store.next_monday_try(source, 5).unwrap(), None);
    ws.stop_monday_sync();
}

#[test]
fn an_outage_stops_the_pass_without_using_the_other_pos_tries() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);
    // The board's schema is read; every search for a PO's item then fails (after the
    // client's own retries).
    emu.inject_fault_on(
        "items_page_by_column_values",
        Fault::Status { status: 503 },
        1000,
    );
    let report = ws.monday_sync_once().unwrap();
    assert!(report.stopped.is_some(), "{report:#?}");
    assert_eq!(
        report.rows.len(),
        1,
        "the pass stopped at the first PO: {report:#?}"
    );
    assert_eq!(report.rows[0].outcome, MondayOutcomeKind::Retrying);
    let pos = ws.purchase_orders().unwrap();
    let tried: Vec<_> = pos
        .iter()
        .filter(|p| p.monday.as_ref().is_some_and(|m| m.tries > 0))
        .collect();
    assert_eq!(tried.len(), 1, "one try used, by the PO at hand");
    assert!(pos.len() > 1);
    assert!(pos
        .iter()
        .filter(|p| p.monday.as_ref().is_some_and(|m| m.tries == 0))
        .all(|p| p.monday.as_ref().unwrap().state == MondaySyncState::Pending));

    // Back up: the next pass sends the POs the stopped one never reached.
    emu.clear_faults();
    let report = ws.monday_sync_once().unwrap();
    assert_eq!(report.stopped, None);
    assert_eq!(
        report
            .rows
            .iter()
            .filter(|r| r.outcome == MondayOutcomeKind::Created)
            .count(),
        pos.len() - 1
    );
}

#[test]
fn a_pass_tells_the_window_at_most_once_a_second() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);
    let pos = pos_of(ws).len() as u64;
    *d.notices.lock().unwrap() = 0;
    let started = Instant::now();
    let report = ws.monday_sync_once().unwrap();
    let secs = started.elapsed().as_secs();
    assert_eq!(report.rows.len() as u64, pos);
    let notices = u64::from(*d.notices.lock().unwrap());
    // One as the pass starts, one as it ends, at most one a second between.
    assert!(
        notices <= 3 + secs,
        "{notices} notices for {pos} POs in {secs} s"
    );
    assert!(notices >= 2);
}

#[test]
fn a_rejected_documents_lines_are_marked_removed_on_the_board() {
    let emu = emulator(None);
    let d = demo();
    let ws = &d.ws;
    configure(ws, &emu);
    ws.monday_sync_once().unwrap();
    let item = || {
        emu.items(BOARD)
            .into_iter()
            .find(|i| i.text("text_project") == Some("2416") && i.text("text_po") == Some("23"))
            .unwrap()
    };
    let subs_of = |file: &str| -> Vec<String> {
        item()
            .subitem_ids
            .iter()
            .map(|id| emu.item(id).unwrap())
            .filter(|s| s.text("text_file") == Some(file))
            .map(|s| s.text("color_line").unwrap_or_default().to_string())
            .collect()
    };
    assert!(
        !subs_of("02").is_empty(),
        "invoice 02 has lines on the board"
    );
    assert!(subs_of("02").iter().all(|s| s != "Removed"));

    let rows = ws
        .documents_page(DocumentQuery::default(), 0, 1000)
        .unwrap()
        .rows;
    let second = rows
        .iter()
        .find(|r| r.path.ends_with("2416_23_02 Jane Smith Invoice.pdf"))
        .unwrap();
    ws.set_review(&[second.id], boxkeeper_api::dto::ReviewState::Rejected)
        .unwrap();
    let report = ws.monday_sync_once().unwrap();
    assert_eq!(
        outcome_of(&report, "2416", "23").outcome,
        MondayOutcomeKind::Updated,
        "{report:#?}"
    );
    assert!(
        subs_of("02").iter().all(|s| s == "Removed"),
        "{:?}",
        subs_of("02")
    );
    assert!(subs_of("01").iter().all(|s| s != "Removed"));

    // Nothing more to write, even with the stored ids forgotten.
    {
        let store = boxkeeper_store::Store::open(&DataPaths::in_dir(d.data.path()).db).unwrap();
        store.forget_monday_sync().unwrap();
    }
    let log = emu.item_log().len();
    let again = ws.monday_sync_once().unwrap();
    assert!(again.rows.iter().all(|r| r.writes == 0), "{again:#?}");
    assert_eq!(emu.item_log().len(), log);
}
