//! Test-control routes under `/__control/`: JSON in, JSON out, no authentication. Paths are
//! whole-tree paths (in team mode: of the team space, where the home is `home_path`).
//!
//! | route | body | effect |
//! |---|---|---|
//! | `POST files/put` | `{path, content? (UTF-8), content_base64?, client_modified?}` | write a file (overwrite) |
//! | `POST files/create_folder` | `{path}` | create a folder |
//! | `POST files/move` | `{from_path, to_path}` | move or rename |
//! | `POST files/delete` | `{path}` | delete a file or a subtree |
//! | `GET state` | | `{entries: [...], log_len}` |
//! | `GET account` | | `{account_id, root_namespace_id, home_namespace_id, home_path}` (`home_path` `""` for a personal account) |
//! | `GET requests` | | `[{method, path, status}]`: API requests so far (status null: dropped) |
//! | `POST tokens/issue` | `{client_id?}` | `{access_token, refresh_token}` without OAuth |
//! | `POST tokens/expire_all` | | every access token is expired |
//! | `POST tokens/revoke_refresh` | `{refresh_token}` | `{revoked: bool}` |
//! | `POST faults` | `{route, kind: rate_limit\|rate_limit_writes\|status\|drop\|delay, count?, retry_after?, status?, delay_ms?}` | next `count` requests of `route` (`*`: any route) fail |
//! | `POST faults/clear` | | drop all pending faults |
//! | `POST cursors/reset` | | every existing cursor gets 409 reset |
//! | `POST longpoll` | `{backoff?: secs or null, second_ms?}` | longpoll backoff / length of a timeout second |

use base64::Engine as _;
use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::server::{json_resp, Req, Resp};
use crate::state::{Fault, Shared};
use crate::EmulatorError;

fn error(status: StatusCode, msg: impl std::fmt::Display) -> Resp {
    json_resp(status, &json!({"error": msg.to_string()}))
}

fn body<T: for<'de> Deserialize<'de>>(req: &Req) -> Result<T, Box<Resp>> {
    let raw: &[u8] = if req.body.is_empty() {
        b"{}"
    } else {
        &req.body
    };
    serde_json::from_slice(raw).map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, e)))
}

#[derive(Deserialize)]
struct PutArg {
    path: String,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    content_base64: Option<String>,
    #[serde(default)]
    client_modified: Option<String>,
}

#[derive(Deserialize)]
struct PathArg {
    path: String,
}

#[derive(Deserialize)]
struct MoveArg {
    from_path: String,
    to_path: String,
}

#[derive(Deserialize)]
struct IssueArg {
    #[serde(default)]
    client_id: Option<String>,
}

#[derive(Deserialize)]
struct RevokeArg {
    refresh_token: String,
}

#[derive(Deserialize)]
struct FaultArg {
    route: String,
    kind: String,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    retry_after: Option<u64>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    delay_ms: Option<u64>,
}

#[derive(Deserialize)]
struct LongpollArg {
    #[serde(default)]
    backoff: Option<u64>,
    #[serde(default)]
    second_ms: Option<u64>,
}

fn fs_result(r: Result<Value, EmulatorError>) -> Resp {
    match r {
        Ok(v) => json_resp(StatusCode::OK, &v),
        Err(e @ EmulatorError::Fs(crate::model::FsError::NotFound)) => {
            error(StatusCode::NOT_FOUND, e)
        }
        Err(e) => error(StatusCode::CONFLICT, e),
    }
}

/// Normalizes a route name: `files/upload` and `/2/files/upload` are the same route.
pub(crate) fn route_key(route: &str) -> String {
    if route.starts_with('/') {
        route.to_string()
    } else if route.starts_with("oauth2/") {
        format!("/{route}")
    } else {
        format!("/2/{route}")
    }
}

