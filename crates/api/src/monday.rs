//! The Monday.com sync in the app (issue 6): its settings (API URL, board, column mapping,
//! enabled) in the database's settings and its token in the OS keyring (else a 0600 file,
//! with a warning; never returned to the window, never logged); the board's columns and
//! groups for the mapping form and the mapping's problems; the [`PoItem`] of every PO built
//! from the store (the PO view's row, its documents' fields, lines and share links, the PO
//! log's verdict); and the pass, which sends only the POs whose digest (a hash of what the
//! board should show) differs from the one last synced, or whose retry is due, and records
//! ids, digest and errors per PO. One worker thread per workspace runs a pass when the sync
//! is enabled at start, after documents change (debounced) and on "Sync now"; a passing
//! failure is retried with backoff (five tries, then a person retries; monday.com
//! unreachable or limited ends the pass and pauses the worker), a PO's own error
//! waits for its data to change, and a refused token stops the sync until it is saved again.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use boxkeeper_monday::{
    validate, BoardSync, Client, ClientConfig, ColumnMapping, Field, ItemColumns, KnownIds,
    LineStatus, LineSubitem, Link, MappingProblem, MondayError, MondayToken, PoItem, PoStatus,
    SetupError, SubitemColumns, SyncError, DEFAULT_API_URL,
};
use boxkeeper_store::{
    now_ms, DocumentFilter, DocumentSort, MondayErrorKind, MondayFailure, MondayPoState, Store,
};
use sha2::{Digest, Sha256};

use crate::dto::{
    MondayBoard, MondayColumn, MondayConfig, MondayField, MondayGroup, MondayMapping,
    MondayOutcomeKind, MondayPoOutcome, MondayPoRow, MondayProblem, MondayReport, MondayStatus,
    MondaySyncState, PoReconciliationRow,
};
use crate::secrets::SecretStore;
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

const API_URL: &str = "monday.api_url";
const MAPPING: &str = "monday.mapping";
const ENABLED: &str = "monday.enabled";
const RECONNECT: &str = "monday.reconnect";
const TOKEN: &str = "monday-api-token";
/// The client's first backoff delay in milliseconds, when set (default one second).
const BACKOFF_ENV: &str = "BOXKEEPER_MONDAY_BACKOFF_MS";

/// Tries a PO gets for a passing failure before it waits for a person.
pub const MAX_TRIES: i64 = 5;
/// The first retry's wait; each later one doubles, up to [`RETRY_CAP`].
const RETRY_BASE: Duration = Duration::from_secs(30);
const RETRY_CAP: Duration = Duration::from_secs(30 * 60);
/// Documents change in bursts while the queue works: a pass waits for this much quiet.
const DEBOUNCE: Duration = Duration::from_secs(2);
/// The least time between two "Monday.com changed" notices during a pass.
const NOTICE_EVERY: Duration = Duration::from_secs(1);
/// The shortest timed wait between the worker's passes (a wake is not held back).
const MIN_WAIT: Duration = Duration::from_secs(30);
/// How long the worker sleeps when nothing wakes it (a safety net for missed wakes).
const IDLE: Duration = Duration::from_secs(15 * 60);

/// The sync worker of a workspace, how to wake or stop it, and what the last pass did.
#[derive(Default)]
pub(crate) struct MondayRuntime {
    signal: Arc<WakeSignal>,
    running: bool,
    /// Held for a whole pass: the worker's and a CLI's or a test's never overlap.
    pass: Arc<Mutex<()>>,
    in_pass: Arc<AtomicBool>,
    last_error: Option<String>,
    last_pass_ms: Option<i64>,
    /// monday.com was unreachable or limited: the worker runs no pass before this time
    /// (a person's "Sync now" clears it).
    paused_until_ms: Option<i64>,
}

impl MondayRuntime {
    /// Stops the worker after the PO it is on.
    pub(crate) fn stop(&mut self) {
        self.signal.stop.store(true, Ordering::Relaxed);
        self.signal.notify();
        self.running = false;
        self.signal = Arc::new(WakeSignal::default());
    }
}

#[derive(Default)]
struct WakeSignal {
    woken: Mutex<bool>,
    wake: Condvar,
    stop: AtomicBool,
}

