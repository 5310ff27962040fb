//! Column values: the kinds of logical field the sync writes (text, number, date, status,
//! link) and the monday column types each accepts; how a value is encoded for a column type
//! in `column_values` (text `"abc"`, long_text `{"text"}`, numbers `"12.5"`, date
//! `{"date": "YYYY-MM-DD"}`, status `{"label"}`, link `{"url", "text"}`); whether the value
//! a board shows already equals the one to write (so a resync writes nothing); the status
//! labels of domain.md; and the checks on decimals and dates (money never goes through
//! floating point).

use serde_json::{json, Value};

/// What kind of value a logical field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Status,
    Link,
}

impl FieldKind {
    /// The monday column types a field of this kind may be mapped to.
    pub fn accepted_types(self) -> &'static [&'static str] {
        match self {
            FieldKind::Text => &["text", "long_text"],
            FieldKind::Number => &["numbers"],
            FieldKind::Date => &["date"],
            // `color` is the status column's name on boards from before 2023.
            FieldKind::Status => &["status", "color"],
            FieldKind::Link => &["link"],
        }
    }

    pub fn accepts(self, column_type: &str) -> bool {
        self.accepted_types().contains(&column_type)
    }

    /// How the UI names the column types it needs.
    pub fn describe(self) -> &'static str {
        match self {
            FieldKind::Text => "a Text or Long Text column",
            FieldKind::Number => "a Numbers column",
            FieldKind::Date => "a Date column",
            FieldKind::Status => "a Status column",
            FieldKind::Link => "a Link column",
        }
    }
}

/// The status of a PO item, with its label on the board (domain.md, "PO status").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoStatus {
    /// Card or petty-cash PO.
    CardOrPettyCash,
    Approved,
    TaxFormNeeded,
    NeedsVerification,
}

impl PoStatus {
    pub fn label(self) -> &'static str {
        match self {
            PoStatus::CardOrPettyCash => "CC / PC",
            PoStatus::Approved => "Approved",
            PoStatus::TaxFormNeeded => "Tax Form Needed",
            PoStatus::NeedsVerification => "Needs Verification",
        }
    }
}

/// The status of an invoice line or receipt subitem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineStatus {
    Pending,
    /// Ready to pay: the PO log's actualized amount matches the lines.
    Rtp,
    PoLogMismatch,
    Paid,
}

impl LineStatus {
    pub fn label(self) -> &'static str {
        match self {
            LineStatus::Pending => "Pending",
            LineStatus::Rtp => "RTP",
            LineStatus::PoLogMismatch => "PO Log Mismatch",
            LineStatus::Paid => "Paid",
        }
    }
}

/// A link column's value: where it points and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Link {
    pub url: String,
    pub text: String,
}

impl Link {
    pub fn new(url: impl Into<String>, text: impl Into<String>) -> Link {
        Link {
            url: url.into(),
            text: text.into(),
        }
    }
}

/// A value ready to write, already checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldValue {
    Text(String),
    /// A normalized decimal ("1200.5", "-3", "0.125").
    Number(String),
    /// `YYYY-MM-DD`.
    Date(String),
    Status(String),
    Link(Link),
}

/// A value as a board shows it: a column value's `text` and `value` (a JSON string).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ShownValue {
    pub text: Option<String>,
    pub value: Option<String>,
}

impl ShownValue {
    fn is_empty(&self) -> bool {
        self.text.as_deref().is_none_or(|t| t.trim().is_empty())
            && self
                .value
                .as_deref()
                .is_none_or(|v| matches!(v.trim(), "" | "null" | "\"\"" | "{}"))
    }

    fn value_json(&self) -> Value {
        self.value
            .as_deref()
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or(Value::Null)
    }
}

/// `value` encoded for a column of type `column_type`; `None` clears the column (an empty
/// string for text-like columns, `{}` for the JSON ones).
pub(crate) fn encode(value: Option<&FieldValue>, column_type: &str) -> Value {
    match value {
        None => match column_type {
            "text" | "numbers" | "long_text" => json!(""),
            _ => json!({}),
        },
        Some(FieldValue::Text(s)) if column_type == "long_text" => json!({"text": s}),
        Some(FieldValue::Text(s) | FieldValue::Number(s)) => json!(s),
        Some(FieldValue::Date(d)) => json!({"date": d}),
        Some(FieldValue::Status(label)) => json!({"label": label}),
        Some(FieldValue::Link(l)) => json!({"url": l.url, "text": l.text}),
    }
}

