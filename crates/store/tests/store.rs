use boxkeeper_events::{Batch, EntryKind, EventKind, RawEntry};
use boxkeeper_naming::PathRules;
use boxkeeper_store::{EventFilter, SourceKind, Store, StoreError};

fn file(path: &str, id: &str) -> RawEntry {
    RawEntry::present(path, path, id, EntryKind::File, Some("1".into()))
}
fn folder(path: &str, id: &str) -> RawEntry {
    RawEntry::present(path, path, id, EntryKind::Folder, None)
}
fn batch(entries: Vec<RawEntry>, complete: bool) -> Batch {
    Batch { entries, complete }
}

const PO: &str = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";

fn seed() -> Vec<RawEntry> {
    vec![
        folder("/2416 - Whop Keynote", "p"),
        folder("/2416 - Whop Keynote/1. Purchase Orders", "pos"),
        folder(PO, "po"),
        file(&format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"), "inv"),
        file(&format!("{PO}/notes.txt"), "notes"),
    ]
}

#[test]
fn migrations_apply_once_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/boxkeeper.db");
    {
        let store = Store::open(&db).unwrap();
        assert_eq!(store.schema_version().unwrap(), 7);
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), 7);
    let mode: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    drop(Store::open(&db).unwrap());
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    match Store::open(&db) {
        Err(StoreError::TooNew {
            found: 99,
            known: 7,
        }) => {}
        other => panic!("expected TooNew, got {:?}", other.err()),
    }
}

#[test]
fn ingest_stores_events_with_parsed_fields_and_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let rules = PathRules::defaults();
    {
        let mut store = Store::open(&db).unwrap();
        let src = store.source_id(SourceKind::Dropbox, "acct/2024").unwrap();
        let got = store
            .ingest(src, &batch(seed(), false), &rules, Some("cursor-1"), 1000)
            .unwrap();
        assert_eq!(got.events.len(), 5);
        assert_eq!(got.tree_changes, 5);
    }
    let mut store = Store::open(&db).unwrap();
    let src = store.source_id(SourceKind::Dropbox, "acct/2024").unwrap();
    assert_eq!(store.cursor(src).unwrap().as_deref(), Some("cursor-1"));
    assert_eq!(store.entry_count(src).unwrap(), 5);
    let all = store.all_events(Some(src)).unwrap();
    let invoice = all
        .iter()
        .find(|e| e.event.path.ends_with("Invoice.pdf"))
        .unwrap();
    assert_eq!(invoice.parsed.po_number.as_deref(), Some("23"));
    assert_eq!(invoice.parsed.file_number.as_deref(), Some("01"));
    assert_eq!(invoice.at_ms, 1000);
    let notes = all
        .iter()
        .find(|e| e.event.path.ends_with("notes.txt"))
        .unwrap();
    assert!(
        !notes.parsed.problems.is_empty(),
        "unparsed names keep their reason"
    );
    assert_eq!(
        notes.parsed.vendor_name.as_deref(),
        Some("Jane Smith"),
        "inherits the PO"
    );

    // The same listing again (a restart) records nothing and keeps the tree.
    let again = store
        .ingest(src, &batch(seed(), true), &rules, Some("cursor-2"), 2000)
        .unwrap();
    assert!(again.events.is_empty());
    assert_eq!(store.cursor(src).unwrap().as_deref(), Some("cursor-2"));
    assert_eq!(store.count_events(src, &EventFilter::default()).unwrap(), 5);
}

#[test]
fn sources_are_separate() {
    let mut store = Store::open_in_memory().unwrap();
    let rules = PathRules::defaults();
    let a = store.source_id(SourceKind::Folder, "/a").unwrap();
    let b = store.source_id(SourceKind::Folder, "/b").unwrap();
    assert_ne!(a, b);
    assert_eq!(store.source_id(SourceKind::Folder, "/a").unwrap(), a);
    store
        .ingest(a, &batch(seed(), true), &rules, None, 0)
        .unwrap();
    // The same ids in another source are new there.
    let got = store
        .ingest(b, &batch(seed(), true), &rules, None, 0)
        .unwrap();
    assert_eq!(got.events.len(), 5);
    assert_eq!(store.count_events(a, &EventFilter::default()).unwrap(), 5);
    assert_eq!(store.all_events(None).unwrap().len(), 10);
}

