//! Team spaces: the account's root_info, the `Dropbox-API-Path-Root` header on every route
//! that takes paths, cursors that keep their root, and 400/422 answers for bad roots.

mod common;

use std::time::Duration;

use common::Client;
use dropbox_emulator::{Config, Emulator, TeamSpace};
use serde_json::{json, Value};

const HOME: &str = "Emulated User";

fn team() -> (Emulator, Client) {
    Client::start_with(Config {
        team: Some(TeamSpace::new(HOME)),
        ..Default::default()
    })
}

/// The `Dropbox-API-Path-Root` value addressing the team root.
fn root_header(emu: &Emulator) -> String {
    json!({".tag": "root", "root": emu.root_namespace_id()}).to_string()
}

fn paths(v: &Value) -> Vec<String> {
    v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["path_display"].as_str().unwrap_or("").to_string())
        .collect()
}

fn id_of(v: &Value, path_display: &str) -> String {
    v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["path_display"] == path_display)
        .and_then(|e| e["id"].as_str())
        .unwrap_or_else(|| panic!("{path_display} not in {v}"))
        .to_string()
}

#[test]
fn team_account_root_info_shape() {
    let (emu, c) = team();
    let acct = c.ok("users/get_current_account", Value::Null);
    let info = &acct["root_info"];
    let keys: Vec<&str> = info
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys.first(),
        Some(&".tag"),
        ".tag is the first key of root_info"
    );
    assert_eq!(info[".tag"], "team");
    assert_eq!(info["home_path"], format!("/{HOME}"));
    let root = info["root_namespace_id"].as_str().expect("root ns");
    let home = info["home_namespace_id"].as_str().expect("home ns");
    assert_ne!(root, home);
    assert!(root.chars().all(|c| c.is_ascii_digit()), "{root}");
    assert!(home.chars().all(|c| c.is_ascii_digit()), "{home}");
    assert_eq!(root, emu.root_namespace_id());
    assert_eq!(home, emu.home_namespace_id());
    assert_eq!(emu.home_path(), format!("/{HOME}"));
    assert_eq!(acct["account_type"][".tag"], "business");
    assert_eq!(info.as_object().map(|m| m.len()), Some(4));

    // The home folder exists from the start, without a change-log entry.
    assert_eq!(emu.log_len(), 0);
    let meta = emu.metadata(&format!("/{HOME}")).expect("home folder");
    assert_eq!(meta[".tag"], "folder");

    // The control route tells the same.
    let r = c.get("/__control/account");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["root_namespace_id"], root);
    assert_eq!(v["home_namespace_id"], home);
    assert_eq!(v["home_path"], format!("/{HOME}"));
    assert_eq!(v["account_id"], emu.account_id());

    // Updated team spaces report `.tag` user, with a home_path.
    let (_emu2, c2) = Client::start_with(Config {
        team: Some(TeamSpace {
            home_folder: "Ann Lee".into(),
            user_root_info: true,
        }),
        ..Default::default()
    });
    let info = c2.ok("users/get_current_account", Value::Null)["root_info"].clone();
    assert_eq!(info[".tag"], "user");
    assert_eq!(info["home_path"], "/Ann Lee");
    assert_ne!(info["root_namespace_id"], info["home_namespace_id"]);
}

