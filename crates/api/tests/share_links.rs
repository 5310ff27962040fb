//! Share links against the Dropbox emulator: every document and PO folder of the followed
//! Dropbox gets one in the background (an existing link reused), a passing failure is shown
//! and retried, a rate limit is waited out without using tries, a refused one fails with the
//! reason, links survive a restart and reach the CSV export, and a local folder gets none.

use std::time::{Duration, Instant};

use boxkeeper_api::dto::{
    DocumentQuery, DocumentRow, DropboxConfig, DropboxState, ExportRequest, ShareLinkStatus,
};
use boxkeeper_api::{DataPaths, Workspace};
use boxkeeper_dropbox::{AccessToken, Client, Endpoints};
use dropbox_emulator::{Emulator, Fault};

const PO: &str = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";
const CREATE: &str = "sharing/create_shared_link_with_settings";

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn connect(emu: &Emulator, ws: &Workspace) {
    let config = DropboxConfig {
        app_key: "key".into(),
        api_base: Some(emu.base_url()),
        content_base: Some(emu.base_url()),
        notify_base: Some(emu.base_url()),
        authorize_base: Some(emu.base_url()),
        ..Default::default()
    };
    let start = ws.dropbox_connect_begin(config, true).unwrap();
    let page = ureq::get(&start.authorize_url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let code = page
        .split("<code id=\"code\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_string();
    ws.dropbox_connect_paste(&code).unwrap();
    wait_until("up to date", || {
        ws.status().unwrap().dropbox.state == DropboxState::UpToDate
    });
}

fn rows(ws: &Workspace) -> Vec<DocumentRow> {
    ws.documents_page(DocumentQuery::default(), 0, 100)
        .unwrap()
        .rows
}

fn row<'a>(rows: &'a [DocumentRow], name: &str) -> &'a DocumentRow {
    rows.iter().find(|r| r.path.ends_with(name)).unwrap()
}

fn settled(ws: &Workspace, documents: u32, folders: u32) -> ShareLinkStatus {
    let mut status = ShareLinkStatus::default();
    wait_until("share links settled", || {
        status = ws.share_link_status().unwrap();
        status.documents_pending == 0
            && status.folders_pending == 0
            && status.documents_linked + status.documents_failed == documents
            && status.folders_linked + status.folders_failed == folders
    });
    status
}

