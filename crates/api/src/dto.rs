//! The UI contract: every type that crosses to the window (and the CLI's JSON). These are the
//! only types with `specta::Type`; the core's own types stay behind this boundary. The
//! TypeScript in ui/src/bindings.ts is generated from them by a test, so drift fails CI.

use boxkeeper_naming::ParsedPath;
use boxkeeper_store::StoredEvent;
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
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

impl From<boxkeeper_events::EventKind> for EventKind {
    fn from(k: boxkeeper_events::EventKind) -> EventKind {
        use boxkeeper_events::EventKind as K;
        match k {
            K::FileAdded => EventKind::FileAdded,
            K::FileDeleted => EventKind::FileDeleted,
            K::FileRenamed => EventKind::FileRenamed,
            K::FileMoved => EventKind::FileMoved,
            K::FileModified => EventKind::FileModified,
            K::FolderAdded => EventKind::FolderAdded,
            K::FolderDeleted => EventKind::FolderDeleted,
            K::FolderRenamed => EventKind::FolderRenamed,
            K::FolderMoved => EventKind::FolderMoved,
        }
    }
}

impl From<EventKind> for boxkeeper_events::EventKind {
    fn from(k: EventKind) -> boxkeeper_events::EventKind {
        use boxkeeper_events::EventKind as K;
        match k {
            EventKind::FileAdded => K::FileAdded,
            EventKind::FileDeleted => K::FileDeleted,
            EventKind::FileRenamed => K::FileRenamed,
            EventKind::FileMoved => K::FileMoved,
            EventKind::FileModified => K::FileModified,
            EventKind::FolderAdded => K::FolderAdded,
            EventKind::FolderDeleted => K::FolderDeleted,
            EventKind::FolderRenamed => K::FolderRenamed,
            EventKind::FolderMoved => K::FolderMoved,
        }
    }
}

/// One row of the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
pub struct EventRow {
    /// Position in the event log; increases with every event.
    #[specta(type = specta_typescript::Number)]
    pub seq: i64,
    /// When the event was recorded, in milliseconds since the Unix epoch.
    #[specta(type = specta_typescript::Number)]
    pub at_ms: i64,
    pub kind: EventKind,
    pub path: String,
    pub old_path: Option<String>,
    /// For folder moves and deletions: how many entries went with the folder.
    pub descendants: u32,
    pub project_number: Option<String>,
    pub project_name: Option<String>,
    pub po_number: Option<String>,
    pub vendor_name: Option<String>,
    pub vendor_type: Option<String>,
    pub document_type: Option<String>,
    pub file_number: Option<String>,
    pub problems: Vec<String>,
}

impl From<StoredEvent> for EventRow {
    fn from(s: StoredEvent) -> EventRow {
        let ParsedPath {
            project_number,
            project_name,
            po_number,
            vendor_name,
            vendor_type,
            document_type,
            file_number,
            problems,
        } = s.parsed;
        EventRow {
            seq: s.seq,
            at_ms: s.at_ms,
            kind: s.event.kind.into(),
            path: s.event.path,
            old_path: s.event.old_path,
            descendants: s.event.descendants,
            project_number,
            project_name,
            po_number,
            vendor_name,
            vendor_type: vendor_type.map(|v| v.as_str().to_string()),
            document_type: document_type.map(|d| d.as_str().to_string()),
            file_number,
            problems,
        }
    }
}

/// Which events to show; `null` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Type)]
pub struct EventFilter {
    pub project: Option<String>,
    /// "<project>_<po>", as the `pos` facet lists them.
    pub po: Option<String>,
    pub vendor: Option<String>,
    pub document_type: Option<String>,
    pub kind: Option<EventKind>,
}

