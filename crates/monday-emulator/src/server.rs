//! HTTP handling of `POST /v2`: the token, `API-Version`, the JSON body, validation, queued
//! faults, the complexity budget, execution, and the answer in the envelope and error shapes
//! of the version served. `/__control/` requests go to [`crate::control`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Map, Value};

use crate::exec::{self, ComplexityInfo, Ctx, FieldError};
use crate::model::{ApiError, Now};
use crate::out::Out;
use crate::state::{Fault, RequestRecord, Shared};
use crate::validate::{self, GqlError};

pub(crate) type Resp = Response<Full<Bytes>>;

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a fault")]
pub(crate) struct Dropped;

pub(crate) fn response(status: StatusCode, content_type: &'static str, body: String) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub(crate) fn json_resp(status: StatusCode, body: &Out) -> Resp {
    response(
        status,
        "application/json; charset=utf-8",
        body.to_json_string(),
    )
}

fn set_header(r: &mut Resp, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// A well-formed version is `YYYY-MM`.
fn well_formed_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..].iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&v[5..].parse::<u8>().unwrap_or(0))
}

/// What a request came to, for the response and the log.
struct Answer {
    resp: Result<Resp, Dropped>,
    outcome: String,
    version: Option<String>,
    complexity: Option<u64>,
}

impl Answer {
    fn new(resp: Resp, outcome: impl Into<String>, version: Option<&str>) -> Answer {
        Answer {
            resp: Ok(resp),
            outcome: outcome.into(),
            version: version.map(str::to_string),
            complexity: None,
        }
    }
}

pub(crate) async fn handle(sh: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query_string = req.uri().query().unwrap_or("").to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let auth = header("authorization");
    let version_header = header("api-version");
    let body = match Limited::new(req.into_body(), sh.config.max_body_bytes)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain; charset=utf-8",
                "Request Entity Too Large".into(),
            ))
        }
    };
    if let Some(route) = path.strip_prefix("/__control/") {
        return Ok(crate::control::handle(
            &sh,
            &method,
            route,
            &query_string,
            &body,
        ));
    }
    let authorized = {
        let st = sh.lock();
        match (&st.token, &auth) {
            (Some(t), Some(a)) => a.trim() == t,
            _ => false,
        }
    };
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let mut record = RequestRecord {
        seq: 0,
        method: method.to_string(),
        path: path.clone(),
        api_version_header: version_header.clone(),
        api_version: None,
        authorized,
        query: parsed
            .as_ref()
            .and_then(|p| p.get("query"))
            .and_then(Value::as_str)
            .map(str::to_string),
        variables: parsed.as_ref().and_then(|p| p.get("variables")).cloned(),
        operation_name: parsed
            .as_ref()
            .and_then(|p| p.get("operationName"))
            .and_then(Value::as_str)
            .map(str::to_string),
        root_fields: Vec::new(),
        status: None,
        outcome: String::new(),
        complexity: None,
        at: None,
    };
    let answer = if path != "/v2" && path != "/v2/" {
        Answer::new(
            response(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "Not Found".into(),
            ),
            "not_found",
            None,
        )
    } else if method != Method::POST {
        Answer::new(
            response(
                StatusCode::METHOD_NOT_ALLOWED,
                "text/plain; charset=utf-8",
                "Method Not Allowed".into(),
            ),
            "method_not_allowed",
            None,
        )
    } else if !authorized {
        Answer::new(unauthenticated(), "unauthenticated", None)
    } else {
        api(&sh, version_header.as_deref(), parsed, &mut record).await
    };
    record.status = answer.resp.as_ref().ok().map(|r| r.status().as_u16());
    record.outcome = answer.outcome;
    record.api_version = answer.version;
    record.complexity = answer.complexity;
    tracing::debug!(path = %record.path, status = ?record.status, outcome = %record.outcome, "request answered");
    sh.record(record);
    answer.resp
}