impl WakeSignal {
    fn notify(&self) {
        *lock(&self.woken) = true;
        self.wake.notify_all();
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Sleeps until woken, stopped, or `timeout`; whether it was woken.
    fn wait(&self, timeout: Duration) -> bool {
        let mut woken = lock(&self.woken);
        if !*woken && !self.stopped() {
            woken = self
                .wake
                .wait_timeout(woken, timeout)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        std::mem::replace(&mut *woken, false)
    }
}

/// The fields of the mapping form, in its order, with their keys in [`MondayMapping`].
const FIELDS: &[(&str, Field)] = &[
    ("project", Field::Project),
    ("po_number", Field::PoNumber),
    ("description", Field::Description),
    ("status", Field::Status),
    ("tax_form_link", Field::TaxFormLink),
    ("folder_link", Field::FolderLink),
    ("contact_link", Field::ContactLink),
    ("line_status", Field::LineStatus),
    ("file_number", Field::FileNumber),
    ("line_description", Field::LineDescription),
    ("quantity", Field::Quantity),
    ("rate", Field::Rate),
    ("date", Field::Date),
    ("due_date", Field::DueDate),
    ("account_code", Field::AccountCode),
    ("file_link", Field::FileLink),
];

fn key_of(field: Field) -> &'static str {
    FIELDS
        .iter()
        .find(|(_, f)| *f == field)
        .map_or("", |(k, _)| k)
}

fn to_columns(board_id: &str, m: &MondayMapping) -> ColumnMapping {
    let t = |s: &str| s.trim().to_string();
    ColumnMapping {
        board_id: t(board_id),
        item: ItemColumns {
            project: t(&m.project),
            po_number: t(&m.po_number),
            description: t(&m.description),
            status: t(&m.status),
            tax_form_link: t(&m.tax_form_link),
            folder_link: t(&m.folder_link),
            contact_link: Some(t(&m.contact_link)).filter(|c| !c.is_empty()),
        },
        subitem: SubitemColumns {
            status: t(&m.line_status),
            file_number: t(&m.file_number),
            description: t(&m.line_description),
            quantity: t(&m.quantity),
            rate: t(&m.rate),
            date: t(&m.date),
            due_date: t(&m.due_date),
            account_code: t(&m.account_code),
            file_link: t(&m.file_link),
        },
    }
}

fn from_columns(c: &ColumnMapping) -> MondayMapping {
    MondayMapping {
        project: c.item.project.clone(),
        po_number: c.item.po_number.clone(),
        description: c.item.description.clone(),
        status: c.item.status.clone(),
        tax_form_link: c.item.tax_form_link.clone(),
        folder_link: c.item.folder_link.clone(),
        contact_link: c.item.contact_link.clone().unwrap_or_default(),
        line_status: c.subitem.status.clone(),
        file_number: c.subitem.file_number.clone(),
        line_description: c.subitem.description.clone(),
        quantity: c.subitem.quantity.clone(),
        rate: c.subitem.rate.clone(),
        date: c.subitem.date.clone(),
        due_date: c.subitem.due_date.clone(),
        account_code: c.subitem.account_code.clone(),
        file_link: c.subitem.file_link.clone(),
    }
}

fn problem_row(p: &MappingProblem) -> MondayProblem {
    MondayProblem {
        field: p.field.map(|f| key_of(f).to_string()),
        message: p.to_string(),
    }
}

fn po_status(status: &str) -> PoStatus {
    match status {
        "CC / PC" => PoStatus::CardOrPettyCash,
        "Approved" => PoStatus::Approved,
        "Needs Verification" => PoStatus::NeedsVerification,
        _ => PoStatus::TaxFormNeeded,
    }
}

fn line_status(status: &str) -> LineStatus {
    match status {
        "RTP" => LineStatus::Rtp,
        "PO Log Mismatch" => LineStatus::PoLogMismatch,
        "Paid" => LineStatus::Paid,
        _ => LineStatus::Pending,
    }
}

fn same_po(a: &str, b: &str) -> bool {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn link(url: Option<String>, text: &str) -> Option<Link> {
    url.filter(|u| !u.trim().is_empty())
        .map(|u| Link::new(u, text))
}

/// A quantity or an amount as the store keeps it, for the board's Numbers column. It is
/// sent as written: one the board cannot take ("1,234.50", "$12") is refused by the sync's
/// own check as that line's error, shown to the person, rather than rewritten into a
/// number that may be wrong ("1.234,50" is not 1.23450).
fn decimal(v: Option<String>) -> Option<String> {
    v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A plain decimal as a whole number and its count of decimals ("2.5" is (25, 1)).
fn scaled(text: &str) -> Option<(i128, u32)> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = frac.trim_end_matches('0');
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() + frac.len() > 30
    {
        return None;
    }
    let n: i128 = format!("{int}{frac}").parse().ok()?;
    Some((if negative { -n } else { n }, frac.len() as u32))
}

/// The quantity and rate a line shows on the board. With a unit price, both as stored.
/// With a quantity and an amount but no unit price, the rate is amount / quantity when
/// that is exact to the cent (5 x 120.00 for 600.00); otherwise the line shows quantity 1
/// at the whole amount, so the board's quantity x rate is still the line's money. With an
/// amount alone, the amount is the rate.
fn line_money(
    quantity: Option<String>,
    unit_price: Option<String>,
    amount: Option<String>,
) -> (Option<String>, Option<String>) {
    let (quantity, unit_price, amount) = (decimal(quantity), decimal(unit_price), decimal(amount));
    match (quantity, unit_price, amount) {
        (q, Some(r), _) => (q, Some(r)),
        (q, None, None) => (q, None),
        (None, None, Some(a)) => (None, Some(a)),
        (Some(q), None, Some(a)) => {
            let exact = boxkeeper_store::parse_cents(&a)
                .zip(scaled(&q))
                .and_then(|(cents, (n, k))| {
                    let top = i128::from(cents).checked_mul(10i128.checked_pow(k)?)?;
                    (n != 0 && top % n == 0).then(|| top / n)
                })
                .and_then(|c| i64::try_from(c).ok());
            match exact {
                Some(rate) => (Some(q), Some(boxkeeper_store::format_cents(rate))),
                None => (Some("1".into()), Some(a)),
            }
        }
    }
}

/// The digest of what the board should show for `po` under `mapping`: a new mapping or
/// board sends every PO again.
fn digest(mapping: &ColumnMapping, po: &PoItem) -> String {
    let mut h = Sha256::new();
    h.update(serde_json::to_string(mapping).unwrap_or_default());
    h.update(format!("\n{po:?}"));
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

/// A PO and what the pass needs to know about it.
struct PoToSync {
    source: i64,
    item: PoItem,
    digest: String,
    state: Option<MondayPoState>,
}

/// Whether a PO is sent on this pass.
fn is_due(state: Option<&MondayPoState>, digest: &str, now: i64) -> bool {
    let Some(s) = state else { return true };
    match s.error_kind {
        None => s.digest.as_deref() != Some(digest),
        Some(MondayErrorKind::Retrying) => {
            s.tries < MAX_TRIES && s.next_try_ms.is_none_or(|t| t <= now)
        }
        // Its own error: sent again once its data changed.
        Some(MondayErrorKind::Item) => {
            s.tried_digest.as_deref() != Some(digest) && s.digest.as_deref() != Some(digest)
        }
        Some(MondayErrorKind::Reconnect) => true,
    }
}

fn row_state(state: Option<&MondayPoState>, digest: &str) -> MondayPoRow {
    let (state_kind, message, tries, synced, item) = match state {
        None => (MondaySyncState::Pending, None, 0, None, None),
        Some(s) => {
            let kind = match s.error_kind {
                Some(MondayErrorKind::Retrying) if s.tries < MAX_TRIES => MondaySyncState::Retrying,
                Some(MondayErrorKind::Retrying) => MondaySyncState::Failed,
                Some(MondayErrorKind::Item) => {
                    if s.tried_digest.as_deref() == Some(digest)
                        || s.digest.as_deref() == Some(digest)
                    {
                        MondaySyncState::Failed
                    } else {
                        MondaySyncState::Pending
                    }
                }
                Some(MondayErrorKind::Reconnect) => MondaySyncState::Retrying,
                None if s.digest.as_deref() == Some(digest) => MondaySyncState::Synced,
                None => MondaySyncState::Pending,
            };
            (
                kind,
                s.error.clone(),
                s.tries.max(0) as u32,
                s.synced_ms,
                s.item_id.clone(),
            )
        }
    };
    MondayPoRow {
        project_number: String::new(),
        po_number: String::new(),
        state: state_kind,
        synced_ms: synced,
        message,
        tries,
        item_id: item,
    }
}

fn retry_delay(tries: i64) -> Duration {
    let shift = (tries.max(1) - 1).min(16) as u32;
    RETRY_BASE.saturating_mul(1 << shift).min(RETRY_CAP)
}

impl Workspace {
    fn monday_secrets(&self) -> SecretStore {
        SecretStore::new(&self.inner.paths.dir)
    }

    fn monday_token(&self) -> Result<Option<MondayToken>> {
        Ok(self
            .monday_secrets()
            .load(TOKEN)?
            .map(|(t, _)| MondayToken::new(t))
            .filter(|t| !t.is_empty()))
    }

    fn stored_mapping(store: &Store) -> Result<Option<ColumnMapping>> {
        Ok(store
            .setting(MAPPING)?
            .and_then(|s| serde_json::from_str::<ColumnMapping>(&s).ok()))
    }

    /// The saved settings (never the token: only whether there is one, and where).
    pub fn monday_config(&self) -> Result<MondayConfig> {
        let token = self.monday_secrets().load(TOKEN)?;
        let store = lock(&self.inner.reader);
        let mapping = Self::stored_mapping(&store)?.unwrap_or_default();
        Ok(MondayConfig {
            api_url: store
                .setting(API_URL)?
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            board_id: mapping.board_id.clone(),
            mapping: from_columns(&mapping),
            enabled: store.setting(ENABLED)?.as_deref() == Some("true"),
            has_token: token.is_some(),
            token_warning: token.and_then(|(_, place)| place.warning()),
            reconnect: store.setting(RECONNECT)?,
        })
    }

    /// Saves the settings; `token` (when given) replaces the stored one, an empty one removes
    /// it. Another board forgets the ids of the old one. A saved token clears "reconnect".
    /// The worker is started or woken when the sync is enabled.
    pub fn save_monday_config(
        &self,
        config: &MondayConfig,
        token: Option<&str>,
    ) -> Result<MondayConfig> {
        let url = config.api_url.trim().trim_end_matches('/');
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ApiError::Invalid(format!(
                "the Monday.com API URL must start with http:// or https:// (e.g. {DEFAULT_API_URL}), not {url:?}"
            )));
        }
        let board = config.board_id.trim();
        if !board.chars().all(|c| c.is_ascii_digit()) {
            return Err(ApiError::Invalid(format!(
                "a board id is a number (the digits after /boards/ in the board's address), not {board:?}"
            )));
        }
        let mapping = to_columns(board, &config.mapping);
        {
            let store = lock(&self.inner.reader);
            let old = Self::stored_mapping(&store)?;
            if old.is_some_and(|o| o.board_id != mapping.board_id) {
                let n = store.forget_monday_sync()?;
                tracing::info!(
                    forgotten = n,
                    "another Monday.com board: the old board's ids are forgotten"
                );
            }
            store.set_setting(API_URL, url)?;
            store.set_setting(
                MAPPING,
                &serde_json::to_string(&mapping).map_err(|e| ApiError::Invalid(e.to_string()))?,
            )?;
            store.set_setting(ENABLED, if config.enabled { "true" } else { "false" })?;
        }
        match token.map(str::trim) {
            Some("") => self.monday_secrets().delete(TOKEN)?,
            Some(t) => {
                self.monday_secrets().save(TOKEN, t)?;
                lock(&self.inner.reader).delete_setting(RECONNECT)?;
            }
            None => {}
        }
        tracing::info!(
            api_url = url,
            board = board,
            enabled = config.enabled,
            "Monday.com settings saved"
        );
        if config.enabled {
            self.start_monday_sync()?;
        }
        self.monday_changed();
        self.monday_config()
    }

    fn monday_client(&self) -> Result<Client> {
        let Some(token) = self.monday_token()? else {
            return Err(ApiError::Invalid(
                "save a Monday.com API token first (monday.com: your avatar > Developers > My access tokens)".into(),
            ));
        };
        let mut config = ClientConfig {
            api_url: self.monday_config()?.api_url,
            ..ClientConfig::default()
        };
        // Tests (and a person on a flaky network) shorten or lengthen the client's backoff.
        if let Some(ms) = std::env::var(BACKOFF_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            config.retry.base = Duration::from_millis(ms);
            config.retry.cap = Duration::from_millis(ms.saturating_mul(8));
        }
        Ok(Client::new(token, config))
    }

    /// The board's columns and groups for the mapping form.
    pub fn monday_board(&self, board_id: &str) -> Result<MondayBoard> {
        let board_id = board_id.trim();
        if board_id.is_empty() || !board_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(ApiError::Invalid(format!(
                "a board id is a number (the digits after /boards/ in the board's address), not {board_id:?}"
            )));
        }
        let schema = self
            .monday_client()?
            .board_schema(board_id)
            .map_err(|e| self.monday_refused(e))?;
        let columns = |b: &boxkeeper_monday::Board| {
            b.columns
                .iter()
                .map(|c| MondayColumn {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    kind: c.kind.clone(),
                })
                .collect::<Vec<_>>()
        };
        Ok(MondayBoard {
            board_id: schema.board.id.clone(),
            name: schema.board.name.clone(),
            columns: columns(&schema.board),
            subitem_columns: schema.subitems.as_ref().map(columns).unwrap_or_default(),
            has_subitems: schema.subitems.is_some(),
            groups: schema
                .board
                .groups
                .iter()
                .map(|g| MondayGroup {
                    id: g.id.clone(),
                    title: g.title.clone(),
                })
                .collect(),
            fields: FIELDS
                .iter()
                .map(|(key, f)| MondayField {
                    key: key.to_string(),
                    label: f.label().to_string(),
                    on_subitem: f.on_subitem(),
                    accepted_types: f
                        .kind()
                        .accepted_types()
                        .iter()
                        .map(|t| t.to_string())
                        .collect(),
                    required: *f != Field::ContactLink,
                })
                .collect(),
        })
    }

