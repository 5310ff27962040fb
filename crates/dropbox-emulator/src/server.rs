//! HTTP front: the Dropbox routes, OAuth, and the test-control routes, on one port.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::model::{check_path, valid_timestamp, Cursor, FsError, Kind, WriteMode};
use crate::state::{AuthCode, Fault, Prefix, RootKind, Shared, TokenProblem};

pub(crate) type Resp = Response<Full<Bytes>>;

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub(crate) struct Dropped;

/// A request with its body read.
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An API failure, rendered the way Dropbox renders it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// 400, plain text.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401 with an AuthError body.
    #[error("auth error: {0:?}")]
    Auth(TokenProblem),
    /// 409 with `error_summary` and the route's error union.
    #[error("route error: {summary}")]
    Route { summary: String, error: Value },
    /// 422 with `error_summary` and a `PathRootError` (bad `Dropbox-API-Path-Root`).
    #[error("path root error: {summary}")]
    PathRoot { summary: String, error: Value },
}

impl ApiError {
    fn route(summary: impl Into<String>, error: Value) -> Self {
        ApiError::Route {
            summary: summary.into(),
            error,
        }
    }

    /// `{".tag": tag, tag: <lookup or write union>}`, e.g. path/not_found.
    fn nested(tag: &str, e: &FsError) -> Self {
        let (inner, summary) = e.union();
        let mut error = json!({ ".tag": tag });
        error[tag] = inner;
        ApiError::route(format!("{tag}/{summary}"), error)
    }

    fn into_response(self, route: &str) -> Resp {
        match self {
            ApiError::BadRequest(msg) => text(
                StatusCode::BAD_REQUEST,
                format!("Error in call to API function \"{route}\": {msg}"),
            ),
            ApiError::Auth(p) => {
                let tag = match p {
                    TokenProblem::Invalid => "invalid_access_token",
                    TokenProblem::Expired => "expired_access_token",
                };
                json_resp(
                    StatusCode::UNAUTHORIZED,
                    &json!({"error_summary": format!("{tag}/..."), "error": {".tag": tag}}),
                )
            }
            ApiError::Route { summary, error } => json_resp(
                StatusCode::CONFLICT,
                &json!({"error_summary": format!("{summary}/..."), "error": error}),
            ),
            ApiError::PathRoot { summary, error } => json_resp(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({"error_summary": format!("{summary}/.."), "error": error}),
            ),
        }
    }
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::BadRequest(msg.into())
}

fn response(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub(crate) fn json_resp(status: StatusCode, v: &Value) -> Resp {
    response(status, "application/json", v.to_string())
}

fn text(status: StatusCode, msg: impl Into<String>) -> Resp {
    response(status, "text/plain; charset=utf-8", msg.into())
}

/// JSON with every non-ASCII character (and DEL) escaped as \uXXXX, for HTTP headers.
pub(crate) fn ascii_json(v: &Value) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() && c != '\x7f' {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                let _ = write!(out, "\\u{u:04x}");
            }
        }
    }
    out
}

/// Entry point for every connection's requests.
pub(crate) async fn handle(sh: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let path = req.uri().path().to_string();
    let method = req.method().to_string();
    let result = handle_inner(&sh, req).await;
    if !path.starts_with("/__control/") {
        let status = result.as_ref().ok().map(|r| r.status().as_u16());
        sh.record(&method, &path, status);
    }
    result
}

async fn handle_inner(sh: &Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let path = req.uri().path().to_string();
    if !path.starts_with("/__control/") {
        match sh.take_fault(&path) {
            Some(Fault::Drop) => {
                tracing::info!(%path, "fault: dropping connection");
                return Err(Dropped);
            }
            Some(f @ (Fault::RateLimit { .. } | Fault::WriteRateLimit { .. })) => {
                let (reason, retry_after) = match f {
                    Fault::WriteRateLimit { retry_after } => {
                        ("too_many_write_operations", retry_after)
                    }
                    Fault::RateLimit { retry_after } => ("too_many_requests", retry_after),
                    _ => ("too_many_requests", 1),
                };
                tracing::info!(%path, retry_after, reason, "fault: 429");
                let mut r = json_resp(
                    StatusCode::TOO_MANY_REQUESTS,
                    &json!({
                        "error_summary": format!("{reason}/.."),
                        "error": {"reason": {".tag": reason}, "retry_after": retry_after},
                    }),
                );
                r.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(retry_after));
                return Ok(r);
            }
            Some(Fault::Status(code)) => {
                tracing::info!(%path, code, "fault: status");
                let status =
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                return Ok(text(
                    status,
                    status
                        .canonical_reason()
                        .unwrap_or("Server Error")
                        .to_string(),
                ));
            }
            Some(Fault::Delay(d)) => {
                tracing::info!(%path, ?d, "fault: delay");
                tokio::time::sleep(d).await;
            }
            None => {}
        }
    }
    let method = req.method().clone();
    let query = req.uri().query().unwrap_or("").to_string();
    let headers = req.headers().clone();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            tracing::debug!(error = %e, "reading request body failed");
            return Err(Dropped);
        }
    };
    let req = Req {
        method,
        path,
        query,
        headers,
        body,
    };
    let resp = route(sh, &req).await;
    tracing::debug!(path = %req.path, status = %resp.status(), "request");
    Ok(resp)
}

const RPC_ROUTES: &[&str] = &[
    "files/list_folder",
    "files/list_folder/continue",
    "files/list_folder/get_latest_cursor",
    "files/get_metadata",
    "files/get_temporary_link",
    "files/create_folder_v2",
    "files/move_v2",
    "files/delete_v2",
    "users/get_current_account",
    "auth/token/revoke",
    "sharing/create_shared_link_with_settings",
    "sharing/list_shared_links",
];

