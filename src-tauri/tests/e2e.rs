//! End to end: the real app window under Xvfb, driven by tauri-driver and WebKitWebDriver.
//! Start on an empty temporary folder, create a file named by the convention, see its row
//! with the parsed fields; rename it, see the rename; save a screenshot of the dashboard to
//! artifacts/. Needs Xvfb, tauri-driver and WebKitWebDriver (`make test` installs them) and
//! a built app with the UI embedded (`make app`); run with `cargo test --test e2e`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn app_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    let bin = target.join("debug/boxkeeper-app");
    assert!(
        bin.exists(),
        "build the app first (`make app`): {} is missing",
        bin.display()
    );
    bin
}

fn which(tool: &str) -> PathBuf {
    let home_bin = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin").join(tool));
    std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(tool))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain(home_bin)
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{tool} is not installed (`make deps` installs it)"))
}

/// A W3C WebDriver session over one keep-alive connection (tauri-driver drops requests from
/// clients that close the connection after each one).
struct Session {
    agent: ureq::Agent,
    base: String,
    id: String,
}

impl Session {
    fn start(driver: &str, app: &Path, args: &[&str]) -> Session {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {
            "application": app, "args": args
        }}}});
        let v: Value = agent
            .post(&format!("{driver}/session"))
            .send_json(&caps)
            .expect("new session")
            .body_mut()
            .read_json()
            .unwrap();
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Session {
            agent,
            base: format!("{driver}/session/{id}"),
            id,
        }
    }

    fn run(&self, script: &str) -> Value {
        let v: Value = self
            .agent
            .post(&format!("{}/execute/sync", self.base))
            .send_json(json!({"script": script, "args": []}))
            .expect("execute")
            .body_mut()
            .read_json()
            .unwrap();
        v["value"].clone()
    }

    fn screenshot(&self, to: &Path) {
        let v: Value = self
            .agent
            .get(&format!("{}/screenshot", self.base))
            .call()
            .expect("screenshot")
            .body_mut()
            .read_json()
            .unwrap();
        let png = base64_decode(v["value"].as_str().expect("screenshot data"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, png).unwrap();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
        let _ = &self.id;
    }
}

/// Standard base64 (what WebDriver screenshots use), without a dependency for one call.
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

const ROWS_JS: &str = r#"return Array.from(document.querySelectorAll('[data-testid="event-row"]')).map(r => ({
    kind: r.dataset.kind, path: r.dataset.path,
    cells: Object.fromEntries(Array.from(r.querySelectorAll('[data-col]')).map(c => [c.dataset.col, c.textContent.trim()]))
}))"#;

fn wait_rows(s: &Session, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = s.run(ROWS_JS);
        if let Some(row) = rows.as_array().and_then(|a| a.iter().find(|r| pred(r))) {
            return row.clone();
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; rows: {rows:#}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn dashboard_shows_live_events_with_parsed_fields() {
    let app = app_binary();
    let data = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    let po = tree
        .path()
        .join("2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith");
    std::fs::create_dir_all(&po).unwrap();

    let display = format!(":{}", 90 + (std::process::id() % 400));
    let _xvfb = Killed(
        Command::new(which("Xvfb"))
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb"),
    );
    let port = free_port();
    let native = free_port();
    let _driver = Killed(
        Command::new(which("tauri-driver"))
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .env("DISPLAY", &display)
            .env("BOXKEEPER_DATA_DIR", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver"),
    );
    let driver = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(&format!("{driver}/status")).call().is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    let folder = tree.path().to_str().unwrap();
    let s = Session::start(&driver, &app, &["--folder", folder]);

    // The initial scan shows the three folders.
    wait_rows(&s, "the PO folder row", |r| {
        r["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("2416_23 Jane Smith"))
    });
    let state = s.run(r#"return document.querySelector('[data-testid="source-state"]').textContent.trim().toLowerCase()"#);
    assert!(
        state.as_str().unwrap_or("").contains("watching"),
        "state: {state}"
    );

    // A file named by the convention appears with its parsed fields.
    std::fs::write(po.join("2416_23_01 Jane Smith Invoice.pdf"), b"%PDF-1.4").unwrap();
    let row = wait_rows(&s, "the invoice row", |r| {
        r["kind"] == "file_added"
            && r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("2416_23_01 Jane Smith Invoice.pdf"))
    });
    let cells = &row["cells"];
    assert!(
        cells["project"].as_str().unwrap().contains("2416"),
        "{row:#}"
    );
    assert_eq!(cells["po"], "23", "{row:#}");
    assert_eq!(cells["vendor"], "Jane Smith", "{row:#}");
    assert_eq!(cells["vendor_type"], "vendor", "{row:#}");
    assert_eq!(cells["document_type"], "INVOICE", "{row:#}");
    assert_eq!(cells["file_number"], "01", "{row:#}");

    // A rename shows up as a rename, with the old path.
    std::fs::rename(
        po.join("2416_23_01 Jane Smith Invoice.pdf"),
        po.join("2416_23_02 Jane Smith Invoice.pdf"),
    )
    .unwrap();
    let renamed = wait_rows(&s, "the rename row", |r| r["kind"] == "file_renamed");
    assert!(renamed["path"]
        .as_str()
        .unwrap()
        .ends_with("2416_23_02 Jane Smith Invoice.pdf"));
    assert!(
        renamed["cells"]["old_path"]
            .as_str()
            .unwrap()
            .contains("2416_23_01"),
        "{renamed:#}"
    );
    assert_eq!(renamed["cells"]["file_number"], "02");

    // A name that does not parse is recorded with its reason.
    std::fs::write(po.join("scan0001.jpg"), b"x").unwrap();
    let odd = wait_rows(&s, "the unparsed row", |r| {
        r["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("scan0001.jpg"))
    });
    assert!(
        !odd["cells"]["problems"].as_str().unwrap().is_empty(),
        "{odd:#}"
    );

    let count =
        s.run(r#"return document.querySelector('[data-testid="event-count"]').textContent"#);
    assert!(count.as_str().unwrap_or("").contains('6'), "count: {count}");

    std::thread::sleep(Duration::from_millis(300));
    s.screenshot(&repo().join("artifacts/e2e-dashboard.png"));
}