    /// The mapping's problems against the board as it is now; empty when it can be used.
    pub fn validate_monday_mapping(
        &self,
        board_id: &str,
        mapping: &MondayMapping,
    ) -> Result<Vec<MondayProblem>> {
        let columns = to_columns(board_id, mapping);
        let schema = self
            .monday_client()?
            .board_schema(&columns.board_id)
            .map_err(|e| self.monday_refused(e))?;
        Ok(validate(&columns, &schema)
            .iter()
            .map(problem_row)
            .collect())
    }

    /// A refused token is remembered, so the window says "reconnect Monday.com".
    fn monday_refused(&self, e: MondayError) -> ApiError {
        if e.needs_reconnect() {
            if let Err(err) = lock(&self.inner.reader).set_setting(RECONNECT, &e.to_string()) {
                tracing::warn!(error = %err, "could not record that Monday.com needs reconnecting");
            }
            self.monday_changed();
        }
        ApiError::Monday(e)
    }

    fn monday_changed(&self) {
        (self.inner.listener)(crate::Notice::MondayChanged);
    }

    /// The sources a pass covers: the followed one, else (the CLI) every source.
    fn monday_sources(&self) -> Result<Vec<i64>> {
        match lock(&self.inner.status).source {
            Some(s) => Ok(vec![s]),
            None => Ok(lock(&self.inner.reader).source_ids()?),
        }
    }

