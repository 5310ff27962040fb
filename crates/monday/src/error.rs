//! What a failed monday.com answer means for the sync: the typed [`MondayError`] and
//! [`classify`], which reads an HTTP status, the `Retry-After` header and the body (the
//! 2025 GraphQL `errors` list with `extensions.code`, or the legacy top-level `error_code`)
//! and decides whether to stop (credentials), wait (limits), retry with backoff (server
//! trouble), or report the item's own error (a refused value) or a bug (validation).

use std::time::Duration;

use serde_json::Value;

/// Which of monday's limits refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// `COMPLEXITY_BUDGET_EXHAUSTED` (or the legacy `ComplexityException`): the per-minute
    /// complexity budget is spent.
    Complexity,
    /// `MINUTE_RATE_LIMIT_EXCEEDED` or a bare HTTP 429.
    Minute,
    /// `MAX_CONCURRENCY_EXCEEDED`.
    Concurrency,
    /// `DAILY_LIMIT_EXCEEDED`: waits are usually far longer than a sync should sleep.
    Daily,
    /// A limit on one field (`FIELD_LIMIT_EXCEEDED`, `FIELD_MINUTE_RATE_LIMIT_EXCEEDED`).
    Field,
}

impl Limit {
    fn describe(self) -> &'static str {
        match self {
            Limit::Complexity => "the complexity budget is used up",
            Limit::Minute => "the per-minute request limit was reached",
            Limit::Concurrency => "too many requests at once",
            Limit::Daily => "the daily request limit was reached",
            Limit::Field => "a per-field limit was reached",
        }
    }
}

/// A failed request, classified by what the caller should do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MondayError {
    /// HTTP 401 / `NOT_AUTHENTICATED`: the token is wrong or revoked. Stop and reconnect.
    #[error("monday.com did not accept the API token ({0}): reconnect monday.com")]
    NotAuthenticated(String),
    /// `USER_UNAUTHORIZED` (403): the token's user may not do this. Stop and reconnect with
    /// an account that may edit the board.
    #[error("monday.com refused the action for this account ({0}): reconnect monday.com with an account that can edit the board")]
    Unauthorized(String),
    /// HTTP 429 or a limit code: wait `retry_in`, then try again.
    #[error("monday.com limit: {}; retry in {} s", .limit.describe(), .retry_in.as_secs())]
    Limited { limit: Limit, retry_in: Duration },
    /// 5xx, `INTERNAL_SERVER_ERROR`, a timeout or a dropped connection: retry with backoff.
    /// A mutation that failed this way may or may not have run.
    #[error("monday.com is unavailable ({0})")]
    Unavailable(String),
    /// An error of the operation itself (a refused column value, an unknown item, column,
    /// board or group): the item's own error, not retried.
    #[error("monday.com refused it ({code}): {message}")]
    Rejected { code: String, message: String },
    /// The request was refused as malformed (GraphQL validation, a bad API version, a query
    /// over the per-query complexity limit): a bug in this client, not retried.
    #[error("monday.com refused the request as invalid (a bug in Boxkeeper): {0}")]
    Invalid(String),
    /// The answer was not what the API returns (not JSON, missing fields).
    #[error("unexpected answer from monday.com: {0}")]
    UnexpectedAnswer(String),
}

impl MondayError {
    /// Whether the whole sync must stop (no later request can succeed without the user).
    pub fn stops_sync(&self) -> bool {
        matches!(
            self,
            MondayError::NotAuthenticated(_)
                | MondayError::Unauthorized(_)
                | MondayError::Invalid(_)
        )
    }

    /// Whether the user has to connect monday.com again.
    pub fn needs_reconnect(&self) -> bool {
        matches!(
            self,
            MondayError::NotAuthenticated(_) | MondayError::Unauthorized(_)
        )
    }
}

/// A refused request whose wait is unknown gets this (monday always sends one; a guess).
const DEFAULT_LIMIT_WAIT: Duration = Duration::from_secs(10);

fn limit_of(code: &str) -> Option<Limit> {
    Some(match code {
        "COMPLEXITY_BUDGET_EXHAUSTED" | "ComplexityException" => Limit::Complexity,
        "MINUTE_RATE_LIMIT_EXCEEDED" | "RateLimitExceeded" | "tooManyRequests" => Limit::Minute,
        "MAX_CONCURRENCY_EXCEEDED" => Limit::Concurrency,
        "DAILY_LIMIT_EXCEEDED" => Limit::Daily,
        "FIELD_LIMIT_EXCEEDED" | "FIELD_MINUTE_RATE_LIMIT_EXCEEDED" => Limit::Field,
        _ => return None,
    })
}

/// One error of an answer, from either shape.
struct ErrorEntry {
    code: Option<String>,
    message: String,
    status_code: Option<u64>,
    retry_in: Option<u64>,
    /// A GraphQL error with locations but no code: validation or syntax.
    validation: bool,
}

