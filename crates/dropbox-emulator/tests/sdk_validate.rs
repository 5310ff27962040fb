//! Checks the emulator's responses with the official Python SDK's validators
//! (`validate_with_sdk.py` beside the Dropbox samples), in strict mode.
//!
//! Runs only when `BOXKEEPER_SDK_PYTHON` names a python that has `dropbox` installed, e.g.
//! `python3 -m venv .venv && .venv/bin/pip install dropbox` then
//! `BOXKEEPER_SDK_PYTHON=.venv/bin/python cargo test -p dropbox-emulator --test sdk_validate`.
//! `BOXKEEPER_DROPBOX_SAMPLES` is the directory holding `validate_with_sdk.py`
//! (default `/work/shared/dropbox`).

mod common;

use std::process::Command;

use common::Client;
use dropbox_emulator::{Config, Fault, TeamSpace};
use serde_json::{json, Value};

const SCRIPT: &str = r#"
import json, sys
sys.path.insert(0, sys.argv[1])
import validate_with_sdk as v
from dropbox import common, files, sharing
v.ROUTES.update({
    "files/upload": files.upload,
    "files/create_folder_v2": files.create_folder_v2,
    "files/move_v2": files.move_v2,
    "files/delete_v2": files.delete_v2,
    "sharing/list_shared_links": sharing.list_shared_links,
    "files/upload_session/start": files.upload_session_start,
    "files/upload_session/append_v2": files.upload_session_append_v2,
    "files/upload_session/finish": files.upload_session_finish,
})
items = json.load(open(sys.argv[2]))
bad = 0
for it in items:
    kind, route, text = it["kind"], it["route"], it["text"]
    try:
        if kind == "result":
            v.check_result(route, text)
        elif kind == "route_error":
            v.check_route_error(route, text)
        elif kind == "auth_error":
            v.check_auth_error(text)
        elif kind == "rate_limit":
            v.check_rate_limit_error(text)
        elif kind == "path_root_error":
            # HTTP 422: the SDK decodes body["error"] with PathRootError (dropbox_client.py);
            # the envelope is the route-error one (error_summary, error, user_message?).
            body = json.loads(text)
            if not isinstance(body.get("error_summary"), str):
                raise ValueError("missing/invalid 'error_summary'")
            extra = set(body) - {"error_summary", "error", "user_message"}
            if extra:
                raise ValueError("unexpected top-level keys %r" % sorted(extra))
            v._decode_obj(common.PathRootError_validator, body["error"])
        else:
            raise ValueError("unknown kind " + kind)
        print("ok   %-12s %-45s %s" % (kind, route, it["label"]))
    except Exception as e:
        bad += 1
        print("FAIL %-12s %-45s %s: %s: %s\n     %s" % (kind, route, it["label"], type(e).__name__, e, text[:400]))
print("%d checked, %d failed" % (len(items), bad))
sys.exit(1 if bad else 0)
"#;

struct Samples(Vec<Value>);

impl Samples {
    fn add(&mut self, kind: &str, route: &str, label: &str, text: String) {
        self.0
            .push(json!({"kind": kind, "route": route, "label": label, "text": text}));
    }

    /// Calls an RPC route and records its answer as a result (200) or route error (409).
    fn rpc(&mut self, c: &Client, route: &str, label: &str, body: Value, expect: u16) -> Value {
        let r = c.rpc(route, body);
        assert_eq!(r.status, expect, "{route} {label}: {}", r.text());
        let kind = if expect == 200 {
            "result"
        } else {
            "route_error"
        };
        self.add(kind, route, label, r.text());
        r.json()
    }
}