    /// Every PO of `source` as the board should show it, with its digest and stored state.
    fn monday_pos(&self, source: i64, mapping: &ColumnMapping) -> Result<Vec<PoToSync>> {
        let log = self.po_log_reconciliation_of(source)?;
        let store = lock(&self.inner.reader);
        let states: HashMap<(String, String), MondayPoState> = store
            .monday_states(source)?
            .into_iter()
            .map(|s| ((s.project_number.clone(), s.po_number.clone()), s))
            .collect();
        let mut out = Vec::new();
        for po in store.purchase_orders(source)? {
            let verdict = log.iter().find(|r| {
                r.project_number == po.project_number && same_po(&r.po_number, &po.po_number)
            });
            let item = po_item(&store, source, &po, verdict)?;
            let digest = digest(mapping, &item);
            let state = states
                .get(&(po.project_number.clone(), po.po_number.clone()))
                .cloned();
            out.push(PoToSync {
                source,
                item,
                digest,
                state,
            });
        }
        Ok(out)
    }

    /// One pass over every PO, in the caller's thread: sends the POs whose data changed or
    /// whose retry is due; records ids, digest and errors per PO.
    pub fn monday_sync_once(&self) -> Result<MondayReport> {
        let pass = lock(&self.inner.monday).pass.clone();
        let _one_pass = lock(&pass);
        let in_pass = lock(&self.inner.monday).in_pass.clone();
        in_pass.store(true, Ordering::Relaxed);
        self.monday_changed();
        let result = self.monday_pass();
        in_pass.store(false, Ordering::Relaxed);
        {
            let mut rt = lock(&self.inner.monday);
            rt.last_pass_ms = Some(now_ms());
            rt.last_error = result.as_ref().err().map(ToString::to_string);
        }
        self.monday_changed();
        result
    }

