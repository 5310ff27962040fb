//! The HTTP side: one call of the API, its failure classified. Base URLs are settings, so
//! the same code talks to Dropbox or to the emulator.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::{classify_failure, Failure, ListFolderResult, LongpollResult};

/// Where the API lives. Dropbox splits it across hosts; the emulator serves all on one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub api: String,
    pub notify: String,
}

impl Endpoints {
    pub fn dropbox() -> Endpoints {
        Endpoints {
            api: "https://api.dropboxapi.com".into(),
            notify: "https://notify.dropboxapi.com".into(),
        }
    }

    /// Every host at one base URL (the emulator).
    pub fn all_at(base: &str) -> Endpoints {
        let base = base.trim_end_matches('/').to_string();
        Endpoints {
            api: base.clone(),
            notify: base,
        }
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
    token: AccessToken,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(endpoints: Endpoints, token: AccessToken) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Longpoll holds a request up to 480 s plus Dropbox's random extra (up to 90 s).
            .timeout_global(Some(Duration::from_secs(600)))
            .build()
            .into();
        Client {
            endpoints,
            token,
            agent,
        }
    }

    fn call<T: DeserializeOwned>(
        &self,
        base: &str,
        route: &str,
        body: serde_json::Value,
        authorized: bool,
    ) -> Result<T, Failure> {
        let url = format!("{base}/2/{route}");
        let mut request = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json");
        if authorized {
            request = request.header("Authorization", &format!("Bearer {}", self.token.0));
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
        if status != 200 {
            return Err(classify_failure(status, retry_after.as_deref(), &text));
        }
        serde_json::from_str(&text).map_err(|e| Failure::Rejected {
            status,
            summary: format!("{route}: unexpected answer: {e}"),
        })
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