#[test]
fn responses_pass_the_official_sdk_validators() {
    let Ok(python) = std::env::var("BOXKEEPER_SDK_PYTHON") else {
        println!(
            "skipped: set BOXKEEPER_SDK_PYTHON to a python with the Dropbox SDK \
             (python3 -m venv .venv && .venv/bin/pip install dropbox) to run this check"
        );
        return;
    };
    let samples_dir = std::env::var("BOXKEEPER_DROPBOX_SAMPLES").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/dropbox").to_string()
    });
    assert!(
        std::path::Path::new(&samples_dir)
            .join("validate_with_sdk.py")
            .exists(),
        "validate_with_sdk.py not found in {samples_dir} (set BOXKEEPER_DROPBOX_SAMPLES)"
    );

    let (emu, mut c) = Client::start();
    let mut s = Samples(Vec::new());
    emu.put_file_modified(
        "/Homework/math/Prime_Numbers.txt",
        "2 3 5 7",
        "2015-05-12T15:50:38Z",
    )
    .expect("put");
    emu.put_file("/Photos/cat.jpg", "").expect("put");
    emu.put_file("/Ünïcode/naïve café.txt", "x").expect("put");

    let first = s.rpc(
        &c,
        "files/list_folder",
        "root recursive",
        json!({"path": "", "recursive": true}),
        200,
    );
    s.rpc(
        &c,
        "files/list_folder",
        "paged",
        json!({"path": "", "recursive": true, "limit": 2}),
        200,
    );
    s.rpc(
        &c,
        "files/list_folder",
        "not found",
        json!({"path": "/nope"}),
        409,
    );
    s.rpc(
        &c,
        "files/list_folder",
        "not folder",
        json!({"path": "/Photos/cat.jpg"}),
        409,
    );
    let latest = s.rpc(
        &c,
        "files/list_folder/get_latest_cursor",
        "latest",
        json!({"path": ""}),
        200,
    );

    let r = c.upload_arg(
        &json!({"path": "/Docs/a.txt", "mode": "add", "client_modified": "2024-05-01T10:00:00Z"}),
        b"hello world",
    );
    s.add("result", "files/upload", "upload", r.text());
    let r = c.upload_arg(&json!({"path": "/Docs/a.txt", "mode": "add"}), b"other");
    assert_eq!(r.status, 409);
    s.add("route_error", "files/upload", "upload conflict", r.text());

    s.rpc(
        &c,
        "files/move_v2",
        "rename",
        json!({"from_path": "/Docs/a.txt", "to_path": "/Docs/b.txt"}),
        200,
    );
    s.rpc(
        &c,
        "files/move_v2",
        "from not found",
        json!({"from_path": "/nope", "to_path": "/x"}),
        409,
    );
    s.rpc(
        &c,
        "files/move_v2",
        "into itself",
        json!({"from_path": "/Docs", "to_path": "/Docs/in"}),
        409,
    );
    s.rpc(
        &c,
        "files/create_folder_v2",
        "mkdir",
        json!({"path": "/Archive"}),
        200,
    );
    s.rpc(
        &c,
        "files/create_folder_v2",
        "mkdir conflict",
        json!({"path": "/archive"}),
        409,
    );
    emu.move_path("/Photos", "/Archive/Photos").expect("move");
    s.rpc(
        &c,
        "files/delete_v2",
        "delete file",
        json!({"path": "/Ünïcode/naïve café.txt"}),
        200,
    );
    s.rpc(
        &c,
        "files/delete_v2",
        "delete folder",
        json!({"path": "/Ünïcode"}),
        200,
    );
    s.rpc(
        &c,
        "files/delete_v2",
        "delete missing",
        json!({"path": "/Ünïcode"}),
        409,
    );

    s.rpc(
        &c,
        "files/list_folder/continue",
        "rename, move, deletes",
        json!({"cursor": first["cursor"]}),
        200,
    );
    s.rpc(
        &c,
        "files/list_folder/continue",
        "from latest",
        json!({"cursor": latest["cursor"]}),
        200,
    );
    s.rpc(
        &c,
        "files/get_metadata",
        "file",
        json!({"path": "/Homework/math/Prime_Numbers.txt"}),
        200,
    );
    s.rpc(
        &c,
        "files/get_metadata",
        "folder",
        json!({"path": "/Homework"}),
        200,
    );
    s.rpc(
        &c,
        "files/get_metadata",
        "deleted",
        json!({"path": "/Ünïcode", "include_deleted": true}),
        200,
    );
    s.rpc(
        &c,
        "files/get_metadata",
        "not found",
        json!({"path": "/nope"}),
        409,
    );

    let r = c.rpc(
        "files/get_temporary_link",
        json!({"path": "/Homework/math/Prime_Numbers.txt"}),
    );
    s.add(
        "result",
        "files/get_temporary_link",
        "temporary link",
        r.text(),
    );
    let r = c.rpc("files/get_temporary_link", json!({"path": "/nope"}));
    s.add(
        "route_error",
        "files/get_temporary_link",
        "temporary link not found",
        r.text(),
    );
    let r = c.content_call("upload_session/start", &json!({}), b"abc");
    s.add("result", "files/upload_session/start", "start", r.text());
    let sid = r.json()["session_id"].clone();
    let r = c.content_call(
        "upload_session/append_v2",
        &json!({"cursor": {"session_id": sid, "offset": 1}}),
        b"d",
    );
    s.add(
        "route_error",
        "files/upload_session/append_v2",
        "incorrect offset",
        r.text(),
    );
    let r = c.content_call(
        "upload_session/append_v2",
        &json!({"cursor": {"session_id": sid, "offset": 3}}),
        b"d",
    );
    s.add(
        "result",
        "files/upload_session/append_v2",
        "append",
        r.text(),
    );
    let r = c.content_call(
        "upload_session/finish",
        &json!({"cursor": {"session_id": sid, "offset": 1}, "commit": {"path": "/s.txt"}}),
        b"",
    );
    s.add(
        "route_error",
        "files/upload_session/finish",
        "finish lookup failed",
        r.text(),
    );
    let r = c.content_call(
        "upload_session/finish",
        &json!({"cursor": {"session_id": sid, "offset": 4}, "commit": {"path": "/s.txt"}}),
        b"e",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    s.add("result", "files/upload_session/finish", "finish", r.text());
    let r = c.content_call("upload_session/start", &json!({}), b"x");
    let sid = r.json()["session_id"].clone();
    let r = c.content_call("upload_session/finish", &json!({"cursor": {"session_id": sid, "offset": 1}, "commit": {"path": "/s.txt", "mode": "add"}}), b"");
    s.add(
        "route_error",
        "files/upload_session/finish",
        "finish conflict",
        r.text(),
    );

    let r = c.download("/Homework/math/Prime_Numbers.txt");
    s.add(
        "result",
        "files/download",
        "download header",
        r.header("dropbox-api-result").unwrap_or_default(),
    );
    emu.put_file("/Ünïcode2/é.txt", "é").expect("put");
    let r = c.download("/Ünïcode2/é.txt");
    s.add(
        "result",
        "files/download",
        "download header, non-ASCII",
        r.header("dropbox-api-result").unwrap_or_default(),
    );
    let r = c.download("/nope");
    s.add(
        "route_error",
        "files/download",
        "download not found",
        r.text(),
    );

    let link = s.rpc(
        &c,
        "sharing/create_shared_link_with_settings",
        "file link",
        json!({"path": "/Homework/math/Prime_Numbers.txt"}),
        200,
    );
    assert_eq!(link[".tag"], "file");
    s.rpc(
        &c,
        "sharing/create_shared_link_with_settings",
        "folder link",
        json!({"path": "/Homework"}),
        200,
    );
    s.rpc(
        &c,
        "sharing/create_shared_link_with_settings",
        "already exists",
        json!({"path": "/Homework/math/Prime_Numbers.txt"}),
        409,
    );
    s.rpc(
        &c,
        "sharing/create_shared_link_with_settings",
        "not found",
        json!({"path": "/nope"}),
        409,
    );
    s.rpc(
        &c,
        "sharing/list_shared_links",
        "all links",
        Value::Null,
        200,
    );

    let r = c
        .try_rpc_raw("users/get_current_account", "null")
        .expect("transport");
    s.add("result", "users/get_current_account", "account", r.text());

    let cur = latest["cursor"].clone();
    emu.set_longpoll_second(std::time::Duration::from_millis(10));
    let r = c
        .post_noauth("/2/files/list_folder/longpoll", &json!({"cursor": cur}))
        .expect("transport");
    s.add("result", "files/list_folder/longpoll", "changes", r.text());
    let quiet = c.ok("files/list_folder/get_latest_cursor", json!({"path": ""}));
    emu.set_longpoll_backoff(Some(60));
    let r = c
        .post_noauth(
            "/2/files/list_folder/longpoll",
            &json!({"cursor": quiet["cursor"]}),
        )
        .expect("transport");
    s.add(
        "result",
        "files/list_folder/longpoll",
        "timeout with backoff",
        r.text(),
    );

    emu.inject_fault(
        "files/list_folder",
        Fault::RateLimit { retry_after: 300 },
        1,
    );
    let r = c.rpc("files/list_folder", json!({"path": ""}));
    s.add("rate_limit", "files/list_folder", "429", r.text());
    emu.inject_fault("files/upload", Fault::WriteRateLimit { retry_after: 2 }, 1);
    let r = c.upload_arg(&json!({"path": "/w.txt"}), b"w");
    assert_eq!(r.status, 429);
    s.add("rate_limit", "files/upload", "429 writes", r.text());

    emu.reset_cursors();
    s.rpc(
        &c,
        "files/list_folder/continue",
        "reset",
        json!({"cursor": cur}),
        409,
    );
    let r = c
        .post_noauth("/2/files/list_folder/longpoll", &json!({"cursor": cur}))
        .expect("transport");
    s.add(
        "route_error",
        "files/list_folder/longpoll",
        "longpoll reset",
        r.text(),
    );

    let r = c
        .try_rpc_raw("auth/token/revoke", "null")
        .expect("transport");
    s.add("result", "auth/token/revoke", "revoke", r.text());
    let r = c.rpc("files/list_folder", json!({"path": ""}));
    assert_eq!(r.status, 401);
    s.add("auth_error", "", "invalid token", r.text());
    c.token = Some(emu.issue_tokens("sdk").access_token);
    emu.expire_access_tokens();
    let r = c.rpc("files/list_folder", json!({"path": ""}));
    s.add("auth_error", "", "expired token", r.text());

    team_space_samples(&mut s);

    let dir = tempfile::tempdir().expect("tempdir");
    let items = dir.path().join("items.json");
    std::fs::write(&items, serde_json::to_vec(&s.0).expect("json")).expect("write items");
    let out = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(&samples_dir)
        .arg(&items)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "SDK validation failed (is `dropbox` installed for {python}? `{python} -m pip install dropbox`)\n{stdout}\n{stderr}"
    );
}

