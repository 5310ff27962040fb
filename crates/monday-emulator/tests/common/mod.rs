//! Blocking HTTP helpers for the emulator's tests, and the samples of `shared/monday`.
#![allow(dead_code)] // each test file uses part of it

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use monday_emulator::Emulator;
use serde_json::{json, Value};

/// The purchase-order board of the default seed and its subitems board.
pub const BOARD: &str = "1234567890";
pub const SUB_BOARD: &str = "1234567999";
pub const PO: &str = "text_mkr5wya6";
pub const SUPPLIER: &str = "text_mkr5q1xz";
pub const TOTAL: &str = "numeric_mkr5k2pd";
pub const STATUS: &str = "color_mkr5h7ta";
pub const DATE: &str = "date_mkr5n3cs";
pub const CURRENCY: &str = "dropdown_mkr5c4vv";
pub const SKU: &str = "text_mkr5s1aa";
pub const QTY: &str = "numeric_mkr5s2bb";

pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A client of one emulator: token and API version sent with every request.
pub struct Api {
    pub agent: ureq::Agent,
    pub url: String,
    pub base: String,
    pub token: Option<String>,
    pub version: Option<String>,
}

impl Api {
    pub fn new(emu: &Emulator) -> Api {
        Api {
            agent: agent(),
            url: emu.api_url(),
            base: emu.base_url(),
            token: emu.token(),
            version: Some("2025-07".into()),
        }
    }

    pub fn with_version(mut self, v: Option<&str>) -> Api {
        self.version = v.map(str::to_string);
        self
    }

    pub fn with_token(mut self, t: Option<&str>) -> Api {
        self.token = t.map(str::to_string);
        self
    }

    /// Sends a raw body; the transport error when the connection was dropped.
    pub fn send_raw(&self, body: &str) -> Result<Reply, ureq::Error> {
        let mut req = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(t) = &self.token {
            req = req.header("Authorization", t);
        }
        if let Some(v) = &self.version {
            req = req.header("API-Version", v);
        }
        let mut r = req.send(body)?;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.body_mut().read_to_vec()?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    pub fn try_query(&self, query: &str, variables: Value) -> Result<Reply, ureq::Error> {
        self.send_raw(&json!({"query": query, "variables": variables}).to_string())
    }

    pub fn query(&self, query: &str, variables: Value) -> Reply {
        self.try_query(query, variables).expect("transport")
    }

    /// `data` of a successful answer (panics on errors).
    pub fn data(&self, query: &str, variables: Value) -> Value {
        let r = self.query(query, variables);
        let v = r.json();
        assert_eq!(r.status, 200, "{v}");
        assert!(v.get("errors").is_none(), "unexpected errors: {v}");
        v["data"].clone()
    }

    pub fn control_get(&self, route: &str) -> Value {
        let mut r = self
            .agent
            .get(format!("{}/__control/{route}", self.base))
            .call()
            .expect("transport");
        assert_eq!(r.status().as_u16(), 200);
        serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json")
    }

    pub fn control_post(&self, route: &str, body: Value) -> (u16, Value) {
        let mut r = self
            .agent
            .post(format!("{}/__control/{route}", self.base))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .expect("transport");
        let status = r.status().as_u16();
        let v = serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json");
        (status, v)
    }
}

pub fn start() -> (Emulator, Api) {
    let emu = Emulator::start("127.0.0.1:0").expect("start emulator");
    let api = Api::new(&emu);
    (emu, api)
}

pub const CREATE_ITEM: &str = "mutation ($board: ID!, $group: String, $name: String!, $values: JSON, $labels: Boolean) {
  create_item(board_id: $board, group_id: $group, item_name: $name, column_values: $values, create_labels_if_missing: $labels) { id name board { id } group { id } }
}";

pub const CREATE_SUBITEM: &str = "mutation ($parent: ID!, $name: String!, $values: JSON) {
  create_subitem(parent_item_id: $parent, item_name: $name, column_values: $values) { id name board { id } parent_item { id } }
}";

pub const CHANGE: &str = "mutation ($board: ID!, $item: ID!, $values: JSON!, $labels: Boolean) {
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values, create_labels_if_missing: $labels) { id name }
}";

/// Creates a PO item through the API; returns its id.
pub fn create_po(api: &Api, name: &str, po: &str, supplier: &str) -> String {
    let values = json!({PO: po, SUPPLIER: supplier}).to_string();
    let d = api.data(
        CREATE_ITEM,
        json!({"board": BOARD, "name": name, "values": values}),
    );
    d["create_item"]["id"].as_str().expect("id").to_string()
}

/// `shared/monday` beside the repository (or under `$BOXKEEPER_SHARED`).
pub fn samples_dir() -> PathBuf {
    let dir = std::env::var_os("BOXKEEPER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("monday");
    assert!(
        dir.is_dir(),
        "the monday samples are missing: {}",
        dir.display()
    );
    dir
}

/// A sample's response body (recordings keep it under `body`).
pub fn sample(name: &str) -> Value {
    let path = samples_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).expect("sample JSON");
    match v.get("_meta") {
        Some(_) => v["body"].clone(),
        None => v,
    }
}

/// The HTTP status a recorded sample was answered with.
pub fn sample_status(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(samples_dir().join(name)).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("_meta")?.get("http_status")?.as_u64()
}

/// The keys of a JSON value, recursively: objects become their key sets, lists the union of
/// their elements' shapes, scalars and null nothing.
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum Shape {
    Leaf,
    Obj(BTreeMap<String, Shape>),
    List(Box<Shape>),
}

pub fn shape(v: &Value) -> Shape {
    match v {
        Value::Object(m) => Shape::Obj(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Shape::List(Box::new(a.iter().map(shape).fold(Shape::Leaf, merge))),
        _ => Shape::Leaf,
    }
}

fn merge(a: Shape, b: Shape) -> Shape {
    match (a, b) {
        (Shape::Leaf, x) | (x, Shape::Leaf) => x,
        (Shape::Obj(mut x), Shape::Obj(y)) => {
            for (k, v) in y {
                let merged = match x.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                x.insert(k, merged);
            }
            Shape::Obj(x)
        }
        (Shape::List(x), Shape::List(y)) => Shape::List(Box::new(merge(*x, *y))),
        (x, _) => x,
    }
}

/// Asserts that `ours` has exactly the keys of `sample` at every level where both have a
/// value (a null or empty list on either side matches anything).
pub fn assert_same_keys(ours: &Value, sample: &Value, what: &str) {
    fn walk(a: &Shape, b: &Shape, path: &str, what: &str) {
        match (a, b) {
            (Shape::Obj(x), Shape::Obj(y)) => {
                let kx: Vec<&String> = x.keys().collect();
                let ky: Vec<&String> = y.keys().collect();
                assert_eq!(kx, ky, "{what}: keys differ at {path}");
                for (k, v) in x {
                    walk(v, &y[k], &format!("{path}.{k}"), what);
                }
            }
            (Shape::List(x), Shape::List(y)) => walk(x, y, &format!("{path}[]"), what),
            (Shape::Leaf, _) | (_, Shape::Leaf) => {}
            (x, y) => panic!("{what}: {path} is {x:?} here but {y:?} in the sample"),
        }
    }
    walk(&shape(ours), &shape(sample), "$", what);
}
