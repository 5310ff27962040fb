//! Connecting Dropbox from the command line against the emulator, as a user would: the
//! authorize page (opened here by a minimal HTTP "browser"), a pasted code or the loopback
//! redirect, then syncing with the stored refresh token, refreshes on expiry, a revoked
//! connection, and disconnecting.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use dropbox_emulator::Emulator;

const PO: &str = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";

fn boxkeeper(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_boxkeeper"));
    c.env("BOXKEEPER_DATA_DIR", data)
        .env("BOXKEEPER_KEYRING", "off")
        // TRACE, the most a user can ask for: no token may reach the log even then.
        .env("BOXKEEPER_LOG", "trace")
        .env_remove("BOXKEEPER_DROPBOX_TOKEN");
    c
}

/// One GET, as a browser would send it: the status line and the headers and body.
fn get(url: &str) -> (u16, String, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

fn location(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("location")
                .then(|| v.trim().to_string())
        })
        .expect("a Location header")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Reads the authorize URL, the first line the child prints.
fn authorize_url(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim().to_string()
}

fn sync_once(data: &Path, base: &str) -> Output {
    boxkeeper(data)
        .args(["sync", "--once", "--json", "--base", base])
        .output()
        .unwrap()
}

/// An emulator holding one invoice named by the convention, and an empty data folder.
fn emulator_with_an_invoice() -> (Emulator, String, tempfile::TempDir) {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.put_file(&format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"), "%PDF")
        .unwrap();
    let base = emu.base_url();
    (emu, base, tempfile::tempdir().unwrap())
}

#[test]
fn connect_by_pasted_code_then_sync_refresh_revoke_and_disconnect() {
    let (emu, base, data) = emulator_with_an_invoice();

    let mut child = boxkeeper(data.path())
        .args(["connect", "--app-key", "myappkey", "--base", &base])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = authorize_url(&mut child);
    assert!(
        url.starts_with(&format!("{base}/oauth2/authorize?")),
        "{url}"
    );
    for part in [
        "response_type=code",
        "client_id=myappkey",
        "code_challenge_method=S256",
        "token_access_type=offline",
        "state=",
    ] {
        assert!(url.contains(part), "{part} missing in {url}");
    }
    assert!(!url.contains("redirect_uri"));
    // The "browser": Dropbox shows the code to paste.
    let (status, _, page) = get(&url);
    assert_eq!(status, 200);
    let code = page
        .split("<code id=\"code\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the code on the page")
        .to_string();
    writeln!(child.stdin.as_mut().unwrap(), "{code}").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Connected to Dropbox as"), "{err}");
    // No keyring here (turned off): the token is in a private file, and the user is told.
    assert!(err.contains("readable only by you"), "{err}");
    let secret = std::fs::read_to_string(data.path().join("dropbox-refresh-token.secret"))
        .expect("the refresh token file");
    assert!(!err.contains(secret.trim()) && !err.contains(&code));

    // Syncing uses the stored connection; no token or code ever reaches a log.
    let out = sync_once(data.path(), &base);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2416_23_01 Jane Smith Invoice.pdf"),
        "{stdout}"
    );
    assert!(
        !err.contains(secret.trim()) && !err.contains("sl.u."),
        "{err}"
    );

    // Expired access tokens are refreshed (a new process refreshes anyway; expire first to
    // prove the 401 path too, then the next sync still works).
    emu.expire_access_tokens();
    emu.put_file(&format!("{PO}/2416_23_02 Jane Smith Invoice.pdf"), "%PDF2")
        .unwrap();
    let out = sync_once(data.path(), &base);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2416_23_02"));

    // A revoked refresh token: a clear "reconnect" and exit 1; nothing stored is lost.
    assert!(emu.revoke_refresh_token(secret.trim()));
    let out = sync_once(data.path(), &base);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reconnect Dropbox"),
        "{}",
        stderr(&out)
    );
    let events = boxkeeper(data.path())
        .args(["events", "--json"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&events.stdout).lines().count(), 5);

    // Disconnect forgets the token (and tries to revoke it).
    let out = boxkeeper(data.path())
        .args(["disconnect"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!data.path().join("dropbox-refresh-token.secret").exists());
    let out = sync_once(data.path(), &base);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not connected"), "{}", stderr(&out));
}

#[test]
fn connect_by_loopback_redirect_checks_state_and_revokes_on_disconnect() {
    let (emu, base, data) = emulator_with_an_invoice();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };

    // A forged answer (wrong state) is refused, and the attempt fails cleanly.
    let mut child = boxkeeper(data.path())
        .args(["connect", "--app-key", "k", "--base", &base])
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = authorize_url(&mut child);
    let (status, head, _) = get(&url);
    assert_eq!(status, 302);
    let redirect = location(&head);
    assert!(redirect.starts_with(&format!("http://127.0.0.1:{port}/callback?")));
    let forged = redirect.replace("state=", "state=forged");
    let (status, _, page) = get(&forged);
    assert_eq!(status, 200);
    assert!(
        page.contains("could not connect") || page.contains("received"),
        "{page}"
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("state mismatch"), "{}", stderr(&out));

    // The real flow.
    let mut child = boxkeeper(data.path())
        .args([
            "connect",
            "--app-key",
            "k",
            "--base",
            &base,
            "--folder",
            "/2416 - Whop Keynote",
        ])
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = authorize_url(&mut child);
    let (_, head, _) = get(&url);
    let (status, _, page) = get(&location(&head));
    assert_eq!(status, 200);
    assert!(page.contains("You can close this tab"), "{page}");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = sync_once(data.path(), &base);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("2416_23_01"), "{stdout}");

    // Disconnect revokes at Dropbox: the emulator saw the call.
    let out = boxkeeper(data.path())
        .args(["disconnect"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(emu
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/2/auth/token/revoke")));
}
