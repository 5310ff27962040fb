//! The change feed against the Dropbox emulator: the same code users run, pointed at it.

use std::time::{Duration, Instant};

use std::sync::Arc;

use boxkeeper_dropbox::{
    AccessToken, AuthorizationAnswer, ChangeFeed, Client, Endpoints, Failure, FeedError, Grant,
    OAuthApp, RetryPolicy, TokenSource,
};
use boxkeeper_events::EventKind;
use boxkeeper_naming::PathRules;
use boxkeeper_store::{EventFilter, SourceKind, Store};
use dropbox_emulator::{Emulator, Fault};

const PO: &str = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";

struct Setup {
    emu: Emulator,
    client: Client,
    rules: PathRules,
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

fn setup() -> Setup {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.set_longpoll_second(Duration::from_millis(10));
    let tokens = emu.issue_tokens("boxkeeper-test");
    let client = Client::new(
        Endpoints::all_at(&emu.base_url()),
        AccessToken(tokens.access_token),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feed.db");
    Setup {
        emu,
        client,
        rules: PathRules::defaults(),
        _dir: dir,
        db,
    }
}

fn feed<'a>(s: &'a Setup, source: i64) -> ChangeFeed<'a> {
    ChangeFeed {
        client: &s.client,
        source,
        path: String::new(),
        rules: &s.rules,
        retry: RetryPolicy {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(50),
            attempts: 5,
        },
    }
}

fn open(s: &Setup) -> (Store, i64) {
    let mut store = Store::open(&s.db).unwrap();
    let source = store.source_id(SourceKind::Dropbox, "emulator").unwrap();
    (store, source)
}

fn kinds(store: &Store, source: i64) -> Vec<(EventKind, String, u32)> {
    store
        .all_events(Some(source))
        .unwrap()
        .into_iter()
        .map(|e| (e.event.kind, e.event.path, e.event.descendants))
        .collect()
}

#[test]
fn first_listing_pages_with_parsed_fields_then_a_restart_resumes() {
    let s = setup();
    for i in 0..2100 {
        s.emu
            .put_file(&format!("{PO}/Add'l Files/scan {i:04}.pdf"), "x")
            .unwrap();
    }
    s.emu
        .put_file(&format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"), "%PDF")
        .unwrap();
    let (mut store, source) = open(&s);
    let report = feed(&s, source).sync(&mut store).unwrap();
    assert!(report.pages >= 2, "{report:?}");
    // Every entry of the listing (2,101 files and their 4 folders) is one event.
    assert_eq!(report.events, 2105, "{report:?}");
    assert_eq!(
        report.events,
        store.count_events(source, &EventFilter::default()).unwrap() as usize
    );
    let invoice = store
        .all_events(Some(source))
        .unwrap()
        .into_iter()
        .find(|e| e.event.path.ends_with("Invoice.pdf"))
        .unwrap();
    assert_eq!(invoice.parsed.po_number.as_deref(), Some("23"));
    assert_eq!(invoice.parsed.file_number.as_deref(), Some("01"));

    // A restart (a new connection) continues from the stored cursor: nothing twice.
    drop(store);
    let (mut store, source) = open(&s);
    let again = feed(&s, source).sync(&mut store).unwrap();
    assert_eq!(again.events, 0, "{again:?}");
}

#[test]
fn longpoll_wakes_on_an_upload_and_the_event_follows() {
    let s = setup();
    s.emu.create_folder(PO).unwrap();
    let (mut store, source) = open(&s);
    let f = feed(&s, source);
    f.sync(&mut store).unwrap();
    // The longpoll is already waiting when the file arrives, and wakes at once.
    std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(200));
            s.emu
                .put_file(&format!("{PO}/2416_23_02 Jane Smith Invoice.pdf"), "%PDF")
                .unwrap();
        });
        let t = Instant::now();
        assert!(f.wait_for_changes(&store, 30).unwrap());
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(150) && waited < Duration::from_secs(2),
            "{waited:?}"
        );
    });
    f.sync(&mut store).unwrap();
    let events = kinds(&store, source);
    assert_eq!(events.last().unwrap().0, EventKind::FileAdded);
    assert!(events
        .last()
        .unwrap()
        .1
        .ends_with("2416_23_02 Jane Smith Invoice.pdf"));
}

