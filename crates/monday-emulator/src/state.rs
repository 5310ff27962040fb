//! The emulator's state besides the boards: its configuration, the accepted token, the
//! complexity budget and its cost model, the faults tests queued, the cursors handed out,
//! and the requests received (bounded, oldest dropped first).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Model, Seed};
use crate::values::User;

/// What each part of a query costs (see the crate doc, "Complexity").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostModel {
    /// Each scalar field selected.
    pub field: u64,
    /// Each object field, before its selection is multiplied in.
    pub object: u64,
    /// How many objects a list without `ids` or `limit` is counted as (`boards`): the docs
    /// say objects queried without limits count as 1,000.
    pub unbounded_list: u64,
    /// How many objects a board's or item's own list (`columns`, `groups`,
    /// `column_values`, `subitems`) is counted as without `ids`.
    pub nested_list: u64,
    /// Added once per mutation field.
    pub mutation: u64,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            field: 1,
            object: 10,
            unbounded_list: 1000,
            nested_list: 50,
            mutation: 10_000,
        }
    }
}

/// The per-minute complexity budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplexityConfig {
    /// Points per window (personal tokens: 10,000,000 on paid plans).
    pub budget_per_minute: u64,
    /// How long a window lasts from the first call in it (60 s).
    pub window: Duration,
    /// The most one query may cost (5,000,000).
    pub max_per_query: u64,
    pub costs: CostModel,
}

impl Default for ComplexityConfig {
    fn default() -> Self {
        ComplexityConfig {
            budget_per_minute: 10_000_000,
            window: Duration::from_secs(60),
            max_per_query: 5_000_000,
            costs: CostModel::default(),
        }
    }
}

/// How the emulator is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The API token accepted in `Authorization` (sent bare, without `Bearer`).
    pub token: String,
    /// The version used without an `API-Version` header, or for a well-formed one that is
    /// not in `versions`.
    pub current_version: String,
    /// Versions served as asked.
    pub versions: Vec<String>,
    /// Boards and items to start with.
    pub seed: Seed,
    /// People a people column may name; the first is the token's owner (`me`).
    pub users: Vec<User>,
    /// `account_id` in answers of versions before 2025-01.
    pub account_id: u64,
    pub complexity: ComplexityConfig,
    /// Smallest id given to new items and boards (raised above every seeded id).
    pub first_id: u64,
    /// How long a page cursor stays valid (60 minutes).
    pub cursor_lifetime: Duration,
    /// How many requests [`crate::Emulator::requests`] keeps.
    pub max_recorded: usize,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: "monday-emulator-token".into(),
            current_version: "2025-07".into(),
            versions: [
                "2024-07", "2024-10", "2025-01", "2025-04", "2025-07", "2025-10", "2026-01",
            ]
            .iter()
            .map(|v| v.to_string())
            .collect(),
            seed: Seed::default(),
            users: vec![User {
                id: 4616627,
                name: "Dana Buyer".into(),
                email: "dana.buyer@example.com".into(),
            }],
            account_id: 24308083,
            complexity: ComplexityConfig::default(),
            first_id: 9_876_543_210,
            cursor_lifetime: Duration::from_secs(3600),
            max_recorded: 1024,
            max_body_bytes: 4 << 20,
        }
    }
}

/// A failure the next matching requests get instead of (or, for `Delay`, before) their
/// answer. Faults apply to requests that authenticated and passed validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 429 `MINUTE_RATE_LIMIT_EXCEEDED` with `Retry-After: secs`.
    RateLimit { retry_after: u64 },
    /// HTTP 429 `COMPLEXITY_BUDGET_EXHAUSTED` (shape by API version) with `Retry-After`.
    ComplexityExhausted { retry_in: u64 },
    /// HTTP 429 `MAX_CONCURRENCY_EXCEEDED` with `Retry-After`.
    ConcurrencyLimit { retry_in: u64 },
    /// HTTP 429 `DAILY_LIMIT_EXCEEDED` with `Retry-After`.
    DailyLimit { retry_in: u64 },
    /// An HTTP error status: 500 and 503 with monday's bodies, others with an HTML page.
    Status { status: u16 },
    /// HTTP 200 with `data: null` and an `INTERNAL_SERVER_ERROR` error (as 2025-07 answers
    /// some server failures).
    InternalError,
    /// HTTP 401 `NOT_AUTHENTICATED`, as for a revoked token.
    Unauthenticated,
    /// Closes the connection without an answer; nothing is executed.
    Drop,
    /// Executes the request (mutations take effect), then closes the connection without an
    /// answer: the client cannot know it succeeded.
    DropAfterCommit,
    /// Waits, then answers normally.
    Delay { delay_ms: u64 },
}

impl Fault {
    pub fn delay(d: Duration) -> Fault {
        Fault::Delay {
            delay_ms: d.as_millis() as u64,
        }
    }

