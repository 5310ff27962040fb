//! Test-control routes under `/__control/`: JSON in, JSON out, no authentication. They
//! mirror the methods of [`crate::Emulator`].
//!
//! | route | body | effect |
//! |---|---|---|
//! | `GET boards` | | every board: `{id, name, kind, columns, groups, item_ids}` |
//! | `GET items?board_id=ID` | | the board's items (`ItemView`s); all items without `board_id` |
//! | `GET item?id=ID` | | one item, 404 if unknown |
//! | `GET item_log` | | every item event, oldest first |
//! | `GET requests` | | the API requests received (`RequestRecord`s) |
//! | `GET complexity` | | `{budget_per_minute, used, remaining, reset_in_x_seconds, window_ms, max_per_query}` |
//! | `POST items/create` | `{board_id, group_id?, item_name, column_values?}` | create an item as another user would |
//! | `POST subitems/create` | `{parent_item_id, item_name, column_values?}` | create a subitem |
//! | `POST items/change` | `{board_id, item_id, column_values}` | change values |
//! | `POST faults` | a `Fault` (`{"kind": "rate_limit", "retry_after": 30}`...) plus `count?` (1) and `field?` | queue a fault |
//! | `POST faults/clear` | | forget queued faults |
//! | `POST token` | `{token}` | accept this token (instead of the current one) |
//! | `POST token/revoke` | | accept no token until one is set |
//! | `POST complexity` | `{budget_per_minute?, window_ms?, max_per_query?, reset?}` | change the budget; `reset` starts a fresh window |
//! | `POST requests/clear` | | forget the request log |
//!
//! `column_values` may be an object or a JSON-encoded string, as in the API. Refused writes
//! answer 422 `{code, message}` with monday's error code.

use std::time::Duration;

use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::model::{Actor, ApiError, Edit, Now};
use crate::out::Out;
use crate::server::{json_resp, Resp};
use crate::state::{Fault, FaultRule, Shared};

fn error(status: StatusCode, msg: impl std::fmt::Display) -> Resp {
    json_resp(status, &Out::obj().with("error", msg.to_string()))
}

fn ok(v: Value) -> Resp {
    json_resp(StatusCode::OK, &Out::Json(v))
}

fn body<T: for<'de> Deserialize<'de>>(raw: &[u8]) -> Result<T, Box<Resp>> {
    let raw: &[u8] = if raw.is_empty() { b"{}" } else { raw };
    serde_json::from_slice(raw).map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, e)))
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_decode(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// `a=1&b=x%20y` into pairs.
fn form_decode(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                if let Ok(b) =
                    u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
                {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// `column_values` as an object, whether sent as one or as a JSON-encoded string.
pub(crate) fn values_object(v: Option<&Value>) -> Result<Map<String, Value>, String> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err("column_values is not a JSON object".into()),
        },
        Some(_) => Err("column_values is not a JSON object".into()),
    }
}

fn refused(e: &ApiError) -> Resp {
    json_resp(StatusCode::UNPROCESSABLE_ENTITY, &Out::from(e))
}

#[derive(Deserialize)]
struct CreateArg {
    board_id: String,
    #[serde(default)]
    group_id: Option<String>,
    item_name: String,
    #[serde(default)]
    column_values: Option<Value>,
}

#[derive(Deserialize)]
struct SubitemArg {
    parent_item_id: String,
    item_name: String,
    #[serde(default)]
    column_values: Option<Value>,
}

#[derive(Deserialize)]
struct ChangeArg {
    board_id: String,
    item_id: String,
    column_values: Value,
}

#[derive(Deserialize)]
struct FaultArg {
    #[serde(flatten)]
    fault: Fault,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    field: Option<String>,
}

#[derive(Deserialize)]
struct TokenArg {
    token: String,
}

#[derive(Deserialize)]
struct ComplexityArg {
    #[serde(default)]
    budget_per_minute: Option<u64>,
    #[serde(default)]
    window_ms: Option<u64>,
    #[serde(default)]
    max_per_query: Option<u64>,
    #[serde(default)]
    reset: bool,
}

