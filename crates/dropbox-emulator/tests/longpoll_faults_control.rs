//! Longpoll, injected faults and the HTTP control routes.

mod common;

use std::time::{Duration, Instant};

use common::Client;
use dropbox_emulator::Fault;
use serde_json::json;

fn cursor(c: &Client) -> String {
    c.ok("files/list_folder", json!({"path": "", "recursive": true}))["cursor"]
        .as_str()
        .expect("cursor")
        .to_string()
}

#[test]
fn longpoll_rejects_authorization_and_bad_timeouts() {
    let (_emu, c) = Client::start();
    let cur = cursor(&c);
    let r = c
        .try_rpc_raw(
            "files/list_folder/longpoll",
            &json!({"cursor": cur}).to_string(),
        )
        .expect("transport");
    assert_eq!(r.status, 400, "Authorization is not allowed on longpoll");
    for timeout in [10, 481] {
        let r = c
            .post_noauth(
                "/2/files/list_folder/longpoll",
                &json!({"cursor": cur, "timeout": timeout}),
            )
            .expect("transport");
        assert_eq!(r.status, 400, "timeout {timeout}");
    }
}

#[test]
fn longpoll_wakes_on_upload() {
    let (emu, c) = Client::start();
    let cur = cursor(&c);
    let base = c.base.clone();
    let waiter = std::thread::spawn(move || {
        let r = Client {
            agent: common::agent(),
            base,
            token: None,
        }
        .post_noauth(
            "/2/files/list_folder/longpoll",
            &json!({"cursor": cur, "timeout": 30}),
        )
        .expect("transport");
        (Instant::now(), r)
    });
    std::thread::sleep(Duration::from_millis(300));
    let uploaded = Instant::now();
    c.upload("/new.txt", b"data");
    let (answered, r) = waiter.join().expect("thread");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type(), "application/json");
    assert_eq!(r.json(), json!({"changes": true}));
    let latency = answered.saturating_duration_since(uploaded);
    assert!(
        latency < Duration::from_millis(150),
        "woke after {latency:?}"
    );
    let _ = emu;
}

#[test]
fn longpoll_times_out_and_reports_backoff() {
    let (emu, c) = Client::start();
    emu.set_longpoll_second(Duration::from_millis(10));
    let cur = cursor(&c);
    // a change outside the listed folder does not wake a longpoll on another folder
    emu.create_folder("/watched").expect("mkdir");
    let watched = c.ok("files/list_folder", json!({"path": "/watched"}))["cursor"].clone();
    emu.put_file("/elsewhere.txt", "x").expect("put");
    let started = Instant::now();
    let r = c
        .post_noauth(
            "/2/files/list_folder/longpoll",
            &json!({"cursor": watched, "timeout": 30}),
        )
        .expect("transport");
    assert_eq!(r.json(), json!({"changes": false}));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(5),
        "{took:?}"
    );

    // the root cursor has changes already
    let r = c
        .post_noauth("/2/files/list_folder/longpoll", &json!({"cursor": cur}))
        .expect("transport");
    assert_eq!(r.json(), json!({"changes": true}));

    emu.set_longpoll_backoff(Some(60));
    let r = c
        .post_noauth(
            "/2/files/list_folder/longpoll",
            &json!({"cursor": watched, "timeout": 30}),
        )
        .expect("transport");
    assert_eq!(r.json(), json!({"changes": false, "backoff": 60}));

    emu.reset_cursors();
    let r = c
        .post_noauth(
            "/2/files/list_folder/longpoll",
            &json!({"cursor": watched, "timeout": 30}),
        )
        .expect("transport");
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], json!({".tag": "reset"}));
}