async fn route(sh: &Arc<Shared>, req: &Req) -> Resp {
    let p = req.path.as_str();
    if let Some(op) = p.strip_prefix("/__control/") {
        return crate::control::handle(sh, op, req);
    }
    if let Some(token) = p.strip_prefix("/__content/") {
        return temp_content(sh, token);
    }
    if p == "/oauth2/authorize" && req.method == Method::GET {
        return authorize(sh, req);
    }
    if p == "/oauth2/token" && req.method == Method::POST {
        return token(sh, req);
    }
    let Some(name) = p.strip_prefix("/2/") else {
        return text(StatusCode::NOT_FOUND, "Not Found");
    };
    let known = RPC_ROUTES.contains(&name)
        || matches!(
            name,
            "files/list_folder/longpoll"
                | "files/upload"
                | "files/download"
                | "files/upload_session/start"
                | "files/upload_session/append_v2"
                | "files/upload_session/finish"
        );
    if !known {
        return text(
            StatusCode::NOT_FOUND,
            format!("Unknown API function: \"{name}\""),
        );
    }
    if req.method != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let result = match name {
        "files/list_folder/longpoll" => longpoll(sh, req).await,
        "files/upload" => upload(sh, req),
        "files/upload_session/start" => upload_session_start(sh, req),
        "files/upload_session/append_v2" => upload_session_append(sh, req),
        "files/upload_session/finish" => upload_session_finish(sh, req),
        "files/download" => download(sh, req),
        _ => rpc(sh, name, req).map(|v| json_resp(StatusCode::OK, &v)),
    };
    result.unwrap_or_else(|e| e.into_response(name))
}

fn bearer(sh: &Shared, headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(bad(
            "Must provide HTTP header \"Authorization\" or URL parameter \"authorization\".",
        ));
    };
    let value = value.to_str().unwrap_or("");
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return Err(bad(format!(
            "Invalid authorization value in HTTP header \"Authorization\": \"{value}\".  Expecting \"Bearer <oauth2-access-token>\"."
        )));
    };
    let token = token.trim().to_string();
    sh.lock().check_access(&token).map_err(ApiError::Auth)?;
    Ok(token)
}

/// The root a request addresses, from its `Dropbox-API-Path-Root` header (see the crate doc,
/// "Team spaces"). Without the header: the home (the whole tree of a personal account).
pub(crate) fn path_root(sh: &Shared, headers: &HeaderMap) -> Result<RootKind, ApiError> {
    const H: &str = "Dropbox-API-Path-Root";
    let Some(raw) = headers.get(H) else {
        return Ok(home_kind(sh));
    };
    let raw = std::str::from_utf8(raw.as_bytes())
        .map_err(|_| bad(format!("{H}: header is not valid UTF-8")))?;
    let v: Value = serde_json::from_str(raw)
        .map_err(|e| bad(format!("{H}: could not decode input as JSON: {e}")))?;
    let (tag, obj) = match &v {
        Value::String(t) => (t.as_str(), None),
        Value::Object(m) => match m.get(".tag").and_then(Value::as_str) {
            Some(t) => (t, Some(m)),
            None => return Err(bad(format!("{H}: missing '.tag' key"))),
        },
        _ => return Err(bad(format!("{H}: expected object, got {}", json_kind(&v)))),
    };
    let id_field = |field: &str| -> Result<String, ApiError> {
        let Some(m) = obj else {
            return Err(bad(format!("{H}: tag '{tag}' requires a value")));
        };
        match m.get(field) {
            Some(Value::String(id)) if is_namespace_id(id) => Ok(id.clone()),
            Some(Value::String(id)) => Err(bad(format!(
                "{H}: {field}: '{id}' did not match pattern '[-_0-9a-zA-Z:]+'"
            ))),
            Some(other) => Err(bad(format!(
                "{H}: {field}: expected string, got {}",
                json_kind(other)
            ))),
            None => Err(bad(format!("{H}: missing required field '{field}'"))),
        }
    };
    let s = sh.lock();
    match tag {
        "home" => Ok(home_kind(sh)),
        "root" => {
            let id = id_field("root")?;
            if id == s.namespace_id {
                Ok(RootKind::Whole)
            } else {
                let mut error = json!({".tag": "invalid_root"});
                error["invalid_root"] = s.root_info(&sh.config);
                Err(ApiError::PathRoot {
                    summary: "invalid_root".into(),
                    error,
                })
            }
        }
        "namespace_id" => {
            let id = id_field("namespace_id")?;
            if id == s.namespace_id {
                Ok(RootKind::Whole)
            } else if id == s.home_namespace_id {
                Ok(home_kind(sh))
            } else {
                Err(ApiError::PathRoot {
                    summary: "no_permission".into(),
                    error: json!({".tag": "no_permission"}),
                })
            }
        }
        other => Err(bad(format!("{H}: unknown tag '{other}'"))),
    }
}

fn home_kind(sh: &Shared) -> RootKind {
    if sh.config.team.is_some() {
        RootKind::Home
    } else {
        RootKind::Whole
    }
}

fn is_namespace_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// Resolves `path` (relative to `pre`, or an `id:`) to a whole-tree form for the namespace
/// (an absolute path, or the id when it lies strictly inside `pre`).
fn in_view(s: &crate::state::State, pre: &Prefix, path: &str) -> Result<String, FsError> {
    if path.is_empty() {
        return Err(FsError::MalformedPath);
    }
    if path.starts_with("id:") {
        let key = s.ns.resolve(path)?;
        return if pre.inside(&key) {
            Ok(path.to_string())
        } else {
            Err(FsError::NotFound)
        };
    }
    Ok(pre.full(path))
}

/// A 409 `<tag>/no_write_permission` (a WriteError) for writes that would move or delete the
/// team member's home folder.
fn protect_home(s: &crate::state::State, key: &str, tag: &str) -> Result<(), ApiError> {
    match &s.home {
        Some((id, _)) if s.ns.nodes.get(key).is_some_and(|n| n.id == *id) => {
            let mut error = json!({ ".tag": tag });
            error[tag] = json!({".tag": "no_write_permission"});
            Err(ApiError::route(format!("{tag}/no_write_permission"), error))
        }
        _ => Ok(()),
    }
}

fn parse<T: DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| bad(format!("request body: {e}")))
}

fn rpc_body(req: &Req) -> Result<Value, ApiError> {
    if req.body.is_empty() {
        return Ok(Value::Null);
    }
    let ct = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("application/json") && ct != "text/plain; charset=dropbox-cors-hack" {
        return Err(bad(format!(
            "Bad HTTP \"Content-Type\" header: \"{ct}\".  Expecting one of \"application/json\", \"application/json; charset=utf-8\", \"text/plain; charset=dropbox-cors-hack\"."
        )));
    }
    serde_json::from_slice(&req.body)
        .map_err(|e| bad(format!("request body: could not decode input as JSON: {e}")))
}