/// A team-space member's answers: root_info (`team`, and `user` with home_path), listings
/// through the home and through the root, and the 422 path-root errors.
fn team_space_samples(s: &mut Samples) {
    let (emu, c) = Client::start_with(Config {
        team: Some(TeamSpace::new("Emulated User")),
        ..Default::default()
    });
    emu.put_file("/Emulated User/2024/a.pdf", "a").expect("put");
    emu.put_file("/Team Docs/x.txt", "x").expect("put");
    let r = c
        .try_rpc_raw("users/get_current_account", "null")
        .expect("transport");
    assert_eq!(r.status, 200);
    s.add(
        "result",
        "users/get_current_account",
        "team member account",
        r.text(),
    );
    let root = json!({".tag": "root", "root": emu.root_namespace_id()}).to_string();
    let root_h = [("Dropbox-API-Path-Root", root.as_str())];
    let home = s.rpc(
        &c,
        "files/list_folder",
        "team: through the home",
        json!({"path": "", "recursive": true}),
        200,
    );
    let r = c.rpc_with(
        "files/list_folder",
        json!({"path": "", "recursive": true}),
        &root_h,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    s.add(
        "result",
        "files/list_folder",
        "team: through the root",
        r.text(),
    );
    emu.put_file("/Emulated User/2024/b.pdf", "b").expect("put");
    s.rpc(
        &c,
        "files/list_folder/continue",
        "team: home cursor",
        json!({"cursor": home["cursor"]}),
        200,
    );
    let r = c.download("/2024/a.pdf");
    s.add(
        "result",
        "files/download",
        "team: download header through the home",
        r.header("dropbox-api-result").unwrap_or_default(),
    );
    let bad_root = json!({".tag": "root", "root": emu.home_namespace_id()}).to_string();
    let r = c.rpc_with(
        "files/list_folder",
        json!({"path": ""}),
        &[("Dropbox-API-Path-Root", &bad_root)],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    s.add(
        "path_root_error",
        "files/list_folder",
        "422 invalid_root (team)",
        r.text(),
    );
    let other = json!({".tag": "namespace_id", "namespace_id": "42"}).to_string();
    let r = c.rpc_with(
        "files/list_folder",
        json!({"path": ""}),
        &[("Dropbox-API-Path-Root", &other)],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    s.add(
        "path_root_error",
        "files/list_folder",
        "422 no_permission",
        r.text(),
    );
    let r = c.rpc_with(
        "files/delete_v2",
        json!({"path": "/Emulated User"}),
        &root_h,
    );
    assert_eq!(r.status, 409, "{}", r.text());
    s.add(
        "route_error",
        "files/delete_v2",
        "team: delete the home folder",
        r.text(),
    );

    let (_emu, c) = Client::start_with(Config {
        team: Some(TeamSpace {
            home_folder: "Ann Lee".into(),
            user_root_info: true,
        }),
        ..Default::default()
    });
    let r = c
        .try_rpc_raw("users/get_current_account", "null")
        .expect("transport");
    s.add(
        "result",
        "users/get_current_account",
        "updated team space (user root_info with home_path)",
        r.text(),
    );

    let (_emu, c) = Client::start();
    let r = c.rpc_with(
        "files/list_folder",
        json!({"path": ""}),
        &[(
            "Dropbox-API-Path-Root",
            &json!({".tag": "root", "root": "42"}).to_string(),
        )],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    s.add(
        "path_root_error",
        "files/list_folder",
        "422 invalid_root (personal)",
        r.text(),
    );
}
