//! The HTTP side: one call of the API, its failure classified, the access token refreshed
//! when it expires. Base URLs are settings, so the same code talks to Dropbox or to the
//! emulator.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::oauth::{Grant, OAuthApp, OAuthError, RefreshToken};
use crate::{classify_failure, Failure, ListFolderResult, LongpollResult};

/// Where the API lives. Dropbox splits it across hosts; the emulator serves all on one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// RPC routes and the OAuth token endpoint.
    pub api: String,
    /// Downloads and uploads.
    pub content: String,
    /// Longpoll.
    pub notify: String,
    /// The page the browser opens to approve the app.
    pub authorize: String,
}

impl Endpoints {
    pub fn dropbox() -> Endpoints {
        Endpoints {
            api: "https://api.dropboxapi.com".into(),
            content: "https://content.dropboxapi.com".into(),
            notify: "https://notify.dropboxapi.com".into(),
            authorize: "https://www.dropbox.com".into(),
        }
    }

    /// Every host at one base URL (the emulator).
    pub fn all_at(base: &str) -> Endpoints {
        let base = base.trim_end_matches('/').to_string();
        Endpoints {
            api: base.clone(),
            content: base.clone(),
            notify: base.clone(),
            authorize: base,
        }
    }
}

/// Where access tokens come from: a fixed one (generated in the app console), or a refresh
/// token that mints them, ahead of expiry and again when Dropbox says one expired.
pub struct TokenSource {
    refresh: Option<(OAuthApp, RefreshToken)>,
    current: Mutex<Option<(AccessToken, SystemTime)>>,
}

/// Refresh this long before the access token's stated expiry, so that a call never leaves
/// with a token that dies on the way.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

impl TokenSource {
    pub fn fixed(token: AccessToken) -> TokenSource {
        TokenSource {
            refresh: None,
            current: Mutex::new(Some((token, SystemTime::UNIX_EPOCH))),
        }
    }

    /// A refresh token, and the access token granted with it if there is one.
    pub fn refreshing(app: OAuthApp, refresh: RefreshToken, granted: Option<Grant>) -> TokenSource {
        TokenSource {
            refresh: Some((app, refresh)),
            current: Mutex::new(granted.map(|g| (g.access, g.expires_at))),
        }
    }

    /// A token to send now.
    pub fn access(&self) -> Result<AccessToken, Failure> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let Some((app, refresh)) = &self.refresh else {
            return current
                .as_ref()
                .map(|(t, _)| t.clone())
                .ok_or_else(|| Failure::Unauthorized("the access token expired".into()));
        };
        if let Some((token, expires_at)) = current.as_ref() {
            if SystemTime::now() + REFRESH_MARGIN < *expires_at {
                return Ok(token.clone());
            }
        }
        tracing::debug!("refreshing the access token");
        let grant = app.refresh(refresh).map_err(|e| match e {
            OAuthError::Revoked(why) => Failure::Unauthorized(why),
            OAuthError::Unavailable(why) => Failure::Unavailable(format!("oauth2/token: {why}")),
            other => Failure::Rejected {
                status: 400,
                summary: other.to_string(),
            },
        })?;
        *current = Some((grant.access.clone(), grant.expires_at));
        Ok(grant.access)
    }

    /// Dropbox said the token expired: forget it. Returns whether a new one can be had.
    fn expired(&self) -> bool {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if self.refresh.is_some() {
            *current = None;
            true
        } else {
            false
        }
    }
}

/// Who is connected, and where their namespaces are (users/get_current_account).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Account {
    pub account_id: String,
    pub name: AccountName,
    pub email: String,
    pub root_info: RootInfo,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct AccountName {
    pub display_name: String,
}

/// A personal account's root is its home; a team-space member's root is the team space,
/// with their home folder inside it at `home_path`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct RootInfo {
    #[serde(rename = ".tag")]
    pub tag: String,
    pub root_namespace_id: String,
    pub home_namespace_id: String,
    #[serde(default)]
    pub home_path: Option<String>,
}

impl RootInfo {
    pub fn has_team_space(&self) -> bool {
        self.root_namespace_id != self.home_namespace_id
    }
}

/// An access token. Never printed: Debug shows only that there is one.
#[derive(Clone)]
pub struct AccessToken(pub String);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(…)")
    }
}

pub struct Client {
    endpoints: Endpoints,
    tokens: Arc<TokenSource>,
    /// The namespace that paths are relative to, when it is not the user's home (a team
    /// space root): sent as `Dropbox-API-Path-Root`.
    path_root: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    /// A client with a fixed access token.
    pub fn new(endpoints: Endpoints, token: AccessToken) -> Client {
        Client::with_tokens(endpoints, Arc::new(TokenSource::fixed(token)))
    }

