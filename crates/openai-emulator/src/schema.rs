//! The two things the emulator does with a request's JSON Schema: check it against the
//! Structured Outputs strict-mode rules (as OpenAI refuses a bad schema before generating
//! anything), and generate an answer that follows it — the emulator's deterministic "model".

use serde_json::{Map, Value};

/// Keywords strict mode refuses (the Structured Outputs guide lists them as unsupported).
const UNSUPPORTED: [&str; 5] = ["allOf", "not", "if", "then", "else"];

/// Checks a `json_schema.schema` under strict mode. The error text follows OpenAI's
/// (`Invalid schema for response_format 'NAME': In context=(...), ...`).
pub(crate) fn check_strict(name: &str, schema: &Value) -> Result<(), String> {
    let fail = |context: &[String], what: String| {
        let ctx = context
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ");
        // Python tuple syntax, as OpenAI prints it: () or ('a',) or ('a', 'b').
        let ctx = if context.len() == 1 {
            format!("({ctx},)")
        } else {
            format!("({ctx})")
        };
        format!("Invalid schema for response_format '{name}': In context={ctx}, {what}")
    };
    let root_type = schema.get("type");
    if root_type != Some(&Value::String("object".into())) {
        let got = root_type.map_or_else(|| "None".to_string(), |t| t.to_string());
        return Err(format!(
            "Invalid schema for response_format '{name}': schema must be a JSON Schema of 'type: \"object\"', got 'type: {got}'."
        ));
    }
    let mut context = Vec::new();
    check_node(schema, &mut context).map_err(|(ctx, what)| fail(&ctx, what))
}

fn check_node(node: &Value, context: &mut Vec<String>) -> Result<(), (Vec<String>, String)> {
    let Some(obj) = node.as_object() else {
        return Ok(());
    };
    for kw in UNSUPPORTED {
        if obj.contains_key(kw) {
            return Err((context.clone(), format!("'{kw}' is not permitted.")));
        }
    }
    if is_object_schema(obj) {
        if obj.get("additionalProperties") != Some(&Value::Bool(false)) {
            return Err((
                context.clone(),
                "'additionalProperties' is required to be supplied and to be false.".into(),
            ));
        }
        let props = obj.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = props {
            if let Some(missing) = props.keys().find(|k| !required.contains(&k.as_str())) {
                return Err((
                    context.clone(),
                    format!("'required' is required to be supplied and to be an array including every key in properties. Missing '{missing}'."),
                ));
            }
            if let Some(extra) = required.iter().find(|r| !props.contains_key(**r)) {
                return Err((
                    context.clone(),
                    format!("'required' is required to be supplied and to be an array including every key in properties. Extra required key '{extra}' supplied."),
                ));
            }
            for (key, child) in props {
                context.push("properties".into());
                context.push(key.clone());
                check_node(child, context)?;
                context.truncate(context.len() - 2);
            }
        }
    }
    if let Some(items) = obj.get("items") {
        context.push("items".into());
        check_node(items, context)?;
        context.pop();
    }
    for list in ["anyOf"] {
        if let Some(alts) = obj.get(list).and_then(Value::as_array) {
            for (i, alt) in alts.iter().enumerate() {
                context.push(list.into());
                context.push(i.to_string());
                check_node(alt, context)?;
                context.truncate(context.len() - 2);
            }
        }
    }
    for defs in ["$defs", "definitions"] {
        if let Some(map) = obj.get(defs).and_then(Value::as_object) {
            for (key, child) in map {
                context.push(defs.into());
                context.push(key.clone());
                check_node(child, context)?;
                context.truncate(context.len() - 2);
            }
        }
    }
    Ok(())
}

fn types_of(obj: &Map<String, Value>) -> Vec<&str> {
    match obj.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_object_schema(obj: &Map<String, Value>) -> bool {
    types_of(obj).contains(&"object") || obj.contains_key("properties")
}

/// An answer following `schema`, read from `text`: a property gets the value of a
/// `name: value` line (the name with `_` or spaces, any case) when the line's value fits the
/// property's type, else null when the property is nullable, else the first enum value or
/// the type's zero. Deterministic, so tests can predict it.
pub(crate) fn generate(schema: &Value, root: &Value, text: &str) -> Value {
    generate_named(schema, root, text, None)
}

fn generate_named(schema: &Value, root: &Value, text: &str, name: Option<&str>) -> Value {
    let Some(obj) = resolve(schema, root).as_object() else {
        return Value::Null;
    };
    if let Some(alts) = obj.get("anyOf").and_then(Value::as_array) {
        // The first alternative that can be read from the text, else the first one.
        for alt in alts {
            let v = generate_named(alt, root, text, name);
            if !v.is_null() {
                return v;
            }
        }
        return Value::Null;
    }
    let types = types_of(obj);
    let nullable = types.contains(&"null");
    if is_object_schema(obj) {
        let mut out = Map::new();
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            for (key, child) in props {
                out.insert(key.clone(), generate_named(child, root, text, Some(key)));
            }
        }
        return Value::Object(out);
    }
    if types.contains(&"array") {
        return Value::Array(Vec::new());
    }
    if let Some(found) = name.and_then(|n| lookup(text, n)) {
        if let Some(v) = fit(found, obj, &types) {
            return v;
        }
    }
    if nullable {
        return Value::Null;
    }
    if let Some(first) = obj
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match types.first().copied() {
        Some("string") => Value::String(String::new()),
        Some("number") | Some("integer") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        _ => Value::Null,
    }
}

