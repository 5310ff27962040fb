//! The `boxkeeper` binary as a user runs it: output shapes, exit codes, messages.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn boxkeeper(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boxkeeper"))
        .args(args)
        .env("BOXKEEPER_DATA_DIR", data)
        .env("BOXKEEPER_LOG", "warn")
        .output()
        .expect("run boxkeeper")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn parse_path_prints_one_json_object_per_path() {
    let data = tempfile::tempdir().unwrap();
    let out = boxkeeper(
        data.path(),
        &[
            "parse-path",
            "/2416 - Whop Keynote/1. Purchase Orders/2416_03 Credit Card 1138/2416_03 Uber Receipt 02.pdf",
            "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith",
            "/somewhere/scratch.txt",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 3);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "path",
        "kind",
        "project_number",
        "project_name",
        "po_number",
        "vendor_name",
        "vendor_type",
        "document_type",
        "file_number",
        "problems",
    ] {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
    assert_eq!(rows[0]["kind"], "file");
    assert_eq!(rows[0]["project_number"], "2416");
    assert_eq!(rows[0]["project_name"], "Whop Keynote");
    assert_eq!(rows[0]["po_number"], "03");
    assert_eq!(rows[0]["vendor_name"], "Uber");
    assert_eq!(rows[0]["vendor_type"], "cc");
    assert_eq!(rows[0]["document_type"], "RECEIPT");
    assert_eq!(rows[0]["file_number"], "02");
    assert_eq!(rows[0]["problems"], Value::Array(vec![]));
    // A last segment without an extension is a folder.
    assert_eq!(rows[1]["kind"], "folder");
    assert_eq!(rows[1]["vendor_type"], "vendor");
    assert_eq!(rows[1]["document_type"], Value::Null);
    // A name that matches nothing: nulls and a reason.
    assert_eq!(rows[2]["project_number"], Value::Null);
    assert!(!rows[2]["problems"].as_array().unwrap().is_empty());
}

#[test]
fn parse_path_kind_overrides_the_guess() {
    let data = tempfile::tempdir().unwrap();
    let out = boxkeeper(
        data.path(),
        &["parse-path", "--kind", "folder", "/2416 - Whop.Keynote"],
    );
    assert!(out.status.success());
    let rows = json_lines(&out);
    assert_eq!(rows[0]["kind"], "folder");
    assert_eq!(rows[0]["project_number"], "2416");
}

#[test]
fn a_bad_rules_file_names_its_line_and_fails() {
    let data = tempfile::tempdir().unwrap();
    let rules = data.path().join("rules.toml");
    // The default file with the PO folder pattern broken.
    let good = boxkeeper_naming::DEFAULT_RULES_TOML;
    let po_section = good.find("[po_folder]").unwrap();
    let at = po_section + good[po_section..].find("pattern = ").unwrap();
    let end = at + good[at..].find('\n').unwrap();
    let bad = format!("{}pattern = '(unclosed'{}", &good[..at], &good[end..]);
    let line = good[..at].lines().count() + 1;
    std::fs::write(&rules, bad).unwrap();
    let out = boxkeeper(
        data.path(),
        &["--rules", rules.to_str().unwrap(), "parse-path", "/a/b.pdf"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("boxkeeper: "), "{err}");
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(err.contains("po_folder.pattern"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn usage_mistakes_exit_2() {
    let data = tempfile::tempdir().unwrap();
    assert_eq!(
        boxkeeper(data.path(), &["parse-path"]).status.code(),
        Some(2)
    );
    assert_eq!(
        boxkeeper(data.path(), &["frobnicate"]).status.code(),
        Some(2)
    );
}

#[test]
fn watch_once_then_events() {
    let data = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    let po = tree
        .path()
        .join("2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith");
    std::fs::create_dir_all(&po).unwrap();
    std::fs::write(po.join("2416_23_01 Jane Smith Invoice.pdf"), b"x").unwrap();
    let db = data.path().join("cli.db");
    let db = db.to_str().unwrap();
    let tree_s = tree.path().to_str().unwrap();

    let out = boxkeeper(data.path(), &["--db", db, "watch", tree_s, "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A second scan with nothing changed records nothing.
    std::fs::rename(
        po.join("2416_23_01 Jane Smith Invoice.pdf"),
        po.join("2416_23_02 Jane Smith Invoice.pdf"),
    )
    .unwrap();
    assert!(
        boxkeeper(data.path(), &["--db", db, "watch", tree_s, "--once"])
            .status
            .success()
    );
    assert!(
        boxkeeper(data.path(), &["--db", db, "watch", tree_s, "--once"])
            .status
            .success()
    );

    let out = boxkeeper(data.path(), &["--db", db, "events", "--json"]);
    assert!(out.status.success());
    let rows = json_lines(&out);
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "folder_added",
            "folder_added",
            "folder_added",
            "file_added",
            "file_renamed"
        ]
    );
    assert_eq!(rows[4]["file_number"], "02");
    assert!(rows[4]["old_path"]
        .as_str()
        .unwrap()
        .ends_with("2416_23_01 Jane Smith Invoice.pdf"));

    let table = boxkeeper(data.path(), &["--db", db, "events"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.contains("file_renamed"));
}

#[test]
fn a_missing_folder_or_database_is_a_one_line_error() {
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("x.db");
    let out = boxkeeper(
        data.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "watch",
            "/nonexistent/boxkeeper",
            "--once",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("boxkeeper: ") && err.contains("/nonexistent/boxkeeper"),
        "{err}"
    );

    let out = boxkeeper(data.path(), &["--db", "/nonexistent/none.db", "events"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at /nonexistent/none.db"));
}

/// A file of ../shared/corpus, which sits beside the checkout (as in CI).
fn shared_corpus(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(file);
    assert!(
        path.exists(),
        "the shared corpus is missing: {}",
        path.display()
    );
    path.display().to_string()
}

fn with_pdfium(data: &Path, args: &[&str]) -> Output {
    let pdfium = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/pdfium");
    Command::new(env!("CARGO_BIN_EXE_boxkeeper"))
        .args(args)
        .env("BOXKEEPER_DATA_DIR", data)
        .env("BOXKEEPER_LOG", "warn")
        .env(
            "BOXKEEPER_PDFIUM_DIR",
            std::env::var_os("BOXKEEPER_PDFIUM_DIR").unwrap_or(pdfium.into_os_string()),
        )
        .output()
        .expect("run boxkeeper")
}

#[test]
fn extract_reads_an_embedded_e_invoice_or_the_text() {
    let data = tempfile::tempdir().unwrap();
    let pdf = shared_corpus("zugferd/pdf/ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_OEPNV.pdf");
    let out = with_pdfium(data.path(), &["extract", "--json", &pdf]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = &json_lines(&out)[0];
    assert_eq!(row["file"], pdf.as_str());
    assert_eq!(row["source"], "e-invoice");
    assert_eq!(row["document_type"], "INVOICE");
    assert_eq!(row["fields"]["invoice_number"]["value"], "E2018092011804");
    assert_eq!(row["fields"]["total"]["value"], "9.00");
    assert_eq!(row["fields"]["total"]["confidence"], 1.0);
    assert_eq!(row["fields"]["invoice_date"]["value"], "2018-09-20");
    assert_eq!(row["line_items"][0]["amount"], "8.41");

    // The same PDF read from its text: the values now come from a page, less surely.
    let out = with_pdfium(data.path(), &["extract", "--json", "--no-embedded", &pdf]);
    let row = &json_lines(&out)[0];
    assert_eq!(row["source"], "text");
    assert_eq!(row["fields"]["invoice_number"]["value"], "E2018092011804");
    assert_eq!(row["fields"]["invoice_number"]["source"], "page 1");
    assert!(row["fields"]["total"]["confidence"].as_f64().unwrap() < 1.0);
}

#[test]
fn extract_reports_each_bad_file_and_goes_on() {
    let data = tempfile::tempdir().unwrap();
    let broken = data.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.4 truncated").unwrap();
    let pdf = shared_corpus("zugferd/pdf/ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_OEPNV.pdf");
    let heic = data.path().join("photo.HEIC");
    std::fs::write(&heic, b"x").unwrap();
    let out = with_pdfium(
        data.path(),
        &[
            "extract",
            "--json",
            broken.to_str().unwrap(),
            &pdf,
            heic.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 3, "every file gets its line");
    assert!(rows[0]["problems"][0]
        .as_str()
        .unwrap()
        .contains("the PDF is damaged"));
    assert_eq!(rows[1]["source"], "e-invoice");
    assert!(rows[2]["problems"][0].as_str().unwrap().contains("HEIC"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 of 3 files could not be read"));
}

#[test]
fn sync_follows_a_dropbox_folder_through_the_emulator() {
    let emu = dropbox_emulator::Emulator::start("127.0.0.1:0").unwrap();
    let po = "/2024/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";
    emu.put_file(&format!("{po}/2416_23_01 Jane Smith Invoice.pdf"), "%PDF")
        .unwrap();
    emu.put_file("/Elsewhere/ignored.pdf", "x").unwrap();
    let token = emu.issue_tokens("boxkeeper-cli-test").access_token;
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("sync.db");
    let base = emu.base_url();
    let sync = || {
        Command::new(env!("CARGO_BIN_EXE_boxkeeper"))
            .args([
                "--db",
                db.to_str().unwrap(),
                "sync",
                "--once",
                "--json",
                "--folder",
                "/2024",
            ])
            .args(["--api-base", &base, "--notify-base", &base])
            .env("BOXKEEPER_DATA_DIR", data.path())
            .env("BOXKEEPER_DROPBOX_TOKEN", &token)
            .env("BOXKEEPER_LOG", "debug")
            .output()
            .unwrap()
    };
    let out = sync();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = json_lines(&out);
    let invoice = rows
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("Invoice.pdf"))
        .expect("the invoice's event");
    assert_eq!(invoice["kind"], "file_added");
    assert_eq!(invoice["po_number"], "23");
    assert!(rows
        .iter()
        .all(|r| !r["path"].as_str().unwrap().contains("Elsewhere")));
    // The token never reaches the logs, even at debug level.
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&token));

    // A rename in Dropbox, then the next sync records just that.
    emu.move_path(
        &format!("{po}/2416_23_01 Jane Smith Invoice.pdf"),
        &format!("{po}/2416_23_02 Jane Smith Invoice.pdf"),
    )
    .unwrap();
    let out = sync();
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["kind"], "file_renamed");
    assert_eq!(rows[0]["file_number"], "02");

    // Without a token: a clear message, exit 1.
    let out = Command::new(env!("CARGO_BIN_EXE_boxkeeper"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "sync",
            "--once",
            "--api-base",
            &base,
        ])
        .env("BOXKEEPER_DATA_DIR", data.path())
        .env_remove("BOXKEEPER_DROPBOX_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("boxkeeper connect"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `export` writes what the issue's command line says: the preset's columns, one row per
/// line with --lines, only the state asked for, marked Exported; `undo-export` puts the
/// states back; a mistyped state is a usage error naming the choices.
#[test]
fn export_writes_a_preset_csv_and_marks_what_it_wrote() {
    let data = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    let po = tree
        .path()
        .join("2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith");
    std::fs::create_dir_all(&po).unwrap();
    std::fs::copy(
        shared_corpus("zugferd/pdf/ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_Einfach.pdf"),
        po.join("2416_23_01 Jane Smith Invoice.pdf"),
    )
    .unwrap();
    let d = data.path();
    let folder = tree.path().to_str().unwrap();
    assert!(with_pdfium(d, &["watch", folder, "--once"])
        .status
        .success());
    assert!(with_pdfium(d, &["documents", "--run"]).status.success());

    let out = d.join("bills.csv");
    let out_arg = out.to_str().unwrap();
    let none = with_pdfium(d, &["export", "--state", "approved", "-o", out_arg]);
    assert!(
        none.status.success(),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    assert_eq!(json_lines(&none)[0]["documents"], 0);

    let done = with_pdfium(
        d,
        &[
            "export",
            "--format",
            "xero",
            "--lines",
            "--state",
            "to_review",
            "-o",
            out_arg,
        ],
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let result = &json_lines(&done)[0];
    assert_eq!(result["documents"], 1, "{result}");
    assert_eq!(result["marked"], 1, "{result}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut rows = csv.lines();
    assert!(rows.next().unwrap().starts_with("*ContactName,"), "{csv}");
    // The e-invoice has two lines: one row each, the contact repeated.
    assert_eq!(rows.clone().count(), 2, "{csv}");
    assert!(rows.all(|r| r.starts_with("Lieferant GmbH,")), "{csv}");

    let listed = json_lines(&with_pdfium(d, &["documents", "--json"]));
    assert_eq!(listed[0]["review"], "exported", "{listed:?}");
    let undo = with_pdfium(d, &["undo-export", &result["export_id"].to_string()]);
    assert!(
        undo.status.success(),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
    let listed = json_lines(&with_pdfium(d, &["documents", "--json"]));
    assert_eq!(listed[0]["review"], "to_review", "{listed:?}");

    let bad = with_pdfium(d, &["export", "--state", "done", "-o", out_arg]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("to_review"));
}

/// `po-log` reads a PO log by hand and compares it with the invoices in the database: the
/// e-invoice's lines (198.00 + 275.00) match PO 23's actualized 473.00 (RTP); PO 24 has no
/// documents; the malformed row is reported by its line and the rest is used.
#[test]
fn po_log_compares_a_budget_export_with_the_invoice_lines() {
    let data = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    let po = tree
        .path()
        .join("2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith");
    std::fs::create_dir_all(&po).unwrap();
    std::fs::copy(
        shared_corpus("zugferd/pdf/ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_Einfach.pdf"),
        po.join("2416_23_01 Jane Smith Invoice.pdf"),
    )
    .unwrap();
    let d = data.path();
    assert!(
        with_pdfium(d, &["watch", tree.path().to_str().unwrap(), "--once"])
            .status
            .success()
    );
    assert!(with_pdfium(d, &["documents", "--run"]).status.success());
    let log = d.join("PO_LOG_2416-2024-05-01_10-00-00.txt");
    std::fs::write(
        &log,
        "Date\tType\tPay ID\tAccount\tID\tVendor\tDescription\tPO\tFactors\tSub-Total $\tFringes $\n\
         04/22/24\tINV\tNET30\t5300\t01\tJane Smith\tGaffer\t23\t\t473.00\t0.00\n\
         04/23/24\tINV\tRTP\t5300\t01\tNobody\tVan\t24\t\tabc\t0.00\n\
         04/24/24\tINV\tRTP\t5300\t01\tNobody\tVan\t24\t\t10.00\t0.00\n",
    )
    .unwrap();
    let out = with_pdfium(d, &["po-log", log.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3"));
    let report = &json_lines(&out)[0];
    assert_eq!(report["rows"], 2, "{report}");
    let by_po = |po: &str| {
        report["reconciliation"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["po_number"] == po)
            .unwrap_or_else(|| panic!("no PO {po}: {report}"))
            .clone()
    };
    assert_eq!(by_po("23")["status"], "RTP", "{report}");
    assert_eq!(by_po("23")["lines"], "473.00", "{report}");
    assert_eq!(by_po("24")["outcome"], "no_documents", "{report}");
}

/// `memory` lists what a person's corrections taught (a table, or JSON lines) and
/// `memory forget ID` forgets one value.
#[test]
fn memory_lists_what_corrections_taught_and_forgets() {
    let data = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    let po = tree
        .path()
        .join("2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith");
    std::fs::create_dir_all(&po).unwrap();
    std::fs::write(
        po.join("2416_23_01 Jane Smith Invoice.pdf"),
        b"not read here",
    )
    .unwrap();
    let d = data.path();
    let folder = tree.path().to_str().unwrap();
    assert!(boxkeeper(d, &["watch", folder, "--once"]).status.success());
    let id = json_lines(&boxkeeper(d, &["documents", "--json"]))[0]["id"].to_string();
    let corrected = boxkeeper(d, &["correct", &id, "description", "Gaffer"]);
    assert!(
        corrected.status.success(),
        "{}",
        String::from_utf8_lossy(&corrected.stderr)
    );

    let rows = json_lines(&boxkeeper(d, &["memory", "--json"]));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["vendor"], "Jane Smith");
    assert_eq!(rows[0]["field"], "description");
    assert_eq!(rows[0]["value"], "Gaffer");
    assert_eq!(rows[0]["learned_from"].to_string(), id);
    let table = boxkeeper(d, &["memory"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("Jane Smith") && table.contains("description") && table.contains("Gaffer"),
        "{table}"
    );

    let memory_id = rows[0]["id"].to_string();
    assert!(boxkeeper(d, &["memory", "forget", &memory_id])
        .status
        .success());
    assert!(json_lines(&boxkeeper(d, &["memory", "--json"])).is_empty());
    let again = boxkeeper(d, &["memory", "forget", &memory_id]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing is remembered"));
}
