//! Dropbox in the workspace: the connection settings (app key, redirect port, home or team
//! space, folder, server), connecting through OAuth (the browser's loopback redirect or a
//! pasted code), the refresh token in the secret store, and the change feed of
//! boxkeeper-dropbox run as the workspace's source, with a status the window shows. The app
//! runs the feed on a thread; `boxkeeper sync` runs the same loop in the foreground.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use boxkeeper_dropbox::{
    AccessToken, AuthorizationAnswer, ChangeFeed, Client, Endpoints, Failure, FeedError,
    FeedProgress, LoopbackRedirect, OAuthApp, OAuthError, PendingAuthorization, RefreshToken,
    RetryPolicy, TokenSource,
};
use boxkeeper_store::{SourceKind, Store};
use serde::{Deserialize, Serialize};

use crate::dto::{
    ConnectStart, DropboxConfig, DropboxState, DropboxStatus, EventRow, FeedChange, SourceState,
};
use crate::secrets::{SecretPlace, SecretStore};
use crate::workspace::{lock, SourceChoice};
use crate::{ApiError, Notice, Result, Workspace};

const REFRESH_TOKEN: &str = "dropbox-refresh-token";
const CONFIG: &str = "dropbox.config";
const CONNECTION: &str = "dropbox.connection";
/// How long the app waits for the browser to come back after the authorize page opened.
const REDIRECT_WAIT: Duration = Duration::from_secs(600);
/// Longpoll timeout: Dropbox allows 30..480 s; 30 keeps a dead connection short-lived.
const LONGPOLL_S: u64 = 30;

/// Who is connected, remembered between starts (no secret in it).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Connection {
    account_id: String,
    display_name: String,
    email: String,
    /// The team space root namespace, when the user follows the team space.
    path_root: Option<String>,
}

/// The connection attempt in progress and the running feed.
#[derive(Default)]
pub(crate) struct DropboxRuntime {
    pending: Option<(OAuthApp, PendingAuthorization)>,
    /// Start following Dropbox once connected (the app does; `boxkeeper connect` does not).
    follow_after_connect: bool,
    /// Stops the loopback wait of the pending attempt.
    redirect_cancel: Option<Arc<AtomicBool>>,
    feed_stop: Option<Arc<AtomicBool>>,
    /// A client for document downloads while the feed runs (it shares the feed's tokens).
    pub(crate) downloads: Option<Arc<Client>>,
    /// The share-link worker (it uses `downloads` while the feed runs).
    pub(crate) share_links: crate::links::LinkRuntime,
}

/// Everything the feed needs, resolved from the settings, the stored connection and the
/// secret store (or the command line).
#[derive(Clone)]
pub struct DropboxSettings {
    pub endpoints: Endpoints,
    pub folder: String,
    pub path_root: Option<String>,
    pub tokens: Arc<TokenSource>,
}

/// Command-line overrides of the stored settings (`boxkeeper sync --api-base ...`).
#[derive(Clone, Debug, Default)]
pub struct DropboxOverrides {
    pub api_base: Option<String>,
    pub content_base: Option<String>,
    pub notify_base: Option<String>,
    pub folder: Option<String>,
    /// A fixed access token (`BOXKEEPER_DROPBOX_TOKEN`) instead of the stored connection.
    pub access_token: Option<AccessToken>,
}

impl DropboxConfig {
    pub fn endpoints(&self) -> Endpoints {
        let d = Endpoints::dropbox();
        let pick = |o: &Option<String>, default: String| {
            o.as_deref()
                .map(|s| s.trim().trim_end_matches('/'))
                .filter(|s| !s.is_empty())
                .map_or(default, str::to_string)
        };
        Endpoints {
            api: pick(&self.api_base, d.api),
            content: pick(&self.content_base, d.content),
            notify: pick(&self.notify_base, d.notify),
            authorize: pick(&self.authorize_base, d.authorize),
        }
    }

