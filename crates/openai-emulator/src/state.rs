//! The emulator's state: its configuration, the replies tests scripted, and the requests it
//! received (bounded, oldest dropped first).

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How the emulator is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The one API key accepted (`Authorization: Bearer KEY`).
    pub api_key: String,
    /// Models that exist; any other is 404 `model_not_found`.
    pub models: Vec<String>,
    /// Models that refuse the deprecated `max_tokens` (400 `unsupported_parameter`), as the
    /// reasoning models do.
    pub reject_max_tokens: Vec<String>,
    /// How many requests [`crate::Emulator::requests`] keeps (the oldest go first).
    pub max_recorded: usize,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_key: "sk-emulator-0123456789abcdefghijklmnopqrstuvwxyz".into(),
            models: vec![
                "gpt-4o-mini".into(),
                "gpt-4o-2024-08-06".into(),
                "o3-mini".into(),
            ],
            reject_max_tokens: vec!["o3-mini".into()],
            max_recorded: 256,
            max_body_bytes: 4 << 20,
        }
    }
}

/// What the emulator answers to one valid chat-completions request. Scripted replies are
/// used in order, one per request that passes authentication and validation; without one
/// the answer is [`Reply::Generated`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    /// The default "model": JSON following the request's schema, read from the `name: value`
    /// lines of the user messages (see the crate doc); in JSON mode or without a schema, an
    /// object of the `name: value` lines found.
    Generated,
    /// This message content with `finish_reason: "stop"`: a good answer, invalid JSON, valid
    /// JSON that does not follow the schema...
    Content { content: String },
    /// HTTP 200, `content: null`, `refusal: TEXT`, `finish_reason: "stop"`.
    Refusal { refusal: String },
    /// `finish_reason: "length"` with a cut answer: this text, or the generated answer's
    /// first half.
    Truncated { content: Option<String> },
    /// `content: null`, `finish_reason: "content_filter"`.
    ContentFilter,
    /// 429 `rate_limit_exceeded`, with `retry-after: SECS` when given.
    RateLimited { retry_after: Option<u64> },
    /// 429 `insufficient_quota` (not to be retried).
    InsufficientQuota,
    /// An HTTP error: 500 and 503 with OpenAI's bodies, any other status with a plain-text
    /// body (5xx bodies need not be JSON).
    ServerError { status: u16 },
    /// Waits, then answers `then`.
    Slow { delay_ms: u64, then: Box<Reply> },
    /// Closes the connection without an answer.
    Drop,
}

impl Reply {
    /// A good answer: this JSON as the message content.
    pub fn json(value: &Value) -> Reply {
        Reply::Content {
            content: value.to_string(),
        }
    }

    pub fn content(text: impl Into<String>) -> Reply {
        Reply::Content {
            content: text.into(),
        }
    }

    pub fn refusal(text: impl Into<String>) -> Reply {
        Reply::Refusal {
            refusal: text.into(),
        }
    }

    pub fn slow(delay: Duration, then: Reply) -> Reply {
        Reply::Slow {
            delay_ms: delay.as_millis() as u64,
            then: Box::new(then),
        }
    }

    /// Its name in the request log (`generated`, `content`, `rate_limited`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Reply::Generated => "generated",
            Reply::Content { .. } => "content",
            Reply::Refusal { .. } => "refusal",
            Reply::Truncated { .. } => "truncated",
            Reply::ContentFilter => "content_filter",
            Reply::RateLimited { .. } => "rate_limited",
            Reply::InsufficientQuota => "insufficient_quota",
            Reply::ServerError { .. } => "server_error",
            Reply::Slow { .. } => "slow",
            Reply::Drop => "drop",
        }
    }
}

/// One request received (control routes excluded).
#[derive(Clone, Debug, Serialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// Whether `Authorization` carried the configured key (the key itself is not kept).
    pub authorized: bool,
    /// The request body, when it was JSON.
    pub body: Option<Value>,
    /// The status sent; None when the connection was dropped.
    pub status: Option<u16>,
    /// Which reply answered it (`generated`, `refusal`...), or the validation error's code.
    pub answer: String,
    #[serde(skip)]
    pub at: Option<Instant>,
}

impl RequestRecord {
    /// The text of every message with this role (`system`, `user`...), joined by newlines.
    pub fn messages_text(&self, role: &str) -> String {
        let Some(messages) = self
            .body
            .as_ref()
            .and_then(|b| b.get("messages"))
            .and_then(Value::as_array)
        else {
            return String::new();
        };
        messages
            .iter()
            .filter(|m| m.get("role").and_then(Value::as_str) == Some(role))
            .map(message_text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `response_format` as sent.
    pub fn response_format(&self) -> Option<&Value> {
        self.body.as_ref()?.get("response_format")
    }

    /// `response_format.json_schema.schema` as sent.
    pub fn schema(&self) -> Option<&Value> {
        self.response_format()?.get("json_schema")?.get("schema")
    }
}

/// A message's text: a string content, or its text parts joined.
pub(crate) fn message_text(message: &Value) -> String {
    match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub replies: VecDeque<Reply>,
    pub requests: VecDeque<RequestRecord>,
    pub next_id: u64,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(config: Config) -> Shared {
        Shared {
            config,
            state: Mutex::new(State {
                replies: VecDeque::new(),
                requests: VecDeque::new(),
                next_id: 1,
            }),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn record(&self, mut record: RequestRecord) {
        record.at = Some(Instant::now());
        let mut st = self.lock();
        if st.requests.len() >= self.config.max_recorded.max(1) {
            st.requests.pop_front();
        }
        st.requests.push_back(record);
    }

    pub fn next_reply(&self) -> Reply {
        self.lock().replies.pop_front().unwrap_or(Reply::Generated)
    }

    pub fn next_id(&self) -> u64 {
        let mut st = self.lock();
        let id = st.next_id;
        st.next_id += 1;
        id
    }
}
