//! Files routes: listing, cursors, uploads, downloads, folders, moves, deletes, metadata.

mod common;

use common::Client;
use serde_json::{json, Value};

fn is_timestamp(v: &Value) -> bool {
    let s = v.as_str().unwrap_or("");
    s.len() == 20 && s.ends_with('Z') && !s.contains('.') && s.as_bytes()[10] == b'T'
}

#[test]
fn list_folder_root_paths_and_errors() {
    let (_emu, c) = Client::start();
    let r = c.rpc("files/list_folder", json!({"path": ""}));
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type(), "application/json");
    let v = r.json();
    assert_eq!(v["entries"], json!([]));
    assert_eq!(v["has_more"], json!(false));
    assert!(v["cursor"].as_str().is_some_and(|c| !c.is_empty()));

    let r = c.rpc("files/list_folder", json!({"path": "/"}));
    assert_eq!(r.status, 400);
    assert!(r.content_type().starts_with("text/plain"));
    assert!(r.text().contains("empty string"), "{}", r.text());

    let r = c.rpc("files/list_folder", json!({"path": "foo"}));
    assert_eq!(r.status, 400);

    let r = c.rpc("files/list_folder", json!({"path": "/nope"}));
    assert_eq!(r.status, 409);
    assert_eq!(r.content_type(), "application/json");
    let v = r.json();
    assert_eq!(
        v["error"],
        json!({".tag": "path", "path": {".tag": "not_found"}})
    );
    assert!(v["error_summary"]
        .as_str()
        .unwrap_or("")
        .starts_with("path/not_found/"));

    c.upload("/f.txt", b"x");
    let r = c.rpc("files/list_folder", json!({"path": "/f.txt"}));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["path"][".tag"], "not_folder");

    let r = c.rpc("files/list_folder", json!({"path": "", "bogus": 1}));
    assert_eq!(r.status, 400, "unknown fields are rejected");
    let r = c.rpc("files/list_folder", json!({"path": "", "limit": 2001}));
    assert_eq!(r.status, 400);
}

#[test]
fn upload_download_metadata_shapes() {
    let (emu, c) = Client::start();
    let meta = c.upload("/Docs/Héllo wörld.txt", b"hello world");
    assert_eq!(
        meta.get(".tag"),
        None,
        "upload returns FileMetadata without .tag"
    );
    assert_eq!(meta["name"], "Héllo wörld.txt");
    assert_eq!(meta["path_display"], "/Docs/Héllo wörld.txt");
    assert_eq!(meta["path_lower"], "/docs/héllo wörld.txt");
    assert_eq!(meta["size"], 11);
    assert_eq!(
        meta["content_hash"],
        "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423"
    );
    let id = meta["id"].as_str().expect("id");
    assert!(id.starts_with("id:") && id.len() == 25, "{id}");
    let rev = meta["rev"].as_str().expect("rev");
    assert!(rev.len() >= 9 && rev.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(is_timestamp(&meta["server_modified"]) && is_timestamp(&meta["client_modified"]));

    // the parent folder was created implicitly
    let docs = emu.metadata("/docs").expect("parent folder");
    assert_eq!(docs[".tag"], "folder");

    let r = c.download("/docs/HÉLLO WÖRLD.TXT".to_lowercase().as_str());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"hello world");
    assert_eq!(r.content_type(), "application/octet-stream");
    let header = r.header("dropbox-api-result").expect("result header");
    assert!(header.is_ascii() && header.contains("\\u00e9"), "{header}");
    let hv: Value = serde_json::from_str(&header).expect("header JSON");
    assert_eq!(hv.get(".tag"), None);
    assert_eq!(hv["id"], meta["id"]);
    assert_eq!(hv["name"], "Héllo wörld.txt");

    // by id too
    let r = c.download(id);
    assert_eq!(r.status, 200);

    let r = c.download("/missing.txt");
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"],
        json!({".tag": "path", "path": {".tag": "not_found"}})
    );
    let r = c.download("/docs");
    assert_eq!(r.json()["error"]["path"][".tag"], "not_file");

    let g = c.ok(
        "files/get_metadata",
        json!({"path": "/DOCS/héllo wörld.txt"}),
    );
    assert_eq!(g[".tag"], "file");
    assert_eq!(g["id"], meta["id"]);
    let r = c.rpc("files/get_metadata", json!({"path": "/nope"}));
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json(),
        json!({"error_summary": "path/not_found/...", "error": {".tag": "path", "path": {".tag": "not_found"}}})
    );
    let r = c.rpc("files/get_metadata", json!({"path": ""}));
    assert_eq!(r.status, 400);
}