pub(crate) fn handle(sh: &Shared, op: &str, req: &Req) -> Resp {
    match (req.method == Method::GET, op) {
        (true, "state") => {
            let s = sh.lock();
            let entries: Vec<Value> = s.ns.nodes.values().map(|n| n.metadata()).collect();
            json_resp(
                StatusCode::OK,
                &json!({"entries": entries, "log_len": s.ns.log.len()}),
            )
        }
        (true, "account") => {
            let s = sh.lock();
            json_resp(
                StatusCode::OK,
                &json!({
                    "account_id": s.account_id,
                    "root_namespace_id": s.namespace_id,
                    "home_namespace_id": s.home_namespace_id,
                    "home_path": s.home_path(),
                }),
            )
        }
        (true, "requests") => {
            let list: Vec<Value> = sh
                .lock()
                .requests
                .iter()
                .map(|r| json!({"method": r.method, "path": r.path, "status": r.status}))
                .collect();
            json_resp(StatusCode::OK, &Value::Array(list))
        }
        (false, "files/put") => {
            let arg: PutArg = match body(req) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            let content = match (arg.content, arg.content_base64) {
                (Some(t), _) => t.into_bytes(),
                (None, Some(b)) => match base64::engine::general_purpose::STANDARD.decode(b) {
                    Ok(bytes) => bytes,
                    Err(e) => return error(StatusCode::BAD_REQUEST, e),
                },
                (None, None) => Vec::new(),
            };
            fs_result(crate::ops::put_file(
                sh,
                &arg.path,
                content,
                arg.client_modified,
            ))
        }
        (false, "files/create_folder") => match body::<PathArg>(req) {
            Ok(a) => fs_result(crate::ops::create_folder(sh, &a.path)),
            Err(r) => *r,
        },
        (false, "files/move") => match body::<MoveArg>(req) {
            Ok(a) => fs_result(crate::ops::move_path(sh, &a.from_path, &a.to_path)),
            Err(r) => *r,
        },
        (false, "files/delete") => match body::<PathArg>(req) {
            Ok(a) => fs_result(crate::ops::delete_path(sh, &a.path)),
            Err(r) => *r,
        },
        (false, "tokens/issue") => match body::<IssueArg>(req) {
            Ok(a) => {
                let t =
                    crate::ops::issue_tokens(sh, a.client_id.as_deref().unwrap_or("emulator-app"));
                json_resp(
                    StatusCode::OK,
                    &json!({"access_token": t.access_token, "refresh_token": t.refresh_token}),
                )
            }
            Err(r) => *r,
        },
        (false, "tokens/expire_all") => {
            sh.lock().expire_all_access();
            json_resp(StatusCode::OK, &json!({}))
        }
        (false, "tokens/revoke_refresh") => match body::<RevokeArg>(req) {
            Ok(a) => {
                let revoked = sh.lock().revoke_refresh(&a.refresh_token);
                json_resp(StatusCode::OK, &json!({ "revoked": revoked }))
            }
            Err(r) => *r,
        },
        (false, "faults") => {
            let arg: FaultArg = match body(req) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            let fault = match arg.kind.as_str() {
                "rate_limit" => Fault::RateLimit {
                    retry_after: arg.retry_after.unwrap_or(1),
                },
                "rate_limit_writes" => Fault::WriteRateLimit {
                    retry_after: arg.retry_after.unwrap_or(1),
                },
                "status" => Fault::Status(arg.status.unwrap_or(500)),
                "drop" => Fault::Drop,
                "delay" => Fault::Delay(crate::server::millis(arg.delay_ms.unwrap_or(1000))),
                other => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("unknown fault kind {other:?}"),
                    )
                }
            };
            crate::ops::inject_fault(sh, &arg.route, fault, arg.count.unwrap_or(1));
            json_resp(StatusCode::OK, &json!({}))
        }
        (false, "faults/clear") => {
            sh.lock().faults.clear();
            json_resp(StatusCode::OK, &json!({}))
        }
        (false, "cursors/reset") => {
            crate::ops::reset_cursors(sh);
            json_resp(StatusCode::OK, &json!({}))
        }
        (false, "longpoll") => match body::<LongpollArg>(req) {
            Ok(a) => {
                let mut s = sh.lock();
                s.longpoll_backoff = a.backoff;
                if let Some(ms) = a.second_ms {
                    s.longpoll_second = crate::server::millis(ms);
                }
                json_resp(StatusCode::OK, &json!({}))
            }
            Err(r) => *r,
        },
        _ => error(
            StatusCode::NOT_FOUND,
            format!("unknown control route {op:?}"),
        ),
    }
}