/// Whether the board already shows `wanted` (None: an empty column).
pub(crate) fn shows(shown: &ShownValue, wanted: Option<&FieldValue>) -> bool {
    let text = shown.text.as_deref().unwrap_or("");
    match wanted {
        None => shown.is_empty(),
        Some(FieldValue::Text(s)) => text == s,
        Some(FieldValue::Status(label)) => text == label,
        Some(FieldValue::Number(n)) => normalize_decimal(text).as_deref() == Some(n.as_str()),
        Some(FieldValue::Date(d)) => match shown.value_json().get("date").and_then(Value::as_str) {
            Some(date) => date == d,
            None => text.get(..10) == Some(d.as_str()),
        },
        Some(FieldValue::Link(l)) => {
            let v = shown.value_json();
            match (v.get("url").and_then(Value::as_str), v.get("text")) {
                (Some(url), Some(t)) => url == l.url && t.as_str().unwrap_or("") == l.text,
                // monday reads a link's text as "text - url".
                _ => text == format!("{} - {}", l.text, l.url),
            }
        }
    }
}

/// A plain decimal ("1200.50", "-0.125", "+7", "007") in its shortest form ("1200.5",
/// "-0.125", "7", "7"), by its digits; None for anything else (no thousands separators, no
/// exponent: the caller passes what the store keeps).
pub(crate) fn normalize_decimal(text: &str) -> Option<String> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut out = String::new();
    if negative && !(int == "0" && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// Whether `text` is a real calendar date written `YYYY-MM-DD`.
pub(crate) fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = &text[r];
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_normalized_by_their_digits() {
        assert_eq!(normalize_decimal("1200.50").as_deref(), Some("1200.5"));
        assert_eq!(normalize_decimal("+007").as_deref(), Some("7"));
        assert_eq!(normalize_decimal("-0.00").as_deref(), Some("0"));
        assert_eq!(normalize_decimal(".5").as_deref(), Some("0.5"));
        assert_eq!(
            normalize_decimal("0.1250000000000000001").as_deref(),
            Some("0.1250000000000000001")
        );
        for bad in ["", "-", "1,200", "1e3", "12.5.1", "abc", "."] {
            assert_eq!(normalize_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_must_exist() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2024-13-01"));
        assert!(!is_iso_date("07/14/2025"));
        assert!(!is_iso_date("2025-7-14"));
    }

    #[test]
    fn values_encode_per_column_type() {
        let t = FieldValue::Text("Gaffer".into());
        assert_eq!(encode(Some(&t), "text"), json!("Gaffer"));
        assert_eq!(encode(Some(&t), "long_text"), json!({"text": "Gaffer"}));
        assert_eq!(
            encode(Some(&FieldValue::Date("2025-07-14".into())), "date"),
            json!({"date": "2025-07-14"})
        );
        assert_eq!(
            encode(Some(&FieldValue::Status("RTP".into())), "status"),
            json!({"label": "RTP"})
        );
        assert_eq!(
            encode(
                Some(&FieldValue::Link(Link::new("https://x", "W9"))),
                "link"
            ),
            json!({"url": "https://x", "text": "W9"})
        );
        assert_eq!(encode(None, "numbers"), json!(""));
        assert_eq!(encode(None, "status"), json!({}));
    }

    #[test]
    fn shown_values_compare_by_meaning() {
        let shown = |text: &str, value: &str| ShownValue {
            text: Some(text.into()),
            value: Some(value.into()),
        };
        assert!(shows(
            &shown("600.00", "\"600.00\""),
            Some(&FieldValue::Number("600".into()))
        ));
        assert!(!shows(
            &shown("600.01", "\"600.01\""),
            Some(&FieldValue::Number("600".into()))
        ));
        assert!(shows(
            &shown(
                "2025-07-14",
                r#"{"date":"2025-07-14","icon":null,"changed_at":"x"}"#
            ),
            Some(&FieldValue::Date("2025-07-14".into()))
        ));
        let link = FieldValue::Link(Link::new("https://d/x", "Folder"));
        assert!(shows(
            &shown(
                "Folder - https://d/x",
                r#"{"url":"https://d/x","text":"Folder"}"#
            ),
            Some(&link)
        ));
        assert!(!shows(
            &shown(
                "Other - https://d/x",
                r#"{"url":"https://d/x","text":"Other"}"#
            ),
            Some(&link)
        ));
        assert!(shows(&ShownValue::default(), None));
        assert!(!shows(&shown("x", "\"x\""), None));
        assert_eq!(PoStatus::CardOrPettyCash.label(), "CC / PC");
        assert_eq!(LineStatus::PoLogMismatch.label(), "PO Log Mismatch");
    }
}