fn entries(body: &Value) -> Vec<ErrorEntry> {
    let mut out = Vec::new();
    if let Some(list) = body.get("errors").and_then(Value::as_array) {
        for e in list {
            let ext = e.get("extensions");
            let get = |k: &str| ext.and_then(|x| x.get(k));
            let code = get("code")
                .or_else(|| get("error_code"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let message = match e {
                // The legacy complexity error lists bare message strings.
                Value::String(s) => s.clone(),
                _ => e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            };
            out.push(ErrorEntry {
                validation: code.is_none() && e.get("locations").is_some(),
                code,
                message,
                status_code: get("status_code").and_then(Value::as_u64),
                retry_in: get("retry_in_seconds").and_then(Value::as_u64),
            });
        }
    }
    if let Some(code) = body.get("error_code").and_then(Value::as_str) {
        // Up to 2024-10 the first error is (also) given at the top level; prefer it when the
        // list carries no codes (2024-07 lists bare strings).
        if out.iter().all(|e| e.code.is_none()) {
            let message = body
                .get("error_message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let retry_in = legacy_reset_in(&message);
            out.insert(
                0,
                ErrorEntry {
                    code: Some(code.to_string()),
                    message,
                    status_code: body.get("status_code").and_then(Value::as_u64),
                    retry_in,
                    validation: false,
                },
            );
        }
    }
    out
}

/// "... reset in 23 seconds" in the legacy complexity message.
fn legacy_reset_in(message: &str) -> Option<u64> {
    let at = message.find("reset in ")? + "reset in ".len();
    message[at..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
}

fn short(text: &str) -> String {
    let t = text.trim();
    let mut s: String = t.chars().take(200).collect();
    if s.len() < t.len() {
        s.push('…');
    }
    s
}

/// Classifies an answer: `Ok(data)` when it succeeded, else the error that decides what to
/// do. `retry_after` is the `Retry-After` header. An answer with both data and errors is a
/// failure (the sync writes one thing per request, so partial data is of no use to it).
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Result<Value, MondayError> {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let header_wait = retry_after.and_then(|v| v.trim().parse::<u64>().ok());
    let Some(body_json) = parsed.filter(Value::is_object) else {
        return Err(match status {
            401 => MondayError::NotAuthenticated(format!("HTTP 401: {}", short(body))),
            403 => MondayError::Unauthorized(format!("HTTP 403: {}", short(body))),
            429 => MondayError::Limited {
                limit: Limit::Minute,
                retry_in: header_wait.map_or(DEFAULT_LIMIT_WAIT, Duration::from_secs),
            },
            500..=599 => MondayError::Unavailable(format!("HTTP {status}")),
            200 => MondayError::UnexpectedAnswer(format!("not JSON: {}", short(body))),
            _ => MondayError::Invalid(format!("HTTP {status}: {}", short(body))),
        });
    };
    let errors = entries(&body_json);
    if errors.is_empty() {
        return match status {
            200 => match body_json.get("data") {
                Some(data) if data.is_object() => Ok(data.clone()),
                _ => Err(MondayError::UnexpectedAnswer(
                    "no data in the answer".into(),
                )),
            },
            401 => Err(MondayError::NotAuthenticated("HTTP 401".into())),
            429 => Err(MondayError::Limited {
                limit: Limit::Minute,
                retry_in: header_wait.map_or(DEFAULT_LIMIT_WAIT, Duration::from_secs),
            }),
            500..=599 => Err(MondayError::Unavailable(format!("HTTP {status}"))),
            _ => Err(MondayError::Invalid(format!("HTTP {status}"))),
        };
    }
    // The most telling error decides: credentials, then limits, then server trouble, then
    // validation, then the operation's own refusal.
    let first = &errors[0];
    let describe = |e: &ErrorEntry| match &e.code {
        Some(c) => format!("{c}: {}", e.message),
        None => e.message.clone(),
    };
    if status == 401
        || errors
            .iter()
            .any(|e| e.code.as_deref() == Some("NOT_AUTHENTICATED"))
    {
        return Err(MondayError::NotAuthenticated(short(&first.message)));
    }
    if let Some(e) = errors.iter().find(|e| {
        matches!(
            e.code.as_deref(),
            Some("USER_UNAUTHORIZED" | "UserUnauthorizedException")
        ) || (e.status_code == Some(403))
    }) {
        return Err(MondayError::Unauthorized(short(&describe(e))));
    }
    if let Some((e, limit)) = errors
        .iter()
        .find_map(|e| e.code.as_deref().and_then(limit_of).map(|l| (e, l)))
    {
        let secs = e.retry_in.or(header_wait);
        return Err(MondayError::Limited {
            limit,
            retry_in: secs.map_or(DEFAULT_LIMIT_WAIT, Duration::from_secs),
        });
    }
    if status == 429 {
        return Err(MondayError::Limited {
            limit: Limit::Minute,
            retry_in: first
                .retry_in
                .or(header_wait)
                .map_or(DEFAULT_LIMIT_WAIT, Duration::from_secs),
        });
    }
    if (500..=599).contains(&status)
        || errors.iter().any(|e| {
            matches!(
                e.code.as_deref(),
                Some("INTERNAL_SERVER_ERROR" | "TIMEOUT_EXCEEDED" | "InternalServerException")
            ) || e.status_code.is_some_and(|s| s >= 500)
        })
    {
        return Err(MondayError::Unavailable(short(&describe(first))));
    }
    if let Some(e) = errors.iter().find(|e| {
        e.validation
            || matches!(
                e.code.as_deref(),
                Some(
                    "InvalidVersionException"
                        | "maxComplexityExceeded"
                        | "GRAPHQL_VALIDATION_FAILED"
                        | "ParseError"
                )
            )
    }) {
        return Err(MondayError::Invalid(short(&describe(e))));
    }
    if status != 200 && first.code.is_none() {
        return Err(MondayError::Invalid(format!(
            "HTTP {status}: {}",
            short(&first.message)
        )));
    }
    Err(MondayError::Rejected {
        code: first.code.clone().unwrap_or_else(|| "error".into()),
        message: short(&first.message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_take_the_wait_from_the_body_or_the_header() {
        let body = r#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":23}}]}"#;
        assert_eq!(
            classify(429, Some("40"), body),
            Err(MondayError::Limited {
                limit: Limit::Complexity,
                retry_in: Duration::from_secs(23)
            })
        );
        assert_eq!(
            classify(429, Some("7"), "<html>slow down</html>"),
            Err(MondayError::Limited {
                limit: Limit::Minute,
                retry_in: Duration::from_secs(7)
            })
        );
        let legacy = r#"{"error_code":"ComplexityException","status_code":429,"error_message":"Complexity budget exhausted, query cost 30001 budget remaining 8370 out of 1000000 reset in 13 seconds","error_data":{},"errors":["Complexity budget exhausted, query cost 30001 budget remaining 8370 out of 1000000 reset in 13 seconds"]}"#;
        assert_eq!(
            classify(429, None, legacy),
            Err(MondayError::Limited {
                limit: Limit::Complexity,
                retry_in: Duration::from_secs(13)
            })
        );
        let daily = r#"{"errors":[{"message":"Daily limit exceeded","extensions":{"code":"DAILY_LIMIT_EXCEEDED","retry_in_seconds":3599}}]}"#;
        assert!(matches!(
            classify(429, None, daily),
            Err(MondayError::Limited {
                limit: Limit::Daily,
                ..
            })
        ));
    }

    #[test]
    fn credentials_server_trouble_validation_and_refusals() {
        let unauth = r#"{"errors":[{"message":"Not authenticated","extensions":{"code":"NOT_AUTHENTICATED"}}]}"#;
        assert!(matches!(
            classify(401, None, unauth),
            Err(MondayError::NotAuthenticated(_))
        ));
        let forbidden = r#"{"data":{"archive_board":null},"errors":[{"message":"User unauthorized to perform action","path":["archive_board"],"extensions":{"code":"USER_UNAUTHORIZED","status_code":403,"error_data":{}}}]}"#;
        assert!(matches!(
            classify(200, None, forbidden),
            Err(MondayError::Unauthorized(_))
        ));
        let internal = r#"{"data":null,"errors":[{"message":"Internal server error","path":[],"extensions":{"status_code":500,"error_code":"INTERNAL_SERVER_ERROR"}}]}"#;
        assert!(matches!(
            classify(200, None, internal),
            Err(MondayError::Unavailable(_))
        ));
        assert!(matches!(
            classify(502, None, "<html>bad gateway</html>"),
            Err(MondayError::Unavailable(_))
        ));
        let validation = r#"{"errors":[{"message":"Cannot query field \"invalid_field\" on type \"Board\".","locations":[{"line":1,"column":14}]}]}"#;
        assert!(matches!(
            classify(200, None, validation),
            Err(MondayError::Invalid(_))
        ));
        let value = r#"{"data":{"create_item":null},"errors":[{"message":"invalid value - label does not exist","path":["create_item"],"extensions":{"code":"ColumnValueException","status_code":200,"error_data":{"column_type":"color"}}}]}"#;
        assert_eq!(
            classify(200, None, value),
            Err(MondayError::Rejected {
                code: "ColumnValueException".into(),
                message: "invalid value - label does not exist".into()
            })
        );
        assert_eq!(
            classify(200, None, r#"{"data":{"me":{"id":"1"}},"extensions":{}}"#),
            Ok(serde_json::json!({"me": {"id": "1"}}))
        );
    }
}