    fn monday_pass(&self) -> Result<MondayReport> {
        let mapping = Self::stored_mapping(&lock(&self.inner.reader))?
            .filter(|m| !m.board_id.is_empty())
            .ok_or_else(|| {
                ApiError::Invalid("choose a Monday.com board and its columns first".into())
            })?;
        let client = self.monday_client()?;
        let mut sync = match BoardSync::connect(&client, &mapping) {
            Ok(s) => s,
            Err(SetupError::Monday(e)) => return Err(self.monday_refused(e)),
            Err(SetupError::Mapping(problems)) => {
                return Err(ApiError::Invalid(format!(
                    "the column mapping does not fit the board: {}",
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                )))
            }
        };
        lock(&self.inner.reader).delete_setting(RECONNECT)?;
        let stop = lock(&self.inner.monday).signal.clone();
        let mut report = MondayReport::default();
        // Each notice makes the window rebuild every PO's row: during a pass at most one a
        // second (the caller sends one when the pass ends).
        let mut last_notice = Instant::now();
        for source in self.monday_sources()? {
            let pos = self.monday_pos(source, &mapping)?;
            let present: Vec<(String, String)> = pos
                .iter()
                .map(|p| (p.item.project.clone(), p.item.po_number.clone()))
                .collect();
            lock(&self.inner.reader).drop_monday_retries_except(source, &present)?;
            for po in pos {
                let now = now_ms();
                let (project, number) = (po.item.project.clone(), po.item.po_number.clone());
                let outcome = |outcome, writes: usize, message: Option<String>| MondayPoOutcome {
                    project_number: project.clone(),
                    po_number: number.clone(),
                    outcome,
                    writes: writes as u32,
                    message,
                };
                if !is_due(po.state.as_ref(), &po.digest, now) {
                    report
                        .rows
                        .push(outcome(MondayOutcomeKind::Skipped, 0, None));
                    continue;
                }
                let known = known_ids(po.state.as_ref());
                let result = sync.sync_po(&po.item, &known);
                let (row, stopped, pause_until) = self.record_po(&po, result, now)?;
                report.rows.push(outcome(row.0, row.1, row.2));
                if last_notice.elapsed() >= NOTICE_EVERY {
                    self.monday_changed();
                    last_notice = Instant::now();
                }
                if let Some(until) = pause_until {
                    // Unreachable or limited: the POs after this one would meet the same
                    // wall and each lose a try; the pass ends and the next waits.
                    lock(&self.inner.monday).paused_until_ms = Some(until);
                }
                if let Some(why) = stopped {
                    report.stopped = Some(why);
                    return Ok(report);
                }
                if stop.stopped() {
                    report.stopped = Some("the sync was stopped".into());
                    return Ok(report);
                }
            }
        }
        Ok(report)
    }

    /// Records one PO's result; the outcome, why the pass must stop (if it must), and until
    /// when no pass should run (monday.com unreachable or limited).
    #[allow(clippy::type_complexity)]
    fn record_po(
        &self,
        po: &PoToSync,
        result: std::result::Result<boxkeeper_monday::SyncOutcome, SyncError>,
        now: i64,
    ) -> Result<(
        (MondayOutcomeKind, usize, Option<String>),
        Option<String>,
        Option<i64>,
    )> {
        let (project, number) = (po.item.project.as_str(), po.item.po_number.as_str());
        let store = lock(&self.inner.reader);
        match result {
            Ok(done) => {
                let ids = serde_json::to_string(&done.subitem_ids()).unwrap_or_default();
                let mut problems: Vec<String> =
                    done.line_errors().map(ToString::to_string).collect();
                if !done.duplicates_on_board.is_empty() {
                    tracing::warn!(project, po = number, duplicates = ?done.duplicates_on_board, "several items on the board for one PO");
                }
                let line_errors = (!problems.is_empty()).then(|| problems.join("; "));
                store.record_monday_synced(
                    po.source,
                    project,
                    number,
                    &done.item_id,
                    &ids,
                    &po.digest,
                    line_errors.as_deref(),
                    now,
                )?;
                let kind = if line_errors.is_some() {
                    MondayOutcomeKind::Failed
                } else {
                    match done.item {
                        boxkeeper_monday::Change::Created => MondayOutcomeKind::Created,
                        _ if done.writes > 0 => MondayOutcomeKind::Updated,
                        _ => MondayOutcomeKind::Unchanged,
                    }
                };
                if !done.duplicates_on_board.is_empty() {
                    problems.push(format!(
                        "other items on the board are for this PO too (ids {}): remove them by hand",
                        done.duplicates_on_board.join(", ")
                    ));
                }
                let message = (!problems.is_empty()).then(|| problems.join("; "));
                Ok(((kind, done.writes, message), None, None))
            }
            Err(error) => {
                let (kind, item_id, stop) = match &error {
                    SyncError::Monday { error: e, item_id } if e.needs_reconnect() => {
                        (MondayErrorKind::Reconnect, item_id.clone(), true)
                    }
                    SyncError::Monday { error: e, item_id } if e.stops_sync() => {
                        (MondayErrorKind::Item, item_id.clone(), true)
                    }
                    SyncError::Monday {
                        error: MondayError::Rejected { .. },
                        item_id,
                    } => (MondayErrorKind::Item, item_id.clone(), false),
                    // The client already waited and tried again: monday.com is down, the
                    // network is, or a limit longer than the client waits (the daily one)
                    // was hit. Every later PO would fail the same way.
                    SyncError::Monday {
                        error: MondayError::Unavailable(_) | MondayError::Limited { .. },
                        item_id,
                    } => (MondayErrorKind::Retrying, item_id.clone(), true),
                    SyncError::Monday { item_id, .. } => {
                        (MondayErrorKind::Retrying, item_id.clone(), false)
                    }
                    SyncError::Input { .. } | SyncError::NoGroup { .. } => {
                        (MondayErrorKind::Item, None, false)
                    }
                };
                let message = error.to_string();
                let tries = po.state.as_ref().map_or(0, |s| {
                    if s.error_kind == Some(kind) {
                        s.tries
                    } else {
                        0
                    }
                }) + 1;
                let delay = match &error {
                    SyncError::Monday {
                        error: MondayError::Limited { retry_in, .. },
                        ..
                    } => retry_delay(tries).max(*retry_in),
                    _ => retry_delay(tries),
                };
                let next = (kind == MondayErrorKind::Retrying && tries < MAX_TRIES)
                    .then(|| now + delay.as_millis() as i64);
                let pause_until = (kind == MondayErrorKind::Retrying && stop)
                    .then(|| now + delay.as_millis() as i64);
                store.record_monday_failure(
                    po.source,
                    project,
                    number,
                    &MondayFailure {
                        error: &message,
                        kind,
                        item_id: item_id.as_deref(),
                        tried_digest: &po.digest,
                        next_try_ms: next,
                    },
                )?;
                tracing::warn!(project, po = number, tries, error = %message, "a PO was not synced to Monday.com");
                if kind == MondayErrorKind::Reconnect {
                    store.set_setting(RECONNECT, &message)?;
                }
                let outcome = if kind == MondayErrorKind::Retrying && tries < MAX_TRIES {
                    MondayOutcomeKind::Retrying
                } else {
                    MondayOutcomeKind::Failed
                };
                Ok((
                    (outcome, 0, Some(message.clone())),
                    stop.then_some(message),
                    pause_until,
                ))
            }
        }
    }

