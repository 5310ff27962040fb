//! Injected faults (rate limits, complexity, 5xx, dropped connections, delays, tokens) and
//! the per-minute complexity budget a client that ignores it runs into.

mod common;

use std::time::{Duration, Instant};

use common::*;
use monday_emulator::{Emulator, Fault};
use serde_json::{json, Value};

const ME: &str = "{ me { id } }";

#[test]
fn rate_limit_is_429_with_retry_after_and_the_real_body() {
    let (emu, api) = start();
    emu.inject_fault(Fault::RateLimit { retry_after: 58 }, 2);
    for _ in 0..2 {
        let r = api.query(ME, json!({}));
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after").as_deref(), Some("58"));
        let v = r.json();
        let real = sample("error_minute_rate_limit__real_2026_http429.json");
        assert_eq!(v["errors"], real["errors"]);
        assert_same_keys(&v, &real, "minute rate limit");
    }
    assert_eq!(
        api.query(ME, json!({})).status,
        200,
        "two faults, then normal"
    );
    let outcomes: Vec<String> = emu.requests().iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(outcomes, ["fault:rate_limit", "fault:rate_limit", "ok"]);
}

#[test]
fn injected_complexity_errors_follow_the_version() {
    let (emu, api) = start();
    emu.inject_fault(Fault::ComplexityExhausted { retry_in: 22 }, 3);
    let r = api.query(ME, json!({}));
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("22"));
    let real = sample("error_complexity__real_2026_http429.json");
    assert_eq!(r.json()["errors"], real["errors"]);
    assert_same_keys(&r.json(), &real, "complexity 2025-07");
    let r = Api::new(&emu)
        .with_version(Some("2025-01"))
        .query(ME, json!({}));
    assert_eq!(r.status, 429);
    assert_same_keys(
        &r.json()["errors"],
        &sample("error_complexity__docs_2025-01_hotfix.json")["errors"],
        "complexity 2025-01",
    );
    let r = Api::new(&emu)
        .with_version(Some("2024-10"))
        .query(ME, json!({}));
    assert_eq!(r.status, 429);
    let v = r.json();
    assert_eq!(v["error_code"], "ComplexityException");
    assert_same_keys(
        &v,
        &sample("error_complexity__docs_legacy_ComplexityException.json"),
        "legacy",
    );
}

#[test]
fn concurrency_and_daily_limits() {
    let (emu, api) = start();
    emu.inject_fault(Fault::ConcurrencyLimit { retry_in: 15 }, 1);
    emu.inject_fault(Fault::DailyLimit { retry_in: 3599 }, 1);
    for (file, after) in [
        ("error_concurrency_limit__real_2026_http429.json", "15"),
        ("error_daily_limit__real_2026_http429.json", "3599"),
    ] {
        let r = api.query(ME, json!({}));
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after").as_deref(), Some(after));
        assert_eq!(r.json()["errors"], sample(file)["errors"]);
    }
}

#[test]
fn server_errors_have_monday_bodies() {
    let (emu, api) = start();
    emu.inject_fault(Fault::Status { status: 500 }, 1);
    emu.inject_fault(Fault::Status { status: 503 }, 1);
    emu.inject_fault(Fault::Status { status: 502 }, 1);
    emu.inject_fault(Fault::InternalError, 1);
    let r = api.query(ME, json!({}));
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json(),
        sample("error_internal_server__real_2025-10_http500.json")
    );
    let r = api.query(ME, json!({}));
    assert_eq!(r.status, 503);
    assert_eq!(r.json(), sample("error_timeout__real_2026_http503.json"));
    let r = api.query(ME, json!({}));
    assert_eq!(r.status, 502);
    assert!(r.text().contains("502 Bad Gateway"));
    let r = api.query(ME, json!({}));
    assert_eq!(r.status, 200);
    let real = sample("error_internal_server__real_2025-07_http200.json");
    assert_eq!(r.json()["errors"], real["errors"]);
    assert_same_keys(&r.json(), &real, "internal error with HTTP 200");
}

#[test]
fn unauthenticated_fault_is_401() {
    let (emu, api) = start();
    emu.inject_fault(Fault::Unauthenticated, 1);
    let r = api.query(ME, json!({}));
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        sample("error_not_authenticated__real_2025-10_http401.json")
    );
    assert_eq!(api.query(ME, json!({})).status, 200);
}