#[test]
fn personal_account_is_unchanged() {
    let (emu, c) = Client::start();
    let info = c.ok("users/get_current_account", Value::Null)["root_info"].clone();
    assert_eq!(info[".tag"], "user");
    assert_eq!(info["root_namespace_id"], info["home_namespace_id"]);
    assert!(info.get("home_path").is_none());
    assert_eq!(emu.home_path(), "");
    assert_eq!(emu.root_namespace_id(), emu.home_namespace_id());
    assert_eq!(c.get("/__control/account").json()["home_path"], "");

    // Its own root namespace, as root, namespace_id or home: identical to no header.
    emu.put_file("/2024/a.pdf", "a").expect("put");
    let plain = c.ok("files/list_folder", json!({"path": "", "recursive": true}));
    let ns = emu.root_namespace_id();
    for header in [
        json!({".tag": "root", "root": ns}).to_string(),
        json!({".tag": "namespace_id", "namespace_id": ns}).to_string(),
        json!({".tag": "home"}).to_string(),
    ] {
        let r = c.rpc_with(
            "files/list_folder",
            json!({"path": "", "recursive": true}),
            &[("Dropbox-API-Path-Root", &header)],
        );
        assert_eq!(r.status, 200, "{header}: {}", r.text());
        assert_eq!(r.json()["entries"], plain["entries"], "{header}");
    }

    // Any other namespace is refused with 422.
    let r = c.rpc_with(
        "files/list_folder",
        json!({"path": ""}),
        &[(
            "Dropbox-API-Path-Root",
            &json!({".tag": "root", "root": "123"}).to_string(),
        )],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.content_type(), "application/json");
    let v = r.json();
    assert_eq!(v["error"][".tag"], "invalid_root");
    assert_eq!(v["error"]["invalid_root"], info);
    let r = c.rpc_with(
        "files/list_folder",
        json!({"path": ""}),
        &[(
            "Dropbox-API-Path-Root",
            &json!({".tag": "namespace_id", "namespace_id": "123"}).to_string(),
        )],
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"], json!({".tag": "no_permission"}));
}

#[test]
fn listing_through_home_and_through_root() {
    let (emu, c) = team();
    let root = root_header(&emu);
    let home_ns = json!({".tag": "namespace_id", "namespace_id": emu.home_namespace_id()});
    let root_ns = json!({".tag": "namespace_id", "namespace_id": emu.root_namespace_id()});
    emu.put_file(&format!("{}/2024/a.pdf", emu.home_path()), "a")
        .expect("put");
    emu.put_file("/Team Docs/x.txt", "x").expect("put");

    let arg = json!({"path": "", "recursive": true});
    let home = c.ok("files/list_folder", arg.clone());
    assert_eq!(paths(&home), ["/2024", "/2024/a.pdf"]);
    let e = &home["entries"][1];
    assert_eq!(e["path_lower"], "/2024/a.pdf");
    assert_eq!(e["name"], "a.pdf");

    for header in [json!({".tag": "home"}).to_string(), home_ns.to_string()] {
        let r = c.rpc_with(
            "files/list_folder",
            arg.clone(),
            &[("Dropbox-API-Path-Root", &header)],
        );
        assert_eq!(r.status, 200, "{header}: {}", r.text());
        assert_eq!(r.json()["entries"], home["entries"], "{header}");
    }
    // The bare-string form of a void tag is accepted too.
    let r = c.rpc_with(
        "files/list_folder",
        arg.clone(),
        &[("Dropbox-API-Path-Root", "\"home\"")],
    );
    assert_eq!(r.status, 200, "{}", r.text());

    let whole = c.rpc_with(
        "files/list_folder",
        arg.clone(),
        &[("Dropbox-API-Path-Root", &root)],
    );
    assert_eq!(whole.status, 200, "{}", whole.text());
    let whole = whole.json();
    assert_eq!(
        paths(&whole),
        [
            "/Emulated User",
            "/Emulated User/2024",
            "/Emulated User/2024/a.pdf",
            "/Team Docs",
            "/Team Docs/x.txt",
        ]
    );
    let home_entry = &whole["entries"][0];
    assert_eq!(home_entry[".tag"], "folder");
    assert_eq!(home_entry["path_lower"], "/emulated user");
    assert_eq!(home_entry["name"], HOME);
    let r = c.rpc_with(
        "files/list_folder",
        arg.clone(),
        &[("Dropbox-API-Path-Root", &root_ns.to_string())],
    );
    assert_eq!(r.json()["entries"], whole["entries"]);

    // Ids are the same whichever root lists them.
    assert_eq!(
        id_of(&home, "/2024/a.pdf"),
        id_of(&whole, "/Emulated User/2024/a.pdf")
    );
    assert_eq!(id_of(&home, "/2024"), id_of(&whole, "/Emulated User/2024"));

    // A folder within: "/2024" through the home is "/Emulated User/2024" through the root.
    let sub = c.ok("files/list_folder", json!({"path": "/2024"}));
    assert_eq!(paths(&sub), ["/2024/a.pdf"]);
    let r = c.rpc_with(
        "files/list_folder",
        json!({"path": "/emulated user/2024"}),
        &[("Dropbox-API-Path-Root", &root)],
    );
    assert_eq!(paths(&r.json()), ["/Emulated User/2024/a.pdf"]);
    // Recursive listing of a folder includes the folder, relative to the root used.
    let sub = c.ok(
        "files/list_folder",
        json!({"path": "/2024", "recursive": true}),
    );
    assert_eq!(paths(&sub), ["/2024", "/2024/a.pdf"]);
    // By id, through the home.
    let id = id_of(&home, "/2024");
    let by_id = c.ok("files/list_folder", json!({ "path": id }));
    assert_eq!(paths(&by_id), ["/2024/a.pdf"]);

    // Outside the home does not exist for the home root, by path or by id.
    let r = c.rpc("files/list_folder", json!({"path": "/Team Docs"}));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["path"][".tag"], "not_found");
    let team_docs = id_of(&whole, "/Team Docs");
    let r = c.rpc("files/list_folder", json!({ "path": team_docs }));
    assert_eq!(r.status, 409, "{}", r.text());
    let x_id = id_of(&whole, "/Team Docs/x.txt");
    let r = c.rpc("files/get_metadata", json!({ "path": x_id }));
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["error"]["path"][".tag"], "not_found");
    let r = c.rpc_with(
        "files/get_metadata",
        json!({ "path": x_id }),
        &[("Dropbox-API-Path-Root", &root)],
    );
    assert_eq!(r.json()["path_display"], "/Team Docs/x.txt");
}

