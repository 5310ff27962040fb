//! From the model's JSON to the app's fields, with the checks a bookkeeper would make: real
//! ISO dates, amounts as two-decimal strings, an ISO 4217-shaped currency, lines adding up
//! to the subtotal or total, subtotal + tax = total. A failed check lowers the confidence of
//! the fields involved and adds a sentence to `problems`; nothing is thrown away.

use std::collections::BTreeMap;

use boxkeeper_extract::document::{DocumentExtraction, FieldValue};
use boxkeeper_extract::{normalize_amount, LineItem};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::schema::ACCOUNT_CODES;

/// Confidence of a value that passed every check: below the e-invoice's 1.0 because a
/// model can misread, above a typical rule-based guess.
pub const CHECKED: f32 = 0.85;
/// Confidence of a value that failed its own check (a date that does not exist, an
/// amount that is not a number).
pub const FAILED: f32 = 0.2;
/// Factor applied to the amounts involved when the totals do not add up.
const MISMATCH_FACTOR: f32 = 0.6;

/// One line as the model read it, with the account it books to.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LlmLineItem {
    pub description: Option<String>,
    /// As written, e.g. "2.5".
    pub quantity: Option<String>,
    /// As written (unit prices may have more than two decimals).
    pub unit_price: Option<String>,
    /// Two decimals.
    pub amount: Option<String>,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// One of [`ACCOUNT_CODES`].
    pub account_code: Option<String>,
}

/// The fields, lines and problems read from one answer.
pub(crate) struct Read {
    pub document: DocumentExtraction,
    pub line_items: Vec<LlmLineItem>,
    pub description: Option<String>,
}

const SOURCE: &str = "llm";

/// Reads an answer that follows the schema (checked before).
// The `..Default::default()` below is needed once DocumentExtraction has fields beyond the
// ones filled here, and needless (to clippy) while it has none.
#[allow(clippy::needless_update)]
pub(crate) fn read(answer: &Map<String, Value>) -> Read {
    let mut problems = Vec::new();
    let mut fields = BTreeMap::new();
    let put = |fields: &mut BTreeMap<String, FieldValue>, name: &str, value: String, ok: bool| {
        fields.insert(
            name.to_string(),
            FieldValue {
                value,
                confidence: if ok { CHECKED } else { FAILED },
                source: SOURCE.into(),
                bbox: None,
            },
        );
    };
    for name in ["vendor_name", "invoice_number", "po_number", "description"] {
        if let Some(v) = text(answer.get(name)) {
            put(&mut fields, name, v, true);
        }
    }
    for name in ["invoice_date", "due_date"] {
        if let Some(v) = text(answer.get(name)) {
            let ok = is_real_date(&v);
            if !ok {
                problems.push(format!(
                    "the {} \"{v}\" is not a real date (YYYY-MM-DD)",
                    label(name)
                ));
            }
            put(&mut fields, name, v, ok);
        }
    }
    if let Some(v) = text(answer.get("currency")) {
        let upper = v.to_ascii_uppercase();
        let ok = upper.len() == 3 && upper.bytes().all(|b| b.is_ascii_uppercase());
        if !ok {
            problems.push(format!("the currency \"{v}\" is not an ISO 4217 code"));
        }
        put(&mut fields, "currency", if ok { upper } else { v }, ok);
    }
    for name in ["subtotal", "tax", "total"] {
        if let Some(raw) = number(answer.get(name)) {
            match normalize_amount(&raw) {
                Some(v) => put(&mut fields, name, v, true),
                None => {
                    problems.push(format!(
                        "the {} \"{raw}\" is not a decimal amount",
                        label(name)
                    ));
                    put(&mut fields, name, raw, false);
                }
            }
        }
    }

    let mut line_items = Vec::new();
    for (i, line) in answer
        .get("line_items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let get = |k: &str| line.get(k);
        let amount = number(get("amount")).map(|raw| {
            normalize_amount(&raw).unwrap_or_else(|| {
                problems.push(format!(
                    "line {}: the amount \"{raw}\" is not a decimal amount",
                    i + 1
                ));
                raw
            })
        });
        let date = text(get("date"));
        if let Some(d) = &date {
            if !is_real_date(d) {
                problems.push(format!(
                    "line {}: \"{d}\" is not a real date (YYYY-MM-DD)",
                    i + 1
                ));
            }
        }
        let account_code = text(get("account_code"));
        if let Some(c) = &account_code {
            if !ACCOUNT_CODES.iter().any(|(code, _)| code == c) {
                problems.push(format!(
                    "line {}: account {c} is not one of the accounts used",
                    i + 1
                ));
            }
        }
        line_items.push(LlmLineItem {
            description: text(get("description")),
            quantity: number(get("quantity")),
            unit_price: number(get("unit_price")),
            amount,
            date,
            account_code,
        });
    }

    check_sums(&mut fields, &line_items, &mut problems);

    let document_type = answer
        .get("document_type")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase);
    let description = fields.get("description").map(|f| f.value.clone());
    Read {
        document: DocumentExtraction {
            document_type,
            source: SOURCE.into(),
            fields,
            line_items: line_items
                .iter()
                .map(|l| LineItem {
                    description: l.description.clone(),
                    quantity: l.quantity.clone(),
                    unit_price: l.unit_price.clone(),
                    amount: l.amount.clone(),
                })
                .collect(),
            problems,
            // Whatever else the app's type carries or comes to carry (the text that was
            // read) belongs to the text reader, not to the model's answer.
            ..DocumentExtraction::default()
        },
        line_items,
        description,
    }
}