/// Follows a local `$ref` (`#/$defs/X`, `#/definitions/X`).
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
            .unwrap_or(schema),
        None => schema,
    }
}

/// The value of the first `name: value` line for `name` (`invoice_number`, `invoice number`).
fn lookup<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let spaced = name.replace('_', " ");
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        let key = key.trim();
        (key.eq_ignore_ascii_case(name) || key.eq_ignore_ascii_case(&spaced))
            .then(|| value.trim())
            .filter(|v| !v.is_empty())
    })
}

fn fit(found: &str, obj: &Map<String, Value>, types: &[&str]) -> Option<Value> {
    if found.eq_ignore_ascii_case("null") {
        return types.contains(&"null").then_some(Value::Null);
    }
    if let Some(allowed) = obj.get("enum").and_then(Value::as_array) {
        return allowed
            .iter()
            .find(|a| {
                a.as_str() == Some(found)
                    || serde_json::from_str::<Value>(found).ok().as_ref() == Some(*a)
            })
            .cloned();
    }
    for t in types {
        match *t {
            "string" => return Some(Value::String(found.to_string())),
            "integer" => {
                if let Ok(i) = found.parse::<i64>() {
                    return Some(Value::from(i));
                }
            }
            "number" => {
                if let Ok(n) = found.parse::<f64>() {
                    return serde_json::Number::from_f64(n).map(Value::Number);
                }
            }
            "boolean" => {
                if let Ok(b) = found.parse::<bool>() {
                    return Some(Value::Bool(b));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invoice_schema() -> Value {
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "invoice_number": {"type": "string"},
                "total": {"type": ["number", "null"]},
                "currency": {"type": "string", "enum": ["EUR", "USD"]},
                "due_date": {"type": ["string", "null"]},
                "lines": {"type": "array", "items": {
                    "type": "object", "additionalProperties": false,
                    "properties": {"amount": {"type": "number"}}, "required": ["amount"]}}
            },
            "required": ["invoice_number", "total", "currency", "due_date", "lines"]
        })
    }

    #[test]
    fn a_strict_schema_passes() {
        assert_eq!(check_strict("invoice", &invoice_schema()), Ok(()));
    }

    #[test]
    fn strict_rules_are_enforced_with_openai_wording() {
        let mut s = invoice_schema();
        s["required"] = json!(["total", "currency", "due_date", "lines"]);
        let e = check_strict("invoice", &s).unwrap_err();
        assert_eq!(e, "Invalid schema for response_format 'invoice': In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'invoice_number'.");

        let mut s = invoice_schema();
        s["properties"]["lines"]["items"]
            .as_object_mut()
            .unwrap()
            .remove("additionalProperties");
        let e = check_strict("invoice", &s).unwrap_err();
        assert!(
            e.contains("In context=('properties', 'lines', 'items'), 'additionalProperties' is required to be supplied and to be false."),
            "{e}"
        );

        let e = check_strict("x", &json!({"type": "array", "items": {}})).unwrap_err();
        assert!(
            e.contains("must be a JSON Schema of 'type: \"object\"'"),
            "{e}"
        );

        let mut s = invoice_schema();
        s["properties"]["total"] = json!({"allOf": [{"type": "number"}]});
        let e = check_strict("x", &s).unwrap_err();
        assert!(
            e.contains("In context=('properties', 'total'), 'allOf' is not permitted."),
            "{e}"
        );
    }

    #[test]
    fn generation_reads_name_value_lines_and_follows_types() {
        let text = "Invoice number: INV-7\ntotal: 12.5\ncurrency: GBP\nDUE_DATE: 2024-05-01";
        let s = invoice_schema();
        let v = generate(&s, &s, text);
        assert_eq!(
            v,
            json!({
                "invoice_number": "INV-7",
                "total": 12.5,
                // GBP is not in the enum: the first allowed value.
                "currency": "EUR",
                "due_date": "2024-05-01",
                "lines": []
            })
        );
        let empty = generate(&s, &s, "nothing here");
        assert_eq!(empty["invoice_number"], json!(""));
        assert_eq!(empty["total"], Value::Null);
    }
}
