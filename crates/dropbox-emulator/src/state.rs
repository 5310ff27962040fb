//! Shared emulator state: the namespace, OAuth codes and tokens, faults and settings.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::model::Namespace;

/// A fault to inject into the next requests of one route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `Retry-After: secs` and a `too_many_requests` body.
    RateLimit { retry_after: u64 },
    /// HTTP 429 with `Retry-After: secs` and a `too_many_write_operations` body (namespace
    /// write contention).
    WriteRateLimit { retry_after: u64 },
    /// A bare HTTP status (e.g. 500, 503) with a plain-text body.
    Status(u16),
    /// Close the connection without sending a response.
    Drop,
    /// Wait this long, then answer normally.
    Delay(Duration),
}

/// Team-space membership (see the crate doc, "Team spaces"): the account's root namespace is
/// a team space whose top level holds the member's home folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSpace {
    /// Name of the member's home folder at the top of the team space (one path segment, no
    /// `/`); `root_info.home_path` is `/` followed by it.
    pub home_folder: String,
    /// Report `root_info` with `.tag` `user` (still with `home_path` and distinct namespace
    /// ids), as members of teams on the updated team space (Dropbox, November 2023) get,
    /// instead of `.tag` `team`. The path roots behave the same either way.
    pub user_root_info: bool,
}

impl TeamSpace {
    /// A member whose home folder is `/<home_folder>`, reported with `root_info` `.tag` `team`.
    pub fn new(home_folder: impl Into<String>) -> Self {
        TeamSpace {
            home_folder: home_folder.into(),
            user_root_info: false,
        }
    }
}

impl Default for TeamSpace {
    /// Home folder `/Emulated User` (the default account's display name).
    fn default() -> Self {
        TeamSpace::new("Emulated User")
    }
}

/// Which part of the namespace tree a request addresses (from `Dropbox-API-Path-Root`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RootKind {
    /// The whole tree: the root namespace (the team space in team mode, else the account).
    Whole,
    /// The member's home folder inside the team space (team mode only).
    Home,
}

/// The folder a [`RootKind`] stands for, as a prefix of whole-tree paths ("" for the whole
/// tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prefix {
    /// path_lower of the folder ("" for the whole tree).
    pub lower: String,
    /// path_display of the folder ("" for the whole tree).
    pub display: String,
}

impl Prefix {
    pub fn whole() -> Self {
        Prefix {
            lower: String::new(),
            display: String::new(),
        }
    }

    /// A whole-tree path for `rel` (`""`, `/a/b`); `id:` and other non-path forms unchanged.
    pub fn full(&self, rel: &str) -> String {
        if self.display.is_empty() || !(rel.is_empty() || rel.starts_with('/')) {
            rel.to_string()
        } else {
            format!("{}{rel}", self.display)
        }
    }

    /// Whether the whole-tree key `key` is strictly inside the folder.
    pub fn inside(&self, key: &str) -> bool {
        self.lower.is_empty()
            || key
                .strip_prefix(self.lower.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Whether `key` is the folder itself or inside it.
    pub fn covers(&self, key: &str) -> bool {
        key == self.lower || self.inside(key)
    }

    /// `path` without the folder's leading segments (`/Home/a` -> `/a`).
    fn strip(&self, path: &str) -> String {
        let depth = self.lower.matches('/').count();
        match path.match_indices('/').nth(depth) {
            Some((i, _)) => path[i..].to_string(),
            None => String::new(),
        }
    }

    /// Metadata (or a deleted entry) as seen from this folder: its `path_lower` and
    /// `path_display` made relative; None when the entry is outside the folder or is the
    /// folder itself.
    pub fn visible(&self, mut v: Value) -> Option<Value> {
        if self.lower.is_empty() {
            return Some(v);
        }
        let lower = v.get("path_lower")?.as_str()?.to_string();
        if !self.inside(&lower) {
            return None;
        }
        v["path_lower"] = Value::String(self.strip(&lower));
        if let Some(display) = v.get("path_display").and_then(Value::as_str) {
            let rel = self.strip(display);
            v["path_display"] = Value::String(rel);
        }
        Some(v)
    }

    /// Like [`Prefix::visible`] for entries known to be inside; others are returned as they are.
    pub fn rel(&self, v: Value) -> Value {
        match self.visible(v.clone()) {
            Some(mapped) => mapped,
            None => v,
        }
    }
}

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Lifetime of issued access tokens (`expires_in`); Dropbox uses 4 hours.
    pub access_token_lifetime: Duration,
    /// Scopes returned by the code exchange.
    pub scope: String,
    pub email: String,
    pub given_name: String,
    pub surname: String,
    /// Largest body accepted by `files/upload` and by one upload-session call (Dropbox: 150 MiB);
    /// larger bodies get 409 `payload_too_large`.
    pub max_upload_bytes: usize,
    /// Some: the account is a member of a team space (root namespace != home namespace, a home
    /// folder at `/<home_folder>` of the tree). None (default): a personal account.
    pub team: Option<TeamSpace>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            access_token_lifetime: Duration::from_secs(14400),
            scope: "account_info.read files.content.read files.content.write files.metadata.read files.metadata.write sharing.read sharing.write".into(),
            email: "emulated.user@example.com".into(),
            given_name: "Emulated".into(),
            surname: "User".into(),
            max_upload_bytes: 150 * 1024 * 1024,
            team: None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub expires_at: Instant,
    pub refresh: Option<String>,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub client_id: String,
    pub revoked: bool,
}

/// One request the emulator answered (or dropped), in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// The path without the query, e.g. `/2/files/upload`.
    pub path: String,
    /// The status sent; None when the connection was dropped by a fault.
    pub status: Option<u16>,
    /// When the answer was sent (or the connection dropped).
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct UploadSession {
    pub data: Vec<u8>,
    pub closed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: Option<String>,
    /// (challenge, method) when PKCE is used.
    pub challenge: Option<(String, String)>,
    pub used: bool,
    pub offline: bool,
}

/// Why an access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Invalid,
    Expired,
}

