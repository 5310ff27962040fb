//! HTTP handling: `POST /v1/chat/completions` (authentication, validation, the scripted or
//! generated answer), `GET /v1/models`, and the `/__control/` routes.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Map, Value};

use crate::schema;
use crate::state::{message_text, Reply, RequestRecord, Shared};

pub(crate) type Resp = Response<Full<Bytes>>;

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a scripted reply")]
pub(crate) struct Dropped;

fn response(status: StatusCode, content_type: &'static str, body: String) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn json_resp(status: StatusCode, v: &Value) -> Resp {
    response(status, "application/json", v.to_string())
}

/// OpenAI's error envelope.
fn error(
    status: StatusCode,
    message: impl Into<String>,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Resp {
    json_resp(
        status,
        &json!({"error": {"message": message.into(), "type": kind, "param": param, "code": code}}),
    )
}

/// What one chat request came to, for the log.
struct Outcome {
    result: Result<Resp, Dropped>,
    answer: String,
}

impl Outcome {
    fn refused(resp: Resp, why: &str) -> Outcome {
        Outcome {
            result: Ok(resp),
            answer: why.to_string(),
        }
    }
}

pub(crate) async fn handle(sh: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match Limited::new(req.into_body(), sh.config.max_body_bytes)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body too large.",
                "invalid_request_error",
                None,
                None,
            ))
        }
    };
    if let Some(control) = path.strip_prefix("/__control/") {
        return Ok(handle_control(&sh, &method, control, &body));
    }
    let authorized = auth
        .as_deref()
        .and_then(bearer)
        .is_some_and(|k| k == sh.config.api_key);
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let outcome = match (&method, path.as_str()) {
        (&Method::POST, "/v1/chat/completions") => {
            chat(&sh, auth.as_deref(), parsed.as_ref(), &body).await
        }
        (&Method::GET, "/v1/models") => match check_key(&sh, auth.as_deref()) {
            Err(resp) => Outcome::refused(*resp, "invalid_api_key"),
            Ok(()) => Outcome::refused(models(&sh), "models"),
        },
        _ => Outcome::refused(
            error(
                StatusCode::NOT_FOUND,
                format!("Invalid URL ({method} {path})"),
                "invalid_request_error",
                None,
                None,
            ),
            "unknown_url",
        ),
    };
    let status = outcome.result.as_ref().ok().map(|r| r.status().as_u16());
    tracing::debug!(%path, ?status, answer = %outcome.answer, "request answered");
    sh.record(RequestRecord {
        method: method.to_string(),
        path,
        authorized,
        body: parsed,
        status,
        answer: outcome.answer,
        at: None,
    });
    outcome.result
}

fn bearer(header: &str) -> Option<&str> {
    let (scheme, key) = header.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

/// `sk-ab***...***wxyz`, as OpenAI echoes a wrong key.
fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 9 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 9))
}

fn check_key(sh: &Shared, auth: Option<&str>) -> Result<(), Box<Resp>> {
    match auth.and_then(bearer) {
        None | Some("") => Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "invalid_request_error",
            None,
            None,
        ))),
        Some(k) if k == sh.config.api_key => Ok(()),
        Some(k) => Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            format!("Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.", mask(k)),
            "invalid_request_error",
            None,
            Some("invalid_api_key"),
        ))),
    }
}

fn models(sh: &Shared) -> Resp {
    let data: Vec<Value> = sh
        .config
        .models
        .iter()
        .map(|m| json!({"id": m, "object": "model", "created": 1686935002, "owned_by": "emulator"}))
        .collect();
    json_resp(StatusCode::OK, &json!({"object": "list", "data": data}))
}

/// What a validated request asks for.
enum Format<'a> {
    Text,
    JsonObject,
    JsonSchema(&'a Value),
}

