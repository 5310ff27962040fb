//! Refusals: token, version, body, validation, and the field errors for unknown boards,
//! items, columns, groups and labels, in the shapes of the version served.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn a_missing_wrong_bearer_or_revoked_token_is_401() {
    let (emu, api) = start();
    let expected = sample("error_not_authenticated__real_2025-10_http401.json");
    let good = api.token.clone().unwrap();
    for token in [None, Some("nope"), Some(format!("Bearer {good}").as_str())] {
        let api = Api::new(&emu).with_token(token);
        let r = api.query("{ me { id } }", json!({}));
        assert_eq!(r.status, 401, "token {token:?}");
        assert_eq!(r.json(), expected);
        assert_eq!(r.header("api-version"), None);
    }
    emu.revoke_token();
    assert_eq!(api.query("{ me { id } }", json!({})).status, 401);
    emu.set_token("rotated");
    assert_eq!(
        api.query("{ me { id } }", json!({})).status,
        401,
        "the old token is refused"
    );
    let rotated = Api::new(&emu);
    assert_eq!(rotated.token.as_deref(), Some("rotated"));
    assert_eq!(rotated.query("{ me { id } }", json!({})).status, 200);
    let records = emu.requests();
    assert!(
        records
            .iter()
            .filter(|r| r.outcome == "unauthenticated")
            .count()
            >= 5
    );
    assert!(
        records.iter().all(|r| !format!("{r:?}").contains(&good)),
        "tokens are not logged"
    );
}

#[test]
fn api_versions_served_fallen_back_or_refused() {
    let (emu, _) = start();
    for (sent, served) in [
        (Some("2025-04"), "2025-04"),
        (Some("2024-10"), "2024-10"),
        (None, "2025-07"),
        (Some("2031-01"), "2025-07"),
    ] {
        let api = Api::new(&emu).with_version(sent);
        let r = api.query("{ version { value } }", json!({}));
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("api-version").as_deref(),
            Some(served),
            "sent {sent:?}"
        );
        assert_eq!(r.json()["data"]["version"]["value"], served);
    }
    for bad in ["2025-7", "latest", "2025-13"] {
        let r = Api::new(&emu)
            .with_version(Some(bad))
            .query("{ me { id } }", json!({}));
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(
            r.json()["errors"][0]["extensions"]["code"],
            "InvalidVersionException"
        );
    }
}

#[test]
fn bodies_that_are_not_graphql_requests_are_400() {
    let (_emu, api) = start();
    for body in [
        "not json",
        "[1]",
        "{}",
        r#"{"query": "{ me { id } }", "variables": "{}"}"#,
    ] {
        let r = api.send_raw(body).expect("transport");
        assert_eq!(r.status, 400, "{body}");
        assert!(r.json()["errors"][0]["message"].is_string());
    }
    // Before 2025-04 a JSON-encoded variables string was accepted.
    let old = Api {
        version: Some("2025-01".into()),
        ..api
    };
    let r = old
        .send_raw(r#"{"query": "query ($b: [ID!]) { boards(ids: $b) { id } }", "variables": "{\"b\": [\"1234567890\"]}"}"#)
        .expect("transport");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["data"]["boards"][0]["id"], BOARD);
}

#[test]
fn validation_errors_match_monday_2025() {
    let (_emu, api) = start();
    let r = api.query("query{boards{invalid_field}}", json!({}));
    assert_eq!(r.status, 200);
    let v = r.json();
    let real = sample("error_graphql_validation__real_2025-07.json");
    assert_eq!(v["errors"], real["errors"], "same message and location");
    assert_same_keys(&v, &real, "validation error");
    assert_eq!(
        r.header("api-version"),
        None,
        "no Api-Version header on validation errors"
    );
    let r = api.query("mutation { create_item(board_id: 1) { id } }", json!({}));
    assert_eq!(
        r.json()["errors"][0]["message"],
        "Field \"create_item\" argument \"item_name\" of type \"String!\" is required, but it was not provided."
    );
    let r = api.query("query ($b: ID!) { boards(ids: [$b]) { id } }", json!({}));
    assert_eq!(
        r.json()["errors"][0]["message"],
        "Variable \"$b\" of required type \"ID!\" was not provided."
    );
    let r = api.query("{ boards { id ", json!({}));
    assert_eq!(
        r.json()["errors"][0]["message"],
        "Syntax Error: Expected Name, found <EOF>."
    );
    let r = api.query("subscription { boards { id } }", json!({}));
    assert!(r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("subscription"));
}

