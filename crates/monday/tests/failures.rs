//! Failures against the emulator: limits are waited out for as long as monday says, server
//! trouble is retried with short capped backoff, credentials and bugs stop at once, and
//! retries are bounded.

mod common;

use std::time::Duration;

use boxkeeper_monday::{BoardSync, Change, Limit, MondayError, SyncError};
use common::*;
use monday_emulator::Fault;
use serde_json::Value;

fn outcomes(emu: &monday_emulator::Emulator) -> Vec<String> {
    emu.requests().into_iter().map(|r| r.outcome).collect()
}

#[test]
fn a_429_with_retry_after_is_waited_out_and_the_sync_succeeds() {
    let emu = start();
    let (client, waits) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    emu.clear_requests();
    emu.inject_fault(Fault::RateLimit { retry_after: 7 }, 1);
    emu.inject_fault_on("create_item", Fault::ConcurrencyLimit { retry_in: 3 }, 1);
    let outcome = sync.sync_po(&gaffer_po(), &no_known()).expect("sync");
    assert_eq!(outcome.item, Change::Created);
    assert_eq!(items_of(&emu, "2416", "03").len(), 1);
    assert_eq!(subitems_of(&emu, &outcome.item_id).len(), 3);
    assert_eq!(
        waits.all(),
        [Duration::from_secs(7), Duration::from_secs(3)],
        "the waits monday named"
    );
    let o = outcomes(&emu);
    assert_eq!(o[0], "fault:rate_limit");
    assert!(o.contains(&"fault:concurrency_limit".to_string()));
}

#[test]
fn an_exhausted_complexity_budget_is_waited_out() {
    // Injected: the wait is the error's retry_in_seconds.
    let emu = start();
    let (client, waits) = client(&emu);
    emu.inject_fault(Fault::ComplexityExhausted { retry_in: 23 }, 2);
    client.board_schema(BOARD).expect("schema after the waits");
    assert_eq!(waits.all(), [Duration::from_secs(23); 2]);

    // Real: a budget that holds the first query but not the second, in a 1 s window.
    let emu = start();
    let (probe, _) = common::client(&emu);
    probe.board_schema(BOARD).unwrap();
    let costs: Vec<u64> = emu.requests().iter().filter_map(|r| r.complexity).collect();
    assert_eq!(costs.len(), 2);
    emu.reset_complexity();
    emu.set_complexity_window(Duration::from_secs(1));
    emu.set_complexity_budget(costs[0] + costs[1] - 1);
    emu.clear_requests();
    let (client, waits) = client_sleeping(&emu, Duration::from_secs(2));
    let schema = client.board_schema(BOARD).expect("schema after the reset");
    assert!(schema.subitems.is_some());
    assert_eq!(
        outcomes(&emu),
        ["ok", "complexity_budget_exhausted", "ok"],
        "refused once, then served after the window"
    );
    assert_eq!(waits.all(), [Duration::from_secs(1)]);
    let c = client.last_complexity().expect("reported");
    assert_eq!(c.before - c.after, costs[1]);
}

#[test]
fn server_errors_and_dropped_connections_are_retried_with_short_backoff() {
    let emu = start();
    let (client, waits) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    let first = sync.sync_po(&gaffer_po(), &no_known()).unwrap();
    emu.clear_requests();
    // Each request may fail three times of the policy's four tries.
    emu.inject_fault_on("items", Fault::Status { status: 500 }, 1);
    emu.inject_fault_on("items", Fault::Status { status: 503 }, 1);
    emu.inject_fault_on("items", Fault::Status { status: 502 }, 1);
    emu.inject_fault_on("change_multiple_column_values", Fault::InternalError, 1);
    emu.inject_fault_on("change_multiple_column_values", Fault::Drop, 1);
    // A change whose answer is lost is simply sent again: setting values twice is harmless.
    emu.inject_fault_on("change_multiple_column_values", Fault::DropAfterCommit, 1);
    let mut corrected = gaffer_po();
    corrected.description = Some("Gaffer only".into());
    let outcome = sync.sync_po(&corrected, &first.known_ids()).expect("sync");
    assert_eq!(outcome.item, Change::Updated);
    assert_eq!(emu.pending_faults(), 0);
    assert_eq!(
        emu.item(&first.item_id).unwrap().text(DESCRIPTION),
        Some("Gaffer only")
    );
    let w = waits.all();
    assert_eq!(w.len(), 6);
    assert!(
        w.iter().all(|d| *d <= Duration::from_millis(40)),
        "capped: {w:?}"
    );
    assert_eq!(items_of(&emu, "2416", "03").len(), 1);
}

