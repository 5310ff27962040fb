//! The API key never reaches a log line, a Debug print or an error, whatever the outcome.
//! Its own test binary, because it installs the global subscriber (with the `log` bridge, so
//! reqwest's and hyper's records are captured too) at TRACE level.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use boxkeeper_llm::{ApiKey, LlmExtractor, Mode};
use common::{good_answer, settings, INVOICE_TEXT};
use openai_emulator::{Config, Emulator, Reply};

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
fn the_key_is_never_logged() {
    const KEY: &str = "sk-proj-SECRET0123456789abcdefSECRET";
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let emu = Emulator::start_with(
        "127.0.0.1:0",
        Config {
            api_key: KEY.into(),
            ..Config::default()
        },
    )
    .unwrap();
    emu.push_reply(Reply::json(&good_answer()));
    emu.push_reply(Reply::content("not json"));
    emu.push_reply(Reply::json(&good_answer()));
    emu.push_reply(Reply::RateLimited {
        retry_after: Some(0),
    });
    emu.push_reply(Reply::InsufficientQuota);
    let x = LlmExtractor::new(settings(&emu, Mode::JsonMode)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        outcomes.push(format!(
            "{:?}",
            rt.block_on(x.extract(INVOICE_TEXT, "inv.pdf"))
        ));
    }
    // A wrong key: the server's 401 message echoes a masked form only.
    let mut wrong = settings(&emu, Mode::StructuredOutput);
    wrong.api_key = ApiKey::new(format!("{KEY}-wrong"));
    let err = rt
        .block_on(
            LlmExtractor::new(wrong)
                .unwrap()
                .extract(INVOICE_TEXT, "inv.pdf"),
        )
        .unwrap_err();
    outcomes.push(format!("{err} {err:?}"));
    outcomes.push(format!("{x:?} {:?}", x.settings()));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("llm_extract"),
        "the extraction was traced: {logs}"
    );
    assert!(
        logs.contains("total_tokens="),
        "usage is in the span: {logs}"
    );
    assert!(logs.contains("sending chat completion request"));
    assert!(
        !logs.contains("SECRET"),
        "the key leaked into the logs:\n{logs}"
    );
    for o in &outcomes {
        assert!(!o.contains("SECRET"), "the key leaked: {o}");
    }
    assert_eq!(emu.chat_requests().len(), 6);
}