/// Checks a chat request as OpenAI does, in its order: key, body, model, parameters,
/// messages, response format.
fn validate<'a>(
    sh: &Shared,
    body: &'a Value,
) -> Result<(&'a str, Format<'a>), Box<(Resp, &'static str)>> {
    let bad = |msg: String, param: &str, code: Option<&str>| {
        error(
            StatusCode::BAD_REQUEST,
            msg,
            "invalid_request_error",
            Some(param),
            code,
        )
    };
    let Some(model) = body.get("model").and_then(Value::as_str) else {
        return Err(Box::new((
            bad("you must provide a model parameter".into(), "model", None),
            "missing_model",
        )));
    };
    if !sh.config.models.iter().any(|m| m == model) {
        return Err(Box::new((
            error(
                StatusCode::NOT_FOUND,
                format!("The model `{model}` does not exist or you do not have access to it."),
                "invalid_request_error",
                None,
                Some("model_not_found"),
            ),
            "model_not_found",
        )));
    }
    if body.get("max_tokens").is_some_and(|v| !v.is_null())
        && sh.config.reject_max_tokens.iter().any(|m| m == model)
    {
        return Err(Box::new((
            bad(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.".into(),
                "max_tokens",
                Some("unsupported_parameter"),
            ),
            "unsupported_parameter",
        )));
    }
    let messages = match body.get("messages").and_then(Value::as_array) {
        Some(m) if !m.is_empty() => m,
        Some(_) => {
            return Err(Box::new((
                bad("[] is too short - 'messages'".into(), "messages", None),
                "empty_messages",
            )))
        }
        None => {
            return Err(Box::new((
                bad(
                    "Missing required parameter: 'messages'.".into(),
                    "messages",
                    Some("missing_required_parameter"),
                ),
                "missing_messages",
            )))
        }
    };
    let format = match body.get("response_format") {
        None | Some(Value::Null) => Format::Text,
        Some(rf) => match rf.get("type").and_then(Value::as_str) {
            Some("text") => Format::Text,
            Some("json_object") => {
                let mentions_json = messages
                    .iter()
                    .any(|m| message_text(m).to_ascii_lowercase().contains("json"));
                if !mentions_json {
                    return Err(Box::new((
                        bad("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.".into(), "messages", None),
                        "json_word_missing",
                    )));
                }
                Format::JsonObject
            }
            Some("json_schema") => {
                let js = rf.get("json_schema");
                let name = js
                    .and_then(|j| j.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let name_ok = (1..=64).contains(&name.len())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if !name_ok {
                    return Err(Box::new((
                        bad(
                            format!("Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' of at most 64 characters, got '{name}'."),
                            "response_format.json_schema.name",
                            Some("invalid_value"),
                        ),
                        "invalid_schema_name",
                    )));
                }
                let Some(schema) = js.and_then(|j| j.get("schema")) else {
                    return Err(Box::new((
                        bad(
                            "Missing required parameter: 'response_format.json_schema.schema'."
                                .into(),
                            "response_format.json_schema.schema",
                            Some("missing_required_parameter"),
                        ),
                        "missing_schema",
                    )));
                };
                let strict = js.and_then(|j| j.get("strict")) == Some(&Value::Bool(true));
                if strict {
                    if let Err(msg) = schema::check_strict(name, schema) {
                        return Err(Box::new((bad(msg, "response_format", None), "invalid_schema")));
                    }
                }
                Format::JsonSchema(schema)
            }
            other => {
                return Err(Box::new((
                    bad(
                        format!("Invalid value: '{}'. Supported values are: 'json_object', 'json_schema', and 'text'.", other.unwrap_or("")),
                        "response_format.type",
                        Some("invalid_value"),
                    ),
                    "invalid_response_format",
                )))
            }
        },
    };
    Ok((model, format))
}

async fn chat(sh: &Shared, auth: Option<&str>, body: Option<&Value>, raw: &[u8]) -> Outcome {
    if let Err(resp) = check_key(sh, auth) {
        return Outcome::refused(*resp, "invalid_api_key");
    }
    let Some(body) = body else {
        let msg = format!(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.) Received {} bytes.",
            raw.len()
        );
        return Outcome::refused(
            error(
                StatusCode::BAD_REQUEST,
                msg,
                "invalid_request_error",
                None,
                None,
            ),
            "invalid_json_body",
        );
    };
    let (model, format) = match validate(sh, body) {
        Ok(v) => v,
        Err(refused) => return Outcome::refused(refused.0, refused.1),
    };
    let mut reply = sh.next_reply();
    let mut label = reply.kind().to_string();
    while let Reply::Slow { delay_ms, then } = reply {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        reply = *then;
        label = format!("slow:{}", reply.kind());
    }
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let user_text = messages
        .iter()
        .filter(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map(message_text)
        .collect::<Vec<_>>()
        .join("\n");
    let generated = || match &format {
        Format::JsonSchema(schema) => schema::generate(schema, schema, &user_text).to_string(),
        Format::JsonObject => name_value_object(&user_text).to_string(),
        Format::Text => "I read the document.".to_string(),
    };
    let n = body
        .get("n")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .clamp(1, 8);
    let prompt_tokens = messages
        .iter()
        .map(|m| tokens(&message_text(m)) + 4)
        .sum::<u64>()
        + 3;
    let (content, refusal, finish) = match reply {
        Reply::Generated => (Some(generated()), None, "stop"),
        Reply::Content { content } => (Some(content), None, "stop"),
        Reply::Refusal { refusal } => (None, Some(refusal), "stop"),
        Reply::Truncated { content } => {
            let cut = content.unwrap_or_else(|| {
                let full = generated();
                full.chars().take(full.chars().count() / 2).collect()
            });
            (Some(cut), None, "length")
        }
        Reply::ContentFilter => (None, None, "content_filter"),
        Reply::RateLimited { retry_after } => {
            let mut resp = error(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Rate limit reached for {model} in organization org-emulator on tokens per min (TPM): Limit 10000, Used 10000, Requested {prompt_tokens}. Please try again in 6ms. Visit https://platform.openai.com/account/rate-limits to learn more."),
                "tokens",
                None,
                Some("rate_limit_exceeded"),
            );
            let h = resp.headers_mut();
            for (name, value) in [
                ("x-ratelimit-limit-requests", "60"),
                ("x-ratelimit-limit-tokens", "150000"),
                ("x-ratelimit-remaining-requests", "59"),
                ("x-ratelimit-remaining-tokens", "0"),
                ("x-ratelimit-reset-requests", "1s"),
                ("x-ratelimit-reset-tokens", "6ms"),
            ] {
                h.insert(name, HeaderValue::from_static(value));
            }
            if let Some(secs) = retry_after {
                h.insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            return Outcome::refused(resp, &label);
        }
        Reply::InsufficientQuota => {
            return Outcome::refused(
                error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
                    "insufficient_quota",
                    None,
                    Some("insufficient_quota"),
                ),
                &label,
            )
        }
        Reply::ServerError { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let resp = match status.as_u16() {
                500 => error(status, "The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error.", "server_error", None, None),
                503 => error(status, "That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists.", "server_error", None, None),
                _ => response(
                    status,
                    "text/plain; charset=utf-8",
                    status.canonical_reason().unwrap_or("error").to_string(),
                ),
            };
            return Outcome::refused(resp, &label);
        }
        Reply::Drop => {
            return Outcome {
                result: Err(Dropped),
                answer: label,
            }
        }
        Reply::Slow { .. } => unreachable!("the loop above unwraps every Slow reply"),
    };
    let completion_tokens = content.as_deref().or(refusal.as_deref()).map_or(1, tokens);
    let id = sh.next_id();
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let choices: Vec<Value> = (0..n)
        .map(|index| {
            json!({
                "index": index,
                "message": {"role": "assistant", "content": content, "refusal": refusal, "annotations": []},
                "logprobs": null,
                "finish_reason": finish,
            })
        })
        .collect();
    let answer = json!({
        "id": format!("chatcmpl-EMU{id:025}"),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens * n,
            "total_tokens": prompt_tokens + completion_tokens * n,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        },
        "service_tier": "default",
        "system_fingerprint": "fp_emulator",
    });
    Outcome {
        result: Ok(json_resp(StatusCode::OK, &answer)),
        answer: label,
    }
}