pub(crate) fn handle(sh: &Shared, method: &Method, route: &str, query: &str, raw: &[u8]) -> Resp {
    let version = sh.config.current_version.clone();
    match (method == Method::GET, route) {
        (true, "boards") => {
            let st = sh.lock();
            let boards: Vec<Value> = st
                .model
                .boards
                .iter()
                .map(|b| json!(st.model.board_view(b)))
                .collect();
            ok(Value::Array(boards))
        }
        (true, "items") => {
            let st = sh.lock();
            let board = query_param(query, "board_id");
            let ids: Vec<String> = match &board {
                Some(b) => match st.model.board(b) {
                    Some(board) => board.items.clone(),
                    None => return error(StatusCode::NOT_FOUND, format!("no board {b}")),
                },
                None => st
                    .model
                    .boards
                    .iter()
                    .flat_map(|b| b.items.clone())
                    .collect(),
            };
            let items: Vec<Value> = ids
                .iter()
                .filter_map(|i| st.model.item_view(i, &version))
                .map(|v| json!(v))
                .collect();
            ok(Value::Array(items))
        }
        (true, "item") => {
            let id = query_param(query, "id").unwrap_or_default();
            match sh.lock().model.item_view(&id, &version) {
                Some(v) => ok(json!(v)),
                None => error(StatusCode::NOT_FOUND, format!("no item {id}")),
            }
        }
        (true, "item_log") => ok(json!(sh.lock().model.log)),
        (true, "requests") => {
            let st = sh.lock();
            ok(json!(st.requests.iter().collect::<Vec<_>>()))
        }
        (true, "complexity") => {
            let mut st = sh.lock();
            let cfg = st.complexity.clone();
            let now = std::time::Instant::now();
            st.budget.roll(cfg.window, now);
            ok(json!({
                "budget_per_minute": cfg.budget_per_minute,
                "used": st.budget.used,
                "remaining": cfg.budget_per_minute.saturating_sub(st.budget.used),
                "reset_in_x_seconds": st.budget.reset_in(cfg.window, now),
                "window_ms": cfg.window.as_millis() as u64,
                "max_per_query": cfg.max_per_query,
            }))
        }
        (false, "items/create") => {
            let arg: CreateArg = match body(raw) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            let values = match values_object(arg.column_values.as_ref()) {
                Ok(v) => v,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            let mut st = sh.lock();
            let r = st.model.create_item(
                &arg.board_id,
                arg.group_id.as_deref(),
                &arg.item_name,
                &values,
                &Edit {
                    create_labels: true,
                    now: &Now::current(),
                    by: Actor::Control,
                },
            );
            match r {
                Ok(id) => ok(json!(st.model.item_view(&id, &version))),
                Err(e) => refused(&e),
            }
        }
        (false, "subitems/create") => {
            let arg: SubitemArg = match body(raw) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            let values = match values_object(arg.column_values.as_ref()) {
                Ok(v) => v,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            let mut st = sh.lock();
            let r = st.model.create_subitem(
                &arg.parent_item_id,
                &arg.item_name,
                &values,
                &Edit {
                    create_labels: true,
                    now: &Now::current(),
                    by: Actor::Control,
                },
            );
            match r {
                Ok(id) => ok(json!(st.model.item_view(&id, &version))),
                Err(e) => refused(&e),
            }
        }
        (false, "items/change") => {
            let arg: ChangeArg = match body(raw) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            let values = match values_object(Some(&arg.column_values)) {
                Ok(v) => v,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            let mut st = sh.lock();
            let r = st.model.change_values(
                &arg.board_id,
                &arg.item_id,
                &values,
                &Edit {
                    create_labels: true,
                    now: &Now::current(),
                    by: Actor::Control,
                },
            );
            match r {
                Ok(()) => ok(json!(st.model.item_view(&arg.item_id, &version))),
                Err(e) => refused(&e),
            }
        }
        (false, "faults") => {
            let arg: FaultArg = match body(raw) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            let mut st = sh.lock();
            st.faults.push_back(FaultRule {
                fault: arg.fault,
                remaining: arg.count.unwrap_or(1).max(1),
                field: arg.field,
            });
            ok(json!({"pending": st.faults.len()}))
        }
        (false, "faults/clear") => {
            sh.lock().faults.clear();
            ok(json!({}))
        }
        (false, "token") => {
            let arg: TokenArg = match body(raw) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            sh.lock().token = Some(arg.token);
            ok(json!({}))
        }
        (false, "token/revoke") => {
            sh.lock().token = None;
            ok(json!({}))
        }
        (false, "complexity") => {
            let arg: ComplexityArg = match body(raw) {
                Ok(a) => a,
                Err(r) => return *r,
            };
            let mut st = sh.lock();
            if let Some(b) = arg.budget_per_minute {
                st.complexity.budget_per_minute = b;
            }
            if let Some(w) = arg.window_ms {
                st.complexity.window = Duration::from_millis(w.max(1));
            }
            if let Some(m) = arg.max_per_query {
                st.complexity.max_per_query = m;
            }
            if arg.reset {
                st.budget.used = 0;
                st.budget.window_start = None;
            }
            ok(json!({}))
        }
        (false, "requests/clear") => {
            sh.lock().requests.clear();
            ok(json!({}))
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!("no control route {method} /__control/{route}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            form_decode("board_id=12&x=a%20b+c"),
            [
                ("board_id".to_string(), "12".to_string()),
                ("x".to_string(), "a b c".to_string())
            ]
        );
    }
}