#[test]
fn upload_modes_conflicts_and_autorename() {
    let (_emu, c) = Client::start();
    let first = c.upload("/a.txt", b"one");
    // add over different content: conflict
    let r = c.upload_arg(&json!({"path": "/a.txt", "mode": "add"}), b"two");
    assert_eq!(r.status, 409, "{}", r.text());
    let e = r.json();
    assert_eq!(e["error"][".tag"], "path");
    assert_eq!(
        e["error"]["reason"],
        json!({".tag": "conflict", "conflict": {".tag": "file"}})
    );
    // autorename
    let r = c.upload_arg(
        &json!({"path": "/a.txt", "mode": {".tag": "add"}, "autorename": true}),
        b"two",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["path_display"], "/a (1).txt");
    // overwrite: same id, new rev
    let r = c.upload_arg(&json!({"path": "/A.TXT", "mode": "overwrite"}), b"three");
    let over = r.json();
    assert_eq!(over["id"], first["id"]);
    assert_ne!(over["rev"], first["rev"]);
    assert_eq!(
        over["path_display"], "/a.txt",
        "display case of the existing file is kept"
    );
    // update with a stale rev: conflict; with the current rev: ok
    let r = c.upload_arg(
        &json!({"path": "/a.txt", "mode": {".tag": "update", "update": first["rev"]}}),
        b"four",
    );
    assert_eq!(r.status, 409);
    let r = c.upload_arg(
        &json!({"path": "/a.txt", "mode": {".tag": "update", "update": over["rev"]}, "client_modified": "2020-01-02T03:04:05Z"}),
        b"four",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["client_modified"], "2020-01-02T03:04:05Z");
    // identical content: nothing changes
    let same = c.upload("/a.txt", b"four");
    assert_eq!(same["rev"], r.json()["rev"]);

    // wrong content type
    let t = c.token.clone().unwrap_or_default();
    let r = c
        .agent
        .post(c.url("/2/files/upload"))
        .header("Authorization", format!("Bearer {t}"))
        .header("Content-Type", "application/json")
        .header("Dropbox-API-Arg", r#"{"path": "/b.txt"}"#)
        .send("x")
        .expect("transport");
    assert_eq!(r.status().as_u16(), 400);
    // missing arg header
    let r = c
        .agent
        .post(c.url("/2/files/upload"))
        .header("Authorization", format!("Bearer {t}"))
        .header("Content-Type", "application/octet-stream")
        .send("x")
        .expect("transport");
    assert_eq!(r.status().as_u16(), 400);
}

#[test]
fn recursive_listing_parents_first_and_pagination() {
    let (emu, c) = Client::start();
    emu.put_file("/b/z.txt", "z").expect("put");
    emu.put_file("/a/y/x.txt", "x").expect("put");
    emu.put_file("/a-b.txt", "ab").expect("put");
    emu.create_folder("/c").expect("mkdir");
    let v = c.ok("files/list_folder", json!({"path": "", "recursive": true}));
    let paths: Vec<String> = c.entries(&v).into_iter().map(|(_, p)| p).collect();
    for (i, p) in paths.iter().enumerate() {
        if let Some((parent, _)) = p.rsplit_once('/') {
            if !parent.is_empty() {
                let pi = paths
                    .iter()
                    .position(|q| q == parent)
                    .expect("parent listed");
                assert!(pi < i, "{parent} after {p}: {paths:?}");
            }
        }
    }
    assert_eq!(paths.len(), 7, "{paths:?}");

    let v = c.ok("files/list_folder", json!({"path": ""}));
    assert_eq!(
        c.entries(&v).len(),
        4,
        "non-recursive: direct children only"
    );
    let v = c.ok("files/list_folder", json!({"path": "/A"}));
    assert_eq!(
        c.entries(&v),
        vec![("folder".to_string(), "/a/y".to_string())]
    );

    // pagination
    let mut got = Vec::new();
    let mut v = c.ok(
        "files/list_folder",
        json!({"path": "", "recursive": true, "limit": 2}),
    );
    got.extend(c.entries(&v));
    let mut pages = 1;
    while v["has_more"] == json!(true) {
        assert_eq!(c.entries(&v).len(), 2);
        v = c.ok("files/list_folder/continue", json!({"cursor": v["cursor"]}));
        got.extend(c.entries(&v));
        pages += 1;
    }
    assert_eq!(pages, 4);
    assert_eq!(got.into_iter().map(|(_, p)| p).collect::<Vec<_>>(), paths);
    // after the last page: no changes, same answer again
    let again = c.ok("files/list_folder/continue", json!({"cursor": v["cursor"]}));
    assert_eq!(again["entries"], json!([]));
    assert_eq!(again["has_more"], json!(false));
}

#[test]
fn continue_reports_rename_and_folder_move_with_same_ids() {
    let (emu, c) = Client::start();
    let a = emu.put_file("/Docs/a.txt", "hello world").expect("put");
    let photos = emu.create_folder("/Photos").expect("mkdir");
    let cat = emu.put_file("/Photos/cat.jpg", "").expect("put");
    emu.create_folder("/Archive").expect("mkdir");
    let start = c.ok("files/list_folder", json!({"path": "", "recursive": true}));

    // rename via the API, folder move via control
    let r = c.ok(
        "files/move_v2",
        json!({"from_path": "/Docs/a.txt", "to_path": "/Docs/b.txt"}),
    );
    assert_eq!(r["metadata"][".tag"], "file");
    assert_eq!(r["metadata"]["id"], a["id"]);
    emu.move_path("/Photos", "/Archive/Photos").expect("move");

    let v = c.ok(
        "files/list_folder/continue",
        json!({"cursor": start["cursor"]}),
    );
    let e = v["entries"].as_array().expect("entries");
    assert_eq!(e.len(), 5, "{v:#}");
    assert_eq!(
        e[0],
        json!({".tag": "deleted", "name": "a.txt", "path_lower": "/docs/a.txt", "path_display": "/Docs/a.txt"})
    );
    assert_eq!(e[1][".tag"], "file");
    assert_eq!(e[1]["path_display"], "/Docs/b.txt");
    assert_eq!(e[1]["id"], a["id"]);
    assert_eq!(
        e[2],
        json!({".tag": "deleted", "name": "Photos", "path_lower": "/photos", "path_display": "/Photos"})
    );
    assert_eq!(e[3]["path_display"], "/Archive/Photos");
    assert_eq!(e[3]["id"], photos["id"]);
    assert_eq!(e[4]["path_display"], "/Archive/Photos/cat.jpg");
    assert_eq!(e[4]["id"], cat["id"]);

    // a case-only rename brings nothing, but the display case changes
    let before = v["cursor"].clone();
    let r = c.ok(
        "files/move_v2",
        json!({"from_path": "/Docs/b.txt", "to_path": "/Docs/B.txt"}),
    );
    assert_eq!(r["metadata"]["path_display"], "/Docs/B.txt");
    let v = c.ok("files/list_folder/continue", json!({"cursor": before}));
    assert_eq!(v["entries"], json!([]));
    let m = c.ok("files/get_metadata", json!({"path": "/docs/b.txt"}));
    assert_eq!(m["name"], "B.txt");
}

#[test]
fn delete_folder_is_one_deleted_entry_and_scoping() {
    let (emu, c) = Client::start();
    emu.put_file("/keep/k.txt", "k").expect("put");
    emu.put_file("/gone/a/b.txt", "b").expect("put");
    let root = c.ok(
        "files/list_folder/get_latest_cursor",
        json!({"path": "", "recursive": true}),
    );
    let keep = c.ok(
        "files/list_folder/get_latest_cursor",
        json!({"path": "/keep"}),
    );
    let r = c.ok("files/delete_v2", json!({"path": "/gone"}));
    assert_eq!(r["metadata"][".tag"], "folder");
    let v = c.ok(
        "files/list_folder/continue",
        json!({"cursor": root["cursor"]}),
    );
    assert_eq!(
        v["entries"],
        json!([{".tag": "deleted", "name": "gone", "path_lower": "/gone", "path_display": "/gone"}])
    );
    let v = c.ok(
        "files/list_folder/continue",
        json!({"cursor": keep["cursor"]}),
    );
    assert_eq!(
        v["entries"],
        json!([]),
        "changes elsewhere are not in /keep's scope"
    );
    assert!(emu.metadata("/gone/a/b.txt").is_none());

    let r = c.rpc("files/delete_v2", json!({"path": "/gone"}));
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"],
        json!({".tag": "path_lookup", "path_lookup": {".tag": "not_found"}})
    );
    let m = c.ok(
        "files/get_metadata",
        json!({"path": "/gone", "include_deleted": true}),
    );
    assert_eq!(m[".tag"], "deleted");
}

