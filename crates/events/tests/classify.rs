use boxkeeper_events::{classify, Batch, EntryKind, Event, EventKind, MemoryTree, RawEntry};
use proptest::prelude::*;

fn file(path: &str, id: &str) -> RawEntry {
    RawEntry::present(
        path.to_lowercase(),
        path,
        id,
        EntryKind::File,
        Some("r1".into()),
    )
}
fn file_rev(path: &str, id: &str, rev: &str) -> RawEntry {
    RawEntry::present(
        path.to_lowercase(),
        path,
        id,
        EntryKind::File,
        Some(rev.into()),
    )
}
fn folder(path: &str, id: &str) -> RawEntry {
    RawEntry::present(path.to_lowercase(), path, id, EntryKind::Folder, None)
}
fn gone(path: &str) -> RawEntry {
    RawEntry::deleted(path.to_lowercase(), path)
}

/// Classifies and applies, returning the events.
fn run(tree: &mut MemoryTree, entries: Vec<RawEntry>, complete: bool) -> Vec<Event> {
    let c = classify(tree, &Batch { entries, complete }).unwrap();
    tree.apply(&c);
    c.events
}

fn kinds(events: &[Event]) -> Vec<(EventKind, &str, Option<&str>, u32)> {
    events
        .iter()
        .map(|e| {
            (
                e.kind,
                e.path.as_str(),
                e.old_path.as_deref(),
                e.descendants,
            )
        })
        .collect()
}

fn seeded() -> MemoryTree {
    let mut t = MemoryTree::new();
    run(
        &mut t,
        vec![
            folder("/Docs", "id:docs"),
            file("/Docs/a.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ"),
            folder("/Photos", "id:AAAAAAAAAAAAAAAAAAAAAg"),
            file("/Photos/cat.jpg", "id:AAAAAAAAAAAAAAAAAAAAAw"),
            folder("/Archive", "id:archive"),
        ],
        false,
    );
    t
}

#[test]
fn first_listing_adds_everything_parents_first() {
    let mut t = MemoryTree::new();
    let ev = run(
        &mut t,
        vec![file("/A/x.pdf", "1"), folder("/A", "2"), folder("/B", "3")],
        true,
    );
    assert_eq!(
        kinds(&ev),
        vec![
            (EventKind::FolderAdded, "/A", None, 0),
            (EventKind::FileAdded, "/A/x.pdf", None, 0),
            (EventKind::FolderAdded, "/B", None, 0),
        ]
    );
    assert_eq!(t.len(), 3);
}

/// The SYNTHETIC sample of ../shared/dropbox: a file renamed in place and a folder moved, as
/// delete + add pairs that share ids.
#[test]
fn synthetic_dropbox_rename_and_folder_move() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![
            gone("/Docs/a.txt"),
            file("/Docs/b.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ"),
            gone("/Photos"),
            folder("/Archive/Photos", "id:AAAAAAAAAAAAAAAAAAAAAg"),
            file("/Archive/Photos/cat.jpg", "id:AAAAAAAAAAAAAAAAAAAAAw"),
        ],
        false,
    );
    assert_eq!(
        kinds(&ev),
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
    assert_eq!(
        t.paths(),
        vec![
            "/Archive",
            "/Archive/Photos",
            "/Archive/Photos/cat.jpg",
            "/Docs",
            "/Docs/b.txt"
        ]
    );
}

#[test]
fn entries_in_either_order_give_the_same_events() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![
            file("/Archive/Photos/cat.jpg", "id:AAAAAAAAAAAAAAAAAAAAAw"),
            file("/Docs/b.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ"),
            folder("/Archive/Photos", "id:AAAAAAAAAAAAAAAAAAAAAg"),
            gone("/Photos"),
            gone("/Docs/a.txt"),
        ],
        false,
    );
    assert_eq!(
        kinds(&ev),
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
}

#[test]
fn delete_then_readd_of_the_same_path_with_a_new_id() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![gone("/Docs/a.txt"), file("/Docs/a.txt", "id:new")],
        false,
    );
    assert_eq!(
        kinds(&ev),
        vec![
            (EventKind::FileDeleted, "/Docs/a.txt", None, 0),
            (EventKind::FileAdded, "/Docs/a.txt", None, 0),
        ]
    );
    assert_eq!(t.len(), 5);
}

