//! Column values: what a write of each column type accepts (the JSON forms and the simple
//! string forms of monday's column pages), the value stored (the `value` JSON string monday
//! returns, in its key order, with `changed_at`), and the `text` derived from it as monday
//! shows it. Also the status and dropdown label rules (unknown labels are an error unless
//! `create_labels_if_missing`) and the errors a bad value gets.

use serde_json::{json, Map, Value};

use crate::out::Out;

/// One board column. `settings` is `settings_str` parsed; `settings_str` is kept verbatim
/// until a label is added.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub id: String,
    pub title: String,
    pub ty: String,
    pub settings_str: String,
    pub settings: Map<String, Value>,
}

impl Column {
    pub fn new(id: &str, title: &str, ty: &str, settings_str: &str) -> Column {
        let settings = serde_json::from_str::<Value>(settings_str)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        Column {
            id: id.to_string(),
            title: title.to_string(),
            ty: ty.to_string(),
            settings_str: settings_str.to_string(),
            settings,
        }
    }

    /// Status labels by id (`settings.labels` is `{"0": "Open", ...}`).
    pub fn status_labels(&self) -> Vec<(i64, String)> {
        let mut out: Vec<(i64, String)> = self
            .settings
            .get("labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Dropdown labels by id (`settings.labels` is `[{"id": 1, "name": "EUR"}, ...]`).
    pub fn dropdown_labels(&self) -> Vec<(i64, String)> {
        self.settings
            .get("labels")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|l| {
                        Some((l.get("id")?.as_i64()?, l.get("name")?.as_str()?.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Status label ids that count as done (`done_colors`).
    pub fn done_ids(&self) -> Vec<i64> {
        self.settings
            .get("done_colors")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default()
    }

    fn resave_settings(&mut self) {
        self.settings_str = Value::Object(self.settings.clone()).to_string();
    }

    /// Adds a status label with the smallest free id (5 is the blank default and is skipped).
    fn add_status_label(&mut self, label: &str) -> i64 {
        let used: Vec<i64> = self.status_labels().into_iter().map(|(i, _)| i).collect();
        let id = (0..)
            .find(|i| *i != 5 && !used.contains(i))
            .expect("an unused id exists");
        let key = id.to_string();
        let labels = self.settings.entry("labels").or_insert_with(|| json!({}));
        if let Some(m) = labels.as_object_mut() {
            m.insert(key.clone(), Value::String(label.to_string()));
        }
        let positions = self
            .settings
            .entry("labels_positions_v2")
            .or_insert_with(|| json!({}));
        if let Some(m) = positions.as_object_mut() {
            let next = m
                .values()
                .filter_map(Value::as_i64)
                .max()
                .map_or(0, |p| p + 1);
            m.insert(key.clone(), json!(next));
        }
        let colors = self
            .settings
            .entry("labels_colors")
            .or_insert_with(|| json!({}));
        if let Some(m) = colors.as_object_mut() {
            m.insert(
                key,
                json!({"color": "#c4c4c4", "border": "#b0b0b0", "var_name": "grey"}),
            );
        }
        self.resave_settings();
        id
    }

    /// Adds a dropdown label with the next id after the largest.
    fn add_dropdown_label(&mut self, label: &str) -> i64 {
        let id = self
            .dropdown_labels()
            .iter()
            .map(|(i, _)| *i)
            .max()
            .map_or(1, |m| m + 1);
        let labels = self.settings.entry("labels").or_insert_with(|| json!([]));
        if let Some(a) = labels.as_array_mut() {
            a.push(json!({"id": id, "name": label}));
        }
        self.resave_settings();
        id
    }
}

/// A column's stored value: the `value` JSON string as monday returns it, and its parse.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stored {
    pub json: String,
    pub parsed: Value,
}

impl Stored {
    pub fn from_out(out: Out) -> Stored {
        let json = out.to_json_string();
        let parsed = serde_json::from_str(&json).unwrap_or(Value::Null);
        Stored { json, parsed }
    }

    /// A value string from a seed or a capture, kept verbatim.
    pub fn from_json_str(json: &str) -> Option<Stored> {
        let parsed: Value = serde_json::from_str(json).ok()?;
        if parsed.is_null() {
            return None;
        }
        Some(Stored {
            json: json.to_string(),
            parsed,
        })
    }
}

/// Why a column value was refused; `exec` turns it into monday's error.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ValueError {
    pub code: &'static str,
    pub message: String,
    pub error_data: Out,
}

const CHANGE_DOCS: &str = "Please check our API documentation for the correct data structure for this column. https://developer.monday.com/api-reference/docs/change-column-values";

/// `column_type` in ColumnValueException errors: monday's internal names, "color" for status
/// (the docs' example), the column type otherwise.
fn internal_type(ty: &str) -> &str {
    match ty {
        "status" => "color",
        "people" => "multiple-person",
        "board_relation" => "board-relation",
        other => other,
    }
}

fn invalid(col: &Column, raw: &Value, why: &str) -> ValueError {
    ValueError {
        code: "ColumnValueException",
        message: format!("invalid value - {why}. {CHANGE_DOCS}"),
        error_data: Out::obj()
            .with("column_value", ruby_inspect(raw))
            .with("column_type", internal_type(&col.ty)),
    }
}

/// A JSON value as Ruby's `inspect` prints the hash monday parsed it into (monday puts it in
/// `error_data.column_value`, e.g. `{"labels"=>["WT01087"]}`).
pub(crate) fn ruby_inspect(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(ruby_inspect).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}=>{}", Value::String(k.clone()), ruby_inspect(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A person who can be named in a people column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// What writing a raw value to a column comes to.
pub(crate) enum Write {
    Set(Stored),
    Clear,
}

fn is_clear(raw: &Value) -> bool {
    match raw {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn as_text(raw: &Value) -> Option<String> {
    match raw {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn valid_date(d: &str) -> bool {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() && d.len() == 10
}

fn valid_time(t: &str) -> bool {
    chrono::NaiveTime::parse_from_str(t, "%H:%M:%S").is_ok()
        || chrono::NaiveTime::parse_from_str(t, "%H:%M").is_ok()
}

/// Checks and converts a raw value for `col` (which may gain a label); `now` is the
/// `changed_at` timestamp.
pub(crate) fn write(
    col: &mut Column,
    raw: &Value,
    create_labels: bool,
    users: &[User],
    now: &str,
) -> Result<Write, ValueError> {
    if is_clear(raw) {
        return Ok(Write::Clear);
    }
    let stored = match col.ty.as_str() {
        "text" => {
            let t = as_text(raw).ok_or_else(|| invalid(col, raw, "text must be a string"))?;
            Out::Str(t)
        }
        "numbers" => {
            let t = match raw {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => return Err(invalid(col, raw, "numbers must be a number")),
            };
            if !t.parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(invalid(col, raw, "numbers must be a number"));
            }
            Out::Str(t)
        }
        "long_text" => {
            let t = match raw {
                Value::Object(m) => m.get("text").and_then(as_text),
                other => as_text(other),
            }
            .ok_or_else(|| invalid(col, raw, "long text needs a text"))?;
            Out::obj().with("text", t).with("changed_at", now)
        }
        "status" => {
            let id = status_id(col, raw, create_labels)?;
            Out::obj()
                .with("index", id)
                .with("post_id", Out::Null)
                .with("changed_at", now)
        }
        "date" => {
            let (date, time) = match raw {
                Value::String(s) => {
                    let mut parts = s.trim().splitn(2, ' ');
                    (
                        parts.next().unwrap_or("").to_string(),
                        parts.next().map(str::to_string),
                    )
                }
                Value::Object(m) => (
                    m.get("date")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    m.get("time").and_then(Value::as_str).map(str::to_string),
                ),
                _ => (String::new(), None),
            };
            if !valid_date(&date) || time.as_deref().is_some_and(|t| !valid_time(t)) {
                return Err(invalid(col, raw, "date must be YYYY-MM-DD"));
            }
            match time {
                Some(t) => {
                    let t = if t.len() == 5 { format!("{t}:00") } else { t };
                    Out::obj()
                        .with("date", date)
                        .with("time", t)
                        .with("changed_at", now)
                }
                None => Out::obj()
                    .with("date", date)
                    .with("icon", Out::Null)
                    .with("changed_at", now),
            }
        }
        "link" => {
            let (url, text) = url_and_text(raw, "url");
            let url = url.ok_or_else(|| invalid(col, raw, "link needs a url"))?;
            let text = text.unwrap_or_else(|| url.clone());
            Out::obj()
                .with("url", url)
                .with("text", text)
                .with("changed_at", now)
        }
        "email" => {
            let (email, text) = url_and_text(raw, "email");
            let email = email
                .filter(|e| e.contains('@'))
                .ok_or_else(|| invalid(col, raw, "email is not valid"))?;
            let text = text.unwrap_or_else(|| email.clone());
            Out::obj()
                .with("email", email)
                .with("text", text)
                .with("changed_at", now)
        }
        "phone" => {
            let (phone, country) = match raw {
                Value::Object(m) => (
                    m.get("phone").and_then(as_text),
                    m.get("countryShortName")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                ),
                Value::String(s) => {
                    let mut parts = s.split_whitespace();
                    (
                        parts.next().map(str::to_string),
                        parts.next().map(str::to_string),
                    )
                }
                _ => (None, None),
            };
            let phone = phone
                .filter(|p| p.chars().filter(char::is_ascii_digit).count() >= 4)
                .ok_or_else(|| invalid(col, raw, "phone is not valid"))?;
            let mut o = Out::obj().with("phone", phone);
            if let Some(c) = country {
                if c.len() != 2 {
                    return Err(invalid(
                        col,
                        raw,
                        "countryShortName must be a 2-letter code",
                    ));
                }
                o.set("countryShortName", c);
            }
            o.with("changed_at", now)
        }
        "dropdown" => {
            let ids = dropdown_ids(col, raw, create_labels)?;
            Out::obj().with("ids", Out::List(ids.into_iter().map(Out::Int).collect()))
        }
        "people" => {
            let entries = people(col, raw, users)?;
            Out::obj().with("changed_at", now).with(
                "personsAndTeams",
                Out::List(
                    entries
                        .into_iter()
                        .map(|(id, kind)| Out::obj().with("id", id).with("kind", kind))
                        .collect(),
                ),
            )
        }
        "board_relation" | "dependency" => {
            let ids = raw
                .get("item_ids")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(col, raw, "connect boards needs item_ids"))?;
            let mut linked = Vec::new();
            for id in ids {
                let n = match id {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.parse::<i64>().ok(),
                    _ => None,
                }
                .ok_or_else(|| invalid(col, raw, "item ids must be numbers"))?;
                linked.push(Out::obj().with("linkedPulseId", n));
            }
            Out::obj()
                .with("changed_at", now)
                .with("linkedPulseIds", Out::List(linked))
        }
        "checkbox" => {
            let checked = match raw.get("checked") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s == "true",
                _ => return Err(invalid(col, raw, "checkbox needs checked")),
            };
            if !checked {
                return Ok(Write::Clear);
            }
            Out::obj().with("checked", true).with("changed_at", now)
        }
        "subtasks" | "formula" | "mirror" | "auto_number" | "item_id" | "creation_log"
        | "last_updated" | "button" | "name" => {
            return Err(ValueError {
                code: "ColumnValueException",
                message: format!(
                    "This column type ({}) can't be changed through the API. {CHANGE_DOCS}",
                    col.ty
                ),
                error_data: Out::obj()
                    .with("column_value", ruby_inspect(raw))
                    .with("column_type", internal_type(&col.ty)),
            })
        }
        _ => Out::Json(raw.clone()),
    };
    Ok(Write::Set(Stored::from_out(stored)))
}

/// `(url or email, text)` from `{"url": .., "text": ..}` or the simple form `"url text"`.
fn url_and_text(raw: &Value, key: &str) -> (Option<String>, Option<String>) {
    match raw {
        Value::Object(m) => (
            m.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            m.get("text")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        ),
        Value::String(s) => {
            let s = s.trim();
            match s.split_once(' ') {
                Some((u, t)) => (Some(u.to_string()), Some(t.trim().to_string())),
                None => (Some(s.to_string()), None),
            }
        }
        _ => (None, None),
    }
}

fn status_id(col: &mut Column, raw: &Value, create_labels: bool) -> Result<i64, ValueError> {
    let labels = col.status_labels();
    let by_label = |label: &str| labels.iter().find(|(_, l)| l == label).map(|(i, _)| *i);
    let label_missing = |col: &Column| ValueError {
        code: "ColumnValueException",
        message: format!("invalid value - label does not exist in column. {CHANGE_DOCS}"),
        error_data: Out::obj().with("column_type", internal_type(&col.ty)),
    };
    let label = match raw {
        Value::String(s) => Some(s.as_str()),
        Value::Object(m) => match (m.get("label"), m.get("index")) {
            (Some(Value::String(l)), _) => Some(l.as_str()),
            (_, Some(index)) => {
                let id = index
                    .as_i64()
                    .or_else(|| index.as_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(|| invalid(col, raw, "index must be a number"))?;
                if id == 5 || labels.iter().any(|(i, _)| *i == id) {
                    return Ok(id);
                }
                return Err(label_missing(col));
            }
            _ => None,
        },
        _ => None,
    };
    let Some(label) = label else {
        return Err(invalid(col, raw, "status needs a label or an index"));
    };
    if let Some(id) = by_label(label) {
        return Ok(id);
    }
    if create_labels {
        return Ok(col.add_status_label(label));
    }
    Err(label_missing(col))
}

fn dropdown_ids(
    col: &mut Column,
    raw: &Value,
    create_labels: bool,
) -> Result<Vec<i64>, ValueError> {
    let mut wanted_labels: Vec<String> = Vec::new();
    let mut ids: Vec<i64> = Vec::new();
    match raw {
        Value::String(s) => {
            wanted_labels = s.split(',').map(|l| l.trim().to_string()).collect();
        }
        Value::Object(m) => {
            if let Some(ls) = m.get("labels") {
                let ls = ls
                    .as_array()
                    .ok_or_else(|| invalid(col, raw, "labels must be a list"))?;
                for l in ls {
                    wanted_labels.push(
                        as_text(l).ok_or_else(|| invalid(col, raw, "labels must be strings"))?,
                    );
                }
            }
            if let Some(is) = m.get("ids") {
                let is = is
                    .as_array()
                    .ok_or_else(|| invalid(col, raw, "ids must be a list"))?;
                for i in is {
                    let id = i
                        .as_i64()
                        .or_else(|| i.as_str().and_then(|s| s.parse().ok()))
                        .ok_or_else(|| invalid(col, raw, "ids must be numbers"))?;
                    if !col.dropdown_labels().iter().any(|(l, _)| *l == id) {
                        return Err(ValueError {
                            code: "ColumnValueException",
                            message: format!("The dropdown label id {id} does not exist"),
                            error_data: Out::obj().with("column_value", ruby_inspect(raw)),
                        });
                    }
                    ids.push(id);
                }
            }
            if m.get("labels").is_none() && m.get("ids").is_none() {
                return Err(invalid(col, raw, "dropdown needs labels or ids"));
            }
        }
        _ => return Err(invalid(col, raw, "dropdown needs labels or ids")),
    }
    for label in wanted_labels {
        let existing = col
            .dropdown_labels()
            .into_iter()
            .find(|(_, l)| *l == label)
            .map(|(i, _)| i);
        let id = match existing {
            Some(id) => id,
            None if create_labels => col.add_dropdown_label(&label),
            None => {
                let possible = col
                    .dropdown_labels()
                    .iter()
                    .map(|(i, l)| format!("{i}: {l}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(ValueError {
                    code: "ColumnValueException",
                    message: format!(
                        "The dropdown label '{label}' does not exist, possible labels are: {{{possible}}}"
                    ),
                    error_data: Out::obj().with("column_value", ruby_inspect(raw)),
                });
            }
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn people(col: &Column, raw: &Value, users: &[User]) -> Result<Vec<(i64, String)>, ValueError> {
    let mut out = Vec::new();
    match raw {
        Value::Object(m) => {
            let list = m
                .get("personsAndTeams")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(col, raw, "people needs personsAndTeams"))?;
            for e in list {
                let id = e
                    .get("id")
                    .and_then(|i| i.as_i64().or_else(|| i.as_str()?.parse().ok()))
                    .ok_or_else(|| invalid(col, raw, "a person needs an id"))?;
                let kind = e
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("person")
                    .to_string();
                out.push((id, kind));
            }
        }
        Value::String(s) => {
            for part in s.split(',') {
                let id = part
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| invalid(col, raw, "people ids must be numbers"))?;
                out.push((id, "person".to_string()));
            }
        }
        _ => return Err(invalid(col, raw, "people needs personsAndTeams")),
    }
    for (id, kind) in &out {
        if kind == "person" && !users.iter().any(|u| u.id == *id) {
            return Err(invalid(col, raw, "person does not exist"));
        }
    }
    Ok(out)
}

/// The `text` monday shows for a stored value. `names` resolves item ids (connect boards).
pub(crate) fn text(
    col: &Column,
    stored: Option<&Stored>,
    users: &[User],
    names: &dyn Fn(i64) -> Option<String>,
) -> Option<String> {
    let Some(stored) = stored else {
        return Some(String::new());
    };
    let v = &stored.parsed;
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Some(match col.ty.as_str() {
        "text" | "numbers" => v.as_str().map(str::to_string).unwrap_or_default(),
        "long_text" => s("text"),
        "status" => {
            let index = v.get("index").and_then(Value::as_i64)?;
            return col
                .status_labels()
                .into_iter()
                .find(|(i, _)| *i == index)
                .map(|(_, l)| l);
        }
        "date" => match v.get("time").and_then(Value::as_str) {
            Some(t) => format!("{} {}", s("date"), &t[..t.len().min(5)]),
            None => s("date"),
        },
        "link" => format!("{} - {}", s("text"), s("url")),
        "email" => format!("{} - {}", s("text"), s("email")),
        "phone" => s("phone"),
        "dropdown" => {
            let labels = col.dropdown_labels();
            v.get("ids")
                .and_then(Value::as_array)
                .map(|ids| {
                    ids.iter()
                        .filter_map(Value::as_i64)
                        .filter_map(|id| labels.iter().find(|(i, _)| *i == id))
                        .map(|(_, l)| l.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        }
        "people" => v
            .get("personsAndTeams")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|e| e.get("id")?.as_i64())
                    .filter_map(|id| users.iter().find(|u| u.id == id))
                    .map(|u| u.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        "board_relation" | "dependency" => linked_ids(v)
            .into_iter()
            .filter_map(names)
            .collect::<Vec<_>>()
            .join(", "),
        "checkbox" => {
            if v.get("checked").and_then(Value::as_bool) == Some(true) {
                "v".into()
            } else {
                String::new()
            }
        }
        _ => String::new(),
    })
}

/// Linked item ids of a connect-boards value (`linkedPulseIds`).
pub(crate) fn linked_ids(v: &Value) -> Vec<i64> {
    v.get("linkedPulseIds")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| l.get("linkedPulseId")?.as_i64())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> Column {
        Column::new(
            "color_1",
            "PO Status",
            "status",
            r#"{"done_colors":[1],"labels":{"0":"Open","1":"Received"},"labels_positions_v2":{"0":0,"1":1,"5":2}}"#,
        )
    }

    fn set(w: Write) -> Stored {
        match w {
            Write::Set(s) => s,
            Write::Clear => panic!("expected a value"),
        }
    }

    #[test]
    fn status_by_label_index_and_new_label() {
        let mut c = status();
        let s = set(write(&mut c, &json!({"label": "Received"}), false, &[], "T").unwrap());
        assert_eq!(s.json, r#"{"index":1,"post_id":null,"changed_at":"T"}"#);
        assert_eq!(
            text(&c, Some(&s), &[], &|_| None).as_deref(),
            Some("Received")
        );
        let s = set(write(&mut c, &json!({"index": 0}), false, &[], "T").unwrap());
        assert_eq!(s.parsed["index"], 0);
        let e = write(&mut c, &json!({"label": "Lost"}), false, &[], "T")
            .err()
            .unwrap();
        assert_eq!(e.code, "ColumnValueException");
        assert!(e
            .message
            .starts_with("invalid value - label does not exist in column."));
        let s = set(write(&mut c, &json!("Lost"), true, &[], "T").unwrap());
        assert_eq!(s.parsed["index"], 2);
        assert!(c.settings_str.contains("\"Lost\""));
        let s = set(write(&mut c, &json!({"label": "Again"}), true, &[], "T").unwrap());
        assert_eq!(s.parsed["index"], 3, "ids skip nothing but 5");
    }

    #[test]
    fn texts_follow_monday() {
        let mut link = Column::new("link", "PDF", "link", "{}");
        let s = set(write(
            &mut link,
            &json!({"url": "https://x/a.pdf", "text": "PO PDF"}),
            false,
            &[],
            "T",
        )
        .unwrap());
        assert_eq!(
            text(&link, Some(&s), &[], &|_| None).as_deref(),
            Some("PO PDF - https://x/a.pdf")
        );
        let mut date = Column::new("d", "Date", "date", "{}");
        let s = set(write(&mut date, &json!({"date": "2025-07-14"}), false, &[], "T").unwrap());
        assert_eq!(
            s.json,
            r#"{"date":"2025-07-14","icon":null,"changed_at":"T"}"#
        );
        assert!(write(&mut date, &json!({"date": "14.07.2025"}), false, &[], "T").is_err());
        let mut num = Column::new("n", "Total", "numbers", "{}");
        let s = set(write(&mut num, &json!("1250.5"), false, &[], "T").unwrap());
        assert_eq!(s.json, "\"1250.5\"");
        assert!(write(&mut num, &json!("12,5"), false, &[], "T").is_err());
        let mut dd = Column::new(
            "dd",
            "Currency",
            "dropdown",
            r#"{"labels":[{"id":1,"name":"EUR"},{"id":2,"name":"USD"}]}"#,
        );
        let s = set(write(&mut dd, &json!({"labels": ["USD", "EUR"]}), false, &[], "T").unwrap());
        assert_eq!(s.json, r#"{"ids":[2,1]}"#);
        assert_eq!(
            text(&dd, Some(&s), &[], &|_| None).as_deref(),
            Some("USD, EUR")
        );
        let e = write(&mut dd, &json!({"labels": ["CHF"]}), false, &[], "T")
            .err()
            .unwrap();
        assert_eq!(
            e.message,
            "The dropdown label 'CHF' does not exist, possible labels are: {1: EUR, 2: USD}"
        );
        assert_eq!(
            e.error_data.get("column_value"),
            Some(&Out::Str(r#"{"labels"=>["CHF"]}"#.into()))
        );
        assert!(matches!(
            write(&mut num, &json!(""), false, &[], "T"),
            Ok(Write::Clear)
        ));
    }
}