#[test]
fn create_folder_and_move_errors() {
    let (_emu, c) = Client::start();
    let r = c.ok("files/create_folder_v2", json!({"path": "/New"}));
    assert_eq!(r["metadata"].get(".tag"), None);
    assert_eq!(r["metadata"]["path_display"], "/New");
    let r = c.rpc("files/create_folder_v2", json!({"path": "/new"}));
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"],
        json!({".tag": "path", "path": {".tag": "conflict", "conflict": {".tag": "folder"}}})
    );
    let r = c.ok(
        "files/create_folder_v2",
        json!({"path": "/new", "autorename": true}),
    );
    assert_eq!(r["metadata"]["name"], "new (1)");

    let r = c.rpc(
        "files/move_v2",
        json!({"from_path": "/nope", "to_path": "/x"}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"],
        json!({".tag": "from_lookup", "from_lookup": {".tag": "not_found"}})
    );
    let r = c.rpc(
        "files/move_v2",
        json!({"from_path": "/New", "to_path": "/new (1)"}),
    );
    assert_eq!(
        r.json()["error"],
        json!({".tag": "to", "to": {".tag": "conflict", "conflict": {".tag": "folder"}}})
    );
    let r = c.rpc(
        "files/move_v2",
        json!({"from_path": "/New", "to_path": "/New/inner"}),
    );
    assert_eq!(
        r.json()["error"],
        json!({".tag": "cant_move_folder_into_itself"})
    );
}