#[test]
fn unknown_board_item_and_group() {
    let (_emu, api) = start();
    let r = api.query(
        "mutation ($b: ID!) { create_item(board_id: $b, item_name: \"Test Item\") { id name created_at } }",
        json!({"b": "123"}),
    );
    let v = r.json();
    let real = sample("error_create_item_invalid_board__real_2025-07.json");
    assert_eq!(r.status, 200);
    assert_eq!(v["data"], real["data"]);
    assert_eq!(v["errors"][0]["message"], real["errors"][0]["message"]);
    assert_eq!(
        v["errors"][0]["extensions"]["error_data"],
        json!({"board_id": 123})
    );
    assert_eq!(v["errors"][0]["path"], json!(["create_item"]));
    assert_same_keys(&v, &real, "invalid board");
    let r = api.query(
        "query { items_page_by_column_values(board_id: 123456, limit: 25, columns: [{column_id: \"status\", column_values: [\"Done\"]}]) { cursor items { id name } } }",
        json!({}),
    );
    let v = r.json();
    let real = sample("error_items_page_by_column_values_invalid_board__real_2025-07.json");
    assert_eq!(v["data"], Value::Null, "a non-null root field nulls data");
    assert_eq!(
        v["errors"][0]["extensions"]["code"],
        "InvalidBoardIdException"
    );
    assert_same_keys(&v, &real, "items_page_by_column_values invalid board");
    let r = api.query(
        CHANGE,
        json!({"board": BOARD, "item": "123", "values": "{}"}),
    );
    let v = r.json();
    assert_eq!(
        v["errors"][0]["extensions"]["code"],
        "InvalidItemIdException"
    );
    assert_eq!(
        v["errors"][0]["extensions"]["error_data"],
        json!({"item_id": 123})
    );
    let r = api.query(CREATE_SUBITEM, json!({"parent": "123", "name": "x"}));
    assert_eq!(
        r.json()["errors"][0]["extensions"]["code"],
        "InvalidItemIdException"
    );
    let r = api.query(
        CREATE_ITEM,
        json!({"board": BOARD, "group": "nope", "name": "x"}),
    );
    let e = &r.json()["errors"][0];
    assert_eq!(e["message"], "Group not found");
    assert_eq!(e["extensions"]["code"], "ResourceNotFoundException");
    assert_eq!(e["extensions"]["status_code"], 404);
}

#[test]
fn unknown_column_is_invalid_column_id() {
    let (emu, api) = start();
    let id = create_po(&api, "ACME", "PO-1", "ACME");
    let r = api.query(
        CHANGE,
        json!({"board": BOARD, "item": id, "values": json!({"status": "Hello World", STATUS: {"label": "Received"}}).to_string()}),
    );
    let v = r.json();
    let constructed = sample("error_invalid_column_id__constructed_2025-07.json");
    assert_eq!(
        v["errors"][0]["message"],
        constructed["errors"][0]["message"]
    );
    assert_eq!(
        v["errors"][0]["extensions"],
        constructed["errors"][0]["extensions"]
    );
    assert_eq!(v["data"], json!({"change_multiple_column_values": null}));
    assert_same_keys(&v, &constructed, "invalid column id");
    assert_eq!(
        emu.item(&id).unwrap().text(STATUS),
        Some(""),
        "nothing was written"
    );
    let r = api.query(
        CREATE_ITEM,
        json!({"board": BOARD, "name": "x", "values": json!({"nope": "1"}).to_string()}),
    );
    assert_eq!(
        r.json()["errors"][0]["extensions"]["code"],
        "InvalidColumnIdException"
    );
    assert_eq!(emu.items(BOARD).len(), 1, "no item was created");
}

