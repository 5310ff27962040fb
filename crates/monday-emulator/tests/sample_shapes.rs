//! The emulator's answers against the samples of `shared/monday`: each sample's query is
//! sent (on the emulator's board) and the answer must have the sample's keys at every
//! level, and the same values where the values do not depend on ids or time.

mod common;

use common::*;
use serde_json::{json, Value};

fn item_names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn create_item_matches_the_2025_capture() {
    let (_emu, api) = start();
    let q = format!(
        r#"mutation{{create_item(board_id: "{BOARD}", item_name: "Test Item", column_values: "{{\"{STATUS}\":{{\"label\":\"Received\"}}}}"){{id name created_at}}}}"#
    );
    let r = api.query(&q, json!(null));
    let v = r.json();
    assert_eq!(r.header("api-version").as_deref(), Some("2025-07"));
    assert!(r.header("x-request-id").is_some());
    let real = sample("create_item__real_2025-07.json");
    assert_same_keys(&v, &real, "create_item");
    let created = v["data"]["create_item"]["created_at"].as_str().unwrap();
    assert!(chrono_like(created), "{created}");
    assert_eq!(v["extensions"]["request_id"].as_str().unwrap().len(), 36);
}

/// `2025-10-27T02:17:50Z`
fn chrono_like(s: &str) -> bool {
    s.len() == 20 && s.as_bytes()[10] == b'T' && s.ends_with('Z')
}

#[test]
fn items_page_by_column_values_matches_the_2025_captures() {
    let (_emu, api) = start();
    for n in ["Test Item 1", "Test Item 2", "Test Item 3", "Other"] {
        api.data(CREATE_ITEM, json!({"board": BOARD, "name": n}));
    }
    let any_of = format!(
        r#"query{{items_page_by_column_values(board_id: {BOARD}, limit: 25, columns: [{{column_id: "name", column_values: ["Test Item 1", "Test Item 2", "Test Item 3"]}}]){{cursor items{{id name}}}}}}"#
    );
    let v = api.query(&any_of, json!(null)).json();
    let real = sample("items_page_by_column_values__real_2025-07_any_of.json");
    assert_same_keys(&v, &real, "any_of");
    assert_eq!(
        item_names(&v["data"]["items_page_by_column_values"]),
        item_names(&real["data"]["items_page_by_column_values"])
    );
    assert_eq!(
        v["data"]["items_page_by_column_values"]["cursor"],
        Value::Null
    );

    let page1 = any_of.replace("limit: 25", "limit: 1");
    let v1 = api.query(&page1, json!(null)).json();
    assert_same_keys(
        &v1,
        &sample("items_page_by_column_values__real_2025-07_page1.json"),
        "page 1",
    );
    let cursor = v1["data"]["items_page_by_column_values"]["cursor"]
        .as_str()
        .unwrap();
    let page2 = format!(
        r#"query{{items_page_by_column_values(board_id: {BOARD}, limit: 1, cursor: "{cursor}"){{cursor items{{id name}}}}}}"#
    );
    let v2 = api.query(&page2, json!(null)).json();
    let real2 = sample("items_page_by_column_values__real_2025-07_page2_cursor.json");
    assert_same_keys(&v2, &real2, "page 2");
    assert_eq!(
        item_names(&v2["data"]["items_page_by_column_values"]),
        ["Test Item 2"]
    );
    assert!(
        v2["data"]["items_page_by_column_values"]["cursor"].is_string(),
        "a third page is left"
    );

    let none = any_of.replace(
        r#"["Test Item 1", "Test Item 2", "Test Item 3"]"#,
        r#"["Non-existent Item"]"#,
    );
    let v = api.query(&none, json!(null)).json();
    let real = sample("items_page_by_column_values__real_2025-07_no_match.json");
    assert_same_keys(&v, &real, "no match");
    assert_eq!(v["data"], real["data"]);
}

