//! Dropbox as the workspace's source, against the emulator: connecting (the state the window
//! shows at each step), the feed thread following changes, a revoked connection, and
//! disconnecting without losing anything.

use std::time::{Duration, Instant};

use boxkeeper_api::dto::{DropboxConfig, DropboxState, EventFilter, EventKind, SourceState};
use boxkeeper_api::{DataPaths, Workspace};
use dropbox_emulator::Emulator;

const PO: &str = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The browser: fetch the authorize page, which approves at once and, without a redirect
/// URI, shows the code to paste.
fn approve(url: &str) -> String {
    let page = ureq::get(url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    page.split("<code id=\"code\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the code on the page")
        .to_string()
}

#[test]
fn connect_follow_revoke_and_disconnect() {
    std::env::set_var("BOXKEEPER_KEYRING", "off");
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.set_longpoll_second(Duration::from_millis(20));
    emu.put_file(&format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"), "%PDF")
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    assert_eq!(
        ws.status().unwrap().dropbox.state,
        DropboxState::Disconnected
    );

    let config = DropboxConfig {
        app_key: " key ".into(),
        folder: "2416 - Whop Keynote/".into(),
        api_base: Some(emu.base_url()),
        content_base: Some(emu.base_url()),
        notify_base: Some(emu.base_url()),
        authorize_base: Some(emu.base_url()),
        ..Default::default()
    };
    let start = ws.dropbox_connect_begin(config, true).unwrap();
    assert!(!start.waits_for_redirect);
    let status = ws.status().unwrap();
    assert_eq!(status.dropbox.state, DropboxState::Connecting);
    assert_eq!(status.dropbox.config.folder, "/2416 - Whop Keynote");
    assert_eq!(status.dropbox.config.app_key, "key");
    assert_eq!(
        status.dropbox.authorize_url.as_deref(),
        Some(start.authorize_url.as_str())
    );

    // A wrong code is refused, the reason shown; nothing is stored.
    let err = ws.dropbox_connect_paste("not-a-real-code").unwrap_err();
    let status = ws.status().unwrap();
    assert!(!status.dropbox.connected);
    assert_eq!(status.dropbox.state, DropboxState::Disconnected);
    assert_eq!(status.dropbox.message, Some(err.to_string()));
    // Pasting again without a new attempt says what to do.
    let err = ws.dropbox_connect_paste("x").unwrap_err();
    assert!(err.to_string().contains("press Connect"), "{err}");

    // An attempt given up: back to disconnected, and its code is refused.
    let abandoned = ws
        .dropbox_connect_begin(ws.dropbox_config().unwrap(), true)
        .unwrap();
    ws.dropbox_connect_cancel();
    let status = ws.status().unwrap();
    assert_eq!(status.dropbox.state, DropboxState::Disconnected);
    assert_eq!(status.dropbox.authorize_url, None);
    let code = approve(&abandoned.authorize_url);
    assert!(ws.dropbox_connect_paste(&code).is_err());

    // A new attempt, and the code Dropbox showed, pasted with stray spaces.
    let start = ws
        .dropbox_connect_begin(ws.dropbox_config().unwrap(), true)
        .unwrap();
    let code = approve(&start.authorize_url);
    ws.dropbox_connect_paste(&format!("  {code}\n")).unwrap();
    wait_until("up to date", || {
        ws.status().unwrap().dropbox.state == DropboxState::UpToDate
    });
    let status = ws.status().unwrap();
    assert!(status.dropbox.connected);
    assert_eq!(
        status.dropbox.account.as_deref(),
        Some("Emulated User <emulated.user@example.com>")
    );
    assert!(status
        .dropbox
        .warning
        .unwrap()
        .contains("readable only by you"));
    assert_eq!(
        status.folder.as_deref(),
        Some("Dropbox /2416 - Whop Keynote")
    );
    assert_eq!(status.state, SourceState::Watching);
    assert!(ws.follows_dropbox().unwrap());
    let rows = ws.events_page(EventFilter::default(), 0, 100).unwrap().rows;
    assert!(rows
        .iter()
        .any(|r| r.path.ends_with("Invoice.pdf") && r.po_number.as_deref() == Some("23")));

    // Live: an upload shows up without anything else happening.
    emu.put_file(&format!("{PO}/2416_23_02 Jane Smith Invoice.pdf"), "%PDF2")
        .unwrap();
    wait_until("the upload's event", || {
        ws.events_page(EventFilter::default(), 0, 1).unwrap().rows[0]
            .path
            .ends_with("2416_23_02 Jane Smith Invoice.pdf")
    });
    let total = ws.status().unwrap().total_events;

    // Revoked at Dropbox: the feed stops with "reconnect", nothing stored is lost.
    let secret = std::fs::read_to_string(data.path().join("dropbox-refresh-token.secret")).unwrap();
    assert!(emu.revoke_refresh_token(secret.trim()));
    emu.expire_access_tokens();
    emu.put_file(&format!("{PO}/2416_23_03 Jane Smith Invoice.pdf"), "%PDF3")
        .unwrap();
    wait_until("reconnect", || {
        ws.status().unwrap().dropbox.state == DropboxState::Reconnect
    });
    let status = ws.status().unwrap();
    assert!(status
        .dropbox
        .message
        .unwrap()
        .contains("reconnect Dropbox"));
    assert_eq!(status.total_events, total);

    // Disconnect: the token is forgotten, the events stay.
    ws.dropbox_disconnect().unwrap();
    let status = ws.status().unwrap();
    assert!(!status.dropbox.connected);
    assert_eq!(status.dropbox.state, DropboxState::Disconnected);
    assert!(!data.path().join("dropbox-refresh-token.secret").exists());
    assert_eq!(status.total_events, total);
    let kinds: Vec<EventKind> = ws
        .events_page(EventFilter::default(), 0, 100)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.kind)
        .collect();
    assert!(!kinds.contains(&EventKind::FileDeleted));
}