fn rpc(sh: &Shared, name: &str, req: &Req) -> Result<Value, ApiError> {
    let token = bearer(sh, &req.headers)?;
    let root = path_root(sh, &req.headers)?;
    let body = rpc_body(req)?;
    match name {
        "files/list_folder" => list_folder(sh, root, parse(body)?),
        "files/list_folder/continue" => list_folder_continue(sh, parse(body)?),
        "files/list_folder/get_latest_cursor" => get_latest_cursor(sh, root, parse(body)?),
        "files/get_metadata" => get_metadata(sh, root, parse(body)?),
        "files/get_temporary_link" => get_temporary_link(sh, root, req, parse(body)?),
        "files/create_folder_v2" => create_folder(sh, root, parse(body)?),
        "files/move_v2" => move_v2(sh, root, parse(body)?),
        "files/delete_v2" => delete_v2(sh, root, parse(body)?),
        "users/get_current_account" => {
            let s = sh.lock();
            Ok(s.account_json(&sh.config))
        }
        "auth/token/revoke" => {
            sh.lock().revoke_access(&token);
            Ok(Value::Null)
        }
        "sharing/create_shared_link_with_settings" => create_shared_link(sh, root, parse(body)?),
        "sharing/list_shared_links" => list_shared_links(sh, root, parse(body)?),
        other => Err(bad(format!("unknown route {other}"))),
    }
}

// ---------------------------------------------------------------------------------------
// files/list_folder and friends

const PATH_PATTERN: &str = "(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ListFolderArg {
    path: String,
    #[serde(default)]
    recursive: bool,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    include_media_info: Option<bool>,
    #[serde(default)]
    include_deleted: Option<bool>,
    #[serde(default)]
    include_has_explicit_shared_members: Option<bool>,
    #[serde(default)]
    include_mounted_folders: Option<bool>,
    #[serde(default)]
    include_non_downloadable_files: Option<bool>,
    #[serde(default)]
    include_property_groups: Option<Value>,
    #[serde(default)]
    shared_link: Option<Value>,
}

/// Resolves a list_folder path (relative to `root`) to the listed folder's whole-tree
/// path_lower ("" for the whole tree's root).
fn folder_key(sh: &Shared, root: RootKind, path: &str) -> Result<String, ApiError> {
    if path == "/" {
        return Err(bad(
            "request body: path: Specify the root folder as an empty string rather than as \"/\".",
        ));
    }
    if !path.is_empty() && !path.starts_with('/') && !path.starts_with("id:") {
        return Err(bad(format!(
            "request body: path: '{path}' did not match pattern '{PATH_PATTERN}'"
        )));
    }
    let s = sh.lock();
    let pre = s.prefix(root);
    if path.is_empty() {
        if !pre.lower.is_empty() && !s.ns.nodes.contains_key(&pre.lower) {
            return Err(ApiError::nested("path", &FsError::NotFound));
        }
        return Ok(pre.lower);
    }
    let key = if path.starts_with("id:") {
        s.ns.resolve(path)
            .ok()
            .filter(|k| pre.covers(k))
            .ok_or(FsError::NotFound)
    } else {
        s.ns.resolve(&pre.full(path))
    }
    .map_err(|e| ApiError::nested("path", &e))?;
    match s.ns.nodes.get(&key).map(|n| &n.kind) {
        Some(Kind::File(_)) => Err(ApiError::nested("path", &FsError::NotFolder)),
        _ => Ok(key),
    }
}

fn check_limit(limit: Option<u32>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(2000),
        Some(l @ 1..=2000) => Ok(l as usize),
        Some(l) => Err(bad(format!(
            "request body: limit: {l} is not within bounds [1, 2000]"
        ))),
    }
}

