//! A stateful emulator of OpenAI's chat-completions API, for tests of Boxkeeper's LLM
//! extractor without a network or a model. The crate owns one HTTP port serving
//! `POST /v1/chat/completions` and `GET /v1/models` the way the samples in
//! `shared/openai/` show the real service answering: it checks `Authorization: Bearer KEY`
//! (401 `invalid_api_key`, the key masked in the message), the model (404
//! `model_not_found`), `max_tokens` for models configured to refuse it (400
//! `unsupported_parameter`), the strict Structured Outputs rules (root object,
//! `additionalProperties: false` and every property `required` at every level, no
//! `allOf`/`not`/`if`/`then`/`else`, a `name` matching `[a-zA-Z0-9_-]{1,64}`) and JSON mode's
//! demand for the word "json" in the messages (400 bodies as in the samples); it counts
//! tokens roughly (four characters a token) and returns `usage`.
//!
//! Its "model" is deterministic: with a schema it answers JSON following the schema, each
//! property read from a `name: value` line of the user messages (`invoice_number: A-1`,
//! `total: 12.50`) when the value fits, else null (nullable), the first enum value or the
//! type's zero; in JSON mode an object of those lines. Tests script per-request behaviour
//! with [`Emulator::push_reply`] ([`Reply`]: a given answer, invalid JSON, a refusal, a cut
//! answer, 429 `rate_limit_exceeded` with `retry-after`, 429 `insufficient_quota`, 5xx, a
//! slow answer, a dropped connection); scripted replies are used in order by the requests
//! that pass authentication and validation. Every request is recorded ([`RequestRecord`],
//! bounded by [`Config::max_recorded`]) with its JSON body, so tests can assert on the
//! prompt and schema sent. Control routes for the binary: `POST /__control/replies` (a
//! [`Reply`] or a list, as JSON tagged by `kind`), `GET /__control/requests`,
//! `POST /__control/clear`. The emulator stops when its [`Emulator`] handle drops.
//!
//! # Guesses
//! - Scripted faults (429, 5xx, drop) come after validation, so a scripted reply is never
//!   spent on a request the service would have refused anyway.
//! - Without `strict: true` the schema is not checked (OpenAI then accepts what it can).
//! - Errors for a missing key, an unparsable body, empty messages or a bad
//!   `response_format.type` use OpenAI's wording as far as it is known; `param`/`code` of
//!   those are approximations.

mod schema;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::watch;

pub use state::{Config, Reply, RequestRecord};

use state::Shared;

/// Errors of the emulator's own API.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
}

/// A running emulator; stops serving when dropped.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Emulator {
    /// Listens on `addr` (e.g. `127.0.0.1:0`) with the default [`Config`].
    pub fn start(addr: &str) -> Result<Emulator, EmulatorError> {
        Self::start_with(addr, Config::default())
    }

    /// Listens on `addr` and serves from a runtime of its own (usable from sync and async
    /// tests alike).
    pub fn start_with(addr: &str, config: Config) -> Result<Emulator, EmulatorError> {
        let bind_err = |source| EmulatorError::Bind {
            addr: addr.to_string(),
            source,
        };
        let std_listener = std::net::TcpListener::bind(addr).map_err(bind_err)?;
        std_listener.set_nonblocking(true).map_err(bind_err)?;
        let local = std_listener.local_addr().map_err(bind_err)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("openai-emulator")
            .enable_all()
            .build()
            .map_err(EmulatorError::Runtime)?;
        let shared = Arc::new(Shared::new(config));
        let (stop, stop_rx) = watch::channel(false);
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener).map_err(bind_err)?
        };
        runtime.spawn(serve(listener, shared.clone(), stop_rx));
        tracing::info!(%local, "openai emulator listening");
        Ok(Emulator {
            shared,
            addr: local,
            stop,
            runtime: Some(runtime),
        })
    }

    /// `http://127.0.0.1:PORT/v1`: the API base a client is given (async-openai appends
    /// `/chat/completions`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.config.api_key
    }

    /// Queues the answer to the next valid chat request (after those already queued).
    pub fn push_reply(&self, reply: Reply) {
        self.shared.lock().replies.push_back(reply);
    }

    /// Scripted replies not used yet.
    pub fn pending_replies(&self) -> usize {
        self.shared.lock().replies.len()
    }

    /// Every request received so far (control requests excluded), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// The chat-completions requests received so far, oldest first.
    pub fn chat_requests(&self) -> Vec<RequestRecord> {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.path == "/v1/chat/completions")
            .cloned()
            .collect()
    }

    /// Forgets scripted replies and recorded requests.
    pub fn clear(&self) {
        let mut st = self.shared.lock();
        st.replies.clear();
        st.requests.clear();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req| server::handle(shared.clone(), req));
                        if let Err(e) = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .await
                        {
                            tracing::debug!(%peer, error = %e, "connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            _ = stop.changed() => break,
        }
    }
}