#[test]
fn delete_then_readd_of_the_same_id_is_not_a_deletion() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![
            gone("/Docs/a.txt"),
            file("/Docs/a.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ"),
        ],
        false,
    );
    assert!(ev.is_empty(), "{ev:?}");
}

#[test]
fn add_then_delete_in_one_batch_leaves_nothing_new() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![file("/Docs/tmp.pdf", "id:t"), gone("/Docs/tmp.pdf")],
        false,
    );
    assert!(ev.is_empty(), "{ev:?}");
}

#[test]
fn a_new_rev_at_the_same_path_is_a_modification() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![file_rev("/Docs/a.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ", "r2")],
        false,
    );
    assert_eq!(
        kinds(&ev),
        vec![(EventKind::FileModified, "/Docs/a.txt", None, 0)]
    );
    // Reporting the same state again is no event.
    let ev = run(
        &mut t,
        vec![file_rev("/Docs/a.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ", "r2")],
        false,
    );
    assert!(ev.is_empty());
}

#[test]
fn case_only_rename_is_a_rename() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![file("/Docs/A.TXT", "id:AAAAAAAAAAAAAAAAAAAAAQ")],
        false,
    );
    assert_eq!(
        kinds(&ev),
        vec![(
            EventKind::FileRenamed,
            "/Docs/A.TXT",
            Some("/Docs/a.txt"),
            0
        )]
    );
}

#[test]
fn case_only_folder_rename_carries_its_descendants() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![
            folder("/PHOTOS", "id:AAAAAAAAAAAAAAAAAAAAAg"),
            file("/PHOTOS/cat.jpg", "id:AAAAAAAAAAAAAAAAAAAAAw"),
        ],
        false,
    );
    assert_eq!(
        kinds(&ev),
        vec![(EventKind::FolderRenamed, "/PHOTOS", Some("/Photos"), 1)]
    );
}

#[test]
fn folder_delete_is_one_event_counting_descendants() {
    let mut t = seeded();
    let ev = run(&mut t, vec![gone("/Photos")], false);
    assert_eq!(
        kinds(&ev),
        vec![(EventKind::FolderDeleted, "/Photos", None, 1)]
    );
    assert_eq!(t.len(), 3);
}

#[test]
fn deleting_an_unknown_path_is_ignored() {
    let mut t = seeded();
    assert!(run(&mut t, vec![gone("/Nowhere")], false).is_empty());
}

/// A local folder source reports a moved folder only as "old path gone, new path here":
/// the descendants move with it without being listed.
#[test]
fn folder_move_without_listed_descendants_moves_them() {
    let mut t = MemoryTree::new();
    let mut listing = vec![folder("/PO", "f"), folder("/Other", "o")];
    for i in 0..1000 {
        listing.push(file(&format!("/PO/{i:04}.pdf"), &format!("file{i}")));
    }
    run(&mut t, listing, true);
    let ev = run(&mut t, vec![gone("/PO"), folder("/Other/PO", "f")], false);
    assert_eq!(
        kinds(&ev),
        vec![(EventKind::FolderMoved, "/Other/PO", Some("/PO"), 1000)]
    );
    assert!(t.paths().iter().all(|p| p.starts_with("/Other")));
    assert_eq!(t.len(), 1002);
}

#[test]
fn a_child_that_left_a_moved_folder_gets_its_own_event() {
    let mut t = seeded();
    let ev = run(
        &mut t,
        vec![
            gone("/Photos"),
            folder("/Archive/Photos", "id:AAAAAAAAAAAAAAAAAAAAAg"),
            file("/Docs/cat.jpg", "id:AAAAAAAAAAAAAAAAAAAAAw"),
        ],
        false,
    );
    assert_eq!(
        kinds(&ev),
        vec![
            (
                EventKind::FolderMoved,
                "/Archive/Photos",
                Some("/Photos"),
                0
            ),
            (
                EventKind::FileMoved,
                "/Docs/cat.jpg",
                Some("/Photos/cat.jpg"),
                0
            ),
        ]
    );
}