    /// Where every PO of the followed source stands with the board (None while the sync is
    /// not set up).
    pub(crate) fn monday_rows(&self) -> Result<Option<Vec<MondayPoRow>>> {
        let Some(mapping) =
            Self::stored_mapping(&lock(&self.inner.reader))?.filter(|m| !m.board_id.is_empty())
        else {
            return Ok(None);
        };
        let mut rows = Vec::new();
        for source in self.monday_sources()? {
            for po in self.monday_pos(source, &mapping)? {
                let mut row = row_state(po.state.as_ref(), &po.digest);
                row.project_number = po.item.project;
                row.po_number = po.item.po_number;
                rows.push(row);
            }
        }
        Ok(Some(rows))
    }

    /// The sync as a whole and every PO's state.
    pub fn monday_status(&self) -> Result<MondayStatus> {
        let config = self.monday_config()?;
        let rows = self.monday_rows()?.unwrap_or_default();
        let rt = lock(&self.inner.monday);
        Ok(MondayStatus {
            configured: config.has_token && !config.board_id.is_empty(),
            enabled: config.enabled,
            running: rt.in_pass.load(Ordering::Relaxed),
            reconnect: config.reconnect,
            last_error: rt.last_error.clone(),
            last_pass_ms: rt.last_pass_ms,
            rows,
        })
    }

    /// A person asks to send failed POs again (one, or all of them); the worker is woken.
    pub fn retry_monday(&self, po: Option<(&str, &str)>) -> Result<u32> {
        let mut n = 0;
        for source in self.monday_sources()? {
            n += lock(&self.inner.reader).retry_monday(source, po)?;
        }
        self.monday_changed();
        self.monday_sync_now();
        Ok(n as u32)
    }

    /// "Sync now": wakes the worker (a refused token is tried again).
    pub fn monday_sync_now(&self) {
        if let Err(e) = lock(&self.inner.reader).delete_setting(RECONNECT) {
            tracing::warn!(error = %e, "could not clear the reconnect note");
        }
        let mut rt = lock(&self.inner.monday);
        rt.paused_until_ms = None;
        rt.signal.notify();
    }

    /// Documents changed: the worker looks again once they settle.
    pub(crate) fn monday_documents_changed(&self) {
        let rt = lock(&self.inner.monday);
        if rt.running {
            rt.signal.notify();
        }
    }

    /// Starts the sync worker (once, until [`Workspace::stop_monday_sync`]). It runs a pass
    /// at once when the sync is set up and enabled.
    pub fn start_monday_sync(&self) -> Result<()> {
        let signal = {
            let mut rt = lock(&self.inner.monday);
            if rt.running {
                rt.signal.notify();
                return Ok(());
            }
            rt.running = true;
            rt.signal.clone()
        };
        let this = self.clone();
        std::thread::Builder::new()
            .name("monday-sync".into())
            .spawn(move || this.work_monday(&signal))
            .map_err(|source| ApiError::Io {
                what: "cannot start a thread for",
                path: "Monday.com sync".into(),
                source,
            })?;
        Ok(())
    }

    pub fn stop_monday_sync(&self) {
        lock(&self.inner.monday).stop();
    }

    fn monday_runnable(&self) -> bool {
        match self.monday_config() {
            Ok(c) => c.enabled && c.has_token && !c.board_id.is_empty() && c.reconnect.is_none(),
            Err(e) => {
                tracing::warn!(error = %e, "Monday.com settings not readable");
                false
            }
        }
    }