#[test]
fn dropped_connections_before_and_after_the_mutation_ran() {
    let (emu, api) = start();
    emu.inject_fault(Fault::Drop, 1);
    assert!(api
        .try_query(CREATE_ITEM, json!({"board": BOARD, "name": "a"}))
        .is_err());
    assert!(
        emu.items(BOARD).is_empty(),
        "a drop before: nothing happened"
    );
    emu.inject_fault(Fault::DropAfterCommit, 1);
    assert!(api
        .try_query(CREATE_ITEM, json!({"board": BOARD, "name": "b"}))
        .is_err());
    let items = emu.items(BOARD);
    assert_eq!(
        items.len(),
        1,
        "a drop after: the item exists though the client saw nothing"
    );
    assert_eq!(items[0].name, "b");
    let records = emu.requests();
    assert_eq!(records[0].status, None);
    assert_eq!(records[1].status, None);
    assert!(records[1].outcome.starts_with("fault:drop_after_commit"));
}

#[test]
fn faults_can_target_one_root_field() {
    let (emu, api) = start();
    let parent = create_po(&api, "ACME", "PO-1", "ACME");
    emu.inject_fault_on("create_subitem", Fault::RateLimit { retry_after: 1 }, 1);
    assert_eq!(
        api.query(ME, json!({})).status,
        200,
        "other operations pass"
    );
    api.data(
        CHANGE,
        json!({"board": BOARD, "item": parent, "values": "{}"}),
    );
    assert_eq!(emu.pending_faults(), 1);
    let r = api.query(CREATE_SUBITEM, json!({"parent": parent, "name": "L1"}));
    assert_eq!(r.status, 429);
    assert_eq!(emu.pending_faults(), 0);
    assert_eq!(
        api.query(CREATE_SUBITEM, json!({"parent": parent, "name": "L1"}))
            .status,
        200
    );
    emu.inject_fault(Fault::RateLimit { retry_after: 1 }, 5);
    emu.clear_faults();
    assert_eq!(api.query(ME, json!({})).status, 200);
}

