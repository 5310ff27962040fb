//! list_folder's entries and results, and their conversion into raw entries.

use boxkeeper_events::{Batch, EntryKind, RawEntry};
use serde::Deserialize;

/// One entry of a list_folder or list_folder/continue result. Fields the feed does not use
/// (sharing info, property groups, ...) are ignored, so new fields never break parsing.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = ".tag", rename_all = "lowercase")]
pub enum Entry {
    File {
        id: String,
        name: String,
        path_lower: String,
        path_display: String,
        rev: String,
        size: u64,
        server_modified: String,
        #[serde(default)]
        content_hash: Option<String>,
    },
    Folder {
        id: String,
        name: String,
        path_lower: String,
        path_display: String,
    },
    /// A deleted entry carries no id and no timestamps (README of shared/dropbox).
    Deleted {
        name: String,
        path_lower: String,
        path_display: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ListFolderResult {
    pub entries: Vec<Entry>,
    pub cursor: String,
    pub has_more: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct LongpollResult {
    pub changes: bool,
    /// Seconds the client must wait before its next longpoll.
    #[serde(default)]
    pub backoff: Option<u64>,
}

impl Entry {
    /// The raw entry the classifier reads. The key is `path_lower` (Dropbox compares paths
    /// without case); the displayed path keeps the user's case. A file's rev marks content
    /// changes.
    pub fn to_raw(&self) -> RawEntry {
        match self {
            Entry::File {
                id,
                path_lower,
                path_display,
                rev,
                ..
            } => RawEntry::present(
                path_lower.clone(),
                path_display.clone(),
                id.clone(),
                EntryKind::File,
                Some(rev.clone()),
            ),
            Entry::Folder {
                id,
                path_lower,
                path_display,
                ..
            } => RawEntry::present(
                path_lower.clone(),
                path_display.clone(),
                id.clone(),
                EntryKind::Folder,
                None,
            ),
            Entry::Deleted {
                path_lower,
                path_display,
                ..
            } => RawEntry::deleted(path_lower.clone(), path_display.clone()),
        }
    }
}

/// One page of a listing as a batch, in the order Dropbox sent it. `complete` is for a full
/// re-listing after a cursor reset, when whatever the page set lacks has gone.
pub fn batch_of(entries: &[Entry], complete: bool) -> Batch {
    Batch {
        entries: entries.iter().map(Entry::to_raw).collect(),
        complete,
    }
}
