use std::time::Duration;

use boxkeeper_dropbox::{
    batch_of, classify_failure, Backoff, Entry, Failure, ListFolderResult, LongpollResult,
};
use boxkeeper_events::{classify, Batch, EntryKind, EventKind, MemoryTree, RawEntry, RawState};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn docs_listing_parses_and_converts() {
    let page: ListFolderResult =
        serde_json::from_str(&fixture("list_folder_result.docs_example.json")).unwrap();
    assert_eq!(page.entries.len(), 2);
    let raw = batch_of(&page.entries, false);
    assert_eq!(raw.entries[0].key, "/homework/math/prime_numbers.txt");
    assert_eq!(raw.entries[0].path, "/Homework/math/Prime_Numbers.txt");
    match &raw.entries[0].state {
        RawState::Present { id, kind, rev } => {
            assert_eq!(id, "id:a4ayc_80_OEAAAAAAAAAXw");
            assert_eq!(*kind, EntryKind::File);
            assert_eq!(rev.as_deref(), Some("a1c10ce0dd78"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        raw.entries[1].state,
        RawState::Present {
            kind: EntryKind::Folder,
            rev: None,
            ..
        }
    ));
}

#[test]
fn real_continue_page_and_deleted_entry_parse() {
    let page: ListFolderResult =
        serde_json::from_str(&fixture("list_folder_continue.real.objc_issue_204.json")).unwrap();
    assert!(!page.has_more);
    assert!(matches!(&page.entries[0], Entry::File { size: 2570, .. }));
    let deleted: Entry =
        serde_json::from_str(&fixture("deleted_metadata.spec_example.json")).unwrap();
    assert_eq!(
        deleted.to_raw(),
        RawEntry::deleted("/homework/math/pi.txt", "/Homework/math/pi.txt")
    );
}

/// The tree the SYNTHETIC sample starts from.
fn seeded_tree() -> MemoryTree {
    let file = |key: &str, path: &str, id: &str, rev: &str| {
        RawEntry::present(key, path, id, EntryKind::File, Some(rev.to_string()))
    };
    let folder =
        |key: &str, path: &str, id: &str| RawEntry::present(key, path, id, EntryKind::Folder, None);
    let entries = vec![
        folder("/docs", "/Docs", "id:docs"),
        file(
            "/docs/a.txt",
            "/Docs/a.txt",
            "id:AAAAAAAAAAAAAAAAAAAAAQ",
            "0160a7b1c2d3e4f000000012345678",
        ),
        folder("/photos", "/Photos", "id:AAAAAAAAAAAAAAAAAAAAAg"),
        file(
            "/photos/cat.jpg",
            "/Photos/cat.jpg",
            "id:AAAAAAAAAAAAAAAAAAAAAw",
            "0160a7b1c2d3e4f000000012345679",
        ),
        folder("/archive", "/Archive", "id:archive"),
    ];
    let mut tree = MemoryTree::new();
    let seeded = classify(
        &mut tree,
        &Batch {
            entries,
            complete: true,
        },
    )
    .unwrap();
    tree.apply(&seeded);
    tree
}

/// The SYNTHETIC sample through the classifier: a rename in place and a folder move, sent as
/// deleted entries plus entries that keep their ids, in either order.
#[test]
fn synthetic_rename_and_folder_move_become_two_events() {
    let page: ListFolderResult = serde_json::from_str(&fixture(
        "list_folder_continue.rename_and_folder_move.SYNTHETIC.json",
    ))
    .unwrap();
    let got = classify(&mut seeded_tree(), &batch_of(&page.entries, false)).unwrap();
    let events: Vec<(EventKind, &str, Option<&str>, u32)> = got
        .events
        .iter()
        .map(|e| {
            (
                e.kind,
                e.path.as_str(),
                e.old_path.as_deref(),
                e.descendants,
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![
            (
                EventKind::FolderMoved,
                "/Archive/Photos",
                Some("/Photos"),
                1
            ),
            (
                EventKind::FileRenamed,
                "/Docs/b.txt",
                Some("/Docs/a.txt"),
                0
            ),
        ]
    );
    let mut reversed = page.entries.clone();
    reversed.reverse();
    let again = classify(&mut seeded_tree(), &batch_of(&reversed, false)).unwrap();
    assert_eq!(again.events, got.events);
}

#[test]
fn longpoll_results_parse_with_and_without_backoff() {
    let plain: LongpollResult =
        serde_json::from_str(&fixture("longpoll_result.docs_example.json")).unwrap();
    assert_eq!(plain.backoff, None);
    let backoff: LongpollResult =
        serde_json::from_str(&fixture("longpoll_result.with_backoff.SYNTHETIC.json")).unwrap();
    assert_eq!(
        backoff,
        LongpollResult {
            changes: false,
            backoff: Some(60)
        }
    );
}

#[test]
fn failures_are_classified_from_real_bodies() {
    assert_eq!(
        classify_failure(
            401,
            None,
            &fixture("error_401_expired_access_token.docs_example.json")
        ),
        Failure::TokenExpired
    );
    assert_eq!(
        classify_failure(401, None, &fixture("error_401_missing_scope.real.json")),
        Failure::Unauthorized("missing_scope".into())
    );
    assert_eq!(
        classify_failure(409, None, &fixture("error_409_reset.docs_example.json")),
        Failure::CursorReset
    );
    assert_eq!(
        classify_failure(409, None, &fixture("error_409_path_not_found.json")),
        Failure::Rejected {
            status: 409,
            summary: "path/not_found/...".into()
        }
    );
    // The header wins over the body; the body serves when the header is missing.
    let body = fixture("error_429_too_many_requests.go_sdk_fixture.json");
    assert_eq!(
        classify_failure(429, Some("15"), &body),
        Failure::RateLimited(Duration::from_secs(15))
    );
    assert_eq!(
        classify_failure(429, None, &body),
        Failure::RateLimited(Duration::from_secs(300))
    );
    assert!(matches!(
        classify_failure(503, None, "<html>"),
        Failure::Unavailable(_)
    ));
    assert_eq!(
        classify_failure(
            400,
            None,
            "Error in call to API function \"files/list_folder\": bad path"
        ),
        Failure::Rejected {
            status: 400,
            summary: "Error in call to API function \"files/list_folder\": bad path".into()
        }
    );
}

#[test]
fn backoff_grows_caps_jitters_and_resets() {
    let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30), 42);
    let delays: Vec<Duration> = (0..8).map(|_| b.next_delay()).collect();
    for (i, d) in delays.iter().enumerate() {
        let full = Duration::from_secs((1u64 << i).min(30));
        assert!(
            *d >= full / 2 && *d <= full,
            "attempt {i}: {d:?} not in [{:?}, {full:?}]",
            full / 2
        );
    }
    assert!(delays[7] <= Duration::from_secs(30));
    // Two clients with different seeds do not retry in step.
    let mut other = Backoff::new(Duration::from_secs(1), Duration::from_secs(30), 7);
    let theirs: Vec<Duration> = (0..8).map(|_| other.next_delay()).collect();
    assert_ne!(delays, theirs);
    b.reset();
    assert_eq!(b.attempts(), 0);
    assert!(b.next_delay() <= Duration::from_secs(1));
}