#[test]
fn slow_answers_wait() {
    let (emu, api) = start();
    emu.inject_fault(Fault::delay(Duration::from_millis(300)), 1);
    let t = Instant::now();
    assert_eq!(api.query(ME, json!({})).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(api.query(ME, json!({})).status, 200);
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[test]
fn faults_and_tokens_through_the_control_routes() {
    let (emu, api) = start();
    let (s, v) = api.control_post(
        "faults",
        json!({"kind": "rate_limit", "retry_after": 7, "count": 2, "field": "me"}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["pending"], 1);
    assert_eq!(
        api.query(ME, json!({})).header("retry-after").as_deref(),
        Some("7")
    );
    api.control_post("faults/clear", json!({}));
    assert_eq!(api.query(ME, json!({})).status, 200);
    let (s, _) = api.control_post("faults", json!({"kind": "status", "status": 503}));
    assert_eq!(s, 200);
    assert_eq!(api.query(ME, json!({})).status, 503);
    let (s, _) = api.control_post("faults", json!({"kind": "no_such_fault"}));
    assert_eq!(s, 400);
    api.control_post("token/revoke", json!({}));
    assert_eq!(api.query(ME, json!({})).status, 401);
    api.control_post("token", json!({"token": "t2"}));
    assert_eq!(Api::new(&emu).query(ME, json!({})).status, 200);
    let requests = api.control_get("requests");
    assert!(requests.as_array().unwrap().len() >= 5);
    assert!(requests[0].get("query").is_some());
    api.control_post("requests/clear", json!({}));
    assert!(emu.requests().is_empty());
}

#[test]
fn the_complexity_field_reports_the_budget() {
    let (_emu, api) = start();
    let q = "query ($b: [ID!]) { complexity { before query after reset_in_x_seconds } boards(ids: $b) { id name } }";
    let d = api.data(q, json!({"b": [BOARD]}));
    let c = &d["complexity"];
    assert_eq!(c["query"], 12, "boards(ids: [1]) {{ id name }}: 10 + 1 x 2");
    assert_eq!(c["before"], 10_000_000);
    assert_eq!(c["after"], 10_000_000 - 12);
    assert!((59..=60).contains(&c["reset_in_x_seconds"].as_u64().unwrap()));
    let d = api.data(q, json!({"b": [BOARD]}));
    assert_eq!(d["complexity"]["before"], 10_000_000 - 12);
    let third_party = sample("complexity_field__third_party_doc.json");
    let r = api.query(q, json!({"b": [BOARD]}));
    let mut v = r.json();
    v["account_id"] = json!(1);
    v.as_object_mut().unwrap().remove("extensions");
    assert_same_keys(&v, &third_party, "complexity field");
}

#[test]
fn a_client_that_ignores_the_budget_gets_429_until_the_window_resets() {
    let (emu, api) = start();
    emu.set_complexity_window(Duration::from_millis(1500));
    emu.set_complexity_budget(25_000);
    // Each create_item costs 10,000 + 10 + its selection.
    let mut statuses = Vec::new();
    for i in 0..3 {
        let r = api.query(
            CREATE_ITEM,
            json!({"board": BOARD, "name": format!("i{i}")}),
        );
        statuses.push(r.status);
        if r.status == 429 {
            assert_eq!(r.header("retry-after").as_deref(), Some("2"));
            let v = r.json();
            assert_eq!(
                v["errors"][0]["extensions"]["code"],
                "COMPLEXITY_BUDGET_EXHAUSTED"
            );
            assert_eq!(v["errors"][0]["extensions"]["retry_in_seconds"], 2);
        }
    }
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(
        emu.items(BOARD).len(),
        2,
        "the refused mutation did not run"
    );
    assert!(emu.complexity_remaining() < 10_100);
    let costs: Vec<Option<u64>> = emu.requests().iter().map(|r| r.complexity).collect();
    assert!(
        costs.iter().all(|c| c.is_some_and(|c| c > 10_000)),
        "{costs:?}"
    );
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(emu.complexity_remaining(), 25_000, "a new window");
    assert_eq!(
        api.query(CREATE_ITEM, json!({"board": BOARD, "name": "again"}))
            .status,
        200
    );
    emu.reset_complexity();
    assert_eq!(emu.complexity_remaining(), 25_000);
    let v = api.control_get("complexity");
    assert_eq!(v["budget_per_minute"], 25_000);
    api.control_post("complexity", json!({"budget_per_minute": 5, "reset": true}));
    assert_eq!(
        api.query(ME, json!({})).status,
        429,
        "me {{ id }} costs 11, over a budget of 5"
    );
}

#[test]
fn costs_multiply_with_limits_and_one_query_has_a_ceiling() {
    let (emu, api) = start();
    let q = "query ($l: Int!) { complexity { query } boards(ids: [1234567890]) { items_page(limit: $l) { items { id column_values { id text } } } } }";
    let small = api.data(q, json!({"l": 1}))["complexity"]["query"]
        .as_u64()
        .unwrap();
    let large = api.data(q, json!({"l": 100}))["complexity"]["query"]
        .as_u64()
        .unwrap();
    // boards 10 + 1 x (items_page 10 + limit x (items 10 + (id 1 + column_values 10 + 50 x 2)))
    assert_eq!(small, 10 + 10 + 10 + 111);
    assert_eq!(large, 10 + 10 + 100 * (10 + 111));
    let r = api.query("{ boards { items_page(limit: 500) { items { column_values { id } subitems { column_values { id } } } } } }", json!({}));
    let v = r.json();
    assert_eq!(r.status, 200);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds max complexity of 5000000"),
        "{v}"
    );
    assert!(v.get("data").is_none());
    assert_eq!(emu.complexity_remaining(), 10_000_000 - small - large);
}

#[test]
fn legacy_budget_error_names_cost_and_budget() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.set_complexity_budget(5);
    let api = Api::new(&emu).with_version(Some("2024-07"));
    let r = api.query(ME, json!({}));
    assert_eq!(r.status, 429);
    let v: Value = r.json();
    assert_eq!(
        v["error_message"],
        "Complexity budget exhausted, query cost 11 budget remaining 5 out of 5 reset in 60 seconds"
    );
    assert_eq!(v["errors"], json!([v["error_message"].clone()]));
}