/// Roughly one token per four characters, as OpenAI's rule of thumb for English.
fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4).max(1)
}

/// JSON mode's answer: the `name: value` lines of the text as an object (names in
/// snake_case).
fn name_value_object(text: &str) -> Value {
    let mut out = Map::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ' ')
        {
            continue;
        }
        let key = key.to_ascii_lowercase().replace(' ', "_");
        out.entry(key)
            .or_insert_with(|| Value::String(value.trim().to_string()));
    }
    Value::Object(out)
}

fn handle_control(sh: &Shared, method: &Method, route: &str, body: &[u8]) -> Resp {
    match (method, route) {
        (&Method::POST, "replies") => {
            let replies: Result<Vec<Reply>, _> = serde_json::from_slice::<Vec<Reply>>(body)
                .or_else(|_| serde_json::from_slice::<Reply>(body).map(|r| vec![r]));
            match replies {
                Ok(rs) => {
                    let mut st = sh.lock();
                    let count = rs.len();
                    st.replies.extend(rs);
                    json_resp(
                        StatusCode::OK,
                        &json!({"queued": count, "pending": st.replies.len()}),
                    )
                }
                Err(e) => response(
                    StatusCode::BAD_REQUEST,
                    "text/plain; charset=utf-8",
                    format!("not a reply: {e}"),
                ),
            }
        }
        (&Method::GET, "requests") => {
            let st = sh.lock();
            json_resp(
                StatusCode::OK,
                &json!(st.requests.iter().collect::<Vec<_>>()),
            )
        }
        (&Method::POST, "clear") => {
            let mut st = sh.lock();
            st.replies.clear();
            st.requests.clear();
            json_resp(StatusCode::OK, &json!({}))
        }
        _ => response(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            format!("no control route {method} /__control/{route}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_like_openai() {
        assert_eq!(mask("sk-VKMIs0123456789wjh3"), "sk-VK*************wjh3");
        assert_eq!(mask("short"), "*****");
    }

    #[test]
    fn json_mode_answer_collects_name_value_lines() {
        let v = name_value_object("Invoice Number: A-1\nnot a pair\na/b: y\ntotal: 5");
        assert_eq!(v, json!({"invoice_number": "A-1", "total": "5"}));
    }
}