/// The 401 monday sends for a missing, wrong or revoked token (no `Api-Version` header).
fn unauthenticated() -> Resp {
    json_resp(
        StatusCode::UNAUTHORIZED,
        &Out::obj().with(
            "errors",
            Out::List(vec![Out::obj()
                .with("message", "Not authenticated")
                .with("extensions", Out::obj().with("code", "NOT_AUTHENTICATED"))]),
        ),
    )
}

/// The envelope's tail: `extensions.request_id` from 2025-01, `account_id` before.
fn envelope(mut body: Out, version: &str, request_id: &str, account_id: u64) -> Out {
    if version >= "2025-01" {
        body.set("extensions", Out::obj().with("request_id", request_id));
    } else {
        body.set("account_id", account_id);
    }
    body
}

fn locations(pos: &[crate::graphql::Pos]) -> Out {
    Out::List(
        pos.iter()
            .map(|p| {
                Out::obj()
                    .with("line", p.line as u64)
                    .with("column", p.column as u64)
            })
            .collect(),
    )
}

fn request_errors(errors: &[GqlError]) -> Out {
    Out::List(
        errors
            .iter()
            .map(|e| {
                let mut o = Out::obj().with("message", e.message.as_str());
                if !e.locations.is_empty() {
                    o.set("locations", locations(&e.locations));
                }
                o
            })
            .collect(),
    )
}

