//! A stateful emulator of the monday.com GraphQL API v2, for tests of Boxkeeper's board sync
//! without a network or an account. The crate owns one HTTP port serving `POST /v2` (the real
//! endpoint is `https://api.monday.com/v2`) the way the samples in `shared/monday/` show the
//! real service answering, and the test-control routes under `/__control/` (table in
//! `src/control.rs`) that mirror the methods of [`Emulator`]. Start it with
//! [`Emulator::start`] in tests or with the `monday-emulator --listen ADDR` binary; it stops
//! when its handle drops.
//!
//! # Requests
//! `POST /v2` with a JSON body `{"query", "variables"?, "operationName"?}` and the headers
//! `Authorization: <token>` (the bare token of [`Config::token`]; no `Bearer`) and
//! `API-Version: YYYY-MM`. A missing, wrong or revoked token is HTTP 401
//! `{"errors": [{"message": "Not authenticated", "extensions": {"code": "NOT_AUTHENTICATED"}}]}`.
//! A malformed version is HTTP 400 `InvalidVersionException`; a well-formed one that is not in
//! [`Config::versions`] is served as [`Config::current_version`] (2025-07), as monday falls
//! back to the current release; the version served is in the `Api-Version` response header
//! of executed requests (validation errors and 401s carry none, as in monday's captures).
//!
//! The query is parsed and validated as GraphQL (`src/graphql.rs`, `src/validate.rs`):
//! operations with variable definitions and defaults, aliases, fragments, inline fragments on
//! the typed column values (`... on StatusValue { label }`), `@skip`/`@include`. Unknown
//! fields and arguments, missing required arguments, wrong literal types, undefined or unused
//! variables and variables in positions of another type are refused with graphql-js's
//! wording (HTTP 200, `errors` with `locations`, no `data`). Variables are coerced as GraphQL
//! does (`ID` from a string or an integer, a single value for a list). String literals in the
//! query and variables are both accepted for every argument. Only the fields selected are
//! answered, in the order selected.
//!
//! Served (see `src/schema.rs` for every field and argument):
//! - `boards(ids, limit, page)` { `id name type board_kind state items_count`
//!   `columns(ids, types) { id title type settings_str archived }` `groups(ids) { id title
//!   color position }` `items_page(limit, cursor, query_params) { cursor items { ... } }` }
//! - `items(ids)`, `items_page_by_column_values(board_id, columns, limit, cursor)`,
//!   `next_items_page(cursor, limit)`, `complexity { before after query reset_in_x_seconds }`,
//!   `me { id name email }`, `version { kind value display_name }`
//! - Item { `id name created_at updated_at state creator_id board group parent_item
//!   subitems column_values(ids, types) { id text value type column ... on XValue {...} }` }
//! - `create_item(board_id, item_name, group_id, column_values, create_labels_if_missing)`,
//!   `create_subitem(parent_item_id, item_name, column_values, create_labels_if_missing)`,
//!   `change_multiple_column_values(board_id, item_id, column_values,
//!   create_labels_if_missing)`, `change_column_value`, `change_simple_column_value`.
//!
//! Answers use the envelope of the version: `{"data", "extensions": {"request_id"}}` from
//! 2025-01, `{"data", "account_id"}` before. Errors of a field (bad board, item, column or
//! value) are HTTP 200 `{"data": {"<field>": null}, "errors": [{"message", "locations",
//! "path", "extensions": {"code", "status_code", "error_data", "service": "monolith"}}],
//! "extensions": {"request_id"}}`; a non-null root field (`items_page_by_column_values`)
//! nulls `data`. Up to 2024-10 the first error is also given as top-level
//! `error_message`/`error_code`/`error_data`/`status_code` (2024-07: only those) with the
//! HTTP status mirroring `status_code`.
//!
//! # State
//! Boards come from a [`Seed`] in the shape of monday's own `boards` answer (default: the
//! constructed purchase-order board 1234567890 and its subitems board 1234567999 of
//! `shared/monday/`; board, column and group ids are configuration). Subitems live on a
//! separate subitems board named by the parent board's `subtasks` column
//! (`settings_str.boardIds`); `create_subitem` on a board without one creates it
//! ("Subitems of \<board\>") and the `subtasks` column. Items get increasing numeric ids above
//! every seeded id. Every creation and change is appended to the item log ([`ItemEvent`]),
//! with who made it (the API, or a test through the handle or control routes, standing for
//! another user on the board). Every API request is recorded ([`RequestRecord`]).
//!
//! # Column values
//! `column_values` is a JSON-encoded string (as the docs and SDKs send it) or an object; keys
//! are column ids. Accepted per column type, with the stored `value` and the `text` read back:
//! - `text`: `"abc"` → value `"\"abc\""`, text `abc`; `numbers`: `"12.5"` or `12.5` →
//!   `"\"12.5\""`, text `12.5` (anything that is not a number is refused).
//! - `status`: `{"label": "Received"}`, `{"index": 1}` or `"Received"` → `{"index":1,
//!   "post_id":null,"changed_at":...}`, text the label. An unknown label is a
//!   `ColumnValueException` ("invalid value - label does not exist in column...",
//!   `error_data.column_type` `color`) unless `create_labels_if_missing: true`, which adds it.
//! - `date`: `{"date": "2025-07-14"}` (optional `"time": "HH:MM:SS"`) or `"2025-07-14"` →
//!   `{"date":...,"icon":null,"changed_at":...}`, text `2025-07-14` (`2025-07-14 09:00` with
//!   a time).
//! - `long_text`: `{"text": ...}` or a string; `link`: `{"url", "text"}` or `"url text"`,
//!   text `text - url`; `email`: `{"email", "text"}`, text `text - email`; `phone`:
//!   `{"phone", "countryShortName"}`, text the number.
//! - `dropdown`: `{"labels": [...]}`, `{"ids": [...]}` or `"A, B"` → `{"ids":[...]}`, text
//!   `A, B`; an unknown label is refused with monday's message ("The dropdown label 'X' does
//!   not exist, possible labels are: {1: EUR, ...}") unless `create_labels_if_missing`.
//! - `people`: `{"personsAndTeams": [{"id", "kind"}]}` with ids of [`Config::users`]; text
//!   their names. `board_relation`: `{"item_ids": [...]}`; from 2025-04 its `value` and
//!   `text` (and those of `subtasks`) read as null (use `linked_item_ids`/`display_value`).
//! - `checkbox`: `{"checked": "true"}`, text `v`. `name` sets the item's name. Read-only
//!   types (`subtasks`, `formula`, `mirror`...) are refused; other types are stored as given.
//! - `null`, `""` and `{}` clear a column (value null, text `""`; never-set columns read the
//!   same).
//!
//! An unknown column id is `InvalidColumnIdException` ("This column ID doesn't exist for the
//! board", `error_data {column_id, board_id: null, error_reason}`). A write is all or
//! nothing: one refused value leaves the item (or no item) as it was.
//!
//! `items_page_by_column_values` compares each given value with the column's `text` (a
//! dropdown's labels one by one; `name` is the item name), exactly; values within a column are
//! OR'ed, columns AND'ed; `""` matches empty columns. Connect-boards, mirror, formula,
//! subitems and similar columns are refused. `items_page(query_params)` supports `ids`,
//! `rules` (`any_of`, `not_any_of`, `is_empty`, `is_not_empty`, `contains_text`,
//! `not_contains_text`, `starts_with`, `ends_with`, the numeric comparisons, `between`; status
//! and dropdown rules with numbers compare label ids), `operator` and `order_by`. `limit`
//! defaults to 25 and is held to 1..=500. A page that leaves items returns a cursor
//! (base64url, valid for [`Config::cursor_lifetime`], 60 minutes); the last page's cursor is
//! null. A cursor pages through the items matched when the first page was asked.
//!
//! # Complexity
//! Each query is charged before it runs, against a per-minute budget
//! ([`ComplexityConfig::budget_per_minute`], 10,000,000 as for personal tokens; the window
//! starts at the first call and lasts [`ComplexityConfig::window`], 60 s). The cost model
//! ([`CostModel`], configurable): a scalar field costs `field` (1); an object field costs
//! `object` (10) plus its selection's cost times its multiplier; the multiplier is the number
//! of `ids` given, else `limit`, else for `boards` `unbounded_list` (1000, as the docs say
//! for objects queried without limits), for `items_page`, `items_page_by_column_values` and
//! `next_items_page` 25 (their default limit), for `columns`, `groups`, `column_values`,
//! `subitems` `nested_list` (50); other objects 1. Each mutation field adds `mutation`
//! (10,000). `complexity` and `__typename` are free. So `boards(ids: [1]) { id name }` costs
//! 12, as in a monday sample. A query over [`ComplexityConfig::max_per_query`] (5,000,000) is
//! refused (HTTP 200, `maxComplexityExceeded`); one over what is left of the budget gets HTTP
//! 429 with `Retry-After` and, by version, `COMPLEXITY_BUDGET_EXHAUSTED` with
//! `retry_in_seconds` (2025-07+), the same with `complexity`, `complexity_budget_left`,
//! `complexity_budget_limit` and `status_code` (2025-01, 2025-04), or the legacy
//! `ComplexityException` body ("Complexity budget exhausted, query cost N budget remaining N
//! out of N reset in N seconds") before. A refused query is not charged. `complexity
//! { before query after reset_in_x_seconds }` reports the budget around the query.
//!
//! # Faults
//! [`Emulator::inject_fault`] (`POST /__control/faults`) queues a [`Fault`] for the next N
//! requests, optionally only those selecting a given root field (`create_subitem`): 429
//! `MINUTE_RATE_LIMIT_EXCEEDED`, `COMPLEXITY_BUDGET_EXHAUSTED`, `MAX_CONCURRENCY_EXCEEDED` or
//! `DAILY_LIMIT_EXCEEDED` with `Retry-After` and `retry_in_seconds`; HTTP 500 (the 2025-10
//! body), 503 (`TIMEOUT_EXCEEDED`) or another status (an HTML page); HTTP 200 with
//! `INTERNAL_SERVER_ERROR`; 401; a dropped connection before or after the operation ran;
//! a delay. Faults apply to requests that authenticated and passed validation, in the order
//! queued. The token can be changed or revoked ([`Emulator::set_token`],
//! [`Emulator::revoke_token`]).
//!
//! # Guesses
//! Behaviours the samples and docs do not pin down, and what the emulator does:
//! - `Authorization: Bearer <token>` is refused (401) like a wrong token; the docs only show
//!   the bare token. The token is checked before `API-Version`, and 401 answers carry no
//!   `Api-Version` header (as in the 2025-10 capture) whatever the version.
//! - The malformed-version answer (HTTP 400, `InvalidVersionException`, the message text) is
//!   guessed; only the exception's name is documented. "Malformed" is anything but `YYYY-MM`
//!   with a month 01..12.
//! - A body that is not a JSON object, a missing `query`, and `variables` that are not an
//!   object (from 2025-04; before, a JSON-encoded string is accepted) are HTTP 400 with an
//!   `errors` list; the wording is guessed.
//! - Validation and syntax errors use graphql-js's wording (monday's 2025 answers match it
//!   for unknown fields); other validation messages are not captured from monday.
//! - The 2025-01..04 complexity error and the legacy `ComplexityException` are HTTP 429 (their
//!   `status_code`), although older docs list `ComplexityException` as HTTP 200; the
//!   per-query limit error (`maxComplexityExceeded`, HTTP 200, graphql-ruby's message) is
//!   guessed. The cost model is ours: monday does not publish its formula; only "1,000 for
//!   objects without limits", "nested costs multiply" and the 12-point sample are matched.
//! - The JSON scalar (`column_values`, `value`) also accepts an object instead of a
//!   JSON-encoded string; invalid JSON there is `JsonParseException` (code and message
//!   guessed).
//! - Status labels are matched exactly (case-sensitive); a new label gets the smallest free
//!   id other than 5 (the blank default) and a grey colour; a new dropdown label the largest
//!   id + 1. `{"index": 5}` is accepted (blank), and reads back with text null.
//! - Value checks: numbers must parse as a finite number; dates must be real `YYYY-MM-DD`
//!   dates (times `HH:MM[:SS]`); an email needs an `@`; a phone at least 4 digits and a
//!   2-letter country; people must be known users; connect-boards ids must be numbers but
//!   need not exist. The messages of these `ColumnValueException`s (besides the status and
//!   dropdown ones) and `error_data.column_type` names other than `color` are guessed.
//! - A link or email without `text` stores the url/email as its text, so its text reads
//!   `url - url`. Dates read without a timezone shift (UTC). A cleared column reads value
//!   null and text `""` (monday sometimes keeps `{"changed_at": ...}` for a cleared status).
//! - `create_item` with an unknown `group_id` is `ResourceNotFoundException` "Group not
//!   found" (status_code 404, as `move_item_to_group` answers); without `group_id` the item
//!   goes to the board's first group.
//! - `change_multiple_column_values` of an item that is not on `board_id` (a subitem with the
//!   parent's board) is `InvalidItemIdException` "Item not found".
//! - A subitem of a subitem is refused (`InvalidArgumentException`); a new subitems board gets
//!   the columns `person`, `status`, `date0` (monday's defaults are not verified).
//! - `items_page_by_column_values` compares with the column's text exactly and
//!   case-sensitively; without `columns` and `cursor` it is an `InvalidArgumentException`;
//!   with `cursor` the `columns` are ignored; an unsupported column type is
//!   `InvalidColumnTypeException` (code and message unknown); an unknown or expired cursor is
//!   `CursorException`. `limit` outside 1..=500 is clamped, not refused.
//! - `boards` without `ids` lists subitems boards too, 25 a page; `items(ids)` returns at
//!   most 100 and skips unknown ids.
//! - Item names over 255 characters are `ItemNameTooLongException`.
//! - `column_values(ids: [...])` answers in the board's column order, not the order of
//!   `ids` (the constructed samples assume the latter; no capture shows either).
//! - `create_item` and `create_subitem` made by a test (handle or control routes) create
//!   missing labels, as a person in the UI would.
//! - Injected 5xx other than 500 and 503 carry an nginx-style HTML page.
//! - Answers of versions before 2025-04 give connect-boards and subtasks columns their
//!   stored value and the linked items' names as text.

