//! A stateful emulator of the Dropbox HTTP API v2, for integration tests of Boxkeeper's
//! Dropbox connector. The crate owns: an in-memory namespace (files and folders with stable
//! `id:` ids, hex revs, Dropbox content hashes, case-insensitive paths that keep their display
//! case) and its append-only change log; opaque cursors (base64url of JSON: log position,
//! listed path, recursive flag, page size, epoch) that can be reset; one HTTP port serving the
//! API routes (`/2/files/list_folder`, `/list_folder/continue`, `/list_folder/get_latest_cursor`,
//! `/list_folder/longpoll`, `/upload`, `/upload_session/start`, `/upload_session/append_v2`,
//! `/upload_session/finish`, `/download`, `/get_metadata`, `/get_temporary_link`,
//! `/create_folder_v2`, `/move_v2`, `/delete_v2` under `/2/files/`;
//! `/2/users/get_current_account`, `/2/auth/token/revoke`,
//! `/2/sharing/create_shared_link_with_settings`, `/2/sharing/list_shared_links`), the OAuth
//! endpoints (`GET /oauth2/authorize` approving at once, `POST /oauth2/token` with PKCE and
//! refresh), and test-control routes under `/__control/` (table in `src/control.rs`) that
//! mirror the methods of [`Emulator`]: change files as another client would, issue, expire
//! and revoke tokens, inject faults (429 `too_many_requests` or `too_many_write_operations`,
//! 5xx, dropped connection, delay), reset cursors, set the longpoll backoff, and list the
//! requests received. Start it with [`Emulator::start`] in tests or with the
//! `dropbox-emulator --listen ADDR` binary; every route (API, content, notify, OAuth,
//! control) is on the same port, so point all of the connector's base URLs at
//! [`Emulator::base_url`].
//!
//! # Team spaces
//! By default the account is a personal one: its root namespace is its home, and a
//! `Dropbox-API-Path-Root` header naming that namespace (`{".tag": "root", "root": R}`,
//! `{".tag": "namespace_id", "namespace_id": R}`, `{".tag": "home"}`) changes nothing.
//! With [`Config::team`] (binary: `--team-home NAME`) the account is a member of a team space:
//! - `users/get_current_account` answers `account_type` `business` and `root_info`
//!   `{".tag": "team", "root_namespace_id": R, "home_namespace_id": H, "home_path": "/NAME"}`
//!   with R != H (both decimal strings); with [`TeamSpace::user_root_info`] the `.tag` is
//!   `user` (same fields), as on teams with the updated team space.
//! - The namespace tree is the team space (namespace R); the member's home folder (namespace
//!   H) is the folder `/NAME` at its top, present from the start (without a change-log entry).
//! - Requests without the header, or with `{".tag": "home"}` (also the bare string `"home"`)
//!   or `{".tag": "namespace_id", "namespace_id": H}`, address the home folder: `""` is the
//!   home, paths are relative to it, and every answer's `path_lower`/`path_display` is
//!   relative to it. `{".tag": "root", "root": R}` or `{".tag": "namespace_id",
//!   "namespace_id": R}` address the whole team space, where the home shows as the plain
//!   folder `/NAME`. Ids are the same whichever root is used; an `id:` outside the addressed
//!   root is `not_found`.
//! - Every route that authenticates with a bearer token honours the header: the
//!   `list_folder` family, `upload`, the upload sessions (`finish` commits relative to the
//!   root), `download`, `get_metadata`, `get_temporary_link`, `create_folder_v2`, `move_v2`,
//!   `delete_v2`, the sharing routes; `get_current_account` and `token/revoke` only check it.
//!   A cursor keeps the root it was made with (`continue` and `longpoll` use the cursor's
//!   root whatever header comes with them); `longpoll` ignores the header altogether (the
//!   official SDK sends no custom headers to no-auth routes).
//! - A `root` other than R: HTTP 422 `{"error_summary": "invalid_root/..", "error":
//!   {".tag": "invalid_root", "invalid_root": <root_info>}}`; a `namespace_id` other than R
//!   and H: 422 `{"error_summary": "no_permission/..", "error": {".tag": "no_permission"}}`
//!   (the shapes of `PathRootError` as the official SDK encodes it; the SDK decodes 422
//!   bodies' `error` with `PathRootError`). A malformed header (not JSON, no or unknown
//!   `.tag`, a missing or non-string id, an id not matching `[-_0-9a-zA-Z:]+`) is a 400
//!   `... Dropbox-API-Path-Root: <reason>` in plain text.
//! - The [`Emulator`] methods and the `/__control/` routes address the whole tree (the team
//!   space in team mode), with whole-tree paths in their answers; [`Emulator::home_path`]
//!   (`GET /__control/account`) gives the home folder's path there (`""` for a personal
//!   account), [`Emulator::root_namespace_id`] and [`Emulator::home_namespace_id`] the ids.
//!
//! # Guesses
//! Behaviours not pinned by the samples or the README, and what the emulator does:
//! - A missing `Authorization` header on an authenticated route is a 400 plain-text error
//!   (as real Dropbox answers), not a 401; a present but unknown/revoked token is 401
//!   `invalid_access_token`, an expired one 401 `expired_access_token`.
//! - Request bodies are parsed strictly: unknown fields are a 400 (Dropbox is strict); all
//!   documented optional fields of the implemented routes are accepted and mostly ignored.
//! - 400 bodies read `Error in call to API function "<route>": <reason>`; the reason texts
//!   are approximations.
//! - `error_summary` ends in `/...` for 409 and 401, `/..` for 429 (Dropbox varies the dots).
//! - A recursive listing of a non-root folder includes the folder itself first; entries are
//!   ordered by `path_lower`, which puts parents before children.
//! - `list_folder` without `limit` pages at 2000 entries; `limit` is kept in the cursor and
//!   applies to every `continue`.
//! - `continue` replays the log (every change, in order) instead of consolidating it; after
//!   the first listing's last page, `has_more` is true if changes arrived meanwhile.
//! - Moves keep a file's `rev` and `server_modified`; the moved entries come after the
//!   deleted entry, parents first. A case-only rename changes only the last segment's case.
//! - Uploading identical content (any mode) leaves the file and its rev unchanged and logs
//!   nothing. Autorename picks `name (1).ext`, `name (2).ext`, ... for any conflict.
//!   Uploads and moves create missing parent folders (logged as folder entries).
//! - Upload conflicts answer 409 `{".tag":"path","reason":{...WriteError},"upload_session_id":..}`.
//! - A garbage cursor is a 400; a cursor from before a reset is 409 `reset` (continue and
//!   longpoll). A longpoll on a cursor with pages left answers `changes: true` at once.
//! - Longpoll only reports changes inside the cursor's folder scope; a configured `backoff`
//!   is added to every longpoll answer while set. Longpoll answers exactly at `timeout`
//!   (no random extra), and the length of one timeout second is configurable for tests.
//! - OAuth: any `client_id` is accepted; a code is single use; `code_challenge_method`
//!   defaults to `plain` when a challenge is given without it; without PKCE the token call
//!   needs some `client_secret` (any value); a refresh token is issued only with
//!   `token_access_type=offline`; errors other than bad grants use `invalid_request`,
//!   `invalid_client` or `unsupported_grant_type`. `/oauth2/authorize` errors are 400 HTML.
//! - `auth/token/revoke` also revokes the token's refresh token and its other access tokens.
//! - Injected 5xx answers carry a plain-text body with the status's reason phrase.
//! - Shared links look like `https://www.dropbox.com/s/<key>/<name>?dl=0`, public, one per
//!   item; `list_shared_links` never pages.
//! - Non-POST requests to API routes get 405; unknown routes 404 plain text.
//! - Token formats: access tokens `sl.u.` + 140 url-safe chars, refresh tokens 64 chars,
//!   codes 43 chars; `Bearer` is also accepted in lower case. Ids are `id:` + 16 bytes in
//!   url-safe base64; revs are 24 hex digits, increasing.
//! - By default the account is a personal one (`root_namespace_id == home_namespace_id`,
//!   `.tag` user, basic, country GB, locale en, names and e-mail from [`Config`]); `uid` is a
//!   decimal string.
//! - Team spaces (see above; the header modes, the 422 status, the `PathRootError` and
//!   `RootInfo` shapes come from Dropbox's path-root page, the namespace guide and the SDK;
//!   the rest is guessed): a team member's account omits the optional `team` and
//!   `team_member_id`; the 422 `error_summary` ends in `/..`; the 400 reasons are
//!   approximations (`unknown tag '<tag>'` is Dropbox's wording); the token is checked
//!   before the header (401 first), the header before the body; a bad header is refused on
//!   every authenticated route, `continue` included. Through the home, the home folder
//!   itself has no metadata (`get_metadata` of its id is `not_found`; listing its id lists
//!   the home). The team space's top level is writable by the member, but the home folder
//!   cannot be moved or deleted through the API (409 `from_write`/`path_write`
//!   `no_write_permission`); the test API may do anything (then the home root follows the
//!   folder's new path, or finds nothing once it is deleted). Shared links: `path_lower` is
//!   relative to the request's root and left out for items outside it; `list_shared_links`
//!   lists all links. `ns:<id>` paths are not supported (400, as before).
//! - A cursor is bound to the listed path, not its id: after the listed folder is moved or
//!   deleted, `continue` delivers what is pending and then answers 409 `path/not_found`.
//! - `get_metadata` with `include_deleted` returns the last deleted entry logged at the path.
//! - Upload sessions: `offset` must equal the bytes received so far (else `incorrect_offset`
//!   with `correct_offset`); appending to a closed session is `closed`; `finish` consumes the
//!   session (a second finish is `lookup_failed/not_found`); sessions never expire.
//! - `get_temporary_link` returns `http://<Host header>/__content/<token>`, served without
//!   authentication while the file exists, never expiring.
//! - `files/download` accepts no request Content-Type or a `text/plain` one (else 400);
//!   `Dropbox-API-Arg` may also come in the `arg` query parameter; raw UTF-8 in that header
//!   is accepted.
//! - A body over [`Config::max_upload_bytes`] (150 MiB) on `upload` or an upload-session call
//!   is 409 `payload_too_large`.