#[test]
fn boards_answers_match_the_captures_and_the_constructed_boards() {
    let (_emu, api) = start();
    api.data(CREATE_ITEM, json!({"board": BOARD, "name": "Task 1"}));
    let v = api
        .query(&format!(r#"query{{boards(ids: ["{BOARD}"]){{items_page(limit: 500){{cursor items{{id name}}}}}}}}"#), json!(null))
        .json();
    let real = sample("boards_items_page__real_2025-07.json");
    assert_same_keys(&v, &real, "boards items_page");
    assert_eq!(
        item_names(&v["data"]["boards"][0]["items_page"]),
        ["Task 1"]
    );

    let v = api
        .query("query{boards{groups{id title}}}", json!(null))
        .json();
    assert_same_keys(
        &v,
        &sample("boards_groups__real_2025-07.json"),
        "boards groups",
    );
    assert_eq!(
        v["data"]["boards"][1]["groups"],
        json!([{"id": "topics", "title": "Subitems"}])
    );

    // The seed is the constructed board: asking what it answers gives it back exactly.
    let v = api
        .query(&format!(r#"query{{boards(ids:["{BOARD}"]){{id name columns{{id title type settings_str}} groups{{id title}}}}}}"#), json!(null))
        .json();
    let constructed = sample("boards_po_board_columns_groups__constructed_2025-07.json");
    assert_eq!(v["data"], constructed["data"]);
    assert_same_keys(&v, &constructed, "PO board");
    let v = api
        .query(&format!(r#"query{{boards(ids:["{SUB_BOARD}"]){{id name type columns{{id title type settings_str}} groups{{id title}}}}}}"#), json!(null))
        .json();
    assert_eq!(
        v["data"],
        sample("boards_subitems_board__constructed_2025-07.json")["data"]
    );
}

/// The PO of `request_create_item__constructed.json` with the two lines of
/// `items_page_by_column_values_full__constructed_2025-07.json`; returns the item id.
fn constructed_po(api: &Api) -> String {
    let request = sample("request_create_item__constructed.json");
    let d = api.data(
        request["body"]["query"].as_str().unwrap(),
        request["body"]["variables"].clone(),
    );
    let id = d["create_item"]["id"].as_str().unwrap().to_string();
    for (name, sku, qty, price) in [
        ("Line 1", "SKU-001", "10", "100"),
        ("Line 2", "SKU-002", "1", "250.5"),
    ] {
        api.data(
            CREATE_SUBITEM,
            json!({"parent": id, "name": name, "values": json!({SKU: sku, QTY: qty, "numeric_mkr5s3cc": price}).to_string()}),
        );
    }
    id
}

#[test]
fn a_found_po_reads_like_the_constructed_sample() {
    let (_emu, api) = start();
    let id = constructed_po(&api);
    let constructed = sample("items_page_by_column_values_full__constructed_2025-07.json");
    let q = "query($board:ID!,$po:String!){items_page_by_column_values(board_id:$board,limit:25,columns:[{column_id:\"text_mkr5wya6\",column_values:[$po]}]){cursor items{id name group{id} column_values{id text value type} subitems{id name board{id} column_values{id text value type}}}}}";
    let v = api
        .query(q, json!({"board": BOARD, "po": "PO-2025-0042"}))
        .json();
    assert_same_keys(&v, &constructed, "items_page_by_column_values full");
    let ours = &v["data"]["items_page_by_column_values"]["items"][0];
    let theirs = &constructed["data"]["items_page_by_column_values"]["items"][0];
    assert_eq!(ours["id"], id.as_str());
    assert_eq!(ours["name"], theirs["name"]);
    assert_eq!(ours["group"], theirs["group"]);
    let ours_cv = ours["column_values"].as_array().unwrap();
    let theirs_cv = theirs["column_values"].as_array().unwrap();
    assert_eq!(ours_cv.len(), theirs_cv.len());
    for (o, t) in ours_cv.iter().zip(theirs_cv) {
        assert_eq!(o["id"], t["id"]);
        assert_eq!(o["type"], t["type"]);
        assert_eq!(o["text"], t["text"], "text of {}", t["id"]);
        // Values hold changed_at timestamps: compare them without.
        assert_eq!(
            without_changed_at(&o["value"]),
            without_changed_at(&t["value"]),
            "value of {}",
            t["id"]
        );
    }
    let subs_ours = ours["subitems"].as_array().unwrap();
    let subs_theirs = theirs["subitems"].as_array().unwrap();
    assert_eq!(subs_ours.len(), 2);
    for (o, t) in subs_ours.iter().zip(subs_theirs) {
        assert_eq!(o["name"], t["name"]);
        assert_eq!(o["board"], t["board"]);
        assert_eq!(o["column_values"], t["column_values"]);
    }
}

fn without_changed_at(v: &Value) -> Value {
    match v.as_str().map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(mut m))) => {
            m.remove("changed_at");
            Value::Object(m)
        }
        Some(Ok(other)) => other,
        _ => v.clone(),
    }
}

#[test]
fn mutations_read_like_the_constructed_samples() {
    let (_emu, api) = start();
    let request = sample("request_create_item__constructed.json");
    let v = api
        .query(
            request["body"]["query"].as_str().unwrap(),
            request["body"]["variables"].clone(),
        )
        .json();
    let constructed = sample("create_item_full__constructed_2025-07.json");
    assert_same_keys(&v, &constructed, "create_item full");
    let mut ours = v["data"]["create_item"].clone();
    ours["id"] = constructed["data"]["create_item"]["id"].clone();
    assert_eq!(ours, constructed["data"]["create_item"]);
    let id = v["data"]["create_item"]["id"].as_str().unwrap().to_string();

    let q = format!(
        r#"mutation{{create_subitem(parent_item_id:"{id}", item_name:"Line 1", column_values:"{{\"text_mkr5s1aa\":\"SKU-001\",\"numeric_mkr5s2bb\":\"10\",\"numeric_mkr5s3cc\":\"100\"}}"){{id name board{{id}} parent_item{{id}} column_values{{id text value type}}}}}}"#
    );
    let v = api.query(&q, json!(null)).json();
    let constructed = sample("create_subitem_full__constructed_2025-07.json");
    assert_same_keys(&v, &constructed, "create_subitem full");
    assert_eq!(
        v["data"]["create_subitem"]["column_values"],
        constructed["data"]["create_subitem"]["column_values"]
    );
    assert_eq!(
        v["data"]["create_subitem"]["board"],
        constructed["data"]["create_subitem"]["board"]
    );
    assert_eq!(
        v["data"]["create_subitem"]["parent_item"]["id"],
        id.as_str()
    );
    let semi = sample("create_subitem_with_board__semi_real.json");
    assert_ne!(
        semi["data"]["create_subitem"]["board"]["id"], "1614669298",
        "the sample's point"
    );

    let q = format!(
        r#"mutation{{change_multiple_column_values(board_id:"{BOARD}", item_id:"{id}", column_values:"{{\"color_mkr5h7ta\":{{\"label\":\"Received\"}},\"numeric_mkr5k2pd\":\"1300\"}}", create_labels_if_missing:false){{id name column_values(ids:["color_mkr5h7ta","numeric_mkr5k2pd"]){{id text value type}}}}}}"#
    );
    let v = api.query(&q, json!(null)).json();
    let constructed = sample("change_multiple_column_values_full__constructed_2025-07.json");
    assert_same_keys(&v, &constructed, "change_multiple_column_values full");
    let texts = |v: &Value| -> Vec<(String, String)> {
        let mut t: Vec<(String, String)> = v["data"]["change_multiple_column_values"]
            ["column_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    c["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        t.sort();
        t
    };
    assert_eq!(texts(&v), texts(&constructed));
}

#[test]
fn legacy_versions_keep_the_2024_envelope() {
    let (_emu, api) = start();
    let id = create_po(&api, "Test Item", "PO-1", "ACME");
    let old = Api::new(&_emu).with_version(Some("2024-07"));
    let v = old
        .query(&format!(r#"mutation{{create_subitem(parent_item_id: "{id}", item_name: "New Item Test"){{id name created_at}}}}"#), json!(null))
        .json();
    assert_same_keys(
        &v,
        &sample("create_subitem__real_2024-07.json"),
        "create_subitem 2024-07",
    );
    let sub = v["data"]["create_subitem"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // `ids` given as one string: a list of one, as GraphQL coerces it.
    let v = old
        .query(
            &format!(r#"query{{items(ids: "{id}"){{ subitems{{id name created_at}}}}}}"#),
            json!(null),
        )
        .json();
    assert_same_keys(
        &v,
        &sample("items_subitems_query__real_2024-07.json"),
        "items subitems 2024-07",
    );
    assert_eq!(v["data"]["items"][0]["subitems"][0]["id"], sub.as_str());
    let v = old
        .query(&format!(r#"mutation{{change_multiple_column_values(board_id: "{BOARD}", item_id: "{id}", column_values: "{{\"{STATUS}\":{{\"label\":\"Received\"}}}}"){{id name}}}}"#), json!(null))
        .json();
    let real = sample("change_multiple_column_values__real_2024-07.json");
    assert_same_keys(&v, &real, "change_multiple_column_values 2024-07");
    assert_eq!(
        v["data"]["change_multiple_column_values"]["name"],
        real["data"]["change_multiple_column_values"]["name"]
    );
    let v = old
        .query(
            &format!(r#"query{{boards(ids: [{BOARD}]){{columns{{id title description}}}}}}"#),
            json!(null),
        )
        .json();
    assert_same_keys(
        &v,
        &sample("boards_columns__real_2024-07.json"),
        "boards columns 2024-07",
    );
    assert_eq!(v["account_id"], 24308083);
}

#[test]
fn error_shapes_match_the_2025_captures() {
    let (_emu, api) = start();
    let v = api
        .query(r#"mutation { change_column_value(board_id: "1234567890", item_id: "123", column_id: "file_123xyz", value: "{\"clear_all\": true}") {id}}"#, json!(null))
        .json();
    let real = sample("error_invalid_item_id__real_2025-10.json");
    assert_same_keys(&v, &real, "invalid item");
    assert_eq!(
        v["errors"][0]["extensions"]["error_data"],
        real["errors"][0]["extensions"]["error_data"]
    );
    assert_eq!(v["errors"][0]["message"], real["errors"][0]["message"]);
    let v = api
        .query(r#"mutation { change_column_value(board_id: "123", item_id: "123", column_id: "file_123xyz", value: "{\"clear_all\": true}") {id}}"#, json!(null))
        .json();
    let real = sample("error_invalid_board_id__real_2025-10.json");
    assert_same_keys(&v, &real, "invalid board");
    assert_eq!(
        v["errors"][0]["extensions"],
        real["errors"][0]["extensions"]
    );
    assert_eq!(
        v["errors"][0]["locations"], real["errors"][0]["locations"],
        "the field's position"
    );
    assert_eq!(
        sample_status("error_invalid_board_id__real_2025-10.json"),
        Some(200)
    );
}
