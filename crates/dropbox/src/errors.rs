//! What an HTTP failure from the API means for the feed.

use std::time::Duration;

use serde::Deserialize;

/// How the feed reacts to a failed request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// 429: wait as long as the server says, then try again.
    #[error("Dropbox asks to slow down: waiting {} s", .0.as_secs())]
    RateLimited(Duration),
    /// 401 expired_access_token: refresh the access token, then try again.
    #[error("the access token expired")]
    TokenExpired,
    /// 401 for any other reason (revoked, invalid): the user must connect again.
    #[error("Dropbox refused the credentials ({0}): reconnect Dropbox")]
    Unauthorized(String),
    /// 409 reset: the cursor is no longer valid; list again and reconcile.
    #[error("Dropbox reset the change cursor: listing again")]
    CursorReset,
    /// 5xx or a dropped connection: retry with backoff.
    #[error("Dropbox is unavailable ({0}): retrying")]
    Unavailable(String),
    /// Anything else (a 400, a 409 other than reset): a bug or a path problem, not retried.
    #[error("Dropbox said {status}: {summary}")]
    Rejected { status: u16, summary: String },
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error_summary: Option<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

fn tag(error: &Option<serde_json::Value>) -> Option<&str> {
    error.as_ref()?.get(".tag")?.as_str()
}

/// Classifies a failed response by its status, `Retry-After` header and body. Bodies are
/// JSON for 401, 409 and 429, plain text for 400, anything for 5xx.
pub fn classify_failure(status: u16, retry_after: Option<&str>, body: &str) -> Failure {
    let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
    let summary = parsed
        .as_ref()
        .and_then(|b| b.error_summary.clone())
        .unwrap_or_else(|| body.trim().chars().take(200).collect());
    let error = parsed.and_then(|b| b.error);
    match status {
        429 => {
            let from_header = retry_after.and_then(|v| v.trim().parse::<u64>().ok());
            let from_body = error
                .as_ref()
                .and_then(|e| e.get("retry_after"))
                .and_then(|v| v.as_u64());
            // Without either, one second: Dropbox always sends one, so this is a guess.
            Failure::RateLimited(Duration::from_secs(from_header.or(from_body).unwrap_or(1)))
        }
        401 if tag(&error) == Some("expired_access_token") => Failure::TokenExpired,
        401 => Failure::Unauthorized(tag(&error).unwrap_or(&summary).to_string()),
        409 if tag(&error) == Some("reset") => Failure::CursorReset,
        500..=599 => Failure::Unavailable(format!("HTTP {status}")),
        _ => Failure::Rejected { status, summary },
    }
}