impl From<EventFilter> for boxkeeper_store::EventFilter {
    fn from(f: EventFilter) -> Self {
        boxkeeper_store::EventFilter {
            project: f.project,
            po: f.po,
            vendor: f.vendor,
            document_type: f.document_type,
            kind: f.kind.map(Into::into),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Type)]
pub struct EventPage {
    /// How many events match the filter (not just this page).
    pub total: u32,
    pub rows: Vec<EventRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct ProjectFacet {
    pub number: String,
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Type)]
pub struct Facets {
    pub projects: Vec<ProjectFacet>,
    pub pos: Vec<String>,
    pub vendors: Vec<String>,
    pub document_types: Vec<String>,
    pub kinds: Vec<EventKind>,
}

impl From<boxkeeper_store::Facets> for Facets {
    fn from(f: boxkeeper_store::Facets) -> Facets {
        Facets {
            projects: f
                .projects
                .into_iter()
                .map(|p| ProjectFacet {
                    number: p.number,
                    name: p.name,
                })
                .collect(),
            pos: f.pos,
            vendors: f.vendors,
            document_types: f.document_types,
            kinds: f.kinds.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SourceState {
    /// No folder chosen.
    Idle,
    /// Reading the whole tree (first start, restart, or after lost events).
    Scanning,
    /// Up to date and listening for changes.
    Watching,
    /// The source failed; `last_error` says why.
    Error,
}

/// What the header shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct AppStatus {
    /// What is followed: the watched folder's path, or "Dropbox /folder".
    pub folder: Option<String>,
    pub state: SourceState,
    pub rules_path: String,
    /// Why the rules file was not loaded (the last good rules stay in force).
    pub rules_error: Option<String>,
    pub data_dir: String,
    pub last_error: Option<String>,
    pub total_events: u32,
    pub dropbox: DropboxStatus,
}

/// How to reach Dropbox and what to follow. Saved in the database; no secret in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct DropboxConfig {
    /// The app key of the user's own Dropbox app (a public client: no secret).
    pub app_key: String,
    /// The port of the redirect URI registered in that app, `http://127.0.0.1:PORT/callback`;
    /// none: Dropbox shows a code that the user pastes.
    pub redirect_port: Option<u16>,
    /// Follow the team space root instead of the member's home folder.
    pub team_space: bool,
    /// The folder followed within it, e.g. "/2024"; "" for all of it.
    pub folder: String,
    /// Another server instead of Dropbox's hosts (the emulator, a proxy); none: Dropbox.
    pub api_base: Option<String>,
    pub content_base: Option<String>,
    pub notify_base: Option<String>,
    pub authorize_base: Option<String>,
}

/// What connecting started: the page to open, and whether the app waits for the browser to
/// come back by itself (else the user pastes the code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct ConnectStart {
    pub authorize_url: String,
    pub waits_for_redirect: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DropboxState {
    /// No account connected.
    Disconnected,
    /// The authorize page is open; waiting for the browser or a pasted code.
    Connecting,
    /// Connected, not following (the app follows a local folder).
    Idle,
    /// Catching up with changes.
    Syncing,
    /// The first (or a repeated) full listing; `entries` so far.
    Listing,
    /// Every change is recorded; listening for more.
    UpToDate,
    /// Waiting `wait_s` seconds before trying again (`message` says why).
    Waiting,
    /// Failing and retrying; `message` says why.
    Error,
    /// Dropbox refused the connection (revoked): connect again. Nothing stored is lost.
    Reconnect,
}

impl DropboxStatus {
    /// Before the stored settings are read.
    pub(crate) fn placeholder() -> DropboxStatus {
        DropboxStatus {
            config: DropboxConfig::default(),
            connected: false,
            account: None,
            team_space: false,
            state: DropboxState::Disconnected,
            entries: 0,
            wait_s: None,
            message: None,
            warning: None,
            authorize_url: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct DropboxStatus {
    pub config: DropboxConfig,
    pub connected: bool,
    /// "Name <e-mail>" of the connected account.
    pub account: Option<String>,
    /// The team space root is followed.
    pub team_space: bool,
    pub state: DropboxState,
    /// Entries listed so far (while listing).
    pub entries: u32,
    pub wait_s: Option<u32>,
    pub message: Option<String>,
    /// Why the connection is not in the system keyring, when it is not.
    pub warning: Option<String>,
    /// The authorize page of the attempt in progress.
    pub authorize_url: Option<String>,
}

/// Pushed to the window when events were appended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct FeedChange {
    pub appended: u32,
    pub total_events: u32,
}

/// What `boxkeeper parse-path` prints for each path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedPathOutput {
    pub path: String,
    pub kind: boxkeeper_naming::PathKind,
    pub project_number: Option<String>,
    pub project_name: Option<String>,
    pub po_number: Option<String>,
    pub vendor_name: Option<String>,
    pub vendor_type: Option<boxkeeper_naming::VendorType>,
    pub document_type: Option<boxkeeper_naming::DocumentType>,
    pub file_number: Option<String>,
    pub problems: Vec<String>,
}
