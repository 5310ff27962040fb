//! Reading entries from disk: one path, or the whole tree.

use std::fs::Metadata;
use std::path::Path;

use boxkeeper_events::{Batch, EntryKind, RawEntry};

use crate::{FolderError, NameFilter};

/// What a scan saw besides the entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub files: u64,
    pub folders: u64,
    /// Entries that could not be read (permissions, vanished mid-scan); logged, not fatal.
    pub unreadable: u64,
}

/// Scans the whole tree below `root` into a complete batch (the root itself is not an entry).
pub fn scan(root: &Path, skip: &NameFilter) -> Result<(Batch, ScanStats), FolderError> {
    check_root(root)?;
    let mut entries = Vec::new();
    let mut stats = ScanStats::default();
    walk(root, root, skip, &mut entries, &mut stats);
    Ok((
        Batch {
            entries,
            complete: true,
        },
        stats,
    ))
}

/// Appends an entry for everything strictly below `dir` (which lies in `root`).
pub(crate) fn walk(
    root: &Path,
    dir: &Path,
    skip: &NameFilter,
    entries: &mut Vec<RawEntry>,
    stats: &mut ScanStats,
) {
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| !skip(&e.file_name().to_string_lossy()));
    for item in walker {
        let e = match item {
            Ok(e) => e,
            Err(err) => {
                stats.unreadable += 1;
                tracing::warn!(error = %err, "skipping an unreadable entry");
                continue;
            }
        };
        if e.file_type().is_symlink() {
            continue;
        }
        let Some(rel) = relative(root, e.path()) else {
            continue;
        };
        match e.metadata() {
            Ok(md) => {
                if md.is_dir() {
                    stats.folders += 1;
                } else {
                    stats.files += 1;
                }
                entries.push(present(rel, &md));
            }
            Err(err) => {
                stats.unreadable += 1;
                tracing::warn!(path = %e.path().display(), error = %err, "skipping an unreadable entry");
            }
        }
    }
}

/// The entry at `rel` (a "/"-rooted path below `root`) as it is now: present with its
/// identity, or deleted when nothing is there.
pub fn entry_at(root: &Path, rel: &str) -> RawEntry {
    let full = root.join(rel.trim_start_matches('/'));
    match std::fs::symlink_metadata(&full) {
        Ok(md) if !md.file_type().is_symlink() => present(rel.to_string(), &md),
        _ => RawEntry::deleted(rel, rel),
    }
}

pub(crate) fn check_root(root: &Path) -> Result<(), FolderError> {
    match std::fs::metadata(root) {
        Ok(md) if md.is_dir() => Ok(()),
        Ok(_) => Err(FolderError::NotAFolder {
            path: root.display().to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FolderError::Missing {
            path: root.display().to_string(),
        }),
        Err(source) => Err(FolderError::Io {
            path: root.display().to_string(),
            source,
        }),
    }
}

/// "/a/b" for `root`/a/b, with '/' separators on every platform.
pub(crate) fn relative(root: &Path, full: &Path) -> Option<String> {
    let rest = full.strip_prefix(root).ok()?;
    let mut rel = String::new();
    for part in rest.components() {
        rel.push('/');
        rel.push_str(&part.as_os_str().to_string_lossy());
    }
    (!rel.is_empty()).then_some(rel)
}

fn present(rel: String, md: &Metadata) -> RawEntry {
    let kind = if md.is_dir() {
        EntryKind::Folder
    } else {
        EntryKind::File
    };
    let rev = (kind == EntryKind::File).then(|| format!("{}:{}", md.len(), mtime_ns(md)));
    // Local paths are case-sensitive: the key is the path itself.
    let id = identity(md, &rel);
    RawEntry::present(rel.clone(), rel, id, kind, rev)
}

fn mtime_ns(md: &Metadata) -> u128 {
    md.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

#[cfg(unix)]
fn identity(md: &Metadata, _rel: &str) -> String {
    use std::os::unix::fs::MetadataExt;
    let born = md
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    // Fixed width, so ids sort like the numbers they hold: a scan inserts them in inode order,
    // which keeps the store's B-tree inserts sequential.
    format!("{:016x}:{:016x}:{:032x}", md.dev(), md.ino(), born)
}

#[cfg(not(unix))]
fn identity(_md: &Metadata, rel: &str) -> String {
    // Without inode numbers there is no identity across renames; a rename then reads as a
    // delete and an add, which loses no data.
    format!("path:{rel}")
}