fn label(name: &str) -> String {
    name.replace('_', " ")
}

/// A non-empty trimmed string.
fn text(v: Option<&Value>) -> Option<String> {
    let s = v?.as_str()?.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A JSON number as its decimal text ("1234.5"); a numeric string is taken too (servers in
/// JSON mode send them), anything else is None.
fn number(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// Cents of a normalised amount ("-12.30" -> -1230).
fn cents(amount: &str) -> Option<i64> {
    let (negative, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount),
    };
    let (whole, frac) = digits.split_once('.')?;
    let c = whole.parse::<i64>().ok()?.checked_mul(100)? + frac.parse::<i64>().ok()?;
    Some(if negative { -c } else { c })
}

fn format_cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

fn check_sums(
    fields: &mut BTreeMap<String, FieldValue>,
    lines: &[LlmLineItem],
    problems: &mut Vec<String>,
) {
    let amount = |fields: &BTreeMap<String, FieldValue>, name: &str| {
        fields.get(name).and_then(|f| cents(&f.value))
    };
    let lower = |fields: &mut BTreeMap<String, FieldValue>, names: &[&str]| {
        for n in names {
            if let Some(f) = fields.get_mut(*n) {
                f.confidence *= MISMATCH_FACTOR;
            }
        }
    };
    let subtotal = amount(fields, "subtotal");
    let tax = amount(fields, "tax");
    let total = amount(fields, "total");
    if let (Some(s), Some(t), Some(tot)) = (subtotal, tax, total) {
        if (s + t - tot).abs() > 1 {
            problems.push(format!(
                "subtotal {} + tax {} = {}, not the total {}",
                format_cents(s),
                format_cents(t),
                format_cents(s + t),
                format_cents(tot)
            ));
            lower(fields, &["subtotal", "tax", "total"]);
        }
    }
    let line_cents: Option<Vec<i64>> = lines
        .iter()
        .map(|l| l.amount.as_deref().and_then(cents))
        .collect();
    let Some(line_cents) = line_cents.filter(|c| !c.is_empty()) else {
        return;
    };
    let sum: i64 = line_cents.iter().sum();
    let matches = |v: Option<i64>| v.is_some_and(|v| (v - sum).abs() <= 1);
    // Lines may stop before tax (they add up to the subtotal) or include it (the total).
    if subtotal.is_none() && total.is_none() || matches(total) || matches(subtotal) {
        return;
    }
    let against = match (subtotal, total) {
        (Some(s), Some(t)) => format!(
            "the subtotal {} nor the total {}",
            format_cents(s),
            format_cents(t)
        ),
        (Some(s), None) => format!("the subtotal {}", format_cents(s)),
        (None, Some(t)) => format!("the total {}", format_cents(t)),
        (None, None) => return,
    };
    problems.push(format!(
        "the line items add up to {}, not {against}",
        format_cents(sum)
    ));
    lower(fields, &["subtotal", "total"]);
}

/// YYYY-MM-DD naming a day that exists.
pub(crate) fn is_real_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        s[0..4].parse::<u32>(),
        s[5..7].parse::<u32>(),
        s[8..10].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1000..=9999).contains(&y) && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn base() -> Value {
        json!({
            "document_type": "invoice", "vendor_name": " Jane Smith ", "invoice_number": "INV-7",
            "invoice_date": "2024-02-29", "due_date": "2024-03-30", "currency": "usd",
            "subtotal": 3000, "tax": 240.5, "total": 3240.5, "po_number": null,
            "description": "Gaffer",
            "line_items": [
                {"description": "Gaffer", "quantity": 5, "unit_price": 600, "amount": 3000,
                 "date": "2024-02-20", "account_code": "5300"}
            ]
        })
    }

    #[test]
    fn a_consistent_answer_is_normalised_and_trusted() {
        let r = read(&answer(base()));
        let d = &r.document;
        assert_eq!(d.source, "llm");
        assert_eq!(d.document_type.as_deref(), Some("INVOICE"));
        assert_eq!(d.fields["vendor_name"].value, "Jane Smith");
        assert_eq!(d.fields["currency"].value, "USD");
        assert_eq!(d.fields["total"].value, "3240.50");
        assert_eq!(d.fields["subtotal"].value, "3000.00");
        assert!(!d.fields.contains_key("po_number"));
        assert!(d
            .fields
            .values()
            .all(|f| f.source == "llm" && f.confidence == CHECKED));
        assert_eq!(d.problems, Vec::<String>::new());
        assert_eq!(r.description.as_deref(), Some("Gaffer"));
        assert_eq!(r.line_items[0].quantity.as_deref(), Some("5"));
        assert_eq!(r.line_items[0].amount.as_deref(), Some("3000.00"));
        assert_eq!(r.line_items[0].account_code.as_deref(), Some("5300"));
        assert_eq!(d.line_items[0].unit_price.as_deref(), Some("600"));
    }

    #[test]
    fn failed_checks_lower_confidence_and_say_why() {
        let mut v = base();
        v["invoice_date"] = json!("2023-02-29");
        v["currency"] = json!("US$");
        v["tax"] = json!(200);
        v["line_items"][0]["amount"] = json!(2900);
        let r = read(&answer(v));
        let d = &r.document;
        assert_eq!(
            d.fields["invoice_date"].value, "2023-02-29",
            "kept, not discarded"
        );
        assert_eq!(d.fields["invoice_date"].confidence, FAILED);
        assert_eq!(d.fields["currency"].confidence, FAILED);
        assert!(d.fields["total"].confidence < CHECKED);
        assert_eq!(d.fields["vendor_name"].confidence, CHECKED);
        assert_eq!(
            d.problems,
            [
                "the invoice date \"2023-02-29\" is not a real date (YYYY-MM-DD)",
                "the currency \"US$\" is not an ISO 4217 code",
                "subtotal 3000.00 + tax 200.00 = 3200.00, not the total 3240.50",
                "the line items add up to 2900.00, not the subtotal 3000.00 nor the total 3240.50",
            ]
        );
    }

    #[test]
    fn lines_may_add_up_to_the_total_and_refunds_are_negative() {
        let mut v = base();
        v["subtotal"] = Value::Null;
        v["tax"] = Value::Null;
        v["total"] = json!(-12.345);
        v["line_items"] = json!([
            {"description": "refund", "quantity": null, "unit_price": null, "amount": -12.35, "date": null, "account_code": "5000"}
        ]);
        let r = read(&answer(v));
        assert_eq!(r.document.fields["total"].value, "-12.35");
        assert_eq!(r.document.problems, Vec::<String>::new());
    }

    #[test]
    fn real_dates_only() {
        assert!(is_real_date("2024-02-29"));
        assert!(!is_real_date("2023-02-29"));
        assert!(!is_real_date("2024-13-01"));
        assert!(!is_real_date("2024-04-31"));
        assert!(!is_real_date("15.03.2024"));
        assert!(!is_real_date("2024-3-15"));
    }
}
