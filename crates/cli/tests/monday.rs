//! `boxkeeper monday` against the monday.com emulator on the demo folder: settings by flags
//! with the token from the environment (never printed), one pass that mirrors every PO,
//! a second pass that sends nothing, and the status.

use std::path::{Path, PathBuf};
use std::process::Command;

use monday_emulator::{Config, Emulator, ItemEventKind, Seed};

const TOKEN: &str = "monday-cli-token-SECRET-77";

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

#[test]
fn set_sync_once_and_status() {
    let boards =
        std::fs::read_to_string(repo().join("crates/api/tests/fixtures/monday_board.json"))
            .unwrap();
    let emu = Emulator::start_with(
        "127.0.0.1:0",
        Config {
            token: TOKEN.into(),
            seed: Seed::from_json(&boards).unwrap(),
            ..Config::default()
        },
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("demo"), folder.path());
    let pdfium = std::env::var_os("BOXKEEPER_PDFIUM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/pdfium"));
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_boxkeeper"))
            .args(args)
            .env("BOXKEEPER_DATA_DIR", data.path())
            .env("BOXKEEPER_KEYRING", "off")
            .env("BOXKEEPER_PDFIUM_DIR", &pdfium)
            // At TRACE, so that a token in any log line would show.
            .env("BOXKEEPER_LOG", "trace")
            .env("BOXKEEPER_MONDAY_TOKEN", TOKEN)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "the token leaked"
        );
        stdout
    };
    run(&["watch", "--once", folder.path().to_str().unwrap()]);
    run(&["documents", "--run"]);
    let api = emu.api_url();
    let maps = [
        "project=text_project",
        "po_number=text_po",
        "description=long_text_desc",
        "status=color_status",
        "tax_form_link=link_tax",
        "folder_link=link_folder",
        "line_status=color_line",
        "file_number=text_file",
        "line_description=text_line_desc",
        "quantity=numeric_qty",
        "rate=numeric_rate",
        "date=date_line",
        "due_date=date_due",
        "account_code=text_account",
        "file_link=link_file",
    ];
    let mut args = vec!["monday", "set", "--api-url", &api, "--board", "1234567890"];
    for m in &maps {
        args.extend(["--map", m]);
    }
    let set = run(&args);
    assert!(set.contains("\"has_token\":true"), "{set}");

    let first = run(&["monday", "sync", "--once", "--json"]);
    let rows: Vec<serde_json::Value> = first
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 6, "{first}");
    assert!(rows.iter().all(|r| r["outcome"] == "created"), "{first}");
    let created = emu
        .item_log()
        .iter()
        .filter(|e| e.kind == ItemEventKind::Created)
        .count();
    assert_eq!(created, rows.len());

    let log = emu.item_log().len();
    let again = run(&["monday", "sync", "--once"]);
    assert!(again.lines().all(|l| l.contains("up to date")), "{again}");
    assert_eq!(emu.item_log().len(), log, "nothing written");

    let status = run(&["monday", "status"]);
    assert!(status.contains("configured: true"), "{status}");
    assert_eq!(status.matches("synced").count(), rows.len(), "{status}");
}