async fn api(
    sh: &Shared,
    version_header: Option<&str>,
    body: Option<Value>,
    record: &mut RequestRecord,
) -> Answer {
    let config = &sh.config;
    let request_id = sh.lock().request_id();
    let version = match version_header.map(str::trim) {
        None | Some("") => config.current_version.clone(),
        Some(v) if !well_formed_version(v) => {
            let body = Out::obj()
                .with(
                    "errors",
                    Out::List(vec![Out::obj()
                        .with(
                            "message",
                            format!("Invalid API version '{v}'. The API-Version header must look like YYYY-MM, e.g. 2025-07"),
                        )
                        .with(
                            "extensions",
                            Out::obj()
                                .with("code", "InvalidVersionException")
                                .with("status_code", 400u64),
                        )]),
                )
                .with("extensions", Out::obj().with("request_id", request_id.as_str()));
            return Answer::new(
                json_resp(StatusCode::BAD_REQUEST, &body),
                "invalid_version",
                None,
            );
        }
        Some(v) if config.versions.iter().any(|k| k == v) => v.to_string(),
        // A well-formed version that is not served falls back to the current one.
        Some(_) => config.current_version.clone(),
    };
    let v = version.as_str();
    let bad_request = |message: &str, outcome: &str| {
        let body = envelope(
            Out::obj().with(
                "errors",
                Out::List(vec![Out::obj().with("message", message)]),
            ),
            v,
            &request_id,
            config.account_id,
        );
        Answer::new(json_resp(StatusCode::BAD_REQUEST, &body), outcome, Some(v))
    };
    let Some(Value::Object(body)) = body else {
        return bad_request("Body must be a JSON object", "invalid_request");
    };
    let Some(query) = body.get("query").and_then(Value::as_str) else {
        return bad_request("Must provide query string.", "invalid_request");
    };
    let variables: Map<String, Value> = match body.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        // Before 2025-04 a JSON-encoded string was accepted too.
        Some(Value::String(s)) if v < "2025-04" => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            _ => return bad_request("Variables are invalid JSON.", "invalid_request"),
        },
        Some(_) => {
            return bad_request("Variables must be a JSON object", "invalid_request");
        }
    };
    let operation_name = body.get("operationName").and_then(Value::as_str);
    let prepared = match validate::prepare(query, operation_name, &variables) {
        Ok(p) => p,
        Err(errors) => {
            let body = envelope(
                Out::obj().with("errors", request_errors(&errors)),
                v,
                &request_id,
                config.account_id,
            );
            // monday sends no Api-Version header with validation errors.
            let mut r = json_resp(StatusCode::OK, &body);
            set_header(&mut r, "x-request-id", &request_id);
            return Answer::new(r, "validation", Some(v));
        }
    };
    record.root_fields = prepared.root_fields();
    let fault = sh.lock().take_fault(&record.root_fields);
    let mut drop_after = false;
    match fault {
        None => {}
        Some(Fault::Delay { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        }
        Some(Fault::DropAfterCommit) => drop_after = true,
        Some(f) => {
            let outcome = format!("fault:{}", f.kind());
            let resp = fault_response(&f, v, &request_id, config.account_id);
            return match resp {
                Some(r) => Answer::new(r, outcome, Some(v)),
                None => Answer {
                    resp: Err(Dropped),
                    outcome,
                    version: Some(version.clone()),
                    complexity: None,
                },
            };
        }
    }
    let mut st = sh.lock();
    let cfg = st.complexity.clone();
    let cost = exec::cost(&prepared, &cfg.costs);
    if cost > cfg.max_per_query {
        let body = envelope(
            Out::obj().with(
                "errors",
                Out::List(vec![Out::obj()
                    .with(
                        "message",
                        format!(
                            "Query has complexity of {cost}, which exceeds max complexity of {}",
                            cfg.max_per_query
                        ),
                    )
                    .with(
                        "extensions",
                        Out::obj()
                            .with("code", "maxComplexityExceeded")
                            .with("complexity", cost)
                            .with("maxComplexity", cfg.max_per_query),
                    )]),
            ),
            v,
            &request_id,
            config.account_id,
        );
        let mut answer = Answer::new(
            json_resp(StatusCode::OK, &body),
            "max_complexity_exceeded",
            Some(v),
        );
        answer.complexity = Some(cost);
        return answer;
    }
    let now = Instant::now();
    st.budget.roll(cfg.window, now);
    let remaining = cfg.budget_per_minute.saturating_sub(st.budget.used);
    if cost > remaining {
        let reset_in = st.budget.reset_in(cfg.window, now).max(1);
        let resp = complexity_exhausted(
            v,
            &request_id,
            config.account_id,
            reset_in,
            Some((cost, remaining, cfg.budget_per_minute)),
        );
        let mut answer = Answer::new(resp, "complexity_budget_exhausted", Some(v));
        answer.complexity = Some(cost);
        return answer;
    }
    if st.budget.window_start.is_none() {
        st.budget.window_start = Some(now);
    }
    st.budget.used += cost;
    let info = ComplexityInfo {
        before: remaining,
        query: cost,
        after: remaining - cost,
        reset_in: st.budget.reset_in(cfg.window, now),
    };
    let me = config
        .users
        .first()
        .cloned()
        .unwrap_or(crate::values::User {
            id: 1,
            name: "Emulator".into(),
            email: "emulator@example.com".into(),
        });
    let mut ctx = Ctx {
        st: &mut st,
        prepared: &prepared,
        version: version.clone(),
        complexity: info,
        me,
        now: Now::current(),
        cursor_lifetime: config.cursor_lifetime,
        errors: Vec::new(),
    };
    let data = exec::execute(&mut ctx);
    let errors = std::mem::take(&mut ctx.errors);
    drop(st);
    let (status, body, outcome) = render(data, &errors, v, &request_id, config.account_id);
    let mut r = json_resp(status, &body);
    set_header(&mut r, "api-version", v);
    set_header(&mut r, "x-request-id", &request_id);
    let mut answer = Answer::new(r, outcome, Some(v));
    answer.complexity = Some(cost);
    if drop_after {
        answer.resp = Err(Dropped);
        answer.outcome = format!("fault:drop_after_commit ({})", answer.outcome);
    }
    answer
}