#[test]
fn fault_rate_limit() {
    let (emu, c) = Client::start();
    emu.inject_fault("files/list_folder", Fault::RateLimit { retry_after: 7 }, 2);
    for _ in 0..2 {
        let r = c.rpc("files/list_folder", json!({"path": ""}));
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after").as_deref(), Some("7"));
        assert_eq!(r.content_type(), "application/json");
        assert_eq!(
            r.json(),
            json!({"error_summary": "too_many_requests/..", "error": {"reason": {".tag": "too_many_requests"}, "retry_after": 7}})
        );
    }
    c.ok("files/list_folder", json!({"path": ""}));

    let r = c
        .post_noauth(
            "/__control/faults",
            &json!({"route": "files/upload", "kind": "rate_limit_writes", "retry_after": 2}),
        )
        .expect("transport");
    assert_eq!(r.status, 200);
    let r = c.upload_arg(&json!({"path": "/w.txt"}), b"w");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("2"));
    assert_eq!(
        r.json(),
        json!({"error_summary": "too_many_write_operations/..", "error": {"reason": {".tag": "too_many_write_operations"}, "retry_after": 2}})
    );
}

#[test]
fn fault_status_drop_and_delay() {
    let (emu, c) = Client::start();
    emu.inject_fault("/2/files/upload", Fault::Status(503), 1);
    let r = c.upload_arg(&json!({"path": "/a.txt"}), b"a");
    assert_eq!(r.status, 503);
    c.upload("/a.txt", b"a");

    emu.inject_fault("files/download", Fault::Drop, 1);
    let fresh = Client {
        agent: common::agent(),
        base: c.base.clone(),
        token: c.token.clone(),
    };
    let t = fresh.token.clone().unwrap_or_default();
    let r = fresh
        .agent
        .post(fresh.url("/2/files/download"))
        .header("Authorization", format!("Bearer {t}"))
        .header("Dropbox-API-Arg", r#"{"path": "/a.txt"}"#)
        .send_empty();
    assert!(
        r.is_err(),
        "connection should have been dropped: {:?}",
        r.map(|r| r.status())
    );
    assert_eq!(c.download("/a.txt").status, 200);

    emu.inject_fault("oauth2/token", Fault::Status(500), 1);
    let r = c.post_form("/oauth2/token", &[("grant_type", "refresh_token")]);
    assert_eq!(r.status, 500);

    emu.inject_fault(
        "files/get_metadata",
        Fault::Delay(Duration::from_millis(300)),
        1,
    );
    let started = Instant::now();
    c.ok("files/get_metadata", json!({"path": "/a.txt"}));
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    c.ok("files/get_metadata", json!({"path": "/a.txt"}));
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[test]
fn control_routes_over_http() {
    let (emu, mut c) = Client::start();
    let cur = cursor(&c);
    let r = c
        .post_noauth(
            "/__control/files/put",
            &json!({"path": "/Ctl/a.txt", "content": "hello world"}),
        )
        .expect("transport");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["content_hash"],
        "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423"
    );
    let r = c
        .post_noauth(
            "/__control/files/put",
            &json!({"path": "/Ctl/b.bin", "content_base64": "AAEC"}),
        )
        .expect("transport");
    assert_eq!(r.json()["size"], 3);
    c.post_noauth("/__control/files/create_folder", &json!({"path": "/Other"}))
        .expect("transport");
    let r = c
        .post_noauth(
            "/__control/files/move",
            &json!({"from_path": "/Ctl/a.txt", "to_path": "/Other/a.txt"}),
        )
        .expect("transport");
    assert_eq!(r.status, 200);
    let r = c
        .post_noauth("/__control/files/delete", &json!({"path": "/Ctl/b.bin"}))
        .expect("transport");
    assert_eq!(r.status, 200);
    let r = c
        .post_noauth("/__control/files/delete", &json!({"path": "/Ctl/b.bin"}))
        .expect("transport");
    assert_eq!(r.status, 404);
    let v = c.ok("files/list_folder/continue", json!({"cursor": cur}));
    let tags: Vec<(String, String)> = c.entries(&v);
    assert_eq!(
        tags,
        [
            ("folder", "/Ctl"),
            ("file", "/Ctl/a.txt"),
            ("file", "/Ctl/b.bin"),
            ("folder", "/Other"),
            ("deleted", "/Ctl/a.txt"),
            ("file", "/Other/a.txt"),
            ("deleted", "/Ctl/b.bin"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    let r = c
        .post_noauth(
            "/__control/faults",
            &json!({"route": "files/list_folder", "kind": "rate_limit", "retry_after": 3}),
        )
        .expect("transport");
    assert_eq!(r.status, 200);
    assert_eq!(c.rpc("files/list_folder", json!({"path": ""})).status, 429);
    c.post_noauth(
        "/__control/faults",
        &json!({"route": "files/list_folder", "kind": "status", "status": 502, "count": 5}),
    )
    .expect("transport");
    c.post_noauth("/__control/faults/clear", &json!({}))
        .expect("transport");
    c.ok("files/list_folder", json!({"path": ""}));

    let r = c
        .post_noauth("/__control/tokens/issue", &json!({}))
        .expect("transport");
    let issued = r.json();
    let other = Client {
        agent: common::agent(),
        base: c.base.clone(),
        token: issued["access_token"].as_str().map(String::from),
    };
    other.ok("files/list_folder", json!({"path": ""}));
    c.post_noauth("/__control/tokens/expire_all", &json!({}))
        .expect("transport");
    assert_eq!(
        other.rpc("files/list_folder", json!({"path": ""})).json()["error"][".tag"],
        "expired_access_token"
    );
    let r = c
        .post_noauth(
            "/__control/tokens/revoke_refresh",
            &json!({"refresh_token": issued["refresh_token"]}),
        )
        .expect("transport");
    assert_eq!(r.json(), json!({"revoked": true}));
    c.token = Some(emu.issue_tokens("test-app").access_token);

    c.post_noauth(
        "/__control/longpoll",
        &json!({"backoff": 5, "second_ms": 10}),
    )
    .expect("transport");
    let cur = cursor(&c);
    let r = c
        .post_noauth("/2/files/list_folder/longpoll", &json!({"cursor": cur}))
        .expect("transport");
    assert_eq!(r.json(), json!({"changes": false, "backoff": 5}));
    c.post_noauth("/__control/cursors/reset", &json!({}))
        .expect("transport");
    let r = c.rpc("files/list_folder/continue", json!({"cursor": cur}));
    assert_eq!(r.status, 409);

    let state = c.get("/__control/state").json();
    assert_eq!(state["log_len"], emu.log_len());
    assert_eq!(c.get("/__control/nope").status, 404);
    assert_eq!(c.get("/2/files/nope").status, 404);
}

#[test]
fn wildcard_fault_and_request_log() {
    let (emu, c) = Client::start();
    emu.inject_fault("*", Fault::Status(502), 1);
    emu.inject_fault("files/get_metadata", Fault::Drop, 1);
    assert_eq!(c.rpc("files/list_folder", json!({"path": ""})).status, 502);
    assert_eq!(c.rpc("files/list_folder", json!({"path": ""})).status, 200);
    let fresh = Client {
        agent: common::agent(),
        base: c.base.clone(),
        token: c.token.clone(),
    };
    assert!(fresh
        .try_rpc_raw("files/get_metadata", r#"{"path": "/x"}"#)
        .is_err());
    let log: Vec<(String, Option<u16>)> = emu
        .requests()
        .into_iter()
        .map(|r| (r.path, r.status))
        .collect();
    assert_eq!(
        log,
        [
            ("/2/files/list_folder".to_string(), Some(502)),
            ("/2/files/list_folder".to_string(), Some(200)),
            ("/2/files/get_metadata".to_string(), None),
        ]
    );
    let over_http = c.get("/__control/requests").json();
    assert_eq!(over_http.as_array().map(Vec::len), Some(3));
    assert_eq!(
        over_http[0],
        json!({"method": "POST", "path": "/2/files/list_folder", "status": 502})
    );
}