mod control;
mod exec;
mod graphql;
mod model;
mod out;
mod schema;
mod server;
mod state;
mod validate;
mod values;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::watch;

pub use model::{
    Actor, BoardView, ColumnValueView, ItemEvent, ItemEventKind, ItemView, Seed, SeedError,
};
pub use state::{ComplexityConfig, Config, CostModel, Fault, RequestRecord};
pub use values::User;

use model::{Edit, Now, SeedError as ModelSeedError};
use state::{FaultRule, Shared};

/// Errors of the emulator's own API (starting, test operations).
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    Seed(#[from] ModelSeedError),
    /// A test operation refused as the API would refuse it (`code` is monday's error code).
    #[error("{code}: {message}")]
    Refused { code: String, message: String },
    #[error("column_values is not a JSON object")]
    NotAnObject,
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
        let shared = Arc::new(Shared::new(config)?);
        let bind_err = |source| EmulatorError::Bind {
            addr: addr.to_string(),
            source,
        };
        let std_listener = std::net::TcpListener::bind(addr).map_err(bind_err)?;
        std_listener.set_nonblocking(true).map_err(bind_err)?;
        let local = std_listener.local_addr().map_err(bind_err)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("monday-emulator")
            .enable_all()
            .build()
            .map_err(EmulatorError::Runtime)?;
        let (stop, stop_rx) = watch::channel(false);
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener).map_err(bind_err)?
        };
        runtime.spawn(serve(listener, shared.clone(), stop_rx));
        tracing::info!(%local, "monday emulator listening");
        Ok(Emulator {
            shared,
            addr: local,
            stop,
            runtime: Some(runtime),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash (control routes are under it).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/v2`: the GraphQL endpoint a client is given.
    pub fn api_url(&self) -> String {
        format!("http://{}/v2", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token accepted now (None after [`Emulator::revoke_token`]).
    pub fn token(&self) -> Option<String> {
        self.shared.lock().token.clone()
    }

    /// Accepts `token` instead of the current one (the old one gets 401).
    pub fn set_token(&self, token: &str) {
        self.shared.lock().token = Some(token.to_string());
    }

    /// Accepts no token: every request gets 401 until [`Emulator::set_token`].
    pub fn revoke_token(&self) {
        self.shared.lock().token = None;
    }

    /// The next `count` requests get `fault`.
    pub fn inject_fault(&self, fault: Fault, count: u32) {
        self.push_fault(fault, count, None);
    }

    /// The next `count` requests selecting the root field `field` (`create_subitem`...) get
    /// `fault`.
    pub fn inject_fault_on(&self, field: &str, fault: Fault, count: u32) {
        self.push_fault(fault, count, Some(field.to_string()));
    }

    fn push_fault(&self, fault: Fault, count: u32, field: Option<String>) {
        self.shared.lock().faults.push_back(FaultRule {
            fault,
            remaining: count.max(1),
            field,
        });
    }

    /// Faults queued and not used yet (each counted with its remaining uses).
    pub fn pending_faults(&self) -> u32 {
        self.shared.lock().faults.iter().map(|r| r.remaining).sum()
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Sets the per-minute complexity budget (the points already used stay used).
    pub fn set_complexity_budget(&self, per_minute: u64) {
        self.shared.lock().complexity.budget_per_minute = per_minute;
    }

    /// Sets how long a budget window lasts (tests shorten the minute).
    pub fn set_complexity_window(&self, window: Duration) {
        self.shared.lock().complexity.window = window.max(Duration::from_millis(1));
    }

    /// Starts a fresh window with the whole budget.
    pub fn reset_complexity(&self) {
        let mut st = self.shared.lock();
        st.budget.used = 0;
        st.budget.window_start = None;
    }

    /// Complexity points left in the current window.
    pub fn complexity_remaining(&self) -> u64 {
        let mut st = self.shared.lock();
        let cfg = st.complexity.clone();
        st.budget.roll(cfg.window, std::time::Instant::now());
        cfg.budget_per_minute.saturating_sub(st.budget.used)
    }

    /// Creates an item as another user would (labels are created when missing).
    pub fn create_item(
        &self,
        board_id: &str,
        group_id: Option<&str>,
        name: &str,
        column_values: Value,
    ) -> Result<ItemView, EmulatorError> {
        let values = object(column_values)?;
        let mut st = self.shared.lock();
        let id = st
            .model
            .create_item(
                board_id,
                group_id,
                name,
                &values,
                &Edit {
                    create_labels: true,
                    now: &Now::current(),
                    by: Actor::Control,
                },
            )
            .map_err(refused)?;
        Ok(self.view(&st.model, &id))
    }

    /// Creates a subitem as another user would.
    pub fn create_subitem(
        &self,
        parent_item_id: &str,
        name: &str,
        column_values: Value,
    ) -> Result<ItemView, EmulatorError> {
        let values = object(column_values)?;
        let mut st = self.shared.lock();
        let id = st
            .model
            .create_subitem(
                parent_item_id,
                name,
                &values,
                &Edit {
                    create_labels: true,
                    now: &Now::current(),
                    by: Actor::Control,
                },
            )
            .map_err(refused)?;
        Ok(self.view(&st.model, &id))
    }

    /// Changes an item's values as another user would.
    pub fn change_column_values(
        &self,
        board_id: &str,
        item_id: &str,
        column_values: Value,
    ) -> Result<ItemView, EmulatorError> {
        let values = object(column_values)?;
        let mut st = self.shared.lock();
        st.model
            .change_values(
                board_id,
                item_id,
                &values,
                &Edit {
                    create_labels: true,
                    now: &Now::current(),
                    by: Actor::Control,
                },
            )
            .map_err(refused)?;
        Ok(self.view(&st.model, item_id))
    }

    fn view(&self, model: &model::Model, id: &str) -> ItemView {
        model
            .item_view(id, &self.shared.config.current_version)
            .expect("the item was just written")
    }

    /// An item (or subitem) as the current version reads it.
    pub fn item(&self, id: &str) -> Option<ItemView> {
        self.shared
            .lock()
            .model
            .item_view(id, &self.shared.config.current_version)
    }

    /// The items of a board (subitems: of a subitems board), in board order.
    pub fn items(&self, board_id: &str) -> Vec<ItemView> {
        let st = self.shared.lock();
        let Some(board) = st.model.board(board_id) else {
            return Vec::new();
        };
        board
            .items
            .iter()
            .filter_map(|i| st.model.item_view(i, &self.shared.config.current_version))
            .collect()
    }

    pub fn boards(&self) -> Vec<BoardView> {
        let st = self.shared.lock();
        st.model
            .boards
            .iter()
            .map(|b| st.model.board_view(b))
            .collect()
    }

    pub fn board(&self, id: &str) -> Option<BoardView> {
        let st = self.shared.lock();
        st.model.board(id).map(|b| st.model.board_view(b))
    }

    /// Every item created or changed, oldest first.
    pub fn item_log(&self) -> Vec<ItemEvent> {
        self.shared.lock().model.log.clone()
    }

    /// Every API request received (control requests excluded), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }
}

fn object(v: Value) -> Result<serde_json::Map<String, Value>, EmulatorError> {
    control::values_object(Some(&v)).map_err(|_| EmulatorError::NotAnObject)
}

fn refused(e: model::ApiError) -> EmulatorError {
    EmulatorError::Refused {
        code: e.code,
        message: e.message,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn starts_and_stops_inside_an_async_runtime() {
        let emu = Emulator::start("127.0.0.1:0").expect("start");
        let addr = emu.addr();
        let connected = tokio::net::TcpStream::connect(addr).await;
        assert!(connected.is_ok());
        drop(connected);
        drop(emu);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "the port is closed after drop"
        );
    }

    #[test]
    fn bind_error_is_reported() {
        let emu = Emulator::start("127.0.0.1:0").expect("start");
        let again = Emulator::start(&emu.addr().to_string());
        assert!(matches!(again, Err(EmulatorError::Bind { .. })));
    }

    #[test]
    fn a_bad_seed_is_reported() {
        let config = Config {
            seed: Seed::from_json(r#"{"boards": [{"name": "no id"}]}"#).expect("json"),
            ..Config::default()
        };
        assert!(matches!(
            Emulator::start_with("127.0.0.1:0", config),
            Err(EmulatorError::Seed(_))
        ));
    }
}
