//! Every operation the sync uses, with variables: boards with columns, groups and items
//! pages; finding items by column values; creating items and subitems; changing values;
//! paging with cursors; fragments on typed values.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn boards_with_columns_groups_and_items_page_by_variables() {
    let (emu, api) = start();
    let a = create_po(&api, "ACME", "PO-1", "ACME GmbH");
    let d = api.data(
        "query Board($ids: [ID!], $limit: Int!) {
           boards(ids: $ids) {
             id name
             columns { id title type settings_str }
             groups { id title }
             items_page(limit: $limit) {
               cursor
               items { id name group { id } column_values { id text value type } subitems { id name column_values { id text value } } }
             }
           }
         }",
        json!({"ids": [BOARD], "limit": 10}),
    );
    let board = &d["boards"][0];
    assert_eq!(d["boards"].as_array().map(Vec::len), Some(1));
    assert_eq!(board["id"], BOARD);
    assert_eq!(board["name"], "Purchase Orders");
    let columns = board["columns"].as_array().expect("columns");
    assert_eq!(
        columns[0],
        json!({"id": "name", "title": "Name", "type": "name", "settings_str": "{}"})
    );
    let status = columns
        .iter()
        .find(|c| c["id"] == STATUS)
        .expect("status column");
    assert_eq!(status["type"], "status");
    assert!(status["settings_str"]
        .as_str()
        .unwrap()
        .contains("\"Received\""));
    assert_eq!(
        board["groups"],
        json!([
            {"id": "topics", "title": "Group Title"},
            {"id": "group_mkr5x0aa", "title": "Open POs"},
            {"id": "group_mkr5x0bb", "title": "Received"}
        ])
    );
    let page = &board["items_page"];
    assert_eq!(page["cursor"], Value::Null, "one item: last page");
    let item = &page["items"][0];
    assert_eq!(item["id"], a.as_str());
    assert_eq!(
        item["group"]["id"], "topics",
        "no group given: the first group"
    );
    let po = item["column_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == PO)
        .expect("PO column");
    assert_eq!(
        po,
        &json!({"id": PO, "text": "PO-1", "value": "\"PO-1\"", "type": "text"})
    );
    assert!(
        item["column_values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "name"),
        "the name column is not a column value"
    );
    assert_eq!(item["subitems"], json!([]));
    drop(emu);
}

#[test]
fn only_selected_fields_are_answered_in_order_with_aliases() {
    let (_emu, api) = start();
    let r = api.query(
        "query ($b: ID!) { first: boards(ids: [$b]) { name id } again: boards(ids: [$b]) { id } }",
        json!({"b": BOARD}),
    );
    assert_eq!(
        r.text(),
        format!(
            r#"{{"data":{{"first":[{{"name":"Purchase Orders","id":"{BOARD}"}}],"again":[{{"id":"{BOARD}"}}]}},"extensions":{{"request_id":"{}"}}}}"#,
            r.json()["extensions"]["request_id"].as_str().unwrap()
        )
    );
}

#[test]
fn create_item_with_variables_sets_every_column_type() {
    let (emu, api) = start();
    let request = sample("request_create_item__constructed.json");
    let d = api.data(
        request["body"]["query"].as_str().unwrap(),
        request["body"]["variables"].clone(),
    );
    let created = &d["create_item"];
    assert_eq!(created["name"], "PO-2025-0042");
    assert_eq!(created["board"]["id"], BOARD);
    assert_eq!(created["group"]["id"], "group_mkr5x0aa");
    let id = created["id"].as_str().unwrap();
    let item = emu.item(id).expect("stored");
    let expected = [
        (PO, Some("PO-2025-0042")),
        (SUPPLIER, Some("ACME GmbH")),
        (TOTAL, Some("1250.5")),
        (STATUS, Some("Open")),
        (DATE, Some("2025-07-14")),
        ("long_text_mkr5z9d1", Some("Deliver to dock 3")),
        (
            "link_mkr5p0qe",
            Some("PO PDF - https://example.com/po/PO-2025-0042.pdf"),
        ),
        (CURRENCY, Some("EUR")),
        ("board_relation_mkr5m8gs", None),
        ("multiple_person_mkr5t6yy", Some("Dana Buyer")),
        ("email_mkr5d2jk", Some("ACME Orders - orders@acme.example")),
        ("phone_mkr5f5ll", Some("+12025550169")),
        ("subitems_mkr5a1b2", None),
    ];
    for (col, text) in expected {
        assert_eq!(item.text(col), text, "text of {col}");
    }
    assert_eq!(item.values[STATUS].value.as_ref().unwrap()["index"], 0);
    assert_eq!(item.values[CURRENCY].value, Some(json!({"ids": [1]})));
    assert_eq!(
        item.values["board_relation_mkr5m8gs"].value, None,
        "2025-04+: null"
    );
    let log = emu.item_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, monday_emulator::ItemEventKind::Created);
    assert_eq!(log[0].by, monday_emulator::Actor::Api);
    assert_eq!(log[0].column_values[PO], "PO-2025-0042");
}