fn list_folder(sh: &Shared, root: RootKind, arg: ListFolderArg) -> Result<Value, ApiError> {
    let limit = check_limit(arg.limit)?;
    let folder = folder_key(sh, root, &arg.path)?;
    let mut s = sh.lock();
    let pre = s.prefix(root);
    let entries: Vec<Value> =
        s.ns.listing(&folder, arg.recursive)
            .map_err(|e| ApiError::nested("path", &e))?
            .into_iter()
            .filter_map(|v| pre.visible(v))
            .collect();
    let mut cursor = Cursor {
        e: s.ns.epoch,
        p: folder,
        r: arg.recursive,
        n: s.ns.log.len(),
        l: limit,
        s: None,
        h: root == RootKind::Home,
    };
    let has_more = entries.len() > limit;
    let page: Vec<Value> = entries.iter().take(limit).cloned().collect();
    if has_more {
        let sid = s.ns.new_snapshot_id();
        s.ns.snapshots.insert(sid, entries);
        cursor.s = Some((sid, limit));
    }
    Ok(json!({"entries": page, "cursor": cursor.encode(), "has_more": has_more}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CursorArg {
    cursor: String,
}

fn decode_cursor(sh: &Shared, raw: &str) -> Result<Cursor, ApiError> {
    if raw.is_empty() {
        return Err(bad(
            "request body: cursor: '' must be at least 1 characters, got 0",
        ));
    }
    let cursor = Cursor::decode(raw)
        .ok_or_else(|| bad("Invalid \"cursor\" parameter: not a cursor issued by this server."))?;
    if cursor.e != sh.lock().ns.epoch {
        return Err(ApiError::route("reset", json!({".tag": "reset"})));
    }
    Ok(cursor)
}

fn list_folder_continue(sh: &Shared, arg: CursorArg) -> Result<Value, ApiError> {
    let mut cursor = decode_cursor(sh, &arg.cursor)?;
    let s = sh.lock();
    // The cursor keeps the root it was made with, whatever this request's header says.
    let pre = s.prefix(if cursor.h {
        RootKind::Home
    } else {
        RootKind::Whole
    });
    if let Some((sid, off)) = cursor.s {
        let Some(snap) = s.ns.snapshots.get(&sid) else {
            return Err(ApiError::route("reset", json!({".tag": "reset"})));
        };
        let page: Vec<Value> = snap.iter().skip(off).take(cursor.l).cloned().collect();
        let next = off + page.len();
        let has_more = if next < snap.len() {
            cursor.s = Some((sid, next));
            true
        } else {
            cursor.s = None;
            s.ns.has_changes(&cursor.p, cursor.r, cursor.n)
        };
        return Ok(json!({"entries": page, "cursor": cursor.encode(), "has_more": has_more}));
    }
    if !cursor.p.is_empty() && !s.ns.nodes.contains_key(&cursor.p) {
        // The listed folder itself is gone: deliver what is pending, then not_found.
        if !s.ns.has_changes(&cursor.p, cursor.r, cursor.n) {
            return Err(ApiError::nested("path", &FsError::NotFound));
        }
    }
    let (entries, n, has_more) = s.ns.changes(&cursor.p, cursor.r, cursor.n, cursor.l);
    let entries: Vec<Value> = entries.into_iter().filter_map(|v| pre.visible(v)).collect();
    cursor.n = n;
    Ok(json!({"entries": entries, "cursor": cursor.encode(), "has_more": has_more}))
}

fn get_latest_cursor(sh: &Shared, root: RootKind, arg: ListFolderArg) -> Result<Value, ApiError> {
    let limit = check_limit(arg.limit)?;
    let folder = folder_key(sh, root, &arg.path)?;
    let s = sh.lock();
    let cursor = Cursor {
        e: s.ns.epoch,
        p: folder,
        r: arg.recursive,
        n: s.ns.log.len(),
        l: limit,
        s: None,
        h: root == RootKind::Home,
    };
    Ok(json!({"cursor": cursor.encode()}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LongpollArg {
    cursor: String,
    #[serde(default = "default_timeout")]
    timeout: u64,
}

fn default_timeout() -> u64 {
    30
}

async fn longpoll(sh: &Arc<Shared>, req: &Req) -> Result<Resp, ApiError> {
    if req.headers.contains_key(AUTHORIZATION) {
        return Err(bad(
            "Unexpected HTTP header \"Authorization\": this route does not take authentication.",
        ));
    }
    let arg: LongpollArg = parse(rpc_body(req)?)?;
    if !(30..=480).contains(&arg.timeout) {
        return Err(bad(format!(
            "request body: timeout: {} is not within bounds [30, 480]",
            arg.timeout
        )));
    }
    let cursor = decode_cursor(sh, &arg.cursor)?;
    let mut rx = sh.changed.subscribe();
    let (second, backoff) = {
        let s = sh.lock();
        (s.longpoll_second, s.longpoll_backoff)
    };
    let now = tokio::time::Instant::now();
    let wait = second.saturating_mul(arg.timeout as u32);
    let deadline = now
        .checked_add(wait)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
    let changes = loop {
        {
            let s = sh.lock();
            if s.ns.epoch != cursor.e {
                return Err(ApiError::route("reset", json!({".tag": "reset"})));
            }
            if cursor.s.is_some() || s.ns.has_changes(&cursor.p, cursor.r, cursor.n) {
                break true;
            }
        }
        tokio::select! {
            r = rx.changed() => if r.is_err() { break false },
            _ = tokio::time::sleep_until(deadline) => break false,
        }
    };
    let mut body = json!({ "changes": changes });
    if let Some(b) = backoff {
        body["backoff"] = json!(b);
    }
    Ok(json_resp(StatusCode::OK, &body))
}

// ---------------------------------------------------------------------------------------
// metadata, folders, moves, deletes

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct GetMetadataArg {
    path: String,
    #[serde(default)]
    include_media_info: Option<bool>,
    #[serde(default)]
    include_deleted: Option<bool>,
    #[serde(default)]
    include_has_explicit_shared_members: Option<bool>,
    #[serde(default)]
    include_property_groups: Option<Value>,
}

fn check_arg_path(field: &str, path: &str) -> Result<(), ApiError> {
    if path.is_empty() || path == "/" {
        return Err(bad(format!(
            "request body: {field}: The root folder is unsupported."
        )));
    }
    if !path.starts_with('/') && !path.starts_with("id:") && !path.starts_with("rev:") {
        return Err(bad(format!(
            "request body: {field}: '{path}' did not match pattern '{PATH_PATTERN}'"
        )));
    }
    Ok(())
}

fn get_metadata(sh: &Shared, root: RootKind, arg: GetMetadataArg) -> Result<Value, ApiError> {
    check_arg_path("path", &arg.path)?;
    let s = sh.lock();
    let pre = s.prefix(root);
    let found = in_view(&s, &pre, &arg.path).and_then(|full| {
        let node = s.ns.get(&full)?;
        pre.visible(node.metadata()).ok_or(FsError::NotFound)
    });
    match found {
        Ok(meta) => Ok(meta),
        Err(FsError::NotFound) if arg.include_deleted == Some(true) => {
            let lower = pre.full(&arg.path).to_lowercase();
            s.ns.log
                .iter()
                .rev()
                .find(|e| e.path_lower == lower)
                .filter(|e| e.value[".tag"] == "deleted")
                .and_then(|e| pre.visible(e.value.clone()))
                .ok_or_else(|| ApiError::nested("path", &FsError::NotFound))
        }
        Err(e) => Err(ApiError::nested("path", &e)),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateFolderArg {
    path: String,
    #[serde(default)]
    autorename: bool,
}

fn create_folder(sh: &Shared, root: RootKind, arg: CreateFolderArg) -> Result<Value, ApiError> {
    check_arg_path("path", &arg.path)?;
    if check_path(&arg.path).is_err() {
        return Err(ApiError::nested("path", &FsError::MalformedPath));
    }
    let meta = sh
        .mutate(|s| {
            let pre = s.prefix(root);
            s.ns.create_folder(&pre.full(&arg.path), arg.autorename)
                .map(|m| pre.rel(m))
        })
        .map_err(|e| ApiError::nested("path", &e))?;
    Ok(json!({ "metadata": untag(meta) }))
}

fn untag(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove(".tag");
    }
    v
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RelocationArg {
    from_path: String,
    to_path: String,
    #[serde(default)]
    autorename: bool,
    #[serde(default)]
    allow_shared_folder: Option<bool>,
    #[serde(default)]
    allow_ownership_transfer: Option<bool>,
}

fn move_v2(sh: &Shared, root: RootKind, arg: RelocationArg) -> Result<Value, ApiError> {
    check_arg_path("from_path", &arg.from_path)?;
    check_arg_path("to_path", &arg.to_path)?;
    let result = sh.mutate(|s| {
        let pre = s.prefix(root);
        let from =
            in_view(s, &pre, &arg.from_path).map_err(|e| ApiError::nested("from_lookup", &e))?;
        let to = pre.full(&arg.to_path);
        let from_key =
            s.ns.resolve(&from)
                .map_err(|e| ApiError::nested("from_lookup", &e))?;
        protect_home(s, &from_key, "from_write")?;
        s.ns.relocate(&from, &to, arg.autorename)
            .map(|m| pre.rel(m))
            .map_err(|e| match e {
                FsError::MoveIntoItself => ApiError::route(
                    "cant_move_folder_into_itself",
                    json!({".tag": "cant_move_folder_into_itself"}),
                ),
                FsError::NotFound => ApiError::nested("from_lookup", &e),
                other => ApiError::nested("to", &other),
            })
    })?;
    Ok(json!({ "metadata": result }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DeleteArg {
    path: String,
    #[serde(default)]
    parent_rev: Option<String>,
}

fn delete_v2(sh: &Shared, root: RootKind, arg: DeleteArg) -> Result<Value, ApiError> {
    check_arg_path("path", &arg.path)?;
    let meta = sh.mutate(|s| {
        let pre = s.prefix(root);
        let full = in_view(s, &pre, &arg.path).map_err(|e| ApiError::nested("path_lookup", &e))?;
        let key =
            s.ns.resolve(&full)
                .map_err(|e| ApiError::nested("path_lookup", &e))?;
        protect_home(s, &key, "path_write")?;
        s.ns.delete(&full)
            .map(|m| pre.rel(m))
            .map_err(|e| ApiError::nested("path_lookup", &e))
    })?;
    Ok(json!({ "metadata": meta }))
}

// ---------------------------------------------------------------------------------------
// content routes

fn api_arg(req: &Req) -> Result<Value, ApiError> {
    let raw = match req.headers.get("dropbox-api-arg") {
        Some(v) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
        None => form_urlencoded::parse(req.query.as_bytes())
            .find(|(k, _)| k == "arg")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| {
                bad("Must provide HTTP header \"Dropbox-API-Arg\" or URL parameter \"arg\".")
            })?,
    };
    serde_json::from_str(&raw).map_err(|e| {
        bad(format!(
            "HTTP header \"Dropbox-API-Arg\": could not decode input as JSON: {e}"
        ))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct UploadArg {
    path: String,
    #[serde(default)]
    mode: Option<Value>,
    #[serde(default)]
    autorename: bool,
    #[serde(default)]
    client_modified: Option<String>,
    #[serde(default)]
    mute: Option<bool>,
    #[serde(default)]
    property_groups: Option<Value>,
    #[serde(default)]
    strict_conflict: Option<bool>,
    #[serde(default)]
    content_hash: Option<String>,
}

fn write_mode(v: Option<&Value>) -> Result<WriteMode, ApiError> {
    let tag = match v {
        None => return Ok(WriteMode::Add),
        Some(Value::String(s)) => s.as_str(),
        Some(v) => v[".tag"].as_str().unwrap_or(""),
    };
    match tag {
        "add" => Ok(WriteMode::Add),
        "overwrite" => Ok(WriteMode::Overwrite),
        "update" => match v.and_then(|v| v["update"].as_str()) {
            Some(rev) => Ok(WriteMode::Update(rev.to_string())),
            None => Err(bad(
                "HTTP header \"Dropbox-API-Arg\": mode: missing 'update' rev",
            )),
        },
        other => Err(bad(format!(
            "HTTP header \"Dropbox-API-Arg\": mode: unknown tag '{other}'"
        ))),
    }
}

/// Checks the token, the path root and the Content-Type of a content-upload route and parses
/// its argument.
fn content_upload_arg<T: DeserializeOwned>(
    sh: &Shared,
    req: &Req,
) -> Result<(T, RootKind), ApiError> {
    bearer(sh, &req.headers)?;
    let root = path_root(sh, &req.headers)?;
    let ct = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct != "application/octet-stream" && ct != "text/plain; charset=dropbox-cors-hack" {
        return Err(bad(format!(
            "Bad HTTP \"Content-Type\" header: \"{ct}\".  Expecting one of \"application/octet-stream\", \"text/plain; charset=dropbox-cors-hack\"."
        )));
    }
    let arg = serde_json::from_value(api_arg(req)?)
        .map_err(|e| bad(format!("HTTP header \"Dropbox-API-Arg\": {e}")))?;
    if req.body.len() > sh.config.max_upload_bytes {
        return Err(ApiError::route(
            "payload_too_large",
            json!({".tag": "payload_too_large"}),
        ));
    }
    Ok((arg, root))
}

fn check_content_hash(expected: Option<&String>, data: &[u8]) -> Result<(), ApiError> {
    match expected {
        Some(h) if *h != crate::model::content_hash(data) => Err(ApiError::route(
            "content_hash_mismatch",
            json!({".tag": "content_hash_mismatch"}),
        )),
        _ => Ok(()),
    }
}

/// Validates a commit (UploadArg / CommitInfo) and writes `data`; `wrap` turns a WriteError
/// into the route's error union.
fn commit(
    sh: &Shared,
    root: RootKind,
    arg: &UploadArg,
    data: Bytes,
    wrap: fn(Value, String) -> ApiError,
) -> Result<Value, ApiError> {
    if !arg.path.starts_with('/') && !arg.path.starts_with("id:") {
        return Err(bad(format!(
            "HTTP header \"Dropbox-API-Arg\": path: '{}' did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)|(id:.*)'",
            arg.path
        )));
    }
    if let Some(cm) = &arg.client_modified {
        if !valid_timestamp(cm) {
            return Err(bad(format!(
                "HTTP header \"Dropbox-API-Arg\": client_modified: '{cm}' is not a valid timestamp (%Y-%m-%dT%H:%M:%SZ)"
            )));
        }
    }
    let mode = write_mode(arg.mode.as_ref())?;
    let meta = sh
        .mutate(|s| {
            let pre = s.prefix(root);
            s.ns.put_file(
                &pre.full(&arg.path),
                data,
                &mode,
                arg.autorename,
                arg.client_modified.clone(),
            )
            .map(|m| pre.rel(m))
        })
        .map_err(|e| {
            let (reason, summary) = e.union();
            wrap(reason, summary)
        })?;
    Ok(untag(meta))
}

fn upload(sh: &Shared, req: &Req) -> Result<Resp, ApiError> {
    let (arg, root): (UploadArg, _) = content_upload_arg(sh, req)?;
    check_content_hash(arg.content_hash.as_ref(), &req.body)?;
    let meta = commit(sh, root, &arg, req.body.clone(), |reason, summary| {
        ApiError::route(
            format!("path/{summary}"),
            json!({".tag": "path", "reason": reason, "upload_session_id": "pid_upload_session:emulated"}),
        )
    })?;
    Ok(json_resp(StatusCode::OK, &meta))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SessionStartArg {
    #[serde(default)]
    close: bool,
    #[serde(default)]
    session_type: Option<Value>,
    #[serde(default)]
    content_hash: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionCursor {
    session_id: String,
    offset: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionAppendArg {
    cursor: SessionCursor,
    #[serde(default)]
    close: bool,
    #[serde(default)]
    content_hash: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionFinishArg {
    cursor: SessionCursor,
    commit: UploadArg,
    #[serde(default)]
    content_hash: Option<String>,
}

/// An UploadSessionLookupError for `cursor`, if the append at it is not acceptable.
fn session_lookup(
    s: &crate::state::State,
    cursor: &SessionCursor,
    appending: bool,
) -> Result<(), (Value, String)> {
    let Some(session) = s.sessions.get(&cursor.session_id) else {
        return Err((json!({".tag": "not_found"}), "not_found".into()));
    };
    let len = session.data.len() as u64;
    if cursor.offset != len {
        return Err((
            json!({".tag": "incorrect_offset", "correct_offset": len}),
            "incorrect_offset".into(),
        ));
    }
    if appending && session.closed {
        return Err((json!({".tag": "closed"}), "closed".into()));
    }
    Ok(())
}

fn upload_session_start(sh: &Shared, req: &Req) -> Result<Resp, ApiError> {
    let (arg, _): (SessionStartArg, _) = content_upload_arg(sh, req)?;
    check_content_hash(arg.content_hash.as_ref(), &req.body)?;
    let mut s = sh.lock();
    let id = format!("pid_upload_session:{}", s.random_token(40));
    s.sessions.insert(
        id.clone(),
        crate::state::UploadSession {
            data: req.body.to_vec(),
            closed: arg.close,
        },
    );
    Ok(json_resp(StatusCode::OK, &json!({ "session_id": id })))
}

fn upload_session_append(sh: &Shared, req: &Req) -> Result<Resp, ApiError> {
    let (arg, _): (SessionAppendArg, _) = content_upload_arg(sh, req)?;
    check_content_hash(arg.content_hash.as_ref(), &req.body)?;
    let mut s = sh.lock();
    session_lookup(&s, &arg.cursor, true).map_err(|(e, summary)| ApiError::route(summary, e))?;
    if let Some(session) = s.sessions.get_mut(&arg.cursor.session_id) {
        session.data.extend_from_slice(&req.body);
        session.closed |= arg.close;
    }
    Ok(json_resp(StatusCode::OK, &Value::Null))
}

fn upload_session_finish(sh: &Shared, req: &Req) -> Result<Resp, ApiError> {
    let (arg, root): (SessionFinishArg, _) = content_upload_arg(sh, req)?;
    let data = {
        let mut s = sh.lock();
        let appending = !req.body.is_empty();
        session_lookup(&s, &arg.cursor, appending).map_err(|(e, summary)| {
            let mut error = json!({".tag": "lookup_failed"});
            error["lookup_failed"] = e;
            ApiError::route(format!("lookup_failed/{summary}"), error)
        })?;
        let Some(mut session) = s.sessions.remove(&arg.cursor.session_id) else {
            return Err(ApiError::route(
                "lookup_failed/not_found",
                json!({".tag": "lookup_failed", "lookup_failed": {".tag": "not_found"}}),
            ));
        };
        session.data.extend_from_slice(&req.body);
        if let Err(e) = check_content_hash(arg.content_hash.as_ref(), &session.data) {
            s.sessions.insert(arg.cursor.session_id.clone(), session);
            return Err(e);
        }
        Bytes::from(session.data)
    };
    let meta = commit(sh, root, &arg.commit, data, |reason, summary| {
        let mut error = json!({".tag": "path"});
        error["path"] = reason;
        ApiError::route(format!("path/{summary}"), error)
    })?;
    Ok(json_resp(StatusCode::OK, &meta))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathOnlyArg {
    path: String,
}

/// files/get_temporary_link: a link served by this emulator at `/__content/<token>`.
fn get_temporary_link(
    sh: &Shared,
    root: RootKind,
    req: &Req,
    arg: PathOnlyArg,
) -> Result<Value, ApiError> {
    check_arg_path("path", &arg.path)?;
    let mut s = sh.lock();
    let pre = s.prefix(root);
    let node = in_view(&s, &pre, &arg.path)
        .and_then(|full| s.ns.get(&full))
        .map_err(|e| ApiError::nested("path", &e))?;
    if !matches!(node.kind, Kind::File(_)) {
        return Err(ApiError::nested("path", &FsError::NotFile));
    }
    let meta = pre.rel(node.untagged_metadata());
    let id = node.id.clone();
    let token = s.random_token(32);
    s.temp_links.insert(token.clone(), id);
    let host = req
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Ok(json!({"metadata": meta, "link": format!("http://{host}/__content/{token}")}))
}

/// GET /__content/<token>: the bytes behind a temporary link (404 once the file is gone).
fn temp_content(sh: &Shared, token: &str) -> Resp {
    let s = sh.lock();
    let node = s.temp_links.get(token).and_then(|id| s.ns.get(id).ok());
    match node.map(|n| &n.kind) {
        Some(Kind::File(f)) => response(
            StatusCode::OK,
            "application/octet-stream",
            f.content.clone(),
        ),
        _ => text(StatusCode::NOT_FOUND, "Not Found"),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DownloadArg {
    path: String,
    #[serde(default)]
    rev: Option<String>,
}

fn download(sh: &Shared, req: &Req) -> Result<Resp, ApiError> {
    bearer(sh, &req.headers)?;
    let root = path_root(sh, &req.headers)?;
    let ct = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !matches!(
        ct,
        "" | "text/plain" | "text/plain; charset=utf-8" | "text/plain; charset=dropbox-cors-hack"
    ) {
        return Err(bad(format!(
            "Bad HTTP \"Content-Type\" header: \"{ct}\".  Expecting one of \"text/plain\", \"text/plain; charset=utf-8\", \"text/plain; charset=dropbox-cors-hack\"."
        )));
    }
    let arg: DownloadArg = serde_json::from_value(api_arg(req)?)
        .map_err(|e| bad(format!("HTTP header \"Dropbox-API-Arg\": {e}")))?;
    check_arg_path("path", &arg.path)?;
    let s = sh.lock();
    let pre = s.prefix(root);
    let node = in_view(&s, &pre, &arg.path)
        .and_then(|full| s.ns.get(&full))
        .map_err(|e| ApiError::nested("path", &e))?;
    let Kind::File(f) = &node.kind else {
        return Err(ApiError::nested("path", &FsError::NotFile));
    };
    let header = ascii_json(&pre.rel(node.untagged_metadata()));
    let mut r = response(
        StatusCode::OK,
        "application/octet-stream",
        f.content.clone(),
    );
    let value = HeaderValue::from_str(&header).map_err(|e| bad(format!("header: {e}")))?;
    r.headers_mut().insert("dropbox-api-result", value);
    Ok(r)
}

// ---------------------------------------------------------------------------------------
// sharing

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CreateLinkArg {
    path: String,
    #[serde(default)]
    settings: Option<Value>,
}

/// SharedLinkMetadata of `node`; `pre` is the request's root (`path_lower` is left out for
/// items outside it, as Dropbox leaves it out for items not in the user's Dropbox).
fn link_metadata(node: &crate::model::Node, url: &str, pre: &Prefix) -> Value {
    let mut v = json!({
        ".tag": "folder",
        "url": url,
        "id": node.id,
        "name": node.name(),
        "path_lower": node.path_display.to_lowercase(),
        "link_permissions": {
            "resolved_visibility": {".tag": "public"},
            "requested_visibility": {".tag": "public"},
            "can_revoke": true,
            "visibility_policies": [],
            "can_set_expiry": true,
            "can_remove_expiry": true,
            "allow_download": true,
            "can_allow_download": true,
            "can_disallow_download": false,
            "allow_comments": true,
            "team_restricts_comments": false,
        },
    });
    if let Kind::File(f) = &node.kind {
        v[".tag"] = json!("file");
        v["client_modified"] = json!(f.client_modified);
        v["server_modified"] = json!(f.server_modified);
        v["rev"] = json!(f.rev);
        v["size"] = json!(f.content.len());
    }
    let lower = node.path_display.to_lowercase();
    match pre.visible(json!({ "path_lower": lower })) {
        Some(rel) => v["path_lower"] = rel["path_lower"].clone(),
        None => {
            if let Some(m) = v.as_object_mut() {
                m.remove("path_lower");
            }
        }
    }
    v
}

fn create_shared_link(sh: &Shared, root: RootKind, arg: CreateLinkArg) -> Result<Value, ApiError> {
    check_arg_path("path", &arg.path)?;
    let mut s = sh.lock();
    let pre = s.prefix(root);
    let node = in_view(&s, &pre, &arg.path)
        .and_then(|full| s.ns.get(&full).cloned())
        .map_err(|e| ApiError::nested("path", &e))?;
    if let Some(url) = s.links.get(&node.id) {
        return Err(ApiError::route(
            "shared_link_already_exists/metadata",
            json!({
                ".tag": "shared_link_already_exists",
                "shared_link_already_exists": {".tag": "metadata", "metadata": link_metadata(&node, url, &pre)},
            }),
        ));
    }
    let key = s.random_token(15).to_lowercase();
    let name: String = form_urlencoded::byte_serialize(node.name().as_bytes()).collect();
    let url = format!("https://www.dropbox.com/s/{key}/{name}?dl=0");
    s.links.insert(node.id.clone(), url.clone());
    Ok(link_metadata(&node, &url, &pre))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ListLinksArg {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    direct_only: Option<bool>,
}

fn list_shared_links(
    sh: &Shared,
    root: RootKind,
    arg: Option<ListLinksArg>,
) -> Result<Value, ApiError> {
    let arg = arg.unwrap_or(ListLinksArg {
        path: None,
        cursor: None,
        direct_only: None,
    });
    let s = sh.lock();
    let pre = s.prefix(root);
    let only = match &arg.path {
        Some(p) => Some(
            in_view(&s, &pre, p)
                .and_then(|full| s.ns.get(&full))
                .map_err(|e| ApiError::nested("path", &e))?
                .id
                .clone(),
        ),
        None => None,
    };
    let links: Vec<Value> =
        s.ns.nodes
            .values()
            .filter(|n| only.as_ref().is_none_or(|id| *id == n.id))
            .filter_map(|n| s.links.get(&n.id).map(|url| link_metadata(n, url, &pre)))
            .collect();
    Ok(json!({"links": links, "has_more": false}))
}

// ---------------------------------------------------------------------------------------
// OAuth

fn query_map(q: &str) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn is_loopback(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            lower.strip_prefix(prefix).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(':') || rest.starts_with('/')
            })
        })
}

fn html_error(msg: &str) -> Resp {
    response(
        StatusCode::BAD_REQUEST,
        "text/html; charset=utf-8",
        format!("<!DOCTYPE html><html><head><title>Dropbox - 400</title></head><body><h1>Error (400)</h1><p>{}</p></body></html>", html_escape(msg)),
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn authorize(sh: &Shared, req: &Req) -> Resp {
    let q = query_map(&req.query);
    let Some(client_id) = q.get("client_id").filter(|c| !c.is_empty()) else {
        return html_error("Invalid client_id: missing.");
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return html_error("Invalid response_type: must be \"code\".");
    }
    let redirect_uri = q.get("redirect_uri").cloned();
    if let Some(uri) = &redirect_uri {
        if !is_loopback(uri) {
            return html_error(&format!("Invalid redirect_uri: \"{uri}\". It must exactly match one of the redirect URIs you've pre-configured for your app (the emulator accepts loopback http URIs only)."));
        }
    }
    let challenge = match q.get("code_challenge") {
        Some(c) => {
            let method = q
                .get("code_challenge_method")
                .cloned()
                .unwrap_or_else(|| "plain".to_string());
            if method != "S256" && method != "plain" {
                return html_error("Invalid code_challenge_method: must be S256 or plain.");
            }
            if !(43..=128).contains(&c.len()) {
                return html_error("Invalid code_challenge: must be 43 to 128 characters.");
            }
            Some((c.clone(), method))
        }
        None => None,
    };
    let offline = q.get("token_access_type").map(String::as_str) == Some("offline");
    let code = {
        let mut s = sh.lock();
        let code = s.random_token(43);
        s.codes.insert(
            code.clone(),
            AuthCode {
                client_id: client_id.clone(),
                redirect_uri: redirect_uri.clone(),
                challenge,
                used: false,
                offline,
            },
        );
        code
    };
    match redirect_uri {
        Some(uri) => {
            let mut params = form_urlencoded::Serializer::new(String::new());
            params.append_pair("code", &code);
            if let Some(state) = q.get("state") {
                params.append_pair("state", state);
            }
            let sep = if uri.contains('?') { '&' } else { '?' };
            let location = format!("{uri}{sep}{}", params.finish());
            let mut r = response(StatusCode::FOUND, "text/html; charset=utf-8", "");
            match HeaderValue::from_str(&location) {
                Ok(v) => {
                    r.headers_mut().insert(LOCATION, v);
                    r
                }
                Err(_) => html_error("Invalid redirect_uri."),
            }
        }
        None => response(
            StatusCode::OK,
            "text/html; charset=utf-8",
            format!("<!DOCTYPE html><html><head><title>API Request Authorization - Dropbox</title></head><body><p>Enter this code into your app to finish the process.</p><input id=\"auth-code\" readonly value=\"{code}\"><code id=\"code\">{code}</code></body></html>"),
        ),
    }
}

fn token_error(error: &str, description: &str) -> Resp {
    json_resp(
        StatusCode::BAD_REQUEST,
        &json!({"error": error, "error_description": description}),
    )
}

fn token(sh: &Shared, req: &Req) -> Resp {
    let form = query_map(&String::from_utf8_lossy(&req.body));
    let mut client_id = form.get("client_id").cloned();
    let mut client_secret = form.get("client_secret").cloned();
    if let Some(basic) = req
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        match decoded.as_deref().and_then(|d| d.split_once(':')) {
            Some((id, secret)) => {
                client_id = Some(id.to_string());
                client_secret = Some(secret.to_string());
            }
            None => {
                return token_error(
                    "invalid_client",
                    "Invalid client credentials in Authorization header",
                )
            }
        }
    }
    let lifetime = sh.config.access_token_lifetime;
    let expires_in = lifetime.as_secs();
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(code) = form.get("code") else {
                return token_error("invalid_request", "No auth code provided");
            };
            let mut s = sh.lock();
            let Some(info) = s.codes.get(code).cloned() else {
                return token_error("invalid_grant", "code doesn't exist or has expired");
            };
            if info.used {
                return token_error("invalid_grant", "code doesn't exist or has expired");
            }
            if client_id.as_deref() != Some(info.client_id.as_str()) {
                return token_error(
                    "invalid_grant",
                    "\"client_id\" does not match the app that issued the code",
                );
            }
            if form.get("redirect_uri") != info.redirect_uri.as_ref() {
                return token_error("invalid_grant", "redirect_uri mismatch");
            }
            match &info.challenge {
                Some((challenge, method)) => {
                    let Some(verifier) = form.get("code_verifier") else {
                        return token_error("invalid_request", "No code_verifier provided");
                    };
                    let computed = if method == "S256" {
                        base64::engine::general_purpose::URL_SAFE_NO_PAD
                            .encode(Sha256::digest(verifier.as_bytes()))
                    } else {
                        verifier.clone()
                    };
                    if computed != *challenge {
                        return token_error("invalid_grant", "invalid code verifier");
                    }
                }
                None if client_secret.as_deref().is_none_or(str::is_empty) => {
                    return token_error("invalid_client", "No client secret provided");
                }
                None => {}
            }
            if let Some(c) = s.codes.get_mut(code) {
                c.used = true;
            }
            let refresh = info.offline.then(|| s.issue_refresh(&info.client_id));
            let access = s.issue_access(lifetime, refresh.clone());
            let mut body = json!({
                "access_token": access,
                "expires_in": expires_in,
                "token_type": "bearer",
                "scope": sh.config.scope,
                "account_id": s.account_id,
                "uid": s.uid,
            });
            if let Some(r) = refresh {
                body["refresh_token"] = json!(r);
            }
            json_resp(StatusCode::OK, &body)
        }
        Some("refresh_token") => {
            let Some(refresh) = form.get("refresh_token") else {
                return token_error("invalid_request", "No refresh token provided");
            };
            let mut s = sh.lock();
            match s.refresh.get(refresh) {
                Some(r) if !r.revoked => {
                    if client_id.as_deref().is_some_and(|c| c != r.client_id) {
                        return token_error(
                            "invalid_grant",
                            "refresh token was issued to another app",
                        );
                    }
                }
                _ => return token_error("invalid_grant", "refresh token is invalid or revoked"),
            }
            let access = s.issue_access(lifetime, Some(refresh.clone()));
            json_resp(
                StatusCode::OK,
                &json!({"access_token": access, "token_type": "bearer", "expires_in": expires_in}),
            )
        }
        Some(other) => token_error(
            "unsupported_grant_type",
            &format!("\"grant_type\" unknown: \"{other}\""),
        ),
        None => token_error("invalid_request", "No grant_type provided"),
    }
}

/// Sleep helper for control-configured delays.
pub(crate) fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}