    /// Its name in the request log.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::RateLimit { .. } => "rate_limit",
            Fault::ComplexityExhausted { .. } => "complexity_exhausted",
            Fault::ConcurrencyLimit { .. } => "concurrency_limit",
            Fault::DailyLimit { .. } => "daily_limit",
            Fault::Status { .. } => "status",
            Fault::InternalError => "internal_error",
            Fault::Unauthenticated => "unauthenticated",
            Fault::Drop => "drop",
            Fault::DropAfterCommit => "drop_after_commit",
            Fault::Delay { .. } => "delay",
        }
    }
}

/// A queued fault: for the next `remaining` requests whose operation selects the root field
/// `field` (any request when None).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaultRule {
    pub fault: Fault,
    pub remaining: u32,
    pub field: Option<String>,
}

/// One API request received (control routes excluded).
#[derive(Clone, Debug, Serialize)]
pub struct RequestRecord {
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// The `API-Version` header as sent.
    pub api_version_header: Option<String>,
    /// The version served (None when refused before).
    pub api_version: Option<String>,
    /// Whether `Authorization` carried the accepted token (the token itself is not kept).
    pub authorized: bool,
    pub query: Option<String>,
    pub variables: Option<Value>,
    pub operation_name: Option<String>,
    /// Root fields selected (`create_item`, `boards`...), when the query parsed.
    pub root_fields: Vec<String>,
    /// The status sent; None when the connection was dropped.
    pub status: Option<u16>,
    /// `ok`, `errors:<codes>`, `fault:<kind>`, `unauthenticated`, `invalid_version`,
    /// `invalid_request`, `validation`, `complexity_budget_exhausted`...
    pub outcome: String,
    /// The complexity charged.
    pub complexity: Option<u64>,
    #[serde(skip)]
    pub at: Option<Instant>,
}

/// A cursor's page position: the matching items when the first page was asked.
#[derive(Clone, Debug)]
pub(crate) struct CursorPage {
    pub ids: Arc<Vec<String>>,
    pub offset: usize,
    pub created: Instant,
}

/// Complexity spent in the current window.
#[derive(Clone, Debug)]
pub(crate) struct Budget {
    pub used: u64,
    pub window_start: Option<Instant>,
}

impl Budget {
    /// Forgets a window that has ended.
    pub fn roll(&mut self, window: Duration, now: Instant) {
        if self
            .window_start
            .is_some_and(|s| now.duration_since(s) >= window)
        {
            self.used = 0;
            self.window_start = None;
        }
    }

    /// Whole seconds until the window resets (a full window when none is open).
    pub fn reset_in(&self, window: Duration, now: Instant) -> u64 {
        let left = match self.window_start {
            Some(s) => window.saturating_sub(now.duration_since(s)),
            None => window,
        };
        left.as_millis().div_ceil(1000) as u64
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub model: Model,
    pub token: Option<String>,
    pub complexity: ComplexityConfig,
    pub budget: Budget,
    pub faults: VecDeque<FaultRule>,
    pub cursors: HashMap<String, CursorPage>,
    pub requests: VecDeque<RequestRecord>,
    pub request_seq: u64,
    pub rng: u64,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(config: Config) -> Result<Shared, crate::model::SeedError> {
        let model = Model::new(&config.seed, config.users.clone(), config.first_id)?;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64)
            | 1;
        Ok(Shared {
            state: Mutex::new(State {
                model,
                token: Some(config.token.clone()),
                complexity: config.complexity.clone(),
                budget: Budget {
                    used: 0,
                    window_start: None,
                },
                faults: VecDeque::new(),
                cursors: HashMap::new(),
                requests: VecDeque::new(),
                request_seq: 0,
                rng: seed,
            }),
            config,
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn record(&self, mut record: RequestRecord) {
        record.at = Some(Instant::now());
        let mut st = self.lock();
        st.request_seq += 1;
        record.seq = st.request_seq;
        if st.requests.len() >= self.config.max_recorded.max(1) {
            st.requests.pop_front();
        }
        st.requests.push_back(record);
    }
}

impl State {
    /// xorshift64*: ids for requests and cursors need only differ.
    pub fn random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A request id shaped like monday's (`a1140124-ecb2-99b5-8638-ababc4a4ba59`).
    pub fn request_id(&mut self) -> String {
        let a = self.random();
        let b = self.random();
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// Takes the first queued fault that applies to a request selecting `fields`.
    pub fn take_fault(&mut self, fields: &[String]) -> Option<Fault> {
        let idx = self
            .faults
            .iter()
            .position(|r| r.remaining > 0 && r.field.as_ref().is_none_or(|f| fields.contains(f)))?;
        let rule = &mut self.faults[idx];
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            self.faults.remove(idx);
        }
        Some(fault)
    }
}