#[test]
fn reset_cursor_gives_409_reset() {
    let (emu, c) = Client::start();
    let v = c.ok("files/list_folder", json!({"path": ""}));
    emu.reset_cursors();
    let r = c.rpc("files/list_folder/continue", json!({"cursor": v["cursor"]}));
    assert_eq!(r.status, 409);
    let body = r.json();
    assert_eq!(body["error"], json!({".tag": "reset"}));
    assert!(body["error_summary"]
        .as_str()
        .unwrap_or("")
        .starts_with("reset/"));
    // a new listing works again
    let v = c.ok("files/list_folder", json!({"path": ""}));
    c.ok("files/list_folder/continue", json!({"cursor": v["cursor"]}));
    // garbage cursor: 400
    let r = c.rpc("files/list_folder/continue", json!({"cursor": "garbage!"}));
    assert_eq!(r.status, 400);
}

#[test]
fn get_latest_cursor_sees_only_later_changes() {
    let (emu, c) = Client::start();
    emu.put_file("/old.txt", "o").expect("put");
    let cur = c.ok("files/list_folder/get_latest_cursor", json!({"path": ""}));
    emu.put_file("/new.txt", "n").expect("put");
    let v = c.ok(
        "files/list_folder/continue",
        json!({"cursor": cur["cursor"]}),
    );
    assert_eq!(
        c.entries(&v),
        vec![("file".to_string(), "/new.txt".to_string())]
    );
}

#[test]
fn sharing_links() {
    let (emu, c) = Client::start();
    emu.put_file("/Homework/Prime_Numbers.txt", "2 3 5 7")
        .expect("put");
    let link = c.ok(
        "sharing/create_shared_link_with_settings",
        json!({"path": "/homework/prime_numbers.txt"}),
    );
    assert_eq!(link[".tag"], "file");
    assert!(link["url"]
        .as_str()
        .unwrap_or("")
        .starts_with("https://www.dropbox.com/s/"));
    assert_eq!(link["size"], 7);
    let r = c.rpc(
        "sharing/create_shared_link_with_settings",
        json!({"path": "/homework/prime_numbers.txt", "settings": {"requested_visibility": "public"}}),
    );
    assert_eq!(r.status, 409);
    let e = r.json();
    assert_eq!(e["error"][".tag"], "shared_link_already_exists");
    assert_eq!(e["error"]["shared_link_already_exists"]["metadata"], link);
    let l = c.ok(
        "sharing/list_shared_links",
        json!({"path": "/homework/prime_numbers.txt"}),
    );
    assert_eq!(l["links"], json!([link]));
    assert_eq!(l["has_more"], json!(false));
    let l = c.ok("sharing/list_shared_links", Value::Null);
    assert_eq!(l["links"].as_array().map(Vec::len), Some(1));
    let r = c.rpc(
        "sharing/create_shared_link_with_settings",
        json!({"path": "/nope"}),
    );
    assert_eq!(
        r.json()["error"],
        json!({".tag": "path", "path": {".tag": "not_found"}})
    );
}

fn session_call(c: &Client, route: &str, arg: &Value, body: &[u8]) -> common::Reply {
    c.content_call(&format!("upload_session/{route}"), arg, body)
}