#[test]
fn bad_path_roots_are_422_or_400() {
    let (emu, c) = team();
    let acct = c.ok("users/get_current_account", Value::Null);
    let list = |header: &str| {
        c.rpc_with(
            "files/list_folder",
            json!({"path": ""}),
            &[("Dropbox-API-Path-Root", header)],
        )
    };

    // root mode with anything but the root namespace (even the home's): invalid_root, with
    // the account's root info.
    for id in [emu.home_namespace_id(), "42".to_string()] {
        let r = list(&json!({".tag": "root", "root": id}).to_string());
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(r.content_type(), "application/json");
        let v = r.json();
        assert!(
            v["error_summary"]
                .as_str()
                .unwrap_or("")
                .starts_with("invalid_root/"),
            "{v}"
        );
        assert_eq!(v["error"][".tag"], "invalid_root");
        assert_eq!(v["error"]["invalid_root"], acct["root_info"]);
        assert_eq!(v.as_object().map(|m| m.len()), Some(2));
    }
    // namespace_id mode with a namespace the user cannot access: no_permission.
    let r = list(&json!({".tag": "namespace_id", "namespace_id": "42"}).to_string());
    assert_eq!(r.status, 422);
    let v = r.json();
    assert_eq!(v["error"], json!({".tag": "no_permission"}));
    assert!(v["error_summary"]
        .as_str()
        .unwrap_or("")
        .starts_with("no_permission/"));

    // Malformed headers: 400, plain text.
    for header in [
        "not json",
        "{}",
        "{\".tag\": \"bogus\"}",
        "{\".tag\": \"root\"}",
        "{\".tag\": \"root\", \"root\": 7}",
        "{\".tag\": \"namespace_id\", \"namespace_id\": \"a b\"}",
        "\"root\"",
        "[]",
    ] {
        let r = list(header);
        assert_eq!(r.status, 400, "{header}: {}", r.text());
        assert!(r.content_type().starts_with("text/plain"), "{header}");
        assert!(r.text().contains("Dropbox-API-Path-Root"), "{}", r.text());
    }
    assert!(list("{\".tag\": \"bogus\"}")
        .text()
        .contains("unknown tag 'bogus'"));

    // Every route that authenticates checks it: content routes too.
    let bad = json!({".tag": "root", "root": "42"}).to_string();
    let r = c.content_call_with(
        "upload",
        &json!({"path": "/a.txt"}),
        b"a",
        &[("Dropbox-API-Path-Root", &bad)],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let r = c.download_with("/a.txt", &[("Dropbox-API-Path-Root", &bad)]);
    assert_eq!(r.status, 422, "{}", r.text());
    let r = c.rpc_with(
        "users/get_current_account",
        Value::Null,
        &[("Dropbox-API-Path-Root", &bad)],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(emu.log_len(), 0, "nothing was written");

    // An unknown token is still a 401 first.
    let bogus = Client {
        agent: common::agent(),
        base: c.base.clone(),
        token: Some("nope".into()),
    };
    let r = bogus.rpc_with(
        "files/list_folder",
        json!({"path": ""}),
        &[("Dropbox-API-Path-Root", &bad)],
    );
    assert_eq!(r.status, 401);
}

#[test]
fn cursors_keep_their_root() {
    let (emu, c) = team();
    let root = root_header(&emu);
    let home = emu.home_path();
    emu.put_file(&format!("{home}/2024/a.pdf"), "a")
        .expect("put");
    let arg = json!({"path": "", "recursive": true});
    let home_cursor = c.ok("files/list_folder", arg.clone())["cursor"].clone();
    let root_cursor = c.rpc_with(
        "files/list_folder",
        arg.clone(),
        &[("Dropbox-API-Path-Root", &root)],
    );
    let root_cursor = root_cursor.json()["cursor"].clone();
    let latest_root = c.rpc_with(
        "files/list_folder/get_latest_cursor",
        arg.clone(),
        &[("Dropbox-API-Path-Root", &root)],
    );
    assert_eq!(latest_root.status, 200, "{}", latest_root.text());
    let latest_root = latest_root.json()["cursor"].clone();

    emu.put_file(&format!("{home}/2024/b.pdf"), "b")
        .expect("put");
    emu.put_file("/Team Docs/x.txt", "x").expect("put");

    // Without any header, and with the other root's header: the cursor's root decides.
    for headers in [vec![], vec![("Dropbox-API-Path-Root", root.as_str())]] {
        let r = c.rpc_with(
            "files/list_folder/continue",
            json!({ "cursor": home_cursor }),
            &headers,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(paths(&r.json()), ["/2024/b.pdf"], "{headers:?}");
    }
    for cursor in [&root_cursor, &latest_root] {
        let v = c.ok("files/list_folder/continue", json!({ "cursor": cursor }));
        assert_eq!(
            paths(&v),
            [
                "/Emulated User/2024/b.pdf",
                "/Team Docs",
                "/Team Docs/x.txt"
            ]
        );
    }
    // A bad header is still refused on continue.
    let r = c.rpc_with(
        "files/list_folder/continue",
        json!({ "cursor": home_cursor }),
        &[(
            "Dropbox-API-Path-Root",
            &json!({".tag": "root", "root": "42"}).to_string(),
        )],
    );
    assert_eq!(r.status, 422);

    // Longpoll (notify host, no Authorization): the cursor's root decides what wakes it.
    emu.set_longpoll_second(Duration::from_millis(20));
    let home_latest = c.ok("files/list_folder/get_latest_cursor", arg.clone())["cursor"].clone();
    let root_latest = c.rpc_with(
        "files/list_folder/get_latest_cursor",
        arg.clone(),
        &[("Dropbox-API-Path-Root", &root)],
    );
    let root_latest = root_latest.json()["cursor"].clone();
    emu.put_file("/Team Docs/y.txt", "y").expect("put");
    let poll = |cursor: &Value| {
        let r = c
            .post_noauth(
                "/2/files/list_folder/longpoll",
                &json!({"cursor": cursor, "timeout": 30}),
            )
            .expect("transport");
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["changes"].clone()
    };
    assert_eq!(
        poll(&home_latest),
        json!(false),
        "outside the home: no change"
    );
    assert_eq!(poll(&root_latest), json!(true));
    emu.put_file(&format!("{home}/c.txt"), "c").expect("put");
    assert_eq!(poll(&home_latest), json!(true));
    let v = c.ok(
        "files/list_folder/continue",
        json!({ "cursor": home_latest }),
    );
    assert_eq!(paths(&v), ["/c.txt"]);

    // A paged first listing through the root keeps its root on every page.
    let first = c.rpc_with(
        "files/list_folder",
        json!({"path": "", "recursive": true, "limit": 2}),
        &[("Dropbox-API-Path-Root", &root)],
    );
    let first = first.json();
    assert_eq!(paths(&first), ["/Emulated User", "/Emulated User/2024"]);
    let next = c.ok(
        "files/list_folder/continue",
        json!({"cursor": first["cursor"]}),
    );
    assert_eq!(
        paths(&next),
        ["/Emulated User/2024/a.pdf", "/Emulated User/2024/b.pdf"]
    );
}

#[test]
fn writes_and_reads_follow_the_root() {
    let (emu, c) = team();
    let root = root_header(&emu);
    let root_h = [("Dropbox-API-Path-Root", root.as_str())];
    let home = emu.home_path();

    // upload through the home lands in the home folder; the answer is home-relative.
    let r = c.content_call(
        "upload",
        &json!({"path": "/2024/Invoice.pdf", "mode": "add"}),
        b"pdf",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = r.json();
    assert_eq!(meta["path_display"], "/2024/Invoice.pdf");
    assert_eq!(meta["path_lower"], "/2024/invoice.pdf");
    let whole = emu
        .metadata(&format!("{home}/2024/Invoice.pdf"))
        .expect("in the home folder");
    assert_eq!(whole["id"], meta["id"]);
    assert_eq!(whole["path_display"], "/Emulated User/2024/Invoice.pdf");
    assert!(emu.metadata("/2024/Invoice.pdf").is_none());

    // upload through the root lands at the top of the team space.
    let r = c.content_call_with("upload", &json!({"path": "/Shared/t.txt"}), b"t", &root_h);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["path_display"], "/Shared/t.txt");
    assert!(emu.metadata("/Shared/t.txt").is_some());

    // upload session finish.
    let r = c.content_call("upload_session/start", &json!({}), b"ab");
    let sid = r.json()["session_id"].clone();
    let r = c.content_call(
        "upload_session/finish",
        &json!({"cursor": {"session_id": sid, "offset": 2}, "commit": {"path": "/s.txt"}}),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["path_display"], "/s.txt");
    assert!(emu.metadata(&format!("{home}/s.txt")).is_some());

    // get_metadata, download, temporary link, both ways.
    let m = c.ok("files/get_metadata", json!({"path": "/2024/invoice.pdf"}));
    assert_eq!(m["path_display"], "/2024/Invoice.pdf");
    let r = c.rpc_with(
        "files/get_metadata",
        json!({"path": "/emulated user/2024/invoice.pdf"}),
        &root_h,
    );
    assert_eq!(r.json()["path_display"], "/Emulated User/2024/Invoice.pdf");
    assert_eq!(r.json()["id"], m["id"]);
    let r = c.rpc_with(
        "files/get_metadata",
        json!({"path": "/Emulated User"}),
        &root_h,
    );
    assert_eq!(r.json()[".tag"], "folder");

    let r = c.download("/2024/Invoice.pdf");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"pdf");
    let header: Value =
        serde_json::from_str(&r.header("dropbox-api-result").expect("result")).expect("json");
    assert_eq!(header["path_display"], "/2024/Invoice.pdf");
    let r = c.download_with("/Emulated User/2024/Invoice.pdf", &root_h);
    assert_eq!(r.status, 200);
    let header: Value =
        serde_json::from_str(&r.header("dropbox-api-result").expect("result")).expect("json");
    assert_eq!(header["path_display"], "/Emulated User/2024/Invoice.pdf");
    assert_eq!(c.download("/Shared/t.txt").status, 409);

    let link = c.ok(
        "files/get_temporary_link",
        json!({"path": "/2024/Invoice.pdf"}),
    );
    assert_eq!(link["metadata"]["path_display"], "/2024/Invoice.pdf");

    // create_folder_v2, move_v2, delete_v2.
    let f = c.ok("files/create_folder_v2", json!({"path": "/2025"}));
    assert_eq!(f["metadata"]["path_display"], "/2025");
    assert!(emu.metadata(&format!("{home}/2025")).is_some());
    let mv = c.ok(
        "files/move_v2",
        json!({"from_path": "/2024/Invoice.pdf", "to_path": "/2025/Invoice.pdf"}),
    );
    assert_eq!(mv["metadata"]["path_display"], "/2025/Invoice.pdf");
    assert_eq!(mv["metadata"]["id"], m["id"]);
    let r = c.rpc_with(
        "files/move_v2",
        json!({"from_path": "/Emulated User/2025/Invoice.pdf", "to_path": "/Shared/Invoice.pdf"}),
        &root_h,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["metadata"]["path_display"], "/Shared/Invoice.pdf");
    // Through the home, a moved-out file is gone.
    let r = c.rpc(
        "files/move_v2",
        json!({"from_path": "/2025/Invoice.pdf", "to_path": "/x.pdf"}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["from_lookup"][".tag"], "not_found");
    // ... also by id (it is outside the home now).
    let r = c.rpc(
        "files/move_v2",
        json!({"from_path": m["id"], "to_path": "/x.pdf"}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(emu.metadata("/Shared/Invoice.pdf").is_some(), "not moved");
    let r = c.rpc("files/delete_v2", json!({"path": m["id"]}));
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(emu.metadata("/Shared/Invoice.pdf").is_some(), "not deleted");

    let d = c.ok("files/delete_v2", json!({"path": "/2025"}));
    assert_eq!(d["metadata"]["path_display"], "/2025");
    let g = c.ok(
        "files/get_metadata",
        json!({"path": "/2025", "include_deleted": true}),
    );
    assert_eq!(g[".tag"], "deleted");
    assert_eq!(g["path_display"], "/2025");

    // The home folder itself cannot be moved or deleted through the API.
    let r = c.rpc_with(
        "files/delete_v2",
        json!({"path": "/Emulated User"}),
        &root_h,
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(
        r.json()["error"],
        json!({".tag": "path_write", "path_write": {".tag": "no_write_permission"}})
    );
    let r = c.rpc_with(
        "files/move_v2",
        json!({"from_path": "/Emulated User", "to_path": "/Elsewhere"}),
        &root_h,
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(
        r.json()["error"]["from_write"][".tag"],
        "no_write_permission"
    );
    assert!(emu.metadata(&home).is_some());

    // Shared links: path_lower relative to the root used; left out outside it.
    let l = c.ok(
        "sharing/create_shared_link_with_settings",
        json!({"path": "/s.txt"}),
    );
    assert_eq!(l["path_lower"], "/s.txt");
    let r = c.rpc_with(
        "sharing/create_shared_link_with_settings",
        json!({"path": "/Shared/t.txt"}),
        &root_h,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let links = c.ok("sharing/list_shared_links", Value::Null);
    let lowers: Vec<Value> = links["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l.get("path_lower").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(lowers.len(), 2, "{links}");
    assert!(
        lowers.contains(&Value::Null),
        "outside the home: no path_lower"
    );
    assert!(lowers.contains(&json!("/s.txt")));
    let links = c.rpc_with("sharing/list_shared_links", Value::Null, &root_h);
    let mut lowers: Vec<String> = links.json()["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["path_lower"].as_str().unwrap_or("").to_string())
        .collect();
    lowers.sort();
    assert_eq!(lowers, ["/emulated user/s.txt", "/shared/t.txt"]);
}