#[test]
fn inlined_literals_work_as_well_as_variables() {
    let (emu, api) = start();
    let q = format!(
        r#"mutation {{ create_item(board_id: {BOARD}, item_name: "Inline", column_values: "{{\"{PO}\": \"PO-9\", \"{STATUS}\": {{\"label\": \"Received\"}}}}") {{ id }} }}"#
    );
    let d = api.data(&q, json!({}));
    let item = emu.item(d["create_item"]["id"].as_str().unwrap()).unwrap();
    assert_eq!(item.text(PO), Some("PO-9"));
    assert_eq!(item.text(STATUS), Some("Received"));
    // column_values may also arrive as an object in variables.
    let d = api.data(
        CREATE_ITEM,
        json!({"board": BOARD, "name": "Object", "values": {PO: "PO-10"}}),
    );
    let item = emu.item(d["create_item"]["id"].as_str().unwrap()).unwrap();
    assert_eq!(item.text(PO), Some("PO-10"));
}

#[test]
fn items_page_by_column_values_finds_by_project_and_po() {
    let (_emu, api) = start();
    let a = create_po(&api, "ACME 1", "PO-1", "ACME GmbH");
    let _b = create_po(&api, "ACME 2", "PO-2", "ACME GmbH");
    let _c = create_po(&api, "Other 1", "PO-1", "Other Ltd");
    let find = "query ($board: ID!, $po: String!, $supplier: String!) {
      items_page_by_column_values(board_id: $board, limit: 25, columns: [
        {column_id: \"text_mkr5wya6\", column_values: [$po]},
        {column_id: \"text_mkr5q1xz\", column_values: [$supplier, \"Nobody\"]}
      ]) { cursor items { id name column_values { id text } subitems { id } } }
    }";
    let d = api.data(
        find,
        json!({"board": BOARD, "po": "PO-1", "supplier": "ACME GmbH"}),
    );
    let page = &d["items_page_by_column_values"];
    assert_eq!(page["cursor"], Value::Null);
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str()]);
    // The whole columns argument as one variable.
    let d = api.data(
        "query ($board: ID!, $columns: [ItemsPageByColumnValuesQuery!]) {
           items_page_by_column_values(board_id: $board, columns: $columns) { items { name } }
         }",
        json!({"board": BOARD, "columns": [
            {"column_id": PO, "column_values": ["PO-1"]},
            {"column_id": SUPPLIER, "column_values": ["Other Ltd"]}
        ]}),
    );
    assert_eq!(
        d["items_page_by_column_values"]["items"],
        json!([{"name": "Other 1"}])
    );
    let d = api.data(
        find,
        json!({"board": BOARD, "po": "PO-404", "supplier": "ACME GmbH"}),
    );
    assert_eq!(
        d["items_page_by_column_values"],
        json!({"cursor": null, "items": []})
    );
}