#[test]
fn retries_are_bounded() {
    let emu = start();
    let (client, waits) = client(&emu);
    emu.inject_fault(Fault::Status { status: 500 }, 50);
    let err = client.board_schema(BOARD).unwrap_err();
    assert!(matches!(err, MondayError::Unavailable(_)), "{err:?}");
    assert_eq!(emu.requests().len(), 4, "the policy's 4 attempts");
    assert_eq!(waits.all().len(), 3);
}

#[test]
fn not_authenticated_stops_at_once_and_asks_to_reconnect() {
    let emu = start();
    let (client, waits) = client(&emu);
    let mut sync = BoardSync::connect(&client, &mapping()).expect("mapping fits");
    emu.revoke_token();
    emu.clear_requests();
    let err = sync.sync_po(&gaffer_po(), &no_known()).unwrap_err();
    let SyncError::Monday { item_id, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(item_id, &None);
    assert!(
        matches!(error, MondayError::NotAuthenticated(_)),
        "{error:?}"
    );
    assert!(error.needs_reconnect() && error.stops_sync());
    assert!(err.to_string().contains("reconnect monday.com"), "{err}");
    assert_eq!(emu.requests().len(), 1, "no retry");
    assert!(waits.all().is_empty());
    assert!(emu.items(BOARD).is_empty());

    // An injected 401 in the middle of a sync stops it too.
    emu.set_token(TOKEN);
    emu.inject_fault_on("create_subitem", Fault::Unauthenticated, 1);
    let err = sync.sync_po(&gaffer_po(), &no_known()).unwrap_err();
    assert!(matches!(
        err,
        SyncError::Monday {
            item_id: Some(_),
            error: MondayError::NotAuthenticated(_)
        }
    ));
}

#[test]
fn a_wait_longer_than_the_policy_allows_is_returned_not_slept() {
    let emu = start();
    let (client, waits) = client(&emu);
    emu.inject_fault(Fault::DailyLimit { retry_in: 3599 }, 1);
    let err = client.board_schema(BOARD).unwrap_err();
    assert_eq!(
        err,
        MondayError::Limited {
            limit: Limit::Daily,
            retry_in: Duration::from_secs(3599)
        }
    );
    assert!(err.to_string().contains("daily"), "{err}");
    assert!(waits.all().is_empty());
    assert_eq!(emu.requests().len(), 1);
}

#[test]
fn a_validation_error_is_a_bug_and_not_retried() {
    let emu = start();
    let (client, waits) = client(&emu);
    let err = client
        .query(
            "broken",
            "query Broken($board: [ID!]) { boards(ids: $board) { id no_such_field } }",
            serde_json::json!({"board": [BOARD]}),
        )
        .unwrap_err();
    assert!(
        matches!(&err, MondayError::Invalid(m) if m.contains("no_such_field")),
        "{err:?}"
    );
    assert!(err.stops_sync());
    assert_eq!(emu.requests().len(), 1);
    assert!(waits.all().is_empty());

    let me = client.me().expect("me");
    assert_eq!(me.name, "Dana Buyer");
    let data = client
        .query("version", "query { version { value } }", Value::Null)
        .unwrap();
    assert_eq!(
        data["version"]["value"], "2025-07",
        "the pinned version is served"
    );
}
