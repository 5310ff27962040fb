//! The API token never reaches a log line, a Debug print or an error, whatever happens. Its
//! own test binary, because it installs the global subscriber at TRACE level (with the `log`
//! bridge, so ureq's own records are captured too).
//!
//! One exception, outside this crate: `ureq_proto` at TRACE hex-dumps the raw bytes on the
//! wire, headers included, so whoever installs the subscriber must hold `ureq_proto` at
//! DEBUG or below (the same holds for the Dropbox client's bearer token). This test does so,
//! as the app's filter must.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use boxkeeper_monday::{BoardSync, Client, MondayToken};
use common::*;
use monday_emulator::Fault;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_token_is_never_logged_or_printed() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,ureq_proto=debug"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let emu = start();
    let (client, _) = client(&emu);
    let mut printed = vec![format!("{client:?}")];
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    printed.push(format!("{sync:?}"));
    emu.inject_fault(Fault::RateLimit { retry_after: 1 }, 1);
    emu.inject_fault_on("create_subitem", Fault::Status { status: 500 }, 1);
    emu.inject_fault_on("create_subitem", Fault::DropAfterCommit, 1);
    let outcome = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    printed.push(format!("{outcome:?}"));
    // Refused: a wrong token, then a revoked one.
    let wrong = Client::new(MondayToken::new(format!("{TOKEN}-wrong")), config(&emu));
    let err = wrong.board_schema(BOARD).unwrap_err();
    printed.push(format!("{err} {err:?} {wrong:?}"));
    emu.revoke_token();
    let err = sync.sync_po(&gaffer_po(), &no_known()).unwrap_err();
    printed.push(format!("{err} {err:?}"));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("monday.com request"),
        "the requests were traced: {logs}"
    );
    assert!(logs.contains("retrying"), "the retries were traced: {logs}");
    assert!(logs.contains("created the PO item"));
    assert!(
        !logs.contains("SECRET"),
        "the token leaked into the logs:\n{logs}"
    );
    for p in &printed {
        assert!(!p.contains("SECRET"), "the token leaked: {p}");
    }
    assert!(printed[0].contains("(…)"));
}