#[test]
fn unknown_status_label_is_a_column_value_exception() {
    let (emu, api) = start();
    let id = create_po(&api, "ACME", "PO-1", "ACME");
    let values = json!({STATUS: {"label": "Lost in transit"}}).to_string();
    let r = api.query(
        CHANGE,
        json!({"board": BOARD, "item": id, "values": values}),
    );
    let v = r.json();
    assert_eq!(r.status, 200);
    let constructed = sample("error_column_value_status_full_envelope__constructed_2025-07.json");
    assert_eq!(
        v["errors"][0]["message"],
        constructed["errors"][0]["message"]
    );
    assert_eq!(
        v["errors"][0]["extensions"],
        constructed["errors"][0]["extensions"]
    );
    assert_same_keys(&v, &constructed, "status label");
    let r = api.query(
        CHANGE,
        json!({"board": BOARD, "item": id, "values": values, "labels": true}),
    );
    assert!(r.json().get("errors").is_none());
    assert_eq!(emu.item(&id).unwrap().text(STATUS), Some("Lost in transit"));
}

#[test]
fn bad_values_are_refused_per_type() {
    let (_emu, api) = start();
    let id = create_po(&api, "ACME", "PO-1", "ACME");
    for values in [
        json!({TOTAL: "12,50"}),
        json!({DATE: {"date": "14.07.2025"}}),
        json!({CURRENCY: {"labels": ["CHF"]}}),
        json!({"email_mkr5d2jk": {"email": "not an address"}}),
        json!({"multiple_person_mkr5t6yy": {"personsAndTeams": [{"id": 1, "kind": "person"}]}}),
        json!({"subitems_mkr5a1b2": {"x": 1}}),
    ] {
        let r = api.query(
            CHANGE,
            json!({"board": BOARD, "item": id, "values": values.to_string()}),
        );
        assert_eq!(
            r.json()["errors"][0]["extensions"]["code"],
            "ColumnValueException",
            "{values}"
        );
    }
    let r = api.query(CHANGE, json!({"board": BOARD, "item": id, "values": json!({CURRENCY: {"labels": ["CHF"]}}).to_string()}));
    assert_eq!(
        r.json()["errors"][0]["message"],
        "The dropdown label 'CHF' does not exist, possible labels are: {1: EUR, 2: USD, 3: GBP}"
    );
    assert_eq!(
        r.json()["errors"][0]["extensions"]["error_data"]["column_value"],
        "{\"labels\"=>[\"CHF\"]}"
    );
    let r = api.query(
        CHANGE,
        json!({"board": BOARD, "item": id, "values": "{not json"}),
    );
    assert_eq!(
        r.json()["errors"][0]["extensions"]["code"],
        "JsonParseException"
    );
}

#[test]
fn versions_before_2025_use_the_legacy_error_shapes() {
    let (_emu, api) = start();
    let id = create_po(&api, "ACME", "PO-1", "ACME");
    let values = json!({"status": "Hello World"}).to_string();
    let old = Api {
        version: Some("2024-07".into()),
        ..Api {
            agent: agent(),
            ..api
        }
    };
    let r = old.query(
        CHANGE,
        json!({"board": BOARD, "item": id, "values": values}),
    );
    let v = r.json();
    let real = sample("error_invalid_column_id__real_2024-07_legacy.json");
    assert_eq!(r.status, 200);
    assert_eq!(
        v,
        json!({
            "error_message": real["error_message"],
            "error_code": real["error_code"],
            "error_data": real["error_data"],
            "status_code": 200,
            "account_id": 24308083
        })
    );
    let dual = Api {
        version: Some("2024-10".into()),
        ..old
    };
    let r = dual.query(
        CHANGE,
        json!({"board": BOARD, "item": "123", "values": "{}"}),
    );
    // The sample is about a folder: compare everything but the error_data's own keys.
    assert_same_keys(
        &without_error_data(r.json()),
        &without_error_data(sample("error_dual_format__real_2024-10.json")),
        "2024-10 dual format",
    );
    let r = dual.query(
        CREATE_ITEM,
        json!({"board": BOARD, "group": "nope", "name": "x"}),
    );
    assert_eq!(r.status, 404, "legacy HTTP status mirrors status_code");
    let d = dual.query("{ me { id } }", json!({})).json();
    assert_eq!(d["account_id"], 24308083);
    assert!(d.get("extensions").is_none());
}

fn without_error_data(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            if m.contains_key("error_data") {
                m.insert("error_data".into(), json!({}));
            }
            for (_, x) in m.iter_mut() {
                *x = without_error_data(x.take());
            }
        }
        Value::Array(a) => {
            for x in a.iter_mut() {
                *x = without_error_data(x.take());
            }
        }
        _ => {}
    }
    v
}
