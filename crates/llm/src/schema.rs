//! The answer's JSON Schema (strict-mode valid: every object closed, every property required,
//! optional values nullable) and a checker for the subset of JSON Schema it uses, because a
//! server in JSON mode, or one that skips keywords, may answer anything.

use serde_json::{json, Value};

/// Account codes a line may book to, with what they are for (from the domain notes).
pub const ACCOUNT_CODES: [(&str, &str); 7] = [
    ("5000", "Cost of Goods Sold; card receipts book here"),
    (
        "5300",
        "US Labor: subcontractors such as producer, director, DP, gaffer",
    ),
    ("5330", "Foreign Contractor"),
    ("5200", "Travel"),
    (
        "6040",
        "account 6040 (use only when the document or its PO names it)",
    ),
    ("6110", "Automobile Expense"),
    ("6320", "Insurance"),
];

/// Document types the model may name.
pub const DOCUMENT_TYPES: [&str; 4] = ["invoice", "receipt", "credit_note", "tax_form"];

/// The `name` of the `json_schema` response format.
pub const SCHEMA_NAME: &str = "boxkeeper_document";

fn nullable(kind: &str, description: &str) -> Value {
    json!({"type": [kind, "null"], "description": description})
}

/// The schema of the answer.
pub fn answer_schema() -> Value {
    let mut codes: Vec<Value> = ACCOUNT_CODES.iter().map(|(c, _)| json!(c)).collect();
    codes.push(Value::Null);
    let line = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "description": nullable("string", "what the line is for, a few words"),
            "quantity": nullable("number", "how many (5 for \"5 days x 600\")"),
            "unit_price": nullable("number", "price of one unit (600 for \"5 days x 600\")"),
            "amount": nullable("number", "the line's amount"),
            "date": nullable("string", "the line's date, YYYY-MM-DD"),
            "account_code": {"type": ["string", "null"], "enum": codes, "description": "the account the line books to"}
        },
        "required": ["description", "quantity", "unit_price", "amount", "date", "account_code"]
    });
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "document_type": {"type": "string", "enum": DOCUMENT_TYPES},
            "vendor_name": nullable("string", "who issued the document (the merchant on a receipt)"),
            "invoice_number": nullable("string", "the document's number as printed"),
            "invoice_date": nullable("string", "date of issue or purchase, YYYY-MM-DD"),
            "due_date": nullable("string", "payment due date, YYYY-MM-DD"),
            "currency": nullable("string", "ISO 4217 code, e.g. USD, EUR"),
            "subtotal": nullable("number", "total before tax"),
            "tax": nullable("number", "tax amount"),
            "total": nullable("number", "amount payable; negative for a refund"),
            "po_number": nullable("string", "purchase order number, if printed"),
            "description": nullable("string", "what the vendor did, a few words (\"Gaffer\", \"Location Rental\")"),
            "line_items": {"type": "array", "items": line}
        },
        "required": [
            "document_type", "vendor_name", "invoice_number", "invoice_date", "due_date",
            "currency", "subtotal", "tax", "total", "po_number", "description", "line_items"
        ]
    })
}

/// Where `value` breaks `schema`, one sentence per break (`$.line_items[0].amount: ...`);
/// empty when it follows it. Checks `type`, `enum`, `properties`, `required`,
/// `additionalProperties: false` and `items`.
pub fn violations(value: &Value, schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(value, schema, "$", &mut out);
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check(value: &Value, schema: &Value, at: &str, out: &mut Vec<String>) {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let actual = type_name(value);
    let type_ok = types.is_empty()
        || types.contains(&actual)
        || (actual == "integer" && types.contains(&"number"));
    if !type_ok {
        out.push(format!(
            "{at}: expected {}, got {actual} {value}",
            types.join(" or ")
        ));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            out.push(format!("{at}: {value} is not one of {}", list.join(", ")));
        }
    }
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for key in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(key) {
                        out.push(format!("{at}: the required property \"{key}\" is missing"));
                    }
                }
            }
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            for (key, child) in map {
                match props.and_then(|p| p.get(key)) {
                    Some(child_schema) => check(child, child_schema, &format!("{at}.{key}"), out),
                    None if closed => {
                        out.push(format!("{at}: the property \"{key}\" is not in the schema"))
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item, item_schema, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Value {
        json!({
            "document_type": "invoice", "vendor_name": "ACME", "invoice_number": "1",
            "invoice_date": "2024-03-15", "due_date": null, "currency": "USD",
            "subtotal": 100, "tax": 8.5, "total": 108.5, "po_number": null,
            "description": "Gaffer",
            "line_items": [{"description": "Gaffer", "quantity": 1, "unit_price": 100,
                            "amount": 100, "date": null, "account_code": "5300"}]
        })
    }

    #[test]
    fn a_good_answer_has_no_violations() {
        assert_eq!(violations(&good(), &answer_schema()), Vec::<String>::new());
    }

    #[test]
    fn violations_name_the_place() {
        let mut v = good();
        v["total"] = json!("108.50");
        v["line_items"][0]["account_code"] = json!("9999");
        v.as_object_mut().unwrap().remove("tax");
        v["extra"] = json!(1);
        let got = violations(&v, &answer_schema());
        assert_eq!(
            got,
            [
                "$: the required property \"tax\" is missing",
                "$: the property \"extra\" is not in the schema",
                "$.line_items[0].account_code: \"9999\" is not one of \"5000\", \"5300\", \"5330\", \"5200\", \"6040\", \"6110\", \"6320\", null",
                "$.total: expected number or null, got string \"108.50\"",
            ]
        );
    }

    #[test]
    fn every_object_is_closed_and_fully_required() {
        fn walk(s: &Value) {
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                assert_eq!(s["additionalProperties"], json!(false));
                let req: Vec<&str> = s["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                for (k, child) in props {
                    assert!(req.contains(&k.as_str()), "{k} not required");
                    walk(child);
                }
            }
            if let Some(items) = s.get("items") {
                walk(items);
            }
        }
        let s = answer_schema();
        assert_eq!(s["type"], json!("object"));
        walk(&s);
    }
}