#[test]
fn upload_session_start_append_finish() {
    let (emu, c) = Client::start();
    let r = session_call(&c, "start", &json!({}), b"hello");
    assert_eq!(r.status, 200, "{}", r.text());
    let sid = r.json()["session_id"]
        .as_str()
        .expect("session_id")
        .to_string();

    let r = session_call(
        &c,
        "append_v2",
        &json!({"cursor": {"session_id": sid, "offset": 3}}),
        b" ",
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"],
        json!({".tag": "incorrect_offset", "correct_offset": 5})
    );
    let r = session_call(
        &c,
        "append_v2",
        &json!({"cursor": {"session_id": sid, "offset": 5}}),
        b" ",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "null");

    let r = session_call(
        &c,
        "finish",
        &json!({"cursor": {"session_id": sid, "offset": 5}, "commit": {"path": "/big.txt"}}),
        b"world",
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"],
        json!({".tag": "lookup_failed", "lookup_failed": {".tag": "incorrect_offset", "correct_offset": 6}})
    );
    let r = session_call(
        &c,
        "finish",
        &json!({"cursor": {"session_id": sid, "offset": 6}, "commit": {"path": "/Big.txt", "mode": "add"}}),
        b"world",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = r.json();
    assert_eq!(meta.get(".tag"), None);
    assert_eq!(
        meta["content_hash"],
        "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423"
    );
    assert_eq!(
        emu.file_content("/big.txt").as_deref(),
        Some(&b"hello world"[..])
    );
    let r = session_call(
        &c,
        "finish",
        &json!({"cursor": {"session_id": sid, "offset": 11}, "commit": {"path": "/x.txt"}}),
        b"",
    );
    assert_eq!(r.json()["error"]["lookup_failed"][".tag"], "not_found");

    // a conflicting commit
    let r = session_call(&c, "start", &json!({"close": true}), b"other");
    let sid = r.json()["session_id"]
        .as_str()
        .expect("session_id")
        .to_string();
    let r = session_call(
        &c,
        "append_v2",
        &json!({"cursor": {"session_id": sid, "offset": 5}}),
        b"x",
    );
    assert_eq!(r.json()["error"], json!({".tag": "closed"}));
    let r = session_call(
        &c,
        "finish",
        &json!({"cursor": {"session_id": sid, "offset": 5}, "commit": {"path": "/big.txt", "mode": "add"}}),
        b"",
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"],
        json!({".tag": "path", "path": {".tag": "conflict", "conflict": {".tag": "file"}}})
    );
}

#[test]
fn temporary_link_serves_the_file() {
    let (emu, c) = Client::start();
    emu.put_file("/video.mp4", "frames").expect("put");
    let v = c.ok("files/get_temporary_link", json!({"path": "/VIDEO.mp4"}));
    assert_eq!(v["metadata"]["name"], "video.mp4");
    assert_eq!(v["metadata"].get(".tag"), None);
    let link = v["link"].as_str().expect("link");
    assert!(link.starts_with(&c.base), "{link}");
    let r = c.get(&link[c.base.len()..]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"frames");
    emu.delete_path("/video.mp4").expect("delete");
    assert_eq!(c.get(&link[c.base.len()..]).status, 404);
    let r = c.rpc("files/get_temporary_link", json!({"path": "/nope"}));
    assert_eq!(
        r.json()["error"],
        json!({".tag": "path", "path": {".tag": "not_found"}})
    );
}

#[test]
fn download_content_type_and_payload_limit() {
    let emu = dropbox_emulator::Emulator::start_with(
        "127.0.0.1:0",
        dropbox_emulator::Config {
            max_upload_bytes: 10,
            ..Default::default()
        },
    )
    .expect("start");
    let c = Client {
        agent: common::agent(),
        base: emu.base_url(),
        token: Some(emu.issue_tokens("t").access_token),
    };
    emu.put_file("/a.txt", "a").expect("put");
    let t = c.token.clone().unwrap_or_default();
    let send = |ct: &str| {
        c.agent
            .post(c.url("/2/files/download"))
            .header("Authorization", format!("Bearer {t}"))
            .header("Content-Type", ct)
            .header("Dropbox-API-Arg", r#"{"path": "/a.txt"}"#)
            .send_empty()
            .expect("transport")
            .status()
            .as_u16()
    };
    assert_eq!(send("application/x-www-form-urlencoded"), 400);
    assert_eq!(send("text/plain; charset=utf-8"), 200);

    let r = c.upload_arg(&json!({"path": "/big.bin"}), &[0u8; 11]);
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], json!({".tag": "payload_too_large"}));
    let r = c.upload_arg(&json!({"path": "/ok.bin"}), &[0u8; 10]);
    assert_eq!(r.status, 200);
}