mod control;
mod model;
mod ops;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::watch;

pub use model::{content_hash, FsError};
pub use state::{Config, Fault, RequestRecord, TeamSpace};

use state::Shared;

/// Errors of the emulator's own API (starting, control operations).
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("namespace operation failed: {0}")]
    Fs(#[from] FsError),
}

/// An access token with its refresh token, issued without going through OAuth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
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
        if let Some(team) = &config.team {
            let name = team.home_folder.as_str();
            if name.is_empty() || name.contains('/') || name.trim() != name {
                return Err(EmulatorError::Fs(FsError::MalformedPath));
            }
        }
        let bind_err = |source| EmulatorError::Bind {
            addr: addr.to_string(),
            source,
        };
        let std_listener = std::net::TcpListener::bind(addr).map_err(bind_err)?;
        std_listener.set_nonblocking(true).map_err(bind_err)?;
        let local = std_listener.local_addr().map_err(bind_err)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("dropbox-emulator")
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
        tracing::info!(%local, "dropbox emulator listening");
        Ok(Emulator {
            shared,
            addr: local,
            stop,
            runtime: Some(runtime),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash: the API, content, notify, OAuth
    /// and control base URL alike.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Writes a file (overwriting) as another client would; returns its tagged metadata.
    ///
    /// This method and the other file methods ([`Emulator::move_path`], [`Emulator::metadata`],
    /// ...) address the whole tree: in team mode the team space, where the member's home
    /// folder is [`Emulator::home_path`]; their metadata has whole-tree paths.
    pub fn put_file(
        &self,
        path: &str,
        content: impl Into<Vec<u8>>,
    ) -> Result<Value, EmulatorError> {
        ops::put_file(&self.shared, path, content.into(), None)
    }

    /// Writes a file with a given `client_modified` (`2015-05-12T15:50:38Z`).
    pub fn put_file_modified(
        &self,
        path: &str,
        content: impl Into<Vec<u8>>,
        client_modified: &str,
    ) -> Result<Value, EmulatorError> {
        ops::put_file(
            &self.shared,
            path,
            content.into(),
            Some(client_modified.to_string()),
        )
    }

    pub fn create_folder(&self, path: &str) -> Result<Value, EmulatorError> {
        ops::create_folder(&self.shared, path)
    }

    /// Moves or renames a file or folder (by path or `id:`).
    pub fn move_path(&self, from: &str, to: &str) -> Result<Value, EmulatorError> {
        ops::move_path(&self.shared, from, to)
    }

    /// Deletes a file or a folder with its subtree.
    pub fn delete_path(&self, path: &str) -> Result<Value, EmulatorError> {
        ops::delete_path(&self.shared, path)
    }

    /// Tagged metadata of a path or id, if it exists.
    pub fn metadata(&self, path: &str) -> Option<Value> {
        self.shared.lock().ns.get(path).ok().map(|n| n.metadata())
    }

    /// Contents of a file, if it exists.
    pub fn file_content(&self, path: &str) -> Option<Vec<u8>> {
        match &self.shared.lock().ns.get(path).ok()?.kind {
            model::Kind::File(f) => Some(f.content.to_vec()),
            model::Kind::Folder => None,
        }
    }

    /// Number of entries in the change log.
    pub fn log_len(&self) -> usize {
        self.shared.lock().ns.log.len()
    }

    /// An access token and its refresh token for `client_id`, skipping OAuth.
    pub fn issue_tokens(&self, client_id: &str) -> Tokens {
        ops::issue_tokens(&self.shared, client_id)
    }

    /// Every access token issued so far is expired (refresh tokens stay valid).
    pub fn expire_access_tokens(&self) {
        self.shared.lock().expire_all_access();
    }

    /// Revokes a refresh token and its access tokens; false if it is unknown.
    pub fn revoke_refresh_token(&self, refresh_token: &str) -> bool {
        self.shared.lock().revoke_refresh(refresh_token)
    }

    /// The next `count` requests of `route` (`files/upload`, `/2/files/upload`,
    /// `oauth2/token`..., or `*` for any route without a fault of its own) get `fault`.
    pub fn inject_fault(&self, route: &str, fault: Fault, count: u32) {
        ops::inject_fault(&self.shared, route, fault, count);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Every cursor issued so far answers 409 `reset`.
    pub fn reset_cursors(&self) {
        ops::reset_cursors(&self.shared);
    }

    /// `backoff` seconds added to longpoll answers (None: no backoff).
    pub fn set_longpoll_backoff(&self, backoff: Option<u64>) {
        self.shared.lock().longpoll_backoff = backoff;
    }

    /// How long one second of a longpoll `timeout` lasts (default 1 s; tests shorten it).
    pub fn set_longpoll_second(&self, second: Duration) {
        self.shared.lock().longpoll_second = second;
    }

    /// Every API request answered so far (control requests excluded), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().requests.clone()
    }

    /// The emulated account's `account_id` (`dbid:...`).
    pub fn account_id(&self) -> String {
        self.shared.lock().account_id.clone()
    }

    /// The member's home folder as a path of the whole tree, which the other methods
    /// address: `/<home folder>` in team mode (its current path, `root_info.home_path`), `""`
    /// for a personal account (whose root is its home). So `format!("{}/2024/a.pdf",
    /// emu.home_path())` is the file an API client sees as `/2024/a.pdf` without a
    /// `Dropbox-API-Path-Root` header, in either mode.
    pub fn home_path(&self) -> String {
        self.shared.lock().home_path()
    }

    /// `root_info.root_namespace_id`: the team space's namespace id in team mode, else the
    /// account's (equal to [`Emulator::home_namespace_id`]).
    pub fn root_namespace_id(&self) -> String {
        self.shared.lock().namespace_id.clone()
    }

    /// `root_info.home_namespace_id`: the member's home namespace id.
    pub fn home_namespace_id(&self) -> String {
        self.shared.lock().home_namespace_id.clone()
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
}