#[test]
fn a_folder_move_of_500_files_is_one_event() {
    let s = setup();
    for i in 0..500 {
        s.emu
            .put_file(&format!("{PO}/Add'l Files/{i:03}.pdf"), "x")
            .unwrap();
    }
    s.emu.create_folder("/Archive").unwrap();
    let (mut store, source) = open(&s);
    let f = feed(&s, source);
    f.sync(&mut store).unwrap();
    let before = kinds(&store, source).len();
    s.emu.move_path(PO, "/Archive/2416_23 Jane Smith").unwrap();
    f.sync(&mut store).unwrap();
    let events = kinds(&store, source);
    assert_eq!(events.len(), before + 1, "{:?}", &events[before..]);
    assert_eq!(
        events[before],
        (
            EventKind::FolderMoved,
            "/Archive/2416_23 Jane Smith".to_string(),
            501
        )
    );
}

#[test]
fn rate_limits_server_errors_and_dropped_connections_are_retried() {
    let s = setup();
    s.emu.put_file(&format!("{PO}/a.pdf"), "x").unwrap();
    s.emu
        .inject_fault("files/list_folder", Fault::RateLimit { retry_after: 1 }, 1);
    s.emu
        .inject_fault("files/list_folder/continue", Fault::Status(503), 1);
    let (mut store, source) = open(&s);
    let f = feed(&s, source);
    let t = Instant::now();
    f.sync(&mut store).unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    s.emu.put_file(&format!("{PO}/b.pdf"), "x").unwrap();
    s.emu
        .inject_fault("files/list_folder/continue", Fault::Drop, 1);
    s.emu
        .inject_fault("files/list_folder/continue", Fault::Status(500), 1);
    f.sync(&mut store).unwrap();
    let events = kinds(&store, source);
    assert!(events.iter().any(|e| e.1.ends_with("/b.pdf")));
    assert_eq!(events.iter().filter(|e| e.1.ends_with("/a.pdf")).count(), 1);
}

#[test]
fn a_cursor_reset_relists_and_reconciles_without_duplicates() {
    let s = setup();
    s.emu.put_file(&format!("{PO}/keep.pdf"), "x").unwrap();
    s.emu.put_file(&format!("{PO}/gone.pdf"), "x").unwrap();
    let (mut store, source) = open(&s);
    let f = feed(&s, source);
    f.sync(&mut store).unwrap();
    let before = kinds(&store, source).len();
    s.emu.delete_path(&format!("{PO}/gone.pdf")).unwrap();
    s.emu.put_file(&format!("{PO}/new.pdf"), "x").unwrap();
    s.emu.reset_cursors();
    let report = f.sync(&mut store).unwrap();
    assert!(report.relisted);
    let events = kinds(&store, source);
    let after = &events[before..];
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(after.contains(&(EventKind::FileDeleted, format!("{PO}/gone.pdf"), 0)));
    assert!(after.contains(&(EventKind::FileAdded, format!("{PO}/new.pdf"), 0)));
    // And the new cursor works.
    s.emu.put_file(&format!("{PO}/later.pdf"), "x").unwrap();
    assert!(!f.sync(&mut store).unwrap().relisted);
    assert!(kinds(&store, source)
        .last()
        .unwrap()
        .1
        .ends_with("later.pdf"));
}

