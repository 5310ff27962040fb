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
///
/// Walking is one stat per entry, so it is bound by system calls, not by one core: the
/// folders at the top (one per project, in a production tree) are walked on all cores, and
/// their results are put back in order, so a scan lists parents before children as a
/// single walk would.
pub fn scan(root: &Path, skip: &NameFilter) -> Result<(Batch, ScanStats), FolderError> {
    check_root(root)?;
    let top = top_level(root, skip)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    // One slot per top-level entry, filled by whichever thread takes it.
    let slots: Vec<std::sync::Mutex<(Vec<RawEntry>, ScanStats)>> =
        top.iter().map(|_| Default::default()).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.min(top.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = top.get(i) else { break };
                let mut out = (Vec::new(), ScanStats::default());
                stat_one(root, path, &mut out.0, &mut out.1);
                if path.is_dir() && !path.is_symlink() {
                    walk(root, path, skip, &mut out.0, &mut out.1);
                }
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = out;
            });
        }
    });
    let mut entries = Vec::new();
    let mut stats = ScanStats::default();
    for slot in slots {
        let (part, part_stats) = slot.into_inner().unwrap_or_else(|e| e.into_inner());
        entries.extend(part);
        stats.files += part_stats.files;
        stats.folders += part_stats.folders;
        stats.unreadable += part_stats.unreadable;
    }
    Ok((
        Batch {
            entries,
            complete: true,
        },
        stats,
    ))
}

/// The entries directly in `root`, sorted by name, without the skipped ones.
fn top_level(root: &Path, skip: &NameFilter) -> Result<Vec<std::path::PathBuf>, FolderError> {
    let io = |source| FolderError::Io {
        path: root.display().to_string(),
        source,
    };
    let mut top = Vec::new();
    for item in std::fs::read_dir(root).map_err(io)? {
        match item {
            Ok(e) if !skip(&e.file_name().to_string_lossy()) => top.push(e.path()),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "skipping an unreadable entry"),
        }
    }
    top.sort();
    Ok(top)
}

/// Appends the entry for `path` itself (not below it).
fn stat_one(root: &Path, path: &Path, entries: &mut Vec<RawEntry>, stats: &mut ScanStats) {
    let md = std::fs::symlink_metadata(path);
    if md.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
        return;
    }
    if let Some(rel) = relative(root, path) {
        record(rel, path, md, entries, stats);
    }
}

/// Appends an entry read from its metadata, counting it; an unreadable one is counted and
/// logged, never fatal.
fn record(
    rel: String,
    path: &Path,
    md: std::io::Result<Metadata>,
    entries: &mut Vec<RawEntry>,
    stats: &mut ScanStats,
) {
    match md {
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
            tracing::warn!(path = %path.display(), error = %err, "skipping an unreadable entry");
        }
    }
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
        record(
            rel,
            e.path(),
            e.metadata().map_err(Into::into),
            entries,
            stats,
        );
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