#[test]
fn documents_and_po_folders_get_links_an_existing_one_reused_and_kept_after_a_restart() {
    std::env::set_var("BOXKEEPER_KEYRING", "off");
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.set_longpoll_second(Duration::from_millis(20));
    let first = format!("{PO}/2416_23_01 Jane Smith Invoice.pdf");
    emu.put_file(&first, "%PDF1").unwrap();
    emu.put_file(
        &format!("{PO}/Add'l Files/2416_23_02 Jane Smith Invoice.pdf"),
        "%PDF2",
    )
    .unwrap();
    // Someone shared the first invoice before Boxkeeper came: that link is the one kept.
    let tokens = emu.issue_tokens("someone");
    let other = Client::new(
        Endpoints::all_at(&emu.base_url()),
        AccessToken(tokens.access_token),
    );
    let existing = other.create_shared_link(&first).unwrap();

    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    connect(&emu, &ws);
    let status = settled(&ws, 2, 1);
    assert_eq!((status.documents_linked, status.folders_linked), (2, 1));
    let listed = rows(&ws);
    let one = row(&listed, "_01 Jane Smith Invoice.pdf");
    assert_eq!(one.share_link.as_deref(), Some(existing.as_str()));
    let two = row(&listed, "_02 Jane Smith Invoice.pdf");
    let second = two.share_link.clone().unwrap();
    assert!(second.starts_with("https://www.dropbox.com/s/"), "{second}");
    assert_ne!(second, existing);
    assert_eq!(two.share_error, None);
    // The detail shows it too.
    let detail = ws.document(two.id).unwrap().unwrap();
    assert_eq!(detail.document.share_link.as_deref(), Some(second.as_str()));
    let folders = ws.po_folder_links().unwrap();
    assert_eq!(folders.len(), 1);
    assert_eq!(
        (
            folders[0].project_number.as_str(),
            folders[0].po_number.as_str()
        ),
        ("2416", "23")
    );
    let folder_link = folders[0].link.clone().unwrap();
    assert_eq!(other.create_shared_link(PO).unwrap(), folder_link);
    // The PO view shows it.
    let pos = ws.purchase_orders().unwrap();
    assert_eq!(pos[0].folder_link.as_deref(), Some(folder_link.as_str()));

    // In the CSV export.
    let csv = data.path().join("export.csv");
    ws.export_csv(&ExportRequest {
        path: csv.display().to_string(),
        preset: Default::default(),
        shape: Default::default(),
        bom: false,
        dates: Default::default(),
        query: DocumentQuery::default(),
        ids: None,
        mark_exported: false,
    })
    .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.lines().next().unwrap().contains("share_link"),
        "{text}"
    );
    assert!(text.contains(&existing) && text.contains(&second), "{text}");

    // A restart: the links are there, and Dropbox is not asked again.
    ws.stop_dropbox();
    drop(ws);
    let asked = |emu: &Emulator| {
        emu.requests()
            .iter()
            .filter(|r| r.path.ends_with(CREATE))
            .count()
    };
    let before = asked(&emu);
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    ws.follow_dropbox().unwrap();
    wait_until("up to date again", || {
        ws.status().unwrap().dropbox.state == DropboxState::UpToDate
    });
    let status = settled(&ws, 2, 1);
    assert_eq!((status.documents_linked, status.folders_linked), (2, 1));
    let listed = rows(&ws);
    assert_eq!(
        row(&listed, "_01 Jane Smith Invoice.pdf")
            .share_link
            .as_deref(),
        Some(existing.as_str())
    );
    assert_eq!(ws.po_folder_links().unwrap()[0].link, Some(folder_link));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(asked(&emu), before);

    // A file added later gets its link without anything else happening.
    emu.put_file(&format!("{PO}/2416_23_03 Jane Smith Invoice.pdf"), "%PDF3")
        .unwrap();
    wait_until("the new file's link", || {
        rows(&ws)
            .iter()
            .any(|r| r.path.ends_with("_03 Jane Smith Invoice.pdf") && r.share_link.is_some())
    });
    ws.stop_dropbox();
}