/// The answer to an executed operation: data and field errors in the version's shape.
fn render(
    data: Option<Out>,
    errors: &[FieldError],
    version: &str,
    request_id: &str,
    account_id: u64,
) -> (StatusCode, Out, String) {
    if errors.is_empty() {
        let body = envelope(
            Out::obj().with("data", data.unwrap_or(Out::Null)),
            version,
            request_id,
            account_id,
        );
        return (StatusCode::OK, body, "ok".into());
    }
    let codes: Vec<&str> = errors.iter().map(|e| e.error.code.as_str()).collect();
    let outcome = format!("errors:{}", codes.join(","));
    let list = Out::List(
        errors
            .iter()
            .map(|e| {
                let mut ext = Out::obj()
                    .with("code", e.error.code.as_str())
                    .with("status_code", u64::from(e.error.status_code))
                    .with("error_data", e.error.error_data.clone());
                if version >= "2025-01" {
                    ext.set("service", "monolith");
                }
                Out::obj()
                    .with("message", e.error.message.as_str())
                    .with("locations", locations(&[e.pos]))
                    .with("path", Out::List(e.path.clone()))
                    .with("extensions", ext)
            })
            .collect(),
    );
    if version >= "2025-01" {
        let body = Out::obj()
            .with("data", data.unwrap_or(Out::Null))
            .with("errors", list)
            .with("extensions", Out::obj().with("request_id", request_id));
        return (StatusCode::OK, body, outcome);
    }
    // Up to 2024-10 the first error also comes as top-level error_* keys (2024-10 keeps the
    // errors list beside them), and the HTTP status mirrors status_code.
    let first = &errors[0].error;
    let mut body = Out::obj();
    if version >= "2024-10" {
        body.set("errors", list);
    }
    body.set("error_message", first.message.as_str());
    body.set("error_code", first.code.as_str());
    body.set("error_data", first.error_data.clone());
    body.set("status_code", u64::from(first.status_code));
    body.set("account_id", account_id);
    let status = StatusCode::from_u16(first.status_code).unwrap_or(StatusCode::OK);
    (status, body, outcome)
}

fn with_retry_after(mut r: Resp, secs: u64) -> Resp {
    r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    r
}

fn limit_error(code: &str, message: &str, retry_in: u64, request_id: &str) -> Resp {
    let body = Out::obj()
        .with(
            "errors",
            Out::List(vec![Out::obj().with("message", message).with(
                "extensions",
                Out::obj()
                    .with("code", code)
                    .with("retry_in_seconds", retry_in),
            )]),
        )
        .with("extensions", Out::obj().with("request_id", request_id));
    with_retry_after(json_resp(StatusCode::TOO_MANY_REQUESTS, &body), retry_in)
}

/// The 429 for an exhausted complexity budget, in the shape of the version: 2025-07 and
/// later code + retry_in_seconds; 2025-01 and 2025-04 also the budget figures; before, the
/// legacy `ComplexityException`. `budget` is (query cost, left, limit) when known.
fn complexity_exhausted(
    version: &str,
    request_id: &str,
    account_id: u64,
    retry_in: u64,
    budget: Option<(u64, u64, u64)>,
) -> Resp {
    if version >= "2025-07" {
        return limit_error(
            "COMPLEXITY_BUDGET_EXHAUSTED",
            "Complexity budget exhausted",
            retry_in,
            request_id,
        );
    }
    let (cost, left, limit) = budget.unwrap_or((0, 0, 0));
    if version >= "2025-01" {
        let body = Out::obj()
            .with(
                "errors",
                Out::List(vec![Out::obj()
                    .with("message", "Complexity budget exhausted")
                    .with(
                        "extensions",
                        Out::obj()
                            .with("code", "COMPLEXITY_BUDGET_EXHAUSTED")
                            .with("complexity", cost)
                            .with("complexity_budget_left", left)
                            .with("complexity_budget_limit", limit)
                            .with("retry_in_seconds", retry_in)
                            .with("status_code", 429u64),
                    )]),
            )
            .with("extensions", Out::obj().with("request_id", request_id));
        return with_retry_after(json_resp(StatusCode::TOO_MANY_REQUESTS, &body), retry_in);
    }
    let message = format!(
        "Complexity budget exhausted, query cost {cost} budget remaining {left} out of {limit} reset in {retry_in} seconds"
    );
    let body = Out::obj()
        .with("error_code", "ComplexityException")
        .with("status_code", 429u64)
        .with("error_message", message.as_str())
        .with("error_data", Out::obj())
        .with("errors", Out::List(vec![Out::Str(message)]))
        .with("account_id", account_id);
    with_retry_after(json_resp(StatusCode::TOO_MANY_REQUESTS, &body), retry_in)
}