#[test]
fn complete_listing_reconciles_what_changed_while_stopped() {
    let mut t = seeded();
    // While stopped: a.txt renamed, Photos deleted with its content, a new file added.
    let ev = run(
        &mut t,
        vec![
            folder("/Docs", "id:docs"),
            file("/Docs/renamed.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ"),
            folder("/Archive", "id:archive"),
            file("/Archive/new.pdf", "id:new"),
        ],
        true,
    );
    assert_eq!(
        kinds(&ev),
        vec![
            (
                EventKind::FileRenamed,
                "/Docs/renamed.txt",
                Some("/Docs/a.txt"),
                0
            ),
            (EventKind::FolderDeleted, "/Photos", None, 1),
            (EventKind::FileAdded, "/Archive/new.pdf", None, 0),
        ]
    );
    // The same listing again changes nothing: a restart repeats no event.
    let again = run(
        &mut t,
        vec![
            folder("/Docs", "id:docs"),
            file("/Docs/renamed.txt", "id:AAAAAAAAAAAAAAAAAAAAAQ"),
            folder("/Archive", "id:archive"),
            file("/Archive/new.pdf", "id:new"),
        ],
        true,
    );
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn swapping_two_names_is_two_renames() {
    let mut t = MemoryTree::new();
    run(&mut t, vec![file("/a", "1"), file("/b", "2")], true);
    let ev = run(&mut t, vec![file("/b", "1"), file("/a", "2")], false);
    assert_eq!(ev.len(), 2);
    assert!(ev.iter().all(|e| e.kind == EventKind::FileRenamed));
    assert_eq!(t.len(), 2);
}

#[test]
fn a_file_replacing_a_folder_removes_the_folder_subtree() {
    let mut t = seeded();
    let ev = run(&mut t, vec![file("/Photos", "id:x")], false);
    assert_eq!(
        kinds(&ev),
        vec![
            (EventKind::FolderDeleted, "/Photos", None, 1),
            (EventKind::FileAdded, "/Photos", None, 0),
        ]
    );
}

#[test]
fn nested_folder_moves_count_into_the_topmost() {
    let mut t = MemoryTree::new();
    run(
        &mut t,
        vec![
            folder("/P", "p"),
            folder("/P/Q", "q"),
            file("/P/Q/x.pdf", "x"),
            file("/P/y.pdf", "y"),
        ],
        true,
    );
    let ev = run(&mut t, vec![gone("/P"), folder("/Z", "p")], false);
    assert_eq!(
        kinds(&ev),
        vec![(EventKind::FolderRenamed, "/Z", Some("/P"), 3)]
    );
    assert_eq!(t.paths(), vec!["/Z", "/Z/Q", "/Z/Q/x.pdf", "/Z/y.pdf"]);
}

// The tree after any batch is what replaying the batch by hand gives: every id at most once,
// and a complete listing leaves exactly the listing behind.
proptest! {
    #[test]
    fn complete_listing_leaves_exactly_the_listing(
        first in proptest::collection::btree_map("[a-c]{1,2}", 0u8..6, 0..12),
        second in proptest::collection::btree_map("[a-c]{1,2}", 0u8..6, 0..12),
    ) {
        let mut t = MemoryTree::new();
        let listing = |m: &std::collections::BTreeMap<String, u8>| -> Vec<RawEntry> {
            let mut seen = std::collections::HashSet::new();
            m.iter()
                .filter(|(_, id)| seen.insert(**id))
                .map(|(name, id)| file(&format!("/{name}"), &format!("id{id}")))
                .collect()
        };
        run(&mut t, listing(&first), true);
        let l2 = listing(&second);
        run(&mut t, l2.clone(), true);
        let mut expected: Vec<String> = l2.iter().map(|e| e.path.clone()).collect();
        expected.sort();
        prop_assert_eq!(t.paths(), expected);
        let again = run(&mut t, l2, true);
        prop_assert!(again.is_empty());
    }
}

/// A first listing normally takes a fast path; one that repeats a key (or has deletions)
/// must still be applied in order: the last entry for a path wins.
#[test]
fn a_first_listing_with_a_repeated_path_is_applied_in_order() {
    let mut t = MemoryTree::new();
    let ev = run(
        &mut t,
        vec![
            file("/a", "1"),
            file("/a", "2"),
            gone("/b"),
            file("/c", "3"),
        ],
        true,
    );
    assert_eq!(
        kinds(&ev),
        vec![
            (EventKind::FileAdded, "/a", None, 0),
            (EventKind::FileAdded, "/c", None, 0),
        ]
    );
    assert_eq!(ev[0].id.as_deref(), Some("2"));
    assert_eq!(t.len(), 2);
}