#[derive(Debug)]
pub(crate) struct State {
    pub ns: Namespace,
    pub codes: HashMap<String, AuthCode>,
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    pub faults: HashMap<String, VecDeque<Fault>>,
    pub longpoll_backoff: Option<u64>,
    /// How long one "second" of a longpoll timeout lasts (tests shorten it).
    pub longpoll_second: Duration,
    /// API requests answered so far.
    pub requests: Vec<RequestRecord>,
    /// Open upload sessions by session id.
    pub sessions: HashMap<String, UploadSession>,
    /// Temporary links: token -> file id.
    pub temp_links: HashMap<String, String>,
    /// Shared links by file/folder id.
    pub links: BTreeMap<String, String>,
    pub account_id: String,
    pub uid: String,
    /// The root namespace id (the team space's in team mode).
    pub namespace_id: String,
    /// The home namespace id: `namespace_id` for a personal account, another one in team mode.
    pub home_namespace_id: String,
    /// Team mode: the id of the member's home folder node, and its path at start (used if the
    /// folder is gone).
    pub home: Option<(String, String)>,
    counter: u64,
    seed: u64,
}

/// Everything the routes share.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    pub changed: watch::Sender<usize>,
    pub config: Config,
}

fn random_seed() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}

impl Shared {
    pub fn new(config: Config) -> Self {
        let seed = random_seed();
        let mut s = State {
            ns: Namespace::new(seed),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            faults: HashMap::new(),
            longpoll_backoff: None,
            longpoll_second: Duration::from_secs(1),
            links: BTreeMap::new(),
            sessions: HashMap::new(),
            requests: Vec::new(),
            temp_links: HashMap::new(),
            account_id: String::new(),
            uid: String::new(),
            namespace_id: String::new(),
            home_namespace_id: String::new(),
            home: None,
            counter: 0,
            seed,
        };
        s.account_id = format!("dbid:AA{}", s.random_token(33));
        s.uid = format!("{}", 10_000_000 + seed % 90_000_000);
        s.namespace_id = format!("{}", 1_000_000_000 + (seed >> 8) % 9_000_000_000);
        s.home_namespace_id = s.namespace_id.clone();
        if let Some(team) = &config.team {
            // A distinct home namespace id, like Dropbox's (decimal, same magnitude).
            s.home_namespace_id = format!("{}", 1_000_000_000 + (seed >> 20) % 9_000_000_000);
            if s.home_namespace_id == s.namespace_id {
                s.home_namespace_id = format!("{}1", s.namespace_id);
            }
            let path = format!("/{}", team.home_folder);
            // The home folder exists from the start: created without a change-log entry.
            if let Ok(meta) = s.ns.create_folder(&path, false) {
                s.ns.log.clear();
                let id = meta["id"].as_str().unwrap_or_default().to_string();
                s.home = Some((id, path));
            }
        }
        let (changed, _) = watch::channel(0);
        Shared {
            state: Mutex::new(s),
            changed,
            config,
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent enough data for a test double.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the state and wakes longpolls if the log grew.
    pub fn mutate<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let (out, len) = {
            let mut s = self.lock();
            let out = f(&mut s);
            (out, s.ns.log.len())
        };
        self.changed.send_if_modified(|v| {
            let grew = *v != len;
            *v = len;
            grew
        });
        out
    }

    /// The next fault for `route`, else the next fault for every route (`*`).
    pub fn take_fault(&self, route: &str) -> Option<Fault> {
        let mut s = self.lock();
        let key = if s.faults.contains_key(route) {
            route
        } else {
            "*"
        };
        let q = s.faults.get_mut(key)?;
        let f = q.pop_front();
        if q.is_empty() {
            s.faults.remove(key);
        }
        f
    }

    /// Records an API request (not control requests) for [`crate::Emulator::requests`].
    pub fn record(&self, method: &str, path: &str, status: Option<u16>) {
        self.lock().requests.push(RequestRecord {
            method: method.to_string(),
            path: path.to_string(),
            status,
            at: Instant::now(),
        });
    }
}

impl State {
    /// An unguessable url-safe token of `len` characters.
    pub fn random_token(&mut self, len: usize) -> String {
        let mut out = String::new();
        while out.len() < len {
            self.counter += 1;
            let mut h = Sha256::new();
            h.update(self.seed.to_le_bytes());
            h.update(self.counter.to_le_bytes());
            h.update(random_seed().to_le_bytes());
            out.push_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize()));
        }
        out.truncate(len);
        out
    }

    pub fn issue_access(&mut self, lifetime: Duration, refresh: Option<String>) -> String {
        let token = format!("sl.u.{}", self.random_token(140));
        self.access.insert(
            token.clone(),
            AccessToken {
                expires_at: Instant::now() + lifetime,
                refresh,
                revoked: false,
            },
        );
        token
    }

    pub fn issue_refresh(&mut self, client_id: &str) -> String {
        let token = self.random_token(64);
        self.refresh.insert(
            token.clone(),
            RefreshToken {
                client_id: client_id.to_string(),
                revoked: false,
            },
        );
        token
    }

    pub fn check_access(&self, token: &str) -> Result<(), TokenProblem> {
        match self.access.get(token) {
            None => Err(TokenProblem::Invalid),
            Some(t) if t.revoked => Err(TokenProblem::Invalid),
            Some(t)
                if t.refresh
                    .as_ref()
                    .is_some_and(|r| self.refresh.get(r).is_none_or(|r| r.revoked)) =>
            {
                Err(TokenProblem::Invalid)
            }
            Some(t) if Instant::now() >= t.expires_at => Err(TokenProblem::Expired),
            Some(_) => Ok(()),
        }
    }

    /// token/revoke: the access token, its refresh token and that refresh token's other
    /// access tokens.
    pub fn revoke_access(&mut self, token: &str) {
        let refresh = self.access.get(token).and_then(|t| t.refresh.clone());
        if let Some(t) = self.access.get_mut(token) {
            t.revoked = true;
        }
        if let Some(r) = refresh {
            self.revoke_refresh(&r);
        }
    }

    pub fn revoke_refresh(&mut self, token: &str) -> bool {
        match self.refresh.get_mut(token) {
            Some(r) => {
                r.revoked = true;
                for t in self.access.values_mut() {
                    if t.refresh.as_deref() == Some(token) {
                        t.revoked = true;
                    }
                }
                true
            }
            None => false,
        }
    }

    pub fn expire_all_access(&mut self) {
        let now = Instant::now();
        for t in self.access.values_mut() {
            t.expires_at = now;
        }
    }

    /// The home folder's current path in the whole tree (`/<home folder>`), `""` for a
    /// personal account (whose root is its home).
    pub fn home_path(&self) -> String {
        match &self.home {
            None => String::new(),
            Some((id, start_path)) => self
                .ns
                .get(id)
                .map(|n| n.path_display.clone())
                .unwrap_or_else(|_| start_path.clone()),
        }
    }

    /// The folder `root` addresses.
    pub fn prefix(&self, root: RootKind) -> Prefix {
        match (root, &self.home) {
            (RootKind::Home, Some(_)) => {
                let display = self.home_path();
                Prefix {
                    lower: display.to_lowercase(),
                    display,
                }
            }
            _ => Prefix::whole(),
        }
    }

    /// The `RootInfo` of `users/get_current_account` and of 422 `invalid_root` errors.
    pub fn root_info(&self, config: &Config) -> Value {
        match &config.team {
            None => serde_json::json!({
                ".tag": "user",
                "root_namespace_id": self.namespace_id,
                "home_namespace_id": self.home_namespace_id,
            }),
            Some(team) => serde_json::json!({
                ".tag": if team.user_root_info { "user" } else { "team" },
                "root_namespace_id": self.namespace_id,
                "home_namespace_id": self.home_namespace_id,
                "home_path": self.home_path(),
            }),
        }
    }

    pub fn account_json(&self, config: &Config) -> Value {
        let display = format!("{} {}", config.given_name, config.surname);
        let abbrev: String = [&config.given_name, &config.surname]
            .iter()
            .filter_map(|s| s.chars().next())
            .collect();
        serde_json::json!({
            "account_id": self.account_id,
            "name": {
                "given_name": config.given_name,
                "surname": config.surname,
                "familiar_name": config.given_name,
                "display_name": display,
                "abbreviated_name": abbrev,
            },
            "email": config.email,
            "email_verified": true,
            "disabled": false,
            "country": "GB",
            "locale": "en",
            "referral_link": format!("https://www.dropbox.com/referrals/{}?src=app9-1", self.uid),
            "is_paired": false,
            "account_type": {".tag": if config.team.is_some() { "business" } else { "basic" }},
            "root_info": self.root_info(config),
        })
    }
}
