//! The classifier: it turns a batch of raw entries from a source (the local folder watcher or
//! the Dropbox change feed) into the events a bookkeeper cares about — file and folder added,
//! deleted, renamed, moved, modified — and into the changes that bring the known tree up to
//! date. Sources only say "this id is now at this path" or "this path is gone"; identity comes
//! from the entry id (Dropbox's `id:...`, a local file's device, inode and birth time), so a
//! rename is a known id at a new path, a deleted path whose id reappears in the same batch is
//! not a deletion, and a folder move is one event however many descendants came along. The
//! crate does no I/O: the known tree is reached through the [`KnownTree`] trait, which the
//! store implements over SQLite and [`MemoryTree`] implements for tests.

mod classify;
mod memory;

pub use classify::{classify, Classified, TreeChange};
pub use memory::MemoryTree;

use serde::{Deserialize, Serialize};

/// Whether an entry is a file or a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Folder,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Folder => "folder",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        match s {
            "file" => Some(EntryKind::File),
            "folder" => Some(EntryKind::Folder),
            _ => None,
        }
    }
}

/// One entry as a source reports it. `key` is what identifies a path in that source: the
/// lower-cased path for Dropbox (case-insensitive), the path itself for a local folder.
/// `path` is the path as displayed. Both start with '/' and are relative to the source root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEntry {
    pub key: String,
    pub path: String,
    pub state: RawState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawState {
    /// The entry exists with this identity. `rev` changes when a file's content changes
    /// (Dropbox's rev, or size and mtime locally); it is ignored for folders.
    Present {
        id: String,
        kind: EntryKind,
        rev: Option<String>,
    },
    /// Nothing is at this path any more, nor below it.
    Deleted,
}

impl RawEntry {
    pub fn present(
        key: impl Into<String>,
        path: impl Into<String>,
        id: impl Into<String>,
        kind: EntryKind,
        rev: Option<String>,
    ) -> RawEntry {
        RawEntry {
            key: key.into(),
            path: path.into(),
            state: RawState::Present {
                id: id.into(),
                kind,
                rev,
            },
        }
    }

    pub fn deleted(key: impl Into<String>, path: impl Into<String>) -> RawEntry {
        RawEntry {
            key: key.into(),
            path: path.into(),
            state: RawState::Deleted,
        }
    }
}

/// A batch of raw entries, applied in order. A complete batch is a full listing of the
/// source: whatever the known tree holds that the listing lacks has been deleted. That is how
/// a restart (or a Dropbox cursor reset) reconciles with what is stored.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub entries: Vec<RawEntry>,
    pub complete: bool,
}

/// What the store remembers of one entry: the last known id -> path map, one row per id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownEntry {
    pub id: String,
    pub key: String,
    pub path: String,
    pub kind: EntryKind,
    pub rev: Option<String>,
}

/// The kinds of event a user sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    FileAdded,
    FileDeleted,
    FileRenamed,
    FileMoved,
    FileModified,
    FolderAdded,
    FolderDeleted,
    FolderRenamed,
    FolderMoved,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        EventKind::FileAdded,
        EventKind::FileDeleted,
        EventKind::FileRenamed,
        EventKind::FileMoved,
        EventKind::FileModified,
        EventKind::FolderAdded,
        EventKind::FolderDeleted,
        EventKind::FolderRenamed,
        EventKind::FolderMoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::FileAdded => "file_added",
            EventKind::FileDeleted => "file_deleted",
            EventKind::FileRenamed => "file_renamed",
            EventKind::FileMoved => "file_moved",
            EventKind::FileModified => "file_modified",
            EventKind::FolderAdded => "folder_added",
            EventKind::FolderDeleted => "folder_deleted",
            EventKind::FolderRenamed => "folder_renamed",
            EventKind::FolderMoved => "folder_moved",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn entry_kind(self) -> EntryKind {
        match self {
            EventKind::FileAdded
            | EventKind::FileDeleted
            | EventKind::FileRenamed
            | EventKind::FileMoved
            | EventKind::FileModified => EntryKind::File,
            _ => EntryKind::Folder,
        }
    }

    fn of(kind: EntryKind, change: Change) -> EventKind {
        match (kind, change) {
            (EntryKind::File, Change::Added) => EventKind::FileAdded,
            (EntryKind::File, Change::Deleted) => EventKind::FileDeleted,
            (EntryKind::File, Change::Renamed) => EventKind::FileRenamed,
            (EntryKind::File, Change::Moved) => EventKind::FileMoved,
            (EntryKind::Folder, Change::Added) => EventKind::FolderAdded,
            (EntryKind::Folder, Change::Deleted) => EventKind::FolderDeleted,
            (EntryKind::Folder, Change::Renamed) => EventKind::FolderRenamed,
            (EntryKind::Folder, Change::Moved) => EventKind::FolderMoved,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Added,
    Deleted,
    Renamed,
    Moved,
}

/// One user-level event. `path` is the new path (or the deleted one); `old_path` is set for
/// renames and moves; `descendants` counts the entries that moved or vanished with a folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub path: String,
    pub old_path: Option<String>,
    pub id: Option<String>,
    pub descendants: u32,
}

/// Read access to the known tree of one source. Errors are the implementor's (SQLite for
/// the store); the classifier passes them through untouched.
pub trait KnownTree {
    type Error;
    fn by_id(&mut self, id: &str) -> Result<Option<KnownEntry>, Self::Error>;
    fn by_key(&mut self, key: &str) -> Result<Option<KnownEntry>, Self::Error>;
    /// Every entry strictly below `key` (keys that start with `key` + "/").
    fn descendants(&mut self, key: &str) -> Result<Vec<KnownEntry>, Self::Error>;
    /// Every entry; used for complete listings.
    fn all(&mut self) -> Result<Vec<KnownEntry>, Self::Error>;
}

/// The parent of a key or path ("/a/b" -> "/a", "/a" -> "").
pub fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

/// Whether `key` lies strictly below `ancestor`.
pub fn is_below(key: &str, ancestor: &str) -> bool {
    key.len() > ancestor.len() + 1
        && key.starts_with(ancestor)
        && key.as_bytes()[ancestor.len()] == b'/'
}