#[test]
fn cursors_page_without_duplicates() {
    let (_emu, api) = start();
    for i in 0..5 {
        create_po(&api, &format!("Item {i}"), "PO-7", "ACME");
    }
    let first = api.data(
        "query ($b: ID!) { items_page_by_column_values(board_id: $b, limit: 2, columns: [{column_id: \"text_mkr5wya6\", column_values: [\"PO-7\"]}]) { cursor items { name } } }",
        json!({"b": BOARD}),
    );
    let mut names: Vec<String> = first["items_page_by_column_values"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    let mut cursor = first["items_page_by_column_values"]["cursor"]
        .as_str()
        .expect("a cursor")
        .to_string();
    let mut pages = 1;
    loop {
        let d = api.data(
            "query ($b: ID!, $c: String) { items_page_by_column_values(board_id: $b, limit: 2, cursor: $c) { cursor items { name } } }",
            json!({"b": BOARD, "c": cursor}),
        );
        pages += 1;
        let page = &d["items_page_by_column_values"];
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_string()),
        );
        match page["cursor"].as_str() {
            Some(c) => {
                assert_ne!(c, cursor, "each page has its own cursor");
                cursor = c.to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["Item 0", "Item 1", "Item 2", "Item 3", "Item 4"]);
    // boards.items_page and next_items_page page the same way.
    let d = api.data(
        "query ($b: [ID!]) { boards(ids: $b) { items_page(limit: 3) { cursor items { name } } } }",
        json!({"b": [BOARD]}),
    );
    let c = d["boards"][0]["items_page"]["cursor"]
        .as_str()
        .expect("cursor")
        .to_string();
    let d = api.data(
        "query ($c: String!) { next_items_page(cursor: $c, limit: 3) { cursor items { name } } }",
        json!({"c": c}),
    );
    assert_eq!(
        d["next_items_page"],
        json!({"cursor": null, "items": [{"name": "Item 3"}, {"name": "Item 4"}]})
    );
}

#[test]
fn items_page_query_params_filter_and_order() {
    let (emu, api) = start();
    for (name, total, status) in [
        ("a", "10", "Open"),
        ("b", "300", "Received"),
        ("c", "50", "Open"),
    ] {
        api.data(
            CREATE_ITEM,
            json!({"board": BOARD, "name": name, "values": json!({TOTAL: total, STATUS: {"label": status}}).to_string()}),
        );
    }
    let q = "query ($b: [ID!], $p: ItemsQuery) { boards(ids: $b) { items_page(query_params: $p) { items { name } } } }";
    let names = |d: Value| -> Vec<String> {
        d["boards"][0]["items_page"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect()
    };
    let d = api.data(
        q,
        json!({"b": [BOARD], "p": {"rules": [{"column_id": STATUS, "compare_value": [0]}]}}),
    );
    assert_eq!(names(d), ["a", "c"], "status rules compare label ids");
    let d = api.data(q, json!({"b": [BOARD], "p": {"rules": [{"column_id": TOTAL, "compare_value": [40], "operator": "greater_than"}], "order_by": [{"column_id": "name", "direction": "desc"}]}}));
    assert_eq!(names(d), ["c", "b"]);
    let d = api.data(
        q,
        json!({"b": [BOARD], "p": {"operator": "or", "rules": [
            {"column_id": "name", "compare_value": ["a"]},
            {"column_id": STATUS, "compare_value": ["Received"]}
        ]}}),
    );
    assert_eq!(names(d), ["a", "b"]);
    assert_eq!(emu.items(BOARD).len(), 3);
}

#[test]
fn subitems_live_on_their_own_board() {
    let (emu, api) = start();
    let parent = create_po(&api, "ACME", "PO-1", "ACME GmbH");
    let d = api.data(
        CREATE_SUBITEM,
        json!({"parent": parent, "name": "Line 1", "values": json!({SKU: "SKU-001", QTY: "10"}).to_string()}),
    );
    let sub = &d["create_subitem"];
    assert_eq!(sub["name"], "Line 1");
    assert_eq!(
        sub["board"]["id"], SUB_BOARD,
        "the subitems board, not the parent's"
    );
    assert_eq!(sub["parent_item"]["id"], parent.as_str());
    let sub_id = sub["id"].as_str().unwrap().to_string();
    // Parent-board columns are not subitem columns.
    let r = api.query(
        CREATE_SUBITEM,
        json!({"parent": parent, "name": "Line 2", "values": json!({PO: "x"}).to_string()}),
    );
    assert_eq!(
        r.json()["errors"][0]["extensions"]["code"],
        "InvalidColumnIdException"
    );
    // Changing a subitem goes through the subitems board.
    api.data(
        CHANGE,
        json!({"board": SUB_BOARD, "item": sub_id, "values": json!({QTY: "12"}).to_string()}),
    );
    let r = api.query(
        CHANGE,
        json!({"board": BOARD, "item": sub_id, "values": json!({QTY: "13"}).to_string()}),
    );
    assert_eq!(
        r.json()["errors"][0]["extensions"]["code"],
        "InvalidItemIdException"
    );
    let d = api.data(
        "query ($ids: [ID!]) { items(ids: $ids) { id subitems { id name board { id } column_values(ids: [\"numeric_mkr5s2bb\"]) { id text value } } } }",
        json!({"ids": [parent]}),
    );
    assert_eq!(
        d["items"][0]["subitems"],
        json!([{"id": sub_id, "name": "Line 1", "board": {"id": SUB_BOARD}, "column_values": [{"id": QTY, "text": "12", "value": "\"12\""}]}])
    );
    let parent_view = emu.item(&parent).unwrap();
    assert_eq!(parent_view.subitem_ids, vec![sub_id.clone()]);
    assert_eq!(emu.items(SUB_BOARD).len(), 1);
    let subs = api.data(
        "query ($b: ID!) { items_page_by_column_values(board_id: $b, columns: [{column_id: \"text_mkr5s1aa\", column_values: [\"SKU-001\"]}]) { items { id } } }",
        json!({"b": SUB_BOARD}),
    );
    assert_eq!(
        subs["items_page_by_column_values"]["items"][0]["id"],
        sub_id.as_str()
    );
}

#[test]
fn a_board_without_subitems_gets_a_subitems_board_on_the_first_subitem() {
    let seed = monday_emulator::Seed::from_json(
        r#"{"data": {"boards": [{"id": "500", "name": "Budget", "columns": [{"id": "name", "title": "Name", "type": "name", "settings_str": "{}"}], "groups": [{"id": "topics", "title": "Group Title"}]}]}}"#,
    )
    .unwrap();
    let emu = monday_emulator::Emulator::start_with(
        "127.0.0.1:0",
        monday_emulator::Config {
            seed,
            ..Default::default()
        },
    )
    .unwrap();
    let api = Api::new(&emu);
    let parent = api.data(CREATE_ITEM, json!({"board": "500", "name": "Row"}))["create_item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let d = api.data(CREATE_SUBITEM, json!({"parent": parent, "name": "Sub"}));
    let sub_board = d["create_subitem"]["board"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(sub_board, "500");
    let boards = api.data(
        "{ boards { id name type columns { id type settings_str } groups { title } } }",
        json!({}),
    );
    let list = boards["boards"].as_array().unwrap();
    let sub = list
        .iter()
        .find(|b| b["id"] == sub_board.as_str())
        .expect("subitems board listed");
    assert_eq!(sub["name"], "Subitems of Budget");
    assert_eq!(sub["type"], "sub_items_board");
    assert_eq!(sub["groups"], json!([{"title": "Subitems"}]));
    let parent_board = list.iter().find(|b| b["id"] == "500").unwrap();
    let subtasks = parent_board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "subtasks")
        .expect("subtasks column");
    assert!(subtasks["settings_str"]
        .as_str()
        .unwrap()
        .contains(&sub_board));
}

#[test]
fn change_multiple_column_values_updates_and_logs() {
    let (emu, api) = start();
    let id = create_po(&api, "ACME", "PO-1", "ACME GmbH");
    let d = api.data(
        "mutation ($board: ID!, $item: ID!, $values: JSON!) {
           change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values) {
             id name column_values(ids: [\"color_mkr5h7ta\", \"numeric_mkr5k2pd\"]) { id text value type }
           }
         }",
        json!({"board": BOARD, "item": id, "values": json!({STATUS: {"label": "Received"}, TOTAL: "1300", "name": "ACME GmbH"}).to_string()}),
    );
    let r = &d["change_multiple_column_values"];
    assert_eq!(r["name"], "ACME GmbH", "the name key renames the item");
    // Board order (Total comes before PO Status on the board), not the order of `ids`.
    assert_eq!(
        r["column_values"][0],
        json!({"id": TOTAL, "text": "1300", "value": "\"1300\"", "type": "numbers"})
    );
    assert_eq!(r["column_values"][1]["text"], "Received");
    assert!(r["column_values"][1]["value"]
        .as_str()
        .unwrap()
        .starts_with("{\"index\":1,\"post_id\":null,\"changed_at\":\""));
    // Clearing a column.
    api.data(
        CHANGE,
        json!({"board": BOARD, "item": id, "values": json!({TOTAL: ""}).to_string()}),
    );
    let item = emu.item(&id).unwrap();
    assert_eq!(item.text(TOTAL), Some(""));
    assert_eq!(item.values[TOTAL].value, None);
    let kinds: Vec<_> = emu.item_log().iter().map(|e| e.kind).collect();
    use monday_emulator::ItemEventKind::*;
    assert_eq!(kinds, [Created, ValuesChanged, ValuesChanged]);
}

#[test]
fn typed_value_fragments_and_typename() {
    let (_emu, api) = start();
    let id = create_po(&api, "ACME", "PO-1", "ACME GmbH");
    api.data(CHANGE, json!({"board": BOARD, "item": id, "values": json!({STATUS: "Received", DATE: "2025-07-20"}).to_string()}));
    let d = api.data(
        "query ($ids: [ID!]) { items(ids: $ids) { column_values(ids: [\"color_mkr5h7ta\", \"date_mkr5n3cs\", \"board_relation_mkr5m8gs\"]) {
           __typename id ...Status ... on DateValue { date } ... on BoardRelationValue { linked_item_ids display_value }
         } } }
         fragment Status on StatusValue { label index is_done }",
        json!({"ids": [id]}),
    );
    assert_eq!(
        d["items"][0]["column_values"],
        json!([
            {"__typename": "StatusValue", "id": STATUS, "label": "Received", "index": 1, "is_done": true},
            {"__typename": "DateValue", "id": DATE, "date": "2025-07-20"},
            {"__typename": "BoardRelationValue", "id": "board_relation_mkr5m8gs", "linked_item_ids": [], "display_value": ""}
        ])
    );
}