#[test]
fn pages_are_newest_first_and_filters_combine() {
    let mut store = Store::open_in_memory().unwrap();
    let rules = PathRules::defaults();
    let src = store.source_id(SourceKind::Folder, "/t").unwrap();
    store
        .ingest(src, &batch(seed(), true), &rules, None, 0)
        .unwrap();
    store
        .ingest(
            src,
            &batch(
                vec![file(
                    &format!("{PO}/2416_23_02 Jane Smith Invoice.pdf"),
                    "inv",
                )],
                false,
            ),
            &rules,
            None,
            1,
        )
        .unwrap();
    let page = store.events(src, &EventFilter::default(), 0, 2).unwrap();
    assert_eq!(page[0].event.kind, EventKind::FileRenamed);
    assert!(page[0].seq > page[1].seq);
    let filter = EventFilter {
        po: Some("2416_23".into()),
        document_type: Some("INVOICE".into()),
        ..Default::default()
    };
    assert_eq!(store.count_events(src, &filter).unwrap(), 2);
    let renamed = EventFilter {
        kind: Some(EventKind::FileRenamed),
        ..filter
    };
    let rows = store.events(src, &renamed, 0, 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].parsed.file_number.as_deref(), Some("02"));
    let facets = store.facets(src).unwrap();
    assert_eq!(facets.pos, vec!["2416_23"]);
    assert_eq!(facets.projects[0].name.as_deref(), Some("Whop Keynote"));
}

#[test]
fn reparse_applies_new_rules_to_stored_events() {
    let mut store = Store::open_in_memory().unwrap();
    let src = store.source_id(SourceKind::Folder, "/t").unwrap();
    store
        .ingest(src, &batch(seed(), true), &PathRules::defaults(), None, 0)
        .unwrap();
    let text = boxkeeper_naming::DEFAULT_RULES_TOML.replace("1. Purchase Orders", "1. POs");
    let rules = PathRules::from_toml(&text).unwrap();
    assert!(store.reparse(src, &rules).unwrap() >= 5);
    let all = store.all_events(Some(src)).unwrap();
    let po = all.iter().find(|e| e.event.path == PO).unwrap();
    assert_eq!(
        po.parsed.po_number, None,
        "no PO folder under the new rules"
    );
}

#[test]
fn settings_round_trip() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.setting("k").unwrap(), None);
    store.set_setting("k", "v1").unwrap();
    store.set_setting("k", "v2").unwrap();
    assert_eq!(store.setting("k").unwrap().as_deref(), Some("v2"));
}

#[test]
fn a_big_batch_parses_every_path_while_the_tree_is_written() {
    // Above the parallel-parse threshold, every event still gets its own path's fields.
    let po = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";
    let mut entries = vec![
        folder("/2416 - Whop Keynote", "p"),
        folder("/2416 - Whop Keynote/1. Purchase Orders", "pos"),
        folder(po, "po"),
    ];
    for i in 0..6_000 {
        entries.push(file(
            &format!("{po}/2416_23_{:02} Jane Smith Invoice {i}.pdf", i % 100),
            &format!("f{i}"),
        ));
    }
    let mut store = Store::open_in_memory().unwrap();
    let source = store.source_id(SourceKind::Folder, "/big").unwrap();
    let ingested = store
        .ingest(
            source,
            &batch(entries, true),
            &PathRules::defaults(),
            None,
            1,
        )
        .unwrap();
    assert_eq!(ingested.events.len(), 6_003);
    assert_eq!(ingested.tree_changes, 6_003);
    let mut files = 0;
    for e in &ingested.events {
        let Some(name) = e.event.path.strip_prefix(&format!("{po}/")) else {
            continue;
        };
        let i: usize = name
            .trim_end_matches(".pdf")
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            e.parsed.file_number.as_deref(),
            Some(&*format!("{:02}", i % 100)),
            "{}",
            e.event.path
        );
        assert_eq!(e.parsed.po_number.as_deref(), Some("23"));
        files += 1;
    }
    assert_eq!(files, 6_000);
    assert_eq!(store.entry_count(source).unwrap(), 6_003);
}

/// A database of the previous schema (documents with fields) upgrades in place: the list
/// columns are filled from the fields, and search finds the documents.
#[test]
fn a_version_2_database_upgrades_with_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v2.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_init.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../migrations/0002_documents.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, kind, location, created_ms) VALUES (1, 'folder', '/f', 0);
             INSERT INTO documents (id, source_id, entry_id, path, status, updated_ms)
               VALUES (7, 1, 'e7', 'a/2416_23_01 Jane Smith Invoice.pdf', 'done', 0);
             INSERT INTO fields (document_id, name, value, confidence, provenance, updated_ms)
               VALUES (7, 'vendor_name', 'Jane Smith', 0.9, 'offline', 0),
                      (7, 'total', '1234.50', 0.9, 'offline', 0);
             UPDATE fields SET person_value = '99.00' WHERE name = 'total';",
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), 7);
    let filter = boxkeeper_store::DocumentFilter {
        text: Some("jane".into()),
        ..Default::default()
    };
    let rows = store.documents(1, &filter, 0, 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].vendor_name.as_deref(), Some("Jane Smith"));
    assert_eq!(rows[0].total.as_deref(), Some("99.00"));
    assert_eq!(rows[0].review, "to_review");
}
