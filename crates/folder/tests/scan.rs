use std::sync::Arc;

use boxkeeper_events::{EntryKind, RawState};
use boxkeeper_folder::{entry_at, scan, NameFilter};

fn skip_dot_dropbox() -> NameFilter {
    Arc::new(|name: &str| name.starts_with(".dropbox"))
}

fn id_of(state: &RawState) -> &str {
    match state {
        RawState::Present { id, .. } => id,
        RawState::Deleted => panic!("not present"),
    }
}

#[test]
fn scan_lists_parents_first_skips_names_and_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for p in ["b/1/2", "a/x", ".dropbox.cache/z"] {
        std::fs::create_dir_all(root.join(p)).unwrap();
    }
    std::fs::write(root.join("b/1/2/f.pdf"), b"pdf").unwrap();
    std::fs::write(root.join("top.pdf"), b"t").unwrap();
    std::os::unix::fs::symlink(root.join("b"), root.join("link")).unwrap();

    let (batch, stats) = scan(root, &skip_dot_dropbox()).unwrap();
    assert!(batch.complete);
    let paths: Vec<&str> = batch.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(stats.files, 2, "{paths:?}");
    assert_eq!(stats.folders, 5, "{paths:?}");
    assert!(!paths
        .iter()
        .any(|p| p.contains(".dropbox") || p.starts_with("/link")));
    let pos = |p: &str| paths.iter().position(|x| *x == p).unwrap();
    assert!(
        pos("/b") < pos("/b/1")
            && pos("/b/1") < pos("/b/1/2")
            && pos("/b/1/2") < pos("/b/1/2/f.pdf")
    );
    let f = batch
        .entries
        .iter()
        .find(|e| e.path == "/b/1/2/f.pdf")
        .unwrap();
    assert!(matches!(
        f.state,
        RawState::Present {
            kind: EntryKind::File,
            rev: Some(_),
            ..
        }
    ));
}

#[test]
fn an_entry_keeps_its_id_across_a_rename_and_a_missing_path_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pdf"), b"x").unwrap();
    let before = entry_at(dir.path(), "/a.pdf");
    std::fs::rename(dir.path().join("a.pdf"), dir.path().join("b.pdf")).unwrap();
    let after = entry_at(dir.path(), "/b.pdf");
    assert_eq!(id_of(&before.state), id_of(&after.state));
    assert_eq!(entry_at(dir.path(), "/a.pdf").state, RawState::Deleted);
}

#[test]
fn a_missing_root_is_an_error() {
    let err = scan(
        std::path::Path::new("/nonexistent/root"),
        &skip_dot_dropbox(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/root does not exist"));
}
