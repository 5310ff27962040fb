//! The local folder source: how Boxkeeper runs without an account, on the Dropbox desktop
//! client's folder, a network share or the bundled demo. It owns reading a folder tree into
//! raw entries — a full scan, and after that batches built from notify's events — and leaves
//! meaning to the classifier. A local entry's id is its device, inode and birth time, the
//! closest local equivalent of Dropbox's file id: it survives renames and moves, and the birth
//! time keeps a reused inode number from passing for the file that had it before.
//!
//! inotify reports paths, and after a directory is renamed it keeps reporting events inside
//! it under the old name. So the watcher never trusts an event's path beyond "something
//! changed here": it stats the path, and when a directory was renamed or events were lost it
//! re-watches and rescans everything, letting the classifier find what really changed.

mod scan;
mod watch;

pub use scan::{entry_at, scan, ScanStats};
pub use watch::{FolderWatch, WatchUpdate};

use std::sync::Arc;

/// Decides whether a file or folder name is skipped (Dropbox's cache folder, Office lock
/// files, ...). Shared with the watcher thread, so the rules can change while it runs.
pub type NameFilter = Arc<dyn Fn(&str) -> bool + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("{path} does not exist")]
    Missing { path: String },
    #[error("{path} is not a folder")]
    NotAFolder { path: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot watch {path}: {source}")]
    Watch {
        path: String,
        #[source]
        source: notify::Error,
    },
}