    /// The earliest retry time among the POs the next pass would build (the gone ones'
    /// are cleared by each pass), if any.
    fn next_monday_try(&self) -> Option<i64> {
        let sources = match self.monday_sources() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the sources to sync");
                return None;
            }
        };
        let store = lock(&self.inner.reader);
        sources
            .into_iter()
            .filter_map(|s| match store.next_monday_try(s, MAX_TRIES) {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the Monday.com retry times");
                    None
                }
            })
            .min()
    }

    fn work_monday(&self, signal: &WakeSignal) {
        tracing::info!("Monday.com sync worker started");
        let mut due = true;
        loop {
            if signal.stopped() {
                tracing::info!("Monday.com sync worker stopped");
                return;
            }
            let paused_until = lock(&self.inner.monday)
                .paused_until_ms
                .filter(|t| *t > now_ms());
            if due && paused_until.is_none() && self.monday_runnable() {
                // Quiet first: a burst of changes becomes one pass.
                while signal.wait(DEBOUNCE) && !signal.stopped() {}
                if signal.stopped() {
                    continue;
                }
                match self.monday_sync_once() {
                    Ok(report) => {
                        let sent = report
                            .rows
                            .iter()
                            .filter(|r| r.outcome != MondayOutcomeKind::Skipped)
                            .count();
                        tracing::info!(sent, stopped = ?report.stopped, "Monday.com pass done");
                    }
                    Err(e) => tracing::warn!(error = %e, "Monday.com pass failed"),
                }
            }
            // Not runnable (disabled, no token, reconnect needed): only a wake (saving the
            // settings, Sync now, a document change) or the safety net looks again; a due
            // retry cannot be sent anyway. Runnable: the next retry, but never sooner than
            // MIN_WAIT, so a retry time that stays in the past cannot make the worker spin.
            let wait = if self.monday_runnable() {
                // Paused: the pass after the pause sends the POs the stopped one never
                // reached; otherwise the next retry.
                let paused_until = lock(&self.inner.monday)
                    .paused_until_ms
                    .filter(|t| *t > now_ms());
                paused_until
                    .or_else(|| self.next_monday_try())
                    .map_or(IDLE, |t| {
                        Duration::from_millis(
                            (t - now_ms()).clamp(0, IDLE.as_millis() as i64) as u64
                        )
                        .max(MIN_WAIT)
                    })
            } else {
                IDLE
            };
            let woken = signal.wait(wait);
            // A timeout means a retry is due (or the safety net): look again either way.
            due = woken || !signal.stopped();
        }
    }
}

fn known_ids(state: Option<&MondayPoState>) -> KnownIds {
    let Some(s) = state else {
        return KnownIds::default();
    };
    KnownIds {
        item_id: s.item_id.clone(),
        subitem_ids: serde_json::from_str::<BTreeMap<String, Vec<String>>>(&s.subitem_ids)
            .unwrap_or_default(),
    }
}