    /// Takes what `overrides` sets. The authorize page lives with the API host (Dropbox
    /// splits them, another server does not).
    pub fn apply(&mut self, overrides: &DropboxOverrides) {
        if let Some(b) = &overrides.api_base {
            self.api_base = Some(b.clone());
            self.authorize_base = Some(b.clone());
        }
        if let Some(b) = &overrides.content_base {
            self.content_base = Some(b.clone());
        }
        if let Some(b) = &overrides.notify_base {
            self.notify_base = Some(b.clone());
        }
        if let Some(f) = &overrides.folder {
            self.folder = f.clone();
        }
    }

    /// The folder as the API wants it: "" for the root, else "/a/b" without a trailing slash.
    pub fn normalized_folder(folder: &str) -> String {
        let f = folder.trim().trim_end_matches('/');
        if f.is_empty() {
            String::new()
        } else if f.starts_with('/') {
            f.to_string()
        } else {
            format!("/{f}")
        }
    }
}

impl Workspace {
    fn secrets(&self) -> SecretStore {
        SecretStore::new(&self.paths().dir)
    }

    /// The saved connection settings (defaults when none).
    pub fn dropbox_config(&self) -> Result<DropboxConfig> {
        let raw = lock(&self.inner.reader).setting(CONFIG)?;
        Ok(raw
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default())
    }

    fn save_config(&self, config: &DropboxConfig) -> Result<()> {
        let json = serde_json::to_string(config).expect("settings serialize");
        lock(&self.inner.reader).set_setting(CONFIG, &json)?;
        Ok(())
    }