    pub fn with_tokens(endpoints: Endpoints, tokens: Arc<TokenSource>) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Longpoll holds a request up to 480 s plus Dropbox's random extra (up to 90 s).
            .timeout_global(Some(Duration::from_secs(600)))
            .build()
            .into();
        Client {
            endpoints,
            tokens,
            path_root: None,
            agent,
        }
    }

    /// Addresses paths relative to namespace `root` (the team space root) from now on.
    pub fn set_path_root(&mut self, root: Option<String>) {
        self.path_root = root;
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    fn call<T: DeserializeOwned>(
        &self,
        base: &str,
        route: &str,
        body: serde_json::Value,
        authorized: bool,
    ) -> Result<T, Failure> {
        match self.call_once(base, route, &body, authorized) {
            // One retry with a fresh token; a second expiry in a row is not a clock problem.
            Err(Failure::TokenExpired) if self.tokens.expired() => {
                tracing::info!(route, "access token expired: refreshed");
                self.call_once(base, route, &body, authorized)
            }
            Err(Failure::TokenExpired) => Err(Failure::Unauthorized(
                "the access token expired and there is no refresh token".into(),
            )),
            other => other,
        }
    }

    fn call_once<T: DeserializeOwned>(
        &self,
        base: &str,
        route: &str,
        body: &serde_json::Value,
        authorized: bool,
    ) -> Result<T, Failure> {
        let (status, retry_after, text) = self.send(base, route, body, authorized)?;
        if status != 200 {
            return Err(classify_failure(status, retry_after.as_deref(), &text));
        }
        serde_json::from_str(&text).map_err(|e| Failure::Rejected {
            status,
            summary: format!("{route}: unexpected answer: {e}"),
        })
    }

    /// One POST of an RPC route: the status, `Retry-After` and body, whatever the status.
    fn send(
        &self,
        base: &str,
        route: &str,
        body: &serde_json::Value,
        authorized: bool,
    ) -> Result<(u16, Option<String>, String), Failure> {
        let url = format!("{base}/2/{route}");
        let mut request = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json");
        if authorized {
            let token = self.tokens.access()?;
            request = request.header("Authorization", &format!("Bearer {}", token.0));
            if let Some(root) = &self.path_root {
                request = request.header(
                    "Dropbox-API-Path-Root",
                    &serde_json::json!({".tag": "root", "root": root}).to_string(),
                );
            }
        }
        let mut response = request
            .send(body.to_string())
            .map_err(|e| Failure::Unavailable(format!("{route}: {e}")))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| Failure::Unavailable(format!("{route}: {e}")))?;
        Ok((status, retry_after, text))
    }

    /// Who is connected (always about the user, whatever the path root).
    pub fn current_account(&self) -> Result<Account, Failure> {
        // Dropbox takes `null` as the body of argument-less routes.
        self.call(
            &self.endpoints.api,
            "users/get_current_account",
            serde_json::Value::Null,
            true,
        )
    }

    /// Revokes the access token (and with it, at Dropbox, the refresh token it came from).
    pub fn revoke(&self) -> Result<(), Failure> {
        self.call::<serde_json::Value>(
            &self.endpoints.api,
            "auth/token/revoke",
            serde_json::Value::Null,
            true,
        )
        .map(|_| ())
    }

    /// The first page of a recursive listing of `path` ("" is the root).
    pub fn list_folder(&self, path: &str) -> Result<ListFolderResult, Failure> {
        self.call(
            &self.endpoints.api,
            "files/list_folder",
            serde_json::json!({"path": path, "recursive": true, "include_deleted": false}),
            true,
        )
    }

    pub fn list_folder_continue(&self, cursor: &str) -> Result<ListFolderResult, Failure> {
        self.call(
            &self.endpoints.api,
            "files/list_folder/continue",
            serde_json::json!({"cursor": cursor}),
            true,
        )
    }

    /// The bytes of a file, by path or `id:` (content host, `files/download`). Refreshes an
    /// expired token once, like every call.
    pub fn download(&self, path_or_id: &str) -> Result<Vec<u8>, Failure> {
        match self.download_once(path_or_id) {
            Err(Failure::TokenExpired) if self.tokens.expired() => {
                tracing::info!("access token expired: refreshed");
                self.download_once(path_or_id)
            }
            Err(Failure::TokenExpired) => Err(Failure::Unauthorized(
                "the access token expired and there is no refresh token".into(),
            )),
            other => other,
        }
    }

    fn download_once(&self, path_or_id: &str) -> Result<Vec<u8>, Failure> {
        let route = "files/download";
        let url = format!("{}/2/{route}", self.endpoints.content);
        let token = self.tokens.access()?;
        // The argument travels in a header, which must be ASCII: JSON escapes the rest.
        let arg = ascii_json(&serde_json::json!({ "path": path_or_id }));
        let mut request = self
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {}", token.0))
            .header("Dropbox-API-Arg", &arg);
        if let Some(root) = &self.path_root {
            request = request.header(
                "Dropbox-API-Path-Root",
                &serde_json::json!({".tag": "root", "root": root}).to_string(),
            );
        }
        let mut response = request
            .send_empty()
            .map_err(|e| Failure::Unavailable(format!("{route}: {e}")))?;
        let status = response.status().as_u16();
        if status != 200 {
            let retry_after = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let text = response.body_mut().read_to_string().unwrap_or_default();
            return Err(classify_failure(status, retry_after.as_deref(), &text));
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_DOWNLOAD)
            .read_to_vec()
            .map_err(|e| Failure::Unavailable(format!("{route}: {e}")))
    }

    /// A share link of a file or folder (by path or `id:`), made with the default settings
    /// (public; other settings need a paid plan). When one exists already, Dropbox answers
    /// 409 `shared_link_already_exists`, with the link's metadata when its settings match:
    /// that link is returned; without metadata, it is looked up with `list_shared_links`.
    pub fn create_shared_link(&self, path_or_id: &str) -> Result<String, Failure> {
        let route = "sharing/create_shared_link_with_settings";
        let body = serde_json::json!({ "path": path_or_id });
        let mut refreshed = false;
        let (status, retry_after, text) = loop {
            let answer = self.send(&self.endpoints.api, route, &body, true)?;
            if answer.0 == 401 && !refreshed {
                if let Failure::TokenExpired = classify_failure(401, None, &answer.2) {
                    if !self.tokens.expired() {
                        return Err(Failure::Unauthorized(
                            "the access token expired and there is no refresh token".into(),
                        ));
                    }
                    tracing::info!(route, "access token expired: refreshed");
                    refreshed = true;
                    continue;
                }
            }
            break answer;
        };
        if status == 200 {
            return serde_json::from_str::<LinkMetadata>(&text)
                .map(|m| m.url)
                .map_err(|e| Failure::Rejected {
                    status,
                    summary: format!("{route}: unexpected answer: {e}"),
                });
        }
        let failure = classify_failure(status, retry_after.as_deref(), &text);
        if status != 409 {
            return Err(failure);
        }
        let conflict: Option<LinkConflict> = serde_json::from_str(&text).ok();
        let Some(exists) = conflict
            .and_then(|c| c.error)
            .filter(|e| e.tag == "shared_link_already_exists")
        else {
            return Err(failure);
        };
        if let Some(url) = exists
            .shared_link_already_exists
            .and_then(|m| m.metadata)
            .map(|m| m.url)
        {
            return Ok(url);
        }
        // Exists, but with other settings (no metadata given): the link is listed.
        tracing::debug!("the share link exists already: looking it up");
        let listed: ListedLinks = self.call(
            &self.endpoints.api,
            "sharing/list_shared_links",
            serde_json::json!({ "path": path_or_id, "direct_only": true }),
            true,
        )?;
        listed
            .links
            .into_iter()
            .next()
            .map(|l| l.url)
            .ok_or_else(|| Failure::Rejected {
                status: 409,
                summary: "shared_link_already_exists, but list_shared_links has no link".into(),
            })
    }

    /// Waits (up to `timeout_s`) for changes after `cursor`. No Authorization header: the
    /// notify host refuses one.
    pub fn longpoll(&self, cursor: &str, timeout_s: u64) -> Result<LongpollResult, Failure> {
        self.call(
            &self.endpoints.notify,
            "files/list_folder/longpoll",
            serde_json::json!({"cursor": cursor, "timeout": timeout_s.clamp(30, 480)}),
            false,
        )
    }
}

/// The part of a SharedLinkMetadata the app keeps.
#[derive(Deserialize)]
struct LinkMetadata {
    url: String,
}

#[derive(Deserialize)]
struct ListedLinks {
    links: Vec<LinkMetadata>,
}

/// A 409 of create_shared_link_with_settings.
#[derive(Deserialize)]
struct LinkConflict {
    error: Option<LinkConflictError>,
}

#[derive(Deserialize)]
struct LinkConflictError {
    #[serde(rename = ".tag")]
    tag: String,
    /// SharedLinkAlreadyExistsMetadata: `{".tag": "metadata", "metadata": {...}}` or
    /// `{".tag": "other"}`; absent in older answers.
    #[serde(default)]
    shared_link_already_exists: Option<ExistingLink>,
}

#[derive(Deserialize)]
struct ExistingLink {
    #[serde(default)]
    metadata: Option<LinkMetadata>,
}

/// Documents larger than this are not downloaded (a scanned invoice is a few MB).
const MAX_DOWNLOAD: u64 = 512 * 1024 * 1024;

/// JSON with every non-ASCII character escaped, as HTTP headers require.
fn ascii_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}