/// The board item of one PO: the PO view's row, its documents' fields and lines, links.
fn po_item(
    store: &Store,
    source: i64,
    po: &boxkeeper_store::PurchaseOrder,
    verdict: Option<&PoReconciliationRow>,
) -> Result<PoItem> {
    let filter = DocumentFilter {
        project: Some(po.project_number.clone()),
        po: Some(po.po_number.clone()),
        sort: DocumentSort::Oldest,
        ..DocumentFilter::default()
    };
    let invoice_status = verdict.map_or(LineStatus::Pending, |v| line_status(&v.status));
    let mut lines = Vec::new();
    let mut description = None;
    let mut vendor = po.vendor.clone();
    let mut tax_form = None;
    for doc in store.documents(source, &filter, 0, 100_000)? {
        if doc.deleted || doc.review == "rejected" {
            continue;
        }
        let kind = doc.name_type.as_deref().unwrap_or("");
        if kind.starts_with('W') {
            // The newest tax form (documents come oldest first).
            tax_form = doc.share_link.clone().or(tax_form);
            continue;
        }
        let (is_invoice, is_receipt) = (kind == "INVOICE", kind == "RECEIPT");
        if !is_invoice && !is_receipt {
            continue;
        }
        let Some(detail) = store.document(doc.id)? else {
            continue;
        };
        let field = |name: &str| {
            detail
                .fields
                .iter()
                .find(|f| f.name == name)
                .and_then(|f| f.value.clone())
                .filter(|v| !v.trim().is_empty())
        };
        if vendor.is_none() {
            vendor = field("vendor_name");
        }
        let doc_description = field("description");
        if description.is_none() && is_invoice {
            description = doc_description.clone();
        }
        let file_number = doc.file_number.clone().unwrap_or_else(|| {
            // A receipt named without a file number: its name stands in.
            let name = doc.path.rsplit('/').next().unwrap_or(&doc.path);
            name.rsplit_once('.')
                .map_or(name, |(stem, _)| stem)
                .to_string()
        });
        let status = if is_receipt {
            // Card and petty-cash spending is paid when the receipt exists.
            LineStatus::Paid
        } else {
            invoice_status
        };
        let due_date = field("due_date").or_else(|| {
            verdict
                .filter(|_| is_invoice)
                .and_then(|v| v.due_date.clone())
        });
        let file_link = link(doc.share_link.clone(), "Open the file");
        if detail.lines.is_empty() {
            lines.push(LineSubitem {
                file_number,
                status,
                description: doc_description.or_else(|| field("vendor_name")),
                quantity: None,
                rate: decimal(field("total")),
                date: field("invoice_date"),
                due_date,
                account_code: None,
                file_link,
            });
        } else {
            for l in &detail.lines {
                let (quantity, rate) =
                    line_money(l.quantity.clone(), l.unit_price.clone(), l.amount.clone());
                lines.push(LineSubitem {
                    file_number: file_number.clone(),
                    status,
                    description: l.description.clone().or_else(|| doc_description.clone()),
                    quantity,
                    rate,
                    date: l.date.clone().or_else(|| field("invoice_date")),
                    due_date: due_date.clone(),
                    account_code: l.account_code.clone(),
                    file_link: file_link.clone(),
                });
            }
        }
    }
    Ok(PoItem {
        project: po.project_number.clone(),
        po_number: po.po_number.clone(),
        vendor: vendor.unwrap_or_default(),
        description,
        status: po_status(&po.status),
        tax_form_link: link(tax_form, "Tax form"),
        folder_link: link(po.folder_link.clone(), "PO folder"),
        contact_link: None,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(kind: Option<MondayErrorKind>, tries: i64) -> MondayPoState {
        MondayPoState {
            project_number: "2416".into(),
            po_number: "07".into(),
            item_id: Some("1".into()),
            subitem_ids: r#"{"01":["2","3"]}"#.into(),
            digest: Some("old".into()),
            synced_ms: Some(1),
            error: kind.map(|_| "boom".into()),
            error_kind: kind,
            tried_digest: Some("tried".into()),
            tries,
            next_try_ms: Some(100),
        }
    }

    #[test]
    fn only_changed_or_due_pos_are_sent() {
        assert!(is_due(None, "d", 0));
        assert!(!is_due(Some(&state(None, 0)), "old", 0));
        assert!(is_due(Some(&state(None, 0)), "new", 0));
        let retrying = state(Some(MondayErrorKind::Retrying), 2);
        assert!(!is_due(Some(&retrying), "old", 99), "not yet");
        assert!(is_due(Some(&retrying), "old", 100));
        let out_of_tries = state(Some(MondayErrorKind::Retrying), MAX_TRIES);
        assert!(
            !is_due(Some(&out_of_tries), "new", 1000),
            "waits for a person"
        );
        let own = state(Some(MondayErrorKind::Item), 1);
        assert!(!is_due(Some(&own), "tried", 1000));
        assert!(is_due(Some(&own), "fixed", 1000), "its data changed");
    }

    #[test]
    fn states_read_as_the_po_view_shows_them() {
        assert_eq!(row_state(None, "d").state, MondaySyncState::Pending);
        assert_eq!(
            row_state(Some(&state(None, 0)), "old").state,
            MondaySyncState::Synced
        );
        assert_eq!(
            row_state(Some(&state(None, 0)), "new").state,
            MondaySyncState::Pending
        );
        let r = row_state(Some(&state(Some(MondayErrorKind::Retrying), 1)), "old");
        assert_eq!(
            (r.state, r.message.as_deref()),
            (MondaySyncState::Retrying, Some("boom"))
        );
        let r = row_state(
            Some(&state(Some(MondayErrorKind::Retrying), MAX_TRIES)),
            "old",
        );
        assert_eq!(r.state, MondaySyncState::Failed);
        let r = row_state(Some(&state(Some(MondayErrorKind::Item), 1)), "tried");
        assert_eq!(r.state, MondaySyncState::Failed);
    }

    #[test]
    fn stored_ids_come_back_as_known_ids() {
        let k = known_ids(Some(&state(None, 0)));
        assert_eq!(k.item_id.as_deref(), Some("1"));
        assert_eq!(k.subitem_ids["01"], vec!["2".to_string(), "3".to_string()]);
    }

    #[test]
    fn a_line_without_a_unit_price_shows_its_amount() {
        let s = |v: &str| Some(v.to_string());
        // Exact to the cent: amount / quantity.
        assert_eq!(line_money(s("5"), None, s("600.00")), (s("5"), s("120.00")));
        assert_eq!(
            line_money(s("2.5"), None, s("300.25")),
            (s("2.5"), s("120.10"))
        );
        assert_eq!(line_money(s("-2"), None, s("-50")), (s("-2"), s("25.00")));
        // Not exact, or a zero quantity: one at the whole amount.
        assert_eq!(line_money(s("3"), None, s("100.00")), (s("1"), s("100.00")));
        assert_eq!(line_money(s("0"), None, s("100.00")), (s("1"), s("100.00")));
        // A unit price wins; an amount alone is the rate; nothing is nothing.
        assert_eq!(
            line_money(s("3"), s("33.333"), s("100.00")),
            (s("3"), s("33.333"))
        );
        assert_eq!(line_money(None, None, s("86.40")), (None, s("86.40")));
        assert_eq!(line_money(s("2"), None, None), (s("2"), None));
    }

    #[test]
    fn a_value_the_board_cannot_take_is_sent_as_written_not_rewritten() {
        // The sync refuses these as the line's error; stripping characters would send
        // 1.23450 for a European 1.234,50.
        assert_eq!(
            decimal(Some("1.234,50".into())).as_deref(),
            Some("1.234,50")
        );
        assert_eq!(
            decimal(Some("$1,234.50".into())).as_deref(),
            Some("$1,234.50")
        );
        assert_eq!(decimal(Some(" 12.50 ".into())).as_deref(), Some("12.50"));
        assert_eq!(decimal(Some("  ".into())), None);
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            line_money(s("2"), None, s("$1,200")),
            (s("1"), s("$1,200")),
            "an amount the store cannot read is not divided"
        );
    }

    #[test]
    fn retries_back_off_up_to_a_cap() {
        assert_eq!(retry_delay(1), RETRY_BASE);
        assert_eq!(retry_delay(2), RETRY_BASE * 2);
        assert_eq!(retry_delay(30), RETRY_CAP);
    }

    #[test]
    fn the_mapping_survives_the_round_trip_and_names_its_fields() {
        let m = MondayMapping {
            project: "text_project".into(),
            po_number: " text_po ".into(),
            file_number: "text_file".into(),
            ..MondayMapping::default()
        };
        let c = to_columns("123", &m);
        assert_eq!(c.item.po_number, "text_po");
        assert_eq!(c.item.contact_link, None);
        assert_eq!(from_columns(&c).project, "text_project");
        assert_eq!(key_of(Field::DueDate), "due_date");
    }
}