/// The answer a fault gives; None drops the connection.
fn fault_response(f: &Fault, version: &str, request_id: &str, account_id: u64) -> Option<Resp> {
    Some(match f {
        Fault::RateLimit { retry_after } => {
            if version >= "2025-01" {
                limit_error(
                    "MINUTE_RATE_LIMIT_EXCEEDED",
                    "Minute rate limit exceeded",
                    *retry_after,
                    request_id,
                )
            } else {
                with_retry_after(
                    json_resp(
                        StatusCode::TOO_MANY_REQUESTS,
                        &Out::obj()
                            .with("error_message", "Rate Limit Exceeded.")
                            .with("status_code", 429u64),
                    ),
                    *retry_after,
                )
            }
        }
        Fault::ComplexityExhausted { retry_in } => {
            complexity_exhausted(version, request_id, account_id, *retry_in, None)
        }
        Fault::ConcurrencyLimit { retry_in } => limit_error(
            "MAX_CONCURRENCY_EXCEEDED",
            "Too many concurrent requests",
            *retry_in,
            request_id,
        ),
        Fault::DailyLimit { retry_in } => limit_error(
            "DAILY_LIMIT_EXCEEDED",
            "Daily limit exceeded",
            *retry_in,
            request_id,
        ),
        Fault::Status { status } => {
            let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match code.as_u16() {
                500 => json_resp(
                    code,
                    &Out::obj()
                        .with("status_code", 500u64)
                        .with("error_message", "Internal server error")
                        .with("error_code", "INTERNAL_SERVER_ERROR")
                        .with(
                            "errors",
                            Out::List(vec![Out::obj()
                                .with("message", "Internal server error")
                                .with(
                                    "extensions",
                                    Out::obj()
                                        .with("status_code", 500u64)
                                        .with("error_code", "INTERNAL_SERVER_ERROR"),
                                )]),
                        ),
                ),
                503 => json_resp(
                    code,
                    &Out::obj().with(
                        "errors",
                        Out::List(vec![Out::obj()
                            .with("message", "Request processing timeout exceeded")
                            .with("extensions", Out::obj().with("code", "TIMEOUT_EXCEEDED"))]),
                    ),
                ),
                _ => {
                    let reason = code.canonical_reason().unwrap_or("Error");
                    response(
                        code,
                        "text/html; charset=utf-8",
                        format!(
                            "<html>\r\n<head><title>{} {reason}</title></head>\r\n<body>\r\n<center><h1>{} {reason}</h1></center>\r\n</body>\r\n</html>\r\n",
                            code.as_u16(),
                            code.as_u16()
                        ),
                    )
                }
            }
        }
        Fault::InternalError => {
            let body = Out::obj()
                .with("data", Out::Null)
                .with(
                    "errors",
                    Out::List(vec![Out::obj()
                        .with("message", "Internal server error")
                        .with("path", Out::List(Vec::new()))
                        .with(
                            "extensions",
                            Out::obj()
                                .with("status_code", 500u64)
                                .with("error_code", "INTERNAL_SERVER_ERROR")
                                .with("service", "monolith"),
                        )]),
                )
                .with("extensions", Out::obj().with("request_id", request_id));
            json_resp(StatusCode::OK, &body)
        }
        Fault::Unauthenticated => unauthenticated(),
        Fault::Drop | Fault::DropAfterCommit => return None,
        Fault::Delay { .. } => unreachable!("delays are waited out before answering"),
    })
}

impl From<&ApiError> for Out {
    fn from(e: &ApiError) -> Out {
        Out::obj()
            .with("code", e.code.as_str())
            .with("message", e.message.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_yyyy_mm() {
        assert!(well_formed_version("2025-07"));
        assert!(!well_formed_version("2025-7"));
        assert!(!well_formed_version("2025-13"));
        assert!(!well_formed_version("latest"));
        assert!(!well_formed_version("2025-07-01"));
    }
}