    fn connection(&self) -> Result<Option<Connection>> {
        let raw = lock(&self.inner.reader).setting(CONNECTION)?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    /// Whether a connection is stored (a refresh token and who it belongs to).
    pub fn dropbox_connected(&self) -> Result<bool> {
        Ok(self.connection()?.is_some() && self.secrets().load(REFRESH_TOKEN)?.is_some())
    }

    pub(crate) fn initial_dropbox_status(&self) -> DropboxStatus {
        let config = self.dropbox_config().unwrap_or_default();
        let connection = self.connection().ok().flatten();
        let warning = self
            .secrets()
            .load(REFRESH_TOKEN)
            .ok()
            .flatten()
            .and_then(|(_, place)| place.warning());
        DropboxStatus {
            connected: connection.is_some(),
            account: connection.as_ref().map(account_label),
            team_space: connection.as_ref().is_some_and(|c| c.path_root.is_some()),
            state: if connection.is_some() {
                DropboxState::Idle
            } else {
                DropboxState::Disconnected
            },
            entries: 0,
            wait_s: None,
            message: None,
            warning,
            authorize_url: None,
            config,
        }
    }

    fn set_dropbox(&self, change: impl FnOnce(&mut DropboxStatus)) {
        self.set_status(|s| change(&mut s.dropbox));
    }

    /// Starts connecting: saves `config`, makes a fresh state and PKCE verifier, and returns
    /// the authorize page to open. With a redirect port, a loopback listener waits for the
    /// browser and finishes by itself; without, [`Workspace::dropbox_connect_paste`] does.
    pub fn dropbox_connect_begin(
        &self,
        mut config: DropboxConfig,
        follow: bool,
    ) -> Result<ConnectStart> {
        config.folder = DropboxConfig::normalized_folder(&config.folder);
        config.app_key = config.app_key.trim().to_string();
        self.save_config(&config)?;
        let app = OAuthApp {
            app_key: config.app_key.clone(),
            endpoints: config.endpoints(),
        };
        let mut rt = lock(&self.inner.dropbox);
        if let Some(cancel) = rt.redirect_cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        let (pending, cancel) = match config.redirect_port {
            Some(port) => {
                let redirect = LoopbackRedirect::bind(port)?;
                let pending = app.authorize(Some(&redirect.redirect_uri()))?;
                let cancel = Arc::new(AtomicBool::new(false));
                let this = self.clone();
                let stop = cancel.clone();
                std::thread::Builder::new()
                    .name("dropbox-redirect".into())
                    .spawn(move || match redirect.wait(REDIRECT_WAIT, &stop) {
                        Ok(answer) => {
                            if let Err(e) = this.dropbox_connect_finish(&answer) {
                                tracing::warn!(error = %e, "connecting Dropbox failed");
                            }
                        }
                        Err(OAuthError::Cancelled) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "no answer from the browser");
                            this.connect_failed(&e.to_string());
                        }
                    })
                    .map_err(|source| ApiError::Io {
                        what: "cannot start a thread for",
                        path: "the Dropbox redirect".into(),
                        source,
                    })?;
                (pending, Some(cancel))
            }
            None => (app.authorize(None)?, None),
        };
        let start = ConnectStart {
            authorize_url: pending.url.clone(),
            waits_for_redirect: cancel.is_some(),
        };
        rt.pending = Some((app, pending));
        rt.redirect_cancel = cancel;
        rt.follow_after_connect = follow;
        drop(rt);
        tracing::info!(
            waits_for_redirect = start.waits_for_redirect,
            "connecting Dropbox: authorize page ready"
        );
        let url = start.authorize_url.clone();
        self.set_dropbox(|d| {
            d.config = config;
            d.state = DropboxState::Connecting;
            d.message = None;
            d.authorize_url = Some(url);
        });
        Ok(start)
    }

    /// Gives up the connection attempt in progress: the loopback listener stops, the state
    /// goes back to what it was. A code that arrives later is refused.
    pub fn dropbox_connect_cancel(&self) {
        {
            let mut rt = lock(&self.inner.dropbox);
            if let Some(cancel) = rt.redirect_cancel.take() {
                cancel.store(true, Ordering::Relaxed);
            }
            rt.pending = None;
        }
        self.set_dropbox(|d| {
            if d.state == DropboxState::Connecting {
                d.state = if d.connected {
                    DropboxState::Idle
                } else {
                    DropboxState::Disconnected
                };
            }
            d.authorize_url = None;
            d.message = None;
        });
    }

    /// Finishes connecting with what the user pasted: the code Dropbox showed, or the whole
    /// redirect URL.
    pub fn dropbox_connect_paste(&self, text: &str) -> Result<()> {
        let answer = AuthorizationAnswer::pasted(text)?;
        self.dropbox_connect_finish(&answer)
    }

    fn connect_failed(&self, why: &str) {
        self.set_dropbox(|d| {
            d.state = if d.connected {
                DropboxState::Idle
            } else {
                DropboxState::Disconnected
            };
            d.authorize_url = None;
            d.message = Some(why.to_string());
        });
    }

    fn dropbox_connect_finish(&self, answer: &AuthorizationAnswer) -> Result<()> {
        let result = self.connect_with(answer);
        if let Err(e) = &result {
            self.connect_failed(&e.to_string());
        }
        result
    }

    fn connect_with(&self, answer: &AuthorizationAnswer) -> Result<()> {
        let ((app, pending), follow) = {
            let mut rt = lock(&self.inner.dropbox);
            if let Some(cancel) = rt.redirect_cancel.take() {
                cancel.store(true, Ordering::Relaxed);
            }
            let pending = rt.pending.take().ok_or_else(|| {
                ApiError::NotConnected(
                    "no connection attempt is in progress: press Connect first".into(),
                )
            })?;
            (pending, rt.follow_after_connect)
        };
        let config = self.dropbox_config()?;
        let grant = app.exchange(pending, answer)?;
        let refresh = grant
            .refresh
            .clone()
            .expect("exchange checks the refresh token");
        let tokens = Arc::new(TokenSource::refreshing(
            app.clone(),
            refresh.clone(),
            Some(grant),
        ));
        let client = Client::with_tokens(app.endpoints.clone(), tokens.clone());
        let account = client
            .current_account()
            .map_err(|e| ApiError::Dropbox(FeedError::Dropbox(e)))?;
        let mut message = None;
        let path_root = if config.team_space {
            if account.root_info.has_team_space() {
                Some(account.root_info.root_namespace_id.clone())
            } else {
                message = Some("This account has no team space: following its home.".into());
                None
            }
        } else {
            None
        };
        let place = self.secrets().save(REFRESH_TOKEN, &refresh.0)?;
        if let SecretPlace::File { keyring_error, .. } = &place {
            tracing::warn!(reason = %keyring_error, "no keyring: the refresh token is kept in a private file");
        }
        let connection = Connection {
            account_id: account.account_id.clone(),
            display_name: account.name.display_name.clone(),
            email: account.email.clone(),
            path_root,
        };
        lock(&self.inner.reader).set_setting(
            CONNECTION,
            &serde_json::to_string(&connection).expect("connection serializes"),
        )?;
        tracing::info!(account_id = %connection.account_id, team_space = connection.path_root.is_some(), "Dropbox connected");
        self.set_dropbox(|d| {
            d.connected = true;
            d.account = Some(account_label(&connection));
            d.team_space = connection.path_root.is_some();
            d.warning = place.warning();
            d.authorize_url = None;
            d.message = message;
            d.state = DropboxState::Idle;
        });
        if follow {
            self.follow_dropbox_with(Some(tokens))?;
        }
        Ok(())
    }

    /// Makes Dropbox the workspace's source and starts its feed on a thread (the folder watch
    /// stops). Remembered: the app starts on Dropbox next time.
    pub fn follow_dropbox(&self) -> Result<()> {
        self.follow_dropbox_with(None)
    }

    fn follow_dropbox_with(&self, tokens: Option<Arc<TokenSource>>) -> Result<()> {
        let settings = self.dropbox_settings(&DropboxOverrides::default(), tokens)?;
        self.stop_watching();
        self.remember_source(SourceChoice::Dropbox)?;
        let stop = Arc::new(AtomicBool::new(false));
        if let Some(old) = lock(&self.inner.dropbox).feed_stop.replace(stop.clone()) {
            old.store(true, Ordering::Relaxed);
        }
        let this = self.clone();
        std::thread::Builder::new()
            .name("dropbox-feed".into())
            .spawn(move || {
                if let Err(e) = this.run_dropbox_feed(&settings, true, &stop) {
                    tracing::warn!(error = %e, "Dropbox feed stopped");
                }
            })
            .map_err(|source| ApiError::Io {
                what: "cannot start a thread for",
                path: "the Dropbox feed".into(),
                source,
            })?;
        Ok(())
    }

    /// Stops the Dropbox feed, if one runs (it finishes the page or wait it is in).
    pub fn stop_dropbox(&self) {
        let mut rt = lock(&self.inner.dropbox);
        rt.downloads = None;
        rt.share_links.stop();
        if let Some(stop) = rt.feed_stop.take() {
            stop.store(true, Ordering::Relaxed);
        }
    }

    /// Revokes the connection at Dropbox (best effort: a revoked or unreachable token is
    /// still forgotten here), forgets the refresh token, and stops the feed. Recorded events
    /// stay.
    pub fn dropbox_disconnect(&self) -> Result<()> {
        self.stop_dropbox();
        let mut note = None;
        if let Ok(settings) = self.dropbox_settings(&DropboxOverrides::default(), None) {
            let client = client_for(&settings);
            if let Err(e) = client.revoke() {
                tracing::warn!(error = %e, "token not revoked at Dropbox");
                note = Some(format!(
                    "Disconnected here; Dropbox did not confirm the revocation ({e})."
                ));
            }
        }
        self.secrets().delete(REFRESH_TOKEN)?;
        lock(&self.inner.reader).delete_setting(CONNECTION)?;
        tracing::info!("Dropbox disconnected");
        self.set_dropbox(|d| {
            d.connected = false;
            d.account = None;
            d.team_space = false;
            d.warning = None;
            d.state = DropboxState::Disconnected;
            d.wait_s = None;
            d.message = note;
        });
        Ok(())
    }

    /// Resolves what the feed needs: stored settings with `overrides`, and tokens from the
    /// overrides, the caller, or the stored refresh token.
    pub fn dropbox_settings(
        &self,
        overrides: &DropboxOverrides,
        tokens: Option<Arc<TokenSource>>,
    ) -> Result<DropboxSettings> {
        let mut config = self.dropbox_config()?;
        config.apply(overrides);
        let endpoints = config.endpoints();
        let connection = self.connection()?;
        let tokens = match (&overrides.access_token, tokens) {
            (Some(token), _) => Arc::new(TokenSource::fixed(token.clone())),
            (None, Some(tokens)) => tokens,
            (None, None) => {
                let Some((refresh, _)) = self.secrets().load(REFRESH_TOKEN)? else {
                    return Err(ApiError::NotConnected(
                        "Dropbox is not connected: connect it in the app or with `boxkeeper connect`".into(),
                    ));
                };
                Arc::new(TokenSource::refreshing(
                    OAuthApp {
                        app_key: config.app_key.clone(),
                        endpoints: endpoints.clone(),
                    },
                    RefreshToken(refresh),
                    None,
                ))
            }
        };
        Ok(DropboxSettings {
            endpoints,
            folder: DropboxConfig::normalized_folder(&config.folder),
            path_root: if overrides.access_token.is_some() {
                None
            } else {
                connection.and_then(|c| c.path_root)
            },
            tokens,
        })
    }

    /// The change feed loop: sync, then (with `follow`) wait for changes and sync again,
    /// until `stop`. Without `follow`, one sync and its error if any. With `follow`,
    /// failures are shown and retried, except a refused connection, which stops the feed
    /// with "reconnect Dropbox" (nothing stored is touched).
    pub fn run_dropbox_feed(
        &self,
        settings: &DropboxSettings,
        follow: bool,
        stop: &AtomicBool,
    ) -> Result<()> {
        let client = client_for(settings);
        lock(&self.inner.dropbox).downloads = Some(Arc::new(client_for(settings)));
        self.start_share_links()?;
        // Downloads that waited for a connection can go now.
        lock(&self.inner.reader).make_waiting_jobs_due()?;
        self.documents_queued();
        let location = format!(
            "{}{}{}",
            settings.endpoints.api,
            settings
                .path_root
                .as_ref()
                .map(|r| format!("#ns:{r}"))
                .unwrap_or_default(),
            settings.folder
        );
        let mut store = Store::open(&self.paths().db)?;
        let source = store.source_id(SourceKind::Dropbox, &location)?;
        let rules = self.rules();
        let feed = ChangeFeed {
            client: &client,
            source,
            path: settings.folder.clone(),
            rules: &rules,
            retry: RetryPolicy::default(),
        };
        let label = format!(
            "Dropbox{}",
            if settings.folder.is_empty() {
                String::new()
            } else {
                format!(" {}", settings.folder)
            }
        );
        self.set_status(|s| {
            s.source = Some(source);
            s.folder = Some(label.into());
            s.state = SourceState::Scanning;
            s.dropbox.state = DropboxState::Syncing;
            s.dropbox.message = None;
        });
        let progress = |p: FeedProgress| self.on_progress(p);
        let mut pause = Duration::from_secs(2);
        while !stop.load(Ordering::Relaxed) {
            let synced = feed.sync_with(&mut store, &progress);
            match synced {
                Ok(report) => {
                    pause = Duration::from_secs(2);
                    tracing::info!(
                        pages = report.pages,
                        entries = report.entries,
                        events = report.events,
                        relisted = report.relisted,
                        "synced"
                    );
                    if report.events > 0 {
                        self.announce(&store, source, report.events as u64)?;
                    }
                    self.set_status(|s| {
                        s.state = SourceState::Watching;
                        s.last_error = None;
                        s.dropbox.state = DropboxState::UpToDate;
                        s.dropbox.wait_s = None;
                        s.dropbox.message = None;
                    });
                }
                Err(e) => {
                    let e = ApiError::Dropbox(e);
                    if !follow || self.feed_failed(&e) {
                        return Err(e);
                    }
                    sleep_unless_stopped(pause, stop);
                    pause = (pause * 2).min(Duration::from_secs(120));
                    continue;
                }
            }
            if !follow {
                return Ok(());
            }
            match feed.wait_for_changes_with(&store, LONGPOLL_S, &progress) {
                Ok(_) => {}
                Err(e) => {
                    let e = ApiError::Dropbox(e);
                    if self.feed_failed(&e) {
                        return Err(e);
                    }
                    sleep_unless_stopped(pause, stop);
                    pause = (pause * 2).min(Duration::from_secs(120));
                }
            }
        }
        Ok(())
    }

    /// Shows a feed failure. True when the feed must stop (the user has to reconnect).
    fn feed_failed(&self, e: &ApiError) -> bool {
        let refused = matches!(
            e,
            ApiError::Dropbox(FeedError::Dropbox(Failure::Unauthorized(_)))
        );
        tracing::warn!(error = %e, refused, "Dropbox feed");
        let message = e.to_string();
        self.set_status(|s| {
            s.state = SourceState::Error;
            s.last_error = Some(message.clone());
            s.dropbox.state = if refused {
                DropboxState::Reconnect
            } else {
                DropboxState::Error
            };
            s.dropbox.wait_s = None;
            s.dropbox.message = Some(message);
        });
        refused
    }

    fn on_progress(&self, p: FeedProgress) {
        match p {
            FeedProgress::Listing { entries } => self.set_status(|s| {
                s.state = SourceState::Scanning;
                s.dropbox.state = DropboxState::Listing;
                s.dropbox.entries = entries as u32;
                s.dropbox.wait_s = None;
            }),
            FeedProgress::Changes { .. } => {}
            FeedProgress::Waiting { seconds, reason } => self.set_dropbox(|d| {
                d.state = DropboxState::Waiting;
                d.wait_s = Some(seconds as u32);
                d.message = Some(reason);
            }),
        }
    }

    /// Tells the listener about the `appended` events just stored (the newest ones).
    fn announce(&self, store: &Store, source: i64, appended: u64) -> Result<()> {
        let total = store.count_events(source, &Default::default())?;
        let rows: Vec<EventRow> = store
            .events(source, &Default::default(), 0, appended.min(10_000))?
            .into_iter()
            .rev()
            .map(Into::into)
            .collect();
        (self.inner.listener)(Notice::FeedChanged {
            change: FeedChange {
                appended: appended as u32,
                total_events: total as u32,
            },
            rows,
        });
        // New or changed files among them are queued for reading: wake the workers.
        self.documents_queued();
        self.share_links_queued();
        Ok(())
    }
}

fn client_for(settings: &DropboxSettings) -> Client {
    let mut client = Client::with_tokens(settings.endpoints.clone(), settings.tokens.clone());
    client.set_path_root(settings.path_root.clone());
    client
}

fn account_label(c: &Connection) -> String {
    if c.email.is_empty() {
        c.display_name.clone()
    } else {
        format!("{} <{}>", c.display_name, c.email)
    }
}

fn sleep_unless_stopped(total: Duration, stop: &AtomicBool) {
    let until = std::time::Instant::now() + total;
    while std::time::Instant::now() < until && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
    }
}
