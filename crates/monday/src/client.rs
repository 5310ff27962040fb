//! The HTTP side: [`MondayToken`] (never printed), [`ClientConfig`] (endpoint, pinned API
//! version, timeouts, retry policy) and [`Client`], which posts one GraphQL document with
//! its variables per request (`Authorization: <token>` without `Bearer`, `API-Version`),
//! classifies the answer and retries what may be retried: limits after the wait monday
//! names, server trouble with capped backoff and jitter. It remembers the last complexity
//! figures an answer carried.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::Value;

use crate::error::{classify, MondayError};
use crate::retry::{Backoff, RetryPolicy};

/// monday.com's GraphQL endpoint.
pub const DEFAULT_API_URL: &str = "https://api.monday.com/v2";
/// The API version every request asks for. Pinned, so a new monday release cannot change
/// the shapes under us; the emulator serves it.
pub const DEFAULT_API_VERSION: &str = "2025-07";

/// A monday.com API token (personal or an app's). `Debug` and `Display` print `(…)`; only
/// the HTTP request sees the value.
#[derive(Clone, PartialEq, Eq)]
pub struct MondayToken(String);

impl MondayToken {
    pub fn new(token: impl Into<String>) -> MondayToken {
        MondayToken(token.into())
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The value, for the keyring that stores it. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MondayToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(…)")
    }
}

impl std::fmt::Display for MondayToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(…)")
    }
}

/// Where and how the client talks to monday.com.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// The GraphQL endpoint ([`DEFAULT_API_URL`]; tests give the emulator's).
    pub api_url: String,
    /// `API-Version` ([`DEFAULT_API_VERSION`]).
    pub api_version: String,
    /// Longest wait for one answer, connecting included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            api_url: DEFAULT_API_URL.into(),
            api_version: DEFAULT_API_VERSION.into(),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

/// The complexity budget as an answer reported it (`complexity { before after
/// reset_in_x_seconds }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct Complexity {
    pub before: u64,
    pub after: u64,
    pub reset_in_x_seconds: u64,
}

/// Who the token belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// What a failure of server trouble means for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Reads and value changes: running twice is harmless, so retry everything retryable.
    Always,
    /// Creations: a 5xx or a dropped connection may hide a creation that happened, so only
    /// refusals that certainly ran nothing (limits) are retried here; the caller looks the
    /// thing up before creating it again.
    LimitsOnly,
}

type WaitFn = dyn Fn(Duration) + Send + Sync;

/// A monday.com API client. Cheap to share by reference across a sync; blocking.
pub struct Client {
    config: ClientConfig,
    token: MondayToken,
    agent: ureq::Agent,
    wait: Arc<WaitFn>,
    last_complexity: Mutex<Option<Complexity>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(token: MondayToken, config: ClientConfig) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(config.connect_timeout))
            .build()
            .into();
        Client {
            config,
            token,
            agent,
            wait: Arc::new(std::thread::sleep),
            last_complexity: Mutex::new(None),
        }
    }

    /// Waits through `wait` instead of sleeping (tests record the waits and shorten them).
    pub fn with_wait(mut self, wait: impl Fn(Duration) + Send + Sync + 'static) -> Client {
        self.wait = Arc::new(wait);
        self
    }

    /// Waits as the client waits between retries.
    pub(crate) fn pause(&self, wait: Duration) {
        (self.wait)(wait);
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The budget the last answer that asked for it reported.
    pub fn last_complexity(&self) -> Option<Complexity> {
        *self
            .last_complexity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Who the token belongs to: checks a token when the user connects.
    pub fn me(&self) -> Result<Account, MondayError> {
        let data = self.query("me", "query Me { me { id name email } }", Value::Null)?;
        serde_json::from_value(data["me"].clone())
            .map_err(|e| MondayError::UnexpectedAnswer(format!("me: {e}")))
    }

    /// Runs a GraphQL document with its variables (an object, or null for none) and returns
    /// `data`, retrying limits and server trouble per the policy. `operation` names the
    /// request in logs. Values belong in `variables`, never in the document.
    pub fn query(
        &self,
        operation: &str,
        document: &str,
        variables: Value,
    ) -> Result<Value, MondayError> {
        self.run(operation, document, variables, Retry::Always)
    }

    pub(crate) fn run(
        &self,
        operation: &str,
        document: &str,
        variables: Value,
        retry: Retry,
    ) -> Result<Value, MondayError> {
        let variables = match variables {
            Value::Null => Value::Object(Default::default()),
            v => v,
        };
        let body = serde_json::json!({"query": document, "variables": variables}).to_string();
        let policy = &self.config.retry;
        let mut backoff = Backoff::new(policy.base, policy.cap, clock_seed());
        let mut attempt = 1;
        loop {
            let outcome = self.send(operation, &body);
            let err = match outcome {
                Ok(data) => {
                    self.note_complexity(&data);
                    return Ok(data);
                }
                Err(e) => e,
            };
            let wait = match &err {
                MondayError::Limited { retry_in, .. } if *retry_in <= policy.max_limit_wait => {
                    // Retry-After 0 still deserves a pause.
                    Some((*retry_in).max(policy.base.min(Duration::from_secs(1))))
                }
                MondayError::Unavailable(_) if retry == Retry::Always => Some(backoff.next_delay()),
                _ => None,
            };
            match wait {
                Some(wait) if attempt < policy.attempts => {
                    tracing::warn!(
                        operation,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        error = %err,
                        "monday.com request failed; retrying"
                    );
                    (self.wait)(wait);
                    attempt += 1;
                }
                _ => {
                    tracing::warn!(operation, attempt, error = %err, "monday.com request failed");
                    return Err(err);
                }
            }
        }
    }

    /// One POST: the classified answer.
    fn send(&self, operation: &str, body: &str) -> Result<Value, MondayError> {
        tracing::debug!(operation, "monday.com request");
        let response = self
            .agent
            .post(&self.config.api_url)
            .header("Content-Type", "application/json")
            .header("Authorization", self.token.expose_secret())
            .header("API-Version", &self.config.api_version)
            .send(body);
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return Err(MondayError::Unavailable(format!("{operation}: {e}"))),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| MondayError::Unavailable(format!("{operation}: {e}")))?;
        tracing::debug!(operation, status, "monday.com answer");
        classify(status, retry_after.as_deref(), &text)
    }

    fn note_complexity(&self, data: &Value) {
        let Some(c) = data
            .get("complexity")
            .and_then(|c| serde_json::from_value::<Complexity>(c.clone()).ok())
        else {
            return;
        };
        tracing::trace!(
            after = c.after,
            reset_in_s = c.reset_in_x_seconds,
            "complexity budget"
        );
        *self
            .last_complexity
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(c);
    }
}

fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_prints() {
        let t = MondayToken::new("eyJhbGciOiJIUzI1NiJ9.SECRET");
        assert_eq!(format!("{t:?}"), "(…)");
        assert_eq!(format!("{t}"), "(…)");
        let c = Client::new(t, ClientConfig::default());
        let shown = format!("{c:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("2025-07"));
    }
}