#[test]
fn a_passing_failure_is_shown_and_retried_and_a_refusal_fails_with_the_reason() {
    std::env::set_var("BOXKEEPER_KEYRING", "off");
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.set_longpoll_second(Duration::from_millis(20));
    emu.put_file(&format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"), "%PDF1")
        .unwrap();
    // Dropbox is busy for the first two asks (the document and the folder), then slows us
    // down once more.
    emu.inject_fault(CREATE, Fault::Status(503), 2);
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    connect(&emu, &ws);
    wait_until("the failure shown", || {
        let listed = rows(&ws);
        listed.len() == 1
            && listed[0]
                .share_error
                .as_deref()
                .is_some_and(|e| e.contains("unavailable") && e.ends_with("(will retry)"))
            && ws.po_folder_links().unwrap()[0]
                .error
                .as_deref()
                .is_some_and(|e| e.ends_with("(will retry)"))
    });
    let status = ws.share_link_status().unwrap();
    assert_eq!((status.documents_pending, status.folders_pending), (1, 1));
    emu.inject_fault(CREATE, Fault::RateLimit { retry_after: 1 }, 1);
    // The backoff is 30 s; asking to retry makes them due now. The first meets the rate
    // limit: it says so, and both wait out Dropbox's Retry-After, then are made without
    // anyone asking again.
    ws.retry_share_links().unwrap();
    wait_until("slowed down", || {
        rows(&ws)[0]
            .share_error
            .iter()
            .chain(ws.po_folder_links().unwrap()[0].error.iter())
            .any(|e| e.contains("slow down") && e.ends_with("(will retry)"))
    });
    let status = settled(&ws, 1, 1);
    assert_eq!((status.documents_linked, status.folders_linked), (1, 1));
    let listed = rows(&ws);
    assert!(listed[0].share_link.is_some());
    assert_eq!(listed[0].share_error, None);

    // Refused (a 400 is a bug or a path Dropbox will not share): failed with the reason, not
    // tried again by itself.
    emu.inject_fault(CREATE, Fault::Status(400), 1);
    emu.put_file(&format!("{PO}/2416_23_02 Jane Smith Invoice.pdf"), "%PDF2")
        .unwrap();
    wait_until("the refusal shown", || {
        ws.share_link_status().unwrap().documents_failed == 1
    });
    let listed = rows(&ws);
    let refused = row(&listed, "_02 Jane Smith Invoice.pdf");
    assert_eq!(refused.share_link, None);
    let why = refused.share_error.clone().unwrap();
    assert!(
        why.starts_with("Dropbox refused a share link: Dropbox said 400"),
        "{why}"
    );
    assert!(!why.contains("will retry"), "{why}");
    // A person asks again: it is made.
    assert_eq!(ws.retry_share_links().unwrap(), 1);
    wait_until("the refused one linked", || {
        row(&rows(&ws), "_02 Jane Smith Invoice.pdf")
            .share_link
            .is_some()
    });
    ws.stop_dropbox();
}

#[test]
fn rate_limits_are_waited_out_without_using_tries_and_every_link_is_made() {
    std::env::set_var("BOXKEEPER_KEYRING", "off");
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.set_longpoll_second(Duration::from_millis(20));
    for n in 1..=4 {
        emu.put_file(
            &format!("{PO}/2416_23_0{n} Jane Smith Invoice.pdf"),
            format!("%PDF{n}"),
        )
        .unwrap();
    }
    // More 429s than a link has tries (5): counted as failures, some would end failed (and
    // the first would already wait out a 30 s backoff).
    const LIMITED: usize = 7;
    emu.inject_fault(CREATE, Fault::RateLimit { retry_after: 1 }, LIMITED as u32);
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    connect(&emu, &ws);
    let deadline = Instant::now() + Duration::from_secs(LIMITED as u64 + 15);
    let status = loop {
        let s = ws.share_link_status().unwrap();
        if s.documents_linked + s.documents_failed == 4 && s.folders_linked + s.folders_failed == 1
        {
            break s;
        }
        assert!(Instant::now() < deadline, "timed out: {s:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        (status.documents_linked, status.folders_linked),
        (4, 1),
        "{status:?}"
    );
    assert_eq!((status.documents_failed, status.folders_failed), (0, 0));
    for r in rows(&ws) {
        assert!(r.share_link.is_some(), "{r:?}");
        assert_eq!(r.share_error, None, "{r:?}");
    }
    assert_eq!(ws.po_folder_links().unwrap()[0].error, None);
    // Each 429's Retry-After was kept: Dropbox was not asked again before it ended.
    let asks: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with(CREATE))
        .collect();
    assert_eq!(
        asks.iter().filter(|r| r.status == Some(429)).count(),
        LIMITED
    );
    for pair in asks.windows(2) {
        if pair[0].status == Some(429) {
            let gap = pair[1].at.duration_since(pair[0].at);
            assert!(
                gap >= Duration::from_millis(950),
                "asked again after {gap:?}"
            );
        }
    }
    ws.stop_dropbox();
}

#[test]
fn a_local_folder_gets_no_share_links() {
    let folder = tempfile::tempdir().unwrap();
    let po = folder.path().join(PO.trim_start_matches('/'));
    std::fs::create_dir_all(&po).unwrap();
    std::fs::write(po.join("2416_23_01 Jane Smith Invoice.pdf"), "%PDF").unwrap();
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    ws.watch_folder(folder.path(), false).unwrap();
    wait_until("the document", || rows(&ws).len() == 1);
    assert_eq!(ws.retry_share_links().unwrap(), 0);
    assert_eq!(ws.share_link_status().unwrap(), ShareLinkStatus::default());
    assert!(ws.po_folder_links().unwrap().is_empty());
    let listed = rows(&ws);
    assert_eq!(
        (&listed[0].share_link, &listed[0].share_error),
        (&None, &None)
    );
    ws.stop_watching();
}