#[test]
fn create_labels_if_missing_adds_status_and_dropdown_labels() {
    let (emu, api) = start();
    let d = api.data(
        CREATE_ITEM,
        json!({"board": BOARD, "name": "x", "labels": true, "values": json!({STATUS: {"label": "On hold"}, CURRENCY: {"labels": ["CHF"]}}).to_string()}),
    );
    let item = emu.item(d["create_item"]["id"].as_str().unwrap()).unwrap();
    assert_eq!(item.text(STATUS), Some("On hold"));
    assert_eq!(item.text(CURRENCY), Some("CHF"));
    let board = emu.board(BOARD).unwrap();
    let status = board.columns.iter().find(|c| c.0 == STATUS).unwrap();
    assert!(status.3.contains("\"4\":\"On hold\""), "{}", status.3);
    let currency = board.columns.iter().find(|c| c.0 == CURRENCY).unwrap();
    assert!(
        currency.3.contains("{\"id\":4,\"name\":\"CHF\"}"),
        "{}",
        currency.3
    );
}

#[test]
fn control_routes_and_handle_act_as_another_user() {
    let (emu, api) = start();
    let (status, made) = api.control_post(
        "items/create",
        json!({"board_id": BOARD, "group_id": "group_mkr5x0bb", "item_name": "By hand", "column_values": {PO: "PO-5"}}),
    );
    assert_eq!(status, 200, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["group_id"], "group_mkr5x0bb");
    let (status, sub) = api.control_post("subitems/create", json!({"parent_item_id": id, "item_name": "L1", "column_values": json!({SKU: "S"}).to_string()}));
    assert_eq!(status, 200, "{sub}");
    assert_eq!(sub["board_id"], SUB_BOARD);
    let (status, changed) = api.control_post(
        "items/change",
        json!({"board_id": BOARD, "item_id": id, "column_values": {STATUS: "Cancelled"}}),
    );
    assert_eq!(status, 200);
    assert_eq!(changed["values"][STATUS]["text"], "Cancelled");
    let (status, refused) = api.control_post(
        "items/change",
        json!({"board_id": BOARD, "item_id": id, "column_values": {"nope": "x"}}),
    );
    assert_eq!(status, 422);
    assert_eq!(refused["code"], "InvalidColumnIdException");
    let items = api.control_get(&format!("items?board_id={BOARD}"));
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(api.control_get(&format!("item?id={id}"))["name"], "By hand");
    let log = api.control_get("item_log");
    assert_eq!(log.as_array().unwrap().len(), 3);
    assert_eq!(log[0]["by"], "control");
    let boards = api.control_get("boards");
    assert_eq!(boards.as_array().unwrap().len(), 2);
    let v = emu
        .change_column_values(BOARD, &id, json!({TOTAL: "99"}))
        .expect("changed");
    assert_eq!(v.text(TOTAL), Some("99"));
    let e = emu.change_column_values(BOARD, "1", json!({})).unwrap_err();
    assert!(
        matches!(e, monday_emulator::EmulatorError::Refused { ref code, .. } if code == "InvalidItemIdException"),
        "{e}"
    );
    let found = api.data(
        "query ($b: ID!, $n: String!) { items_page_by_column_values(board_id: $b, columns: [{column_id: \"name\", column_values: [$n]}]) { items { id } } }",
        json!({"b": BOARD, "n": "By hand"}),
    );
    assert_eq!(
        found["items_page_by_column_values"]["items"][0]["id"],
        id.as_str()
    );
}

#[test]
fn me_and_version_answer() {
    let (_emu, api) = start();
    let d = api.data("{ me { id name } version { value kind } }", json!({}));
    assert_eq!(d["me"], json!({"id": "4616627", "name": "Dana Buyer"}));
    assert_eq!(d["version"], json!({"value": "2025-07", "kind": "current"}));
}