#[test]
fn a_fixed_token_that_expired_asks_to_reconnect() {
    let s = setup();
    s.emu.expire_access_tokens();
    let (mut store, source) = open(&s);
    let err = feed(&s, source).sync(&mut store).unwrap_err();
    assert!(
        matches!(err, FeedError::Dropbox(Failure::Unauthorized(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("reconnect Dropbox"), "{err}");
    assert_eq!(store.cursor(source).unwrap(), None, "nothing half-stored");
}

/// Connects through the emulator's OAuth endpoints as the app does, without a browser:
/// the authorize page redirects at once, so its Location carries the code.
fn connect(emu: &Emulator) -> (OAuthApp, Grant) {
    let app = OAuthApp {
        app_key: "feed-test".into(),
        endpoints: Endpoints::all_at(&emu.base_url()),
    };
    let redirect = "http://127.0.0.1:9/callback";
    let pending = app.authorize(Some(redirect)).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent.get(&pending.url).call().unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let answer = AuthorizationAnswer::pasted(&location).unwrap();
    assert!(answer.state.is_some());
    let grant = app.exchange(pending, &answer).unwrap();
    (app, grant)
}

#[test]
fn a_refreshing_token_survives_expiry_and_a_revoked_one_stops() {
    let s = setup();
    s.emu.put_file(&format!("{PO}/a.pdf"), "a").unwrap();
    let (app, grant) = connect(&s.emu);
    let refresh = grant.refresh.clone().unwrap();
    let tokens = Arc::new(TokenSource::refreshing(app, refresh.clone(), Some(grant)));
    let client = Client::with_tokens(Endpoints::all_at(&s.emu.base_url()), tokens);
    let account = client.current_account().unwrap();
    assert!(account.account_id.starts_with("dbid:"));
    let (mut store, source) = open(&s);
    let f = ChangeFeed {
        client: &client,
        source,
        path: String::new(),
        rules: &s.rules,
        retry: RetryPolicy::default(),
    };
    f.sync(&mut store).unwrap();

    // Dropbox says the token expired: one refresh, the call again, no error.
    s.emu.expire_access_tokens();
    s.emu.put_file(&format!("{PO}/b.pdf"), "b").unwrap();
    let report = f.sync(&mut store).unwrap();
    assert_eq!(report.events, 1);
    let token_calls = s
        .emu
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth2/token")
        .count();
    assert_eq!(token_calls, 2, "the code exchange, then one refresh");

    // The refresh token is revoked, then the access token expires: reconnect, nothing lost.
    assert!(s.emu.revoke_refresh_token(&refresh.0));
    s.emu.expire_access_tokens();
    s.emu.put_file(&format!("{PO}/c.pdf"), "c").unwrap();
    let err = f.sync(&mut store).unwrap_err();
    assert!(err.to_string().contains("reconnect Dropbox"), "{err}");
    assert_eq!(
        kinds(&store, source).len(),
        5,
        "the folders and a.pdf, b.pdf stay"
    );
}

#[test]
fn a_team_space_root_is_followed_through_the_path_root_header() {
    let emu = Emulator::start_with(
        "127.0.0.1:0",
        dropbox_emulator::Config {
            team: Some(dropbox_emulator::TeamSpace::new("Colum Paget")),
            ..Default::default()
        },
    )
    .unwrap();
    emu.put_file("/2024/team.pdf", "t").unwrap();
    emu.put_file(&format!("{}/mine.pdf", emu.home_path()), "m")
        .unwrap();
    let (app, grant) = connect(&emu);
    let refresh = grant.refresh.clone().unwrap();
    let tokens = Arc::new(TokenSource::refreshing(app, refresh, Some(grant)));
    let mut client = Client::with_tokens(Endpoints::all_at(&emu.base_url()), tokens);
    let account = client.current_account().unwrap();
    assert!(account.root_info.has_team_space());
    assert_eq!(account.root_info.home_path.as_deref(), Some("/Colum Paget"));

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("team.db")).unwrap();
    let rules = PathRules::defaults();
    let listed = |client: &Client, store: &mut Store, location: &str, path: &str| {
        let source = store.source_id(SourceKind::Dropbox, location).unwrap();
        ChangeFeed {
            client,
            source,
            path: path.into(),
            rules: &rules,
            retry: RetryPolicy::default(),
        }
        .sync(store)
        .unwrap();
        let mut paths: Vec<String> = kinds(store, source).into_iter().map(|k| k.1).collect();
        paths.sort();
        paths
    };
    // Home: only the member's folder, with paths relative to it.
    let home = listed(&client, &mut store, "home", "");
    assert_eq!(home, vec!["/mine.pdf".to_string()]);
    // The team space root, and a folder within it.
    client.set_path_root(Some(account.root_info.root_namespace_id.clone()));
    let team = listed(&client, &mut store, "team", "/2024");
    assert_eq!(
        team,
        vec!["/2024".to_string(), "/2024/team.pdf".to_string()]
    );
}

#[test]
fn slow_answers_and_longpoll_backoff_are_waited_out_and_reported() {
    let s = setup();
    for i in 0..3 {
        s.emu.put_file(&format!("{PO}/{i}.pdf"), "x").unwrap();
    }
    let (mut store, source) = open(&s);
    let f = feed(&s, source);
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |p: boxkeeper_dropbox::FeedProgress| seen.lock().unwrap().push(p);

    s.emu.inject_fault(
        "files/list_folder",
        Fault::Delay(Duration::from_millis(300)),
        1,
    );
    let t = Instant::now();
    let report = f.sync_with(&mut store, &progress).unwrap();
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        report.entries,
        3 + 3,
        "three files and the three folders above them"
    );
    assert!(seen
        .lock()
        .unwrap()
        .contains(&boxkeeper_dropbox::FeedProgress::Listing { entries: 6 }));

    // The server asks for a pause after the longpoll: the feed waits it out and says so.
    s.emu.set_longpoll_backoff(Some(1));
    s.emu.put_file(&format!("{PO}/later.pdf"), "x").unwrap();
    let t = Instant::now();
    assert!(f.wait_for_changes_with(&store, 30, &progress).unwrap());
    assert!(t.elapsed() >= Duration::from_secs(1));
    assert!(seen.lock().unwrap().iter().any(|p| matches!(
        p,
        boxkeeper_dropbox::FeedProgress::Waiting { seconds: 1, .. }
    )));
    s.emu.set_longpoll_backoff(None);
    assert_eq!(f.sync(&mut store).unwrap().events, 1);
}
