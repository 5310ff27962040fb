//! The Monday.com sync's memory per PO: ids and digest recorded on success, failures counted
//! with their kind and next try, a person's retry, and forgetting everything for a new board.

use boxkeeper_store::{MondayErrorKind, MondayFailure, SourceKind, Store};

fn store() -> (Store, i64) {
    let mut store = Store::open_in_memory().unwrap();
    let source = store.source_id(SourceKind::Folder, "/demo").unwrap();
    (store, source)
}

fn failure<'a>(kind: MondayErrorKind, next: Option<i64>) -> MondayFailure<'a> {
    MondayFailure {
        error: "monday.com is unavailable (HTTP 503)",
        kind,
        item_id: None,
        tried_digest: "d2",
        next_try_ms: next,
    }
}

#[test]
fn a_synced_po_keeps_its_ids_and_digest() {
    let (store, source) = store();
    assert!(store.monday_states(source).unwrap().is_empty());
    store
        .record_monday_synced(
            source,
            "2416",
            "23",
            "900",
            r#"{"01":["901"]}"#,
            "d1",
            None,
            10,
        )
        .unwrap();
    let states = store.monday_states(source).unwrap();
    assert_eq!(states.len(), 1);
    let s = &states[0];
    assert_eq!(
        (s.project_number.as_str(), s.po_number.as_str()),
        ("2416", "23")
    );
    assert_eq!(s.item_id.as_deref(), Some("900"));
    assert_eq!(s.subitem_ids, r#"{"01":["901"]}"#);
    assert_eq!(s.digest.as_deref(), Some("d1"));
    assert_eq!(s.synced_ms, Some(10));
    assert_eq!(s.error, None);
    assert_eq!(s.tries, 0);
}

#[test]
fn failures_count_keep_the_last_sync_and_clear_on_success() {
    let (store, source) = store();
    store
        .record_monday_synced(source, "2416", "23", "900", "{}", "d1", None, 10)
        .unwrap();
    let f = failure(MondayErrorKind::Retrying, Some(100));
    assert_eq!(
        store
            .record_monday_failure(source, "2416", "23", &f)
            .unwrap(),
        1
    );
    let f = failure(MondayErrorKind::Retrying, Some(50));
    assert_eq!(
        store
            .record_monday_failure(source, "2416", "23", &f)
            .unwrap(),
        2
    );
    let s = &store.monday_states(source).unwrap()[0];
    assert_eq!(s.error_kind, Some(MondayErrorKind::Retrying));
    assert_eq!(s.tries, 2);
    assert_eq!(s.digest.as_deref(), Some("d1"), "the last good sync stays");
    assert_eq!(s.item_id.as_deref(), Some("900"));
    assert_eq!(s.tried_digest.as_deref(), Some("d2"));
    assert_eq!(store.next_monday_try(source, 5).unwrap(), Some(50));
    assert_eq!(
        store.next_monday_try(source + 1, 5).unwrap(),
        None,
        "other source"
    );
    assert_eq!(
        store.next_monday_try(source, 2).unwrap(),
        None,
        "at the limit: failed"
    );

    // Another kind of error starts the count again; the same kind adds to it.
    let other = failure(MondayErrorKind::Item, None);
    assert_eq!(
        store
            .record_monday_failure(
                source,
                "2416",
                "24",
                &failure(MondayErrorKind::Retrying, None)
            )
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_monday_failure(source, "2416", "24", &other)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_monday_failure(source, "2416", "24", &other)
            .unwrap(),
        2
    );
    store.retry_monday(source, Some(("2416", "24"))).unwrap();

    // A PO the pass no longer builds keeps no retry time; one it builds keeps its own.
    let present = vec![("2416".to_string(), "23".to_string())];
    assert_eq!(
        store.drop_monday_retries_except(source, &present).unwrap(),
        0
    );
    assert_eq!(store.next_monday_try(source, 5).unwrap(), Some(50));
    assert_eq!(store.drop_monday_retries_except(source, &[]).unwrap(), 1);
    assert_eq!(store.next_monday_try(source, 5).unwrap(), None);

    store
        .record_monday_synced(source, "2416", "23", "900", "{}", "d2", None, 20)
        .unwrap();
    let s = &store.monday_states(source).unwrap()[0];
    assert_eq!((s.error.clone(), s.tries, s.next_try_ms), (None, 0, None));
    assert_eq!(s.digest.as_deref(), Some("d2"));
}

#[test]
fn line_errors_are_the_pos_own_and_a_person_retries() {
    let (store, source) = store();
    store
        .record_monday_synced(
            source,
            "2416",
            "07",
            "1",
            "{}",
            "d1",
            Some("file 01: bad date"),
            5,
        )
        .unwrap();
    let f = failure(MondayErrorKind::Item, None);
    store
        .record_monday_failure(source, "2417", "06", &f)
        .unwrap();
    let states = store.monday_states(source).unwrap();
    assert_eq!(states[0].error_kind, Some(MondayErrorKind::Item));
    assert_eq!(states[0].error.as_deref(), Some("file 01: bad date"));
    assert_eq!(states[1].item_id, None);

    assert_eq!(store.retry_monday(source, Some(("2417", "06"))).unwrap(), 1);
    let states = store.monday_states(source).unwrap();
    assert_eq!(states[1].error, None);
    assert_eq!(
        states[0].error_kind,
        Some(MondayErrorKind::Item),
        "only the one asked"
    );
    assert_eq!(store.retry_monday(source, None).unwrap(), 1);
    let s = &store.monday_states(source).unwrap()[0];
    assert_eq!(
        (s.error.clone(), s.digest.clone()),
        (None, None),
        "sent again"
    );
    assert_eq!(s.item_id.as_deref(), Some("1"), "the id stays a shortcut");

    assert_eq!(store.forget_monday_sync().unwrap(), 2);
    assert!(store.monday_states(source).unwrap().is_empty());
}
