//! The UI contract: every type that crosses to the window (and the CLI's JSON). These are the
//! only types with `specta::Type`; the core's own types stay behind this boundary. The
//! TypeScript in ui/src/bindings.ts is generated from them by a test, so drift fails CI.

use boxkeeper_naming::ParsedPath;
use boxkeeper_store::StoredEvent;
use serde::{Deserialize, Serialize};
use specta::Type;

mod memory;
mod monday;
mod review;
pub use memory::*;
pub use monday::*;
pub use review::*;

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
    /// How many documents of the followed source are in each state.
    pub documents: DocumentCounts,
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

/// Where a document is in the extraction pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Queued,
    Extracting,
    Done,
    Failed,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Queued => "queued",
            DocumentStatus::Extracting => "extracting",
            DocumentStatus::Done => "done",
            DocumentStatus::Failed => "failed",
        }
    }

    fn of(s: &str) -> DocumentStatus {
        match s {
            "queued" => DocumentStatus::Queued,
            "extracting" => DocumentStatus::Extracting,
            "done" => DocumentStatus::Done,
            _ => DocumentStatus::Failed,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Type)]
pub struct DocumentCounts {
    pub queued: u32,
    pub extracting: u32,
    pub done: u32,
    pub failed: u32,
    pub to_review: u32,
    pub approved: u32,
    pub exported: u32,
    pub rejected: u32,
    /// Documents with flags not dismissed.
    pub flagged: u32,
}

impl From<boxkeeper_store::DocumentCounts> for DocumentCounts {
    fn from(c: boxkeeper_store::DocumentCounts) -> DocumentCounts {
        DocumentCounts {
            queued: c.queued,
            extracting: c.extracting,
            done: c.done,
            failed: c.failed,
            to_review: c.to_review,
            approved: c.approved,
            exported: c.exported,
            rejected: c.rejected,
            flagged: c.flagged,
        }
    }
}

/// Which documents the list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct DocumentQuery {
    pub status: Option<DocumentStatus>,
    /// Words to find in the path, vendor, invoice number or the document's text (each word
    /// as a prefix, any case, accents ignored).
    pub text: Option<String>,
    pub review: Option<ReviewState>,
    pub project: Option<String>,
    pub po: Option<String>,
    /// vendor, cc, pc.
    pub vendor_type: Option<String>,
    /// The document type the file name gives: INVOICE, RECEIPT, W9, W8-BEN, W8-BEN-E.
    pub document_type: Option<String>,
    /// Only flagged (true) or unflagged (false) documents.
    pub flagged: Option<bool>,
    pub order: DocumentOrder,
    pub descending: bool,
}

impl DocumentQuery {
    /// The store's filter for this query.
    pub fn filter(&self) -> boxkeeper_store::DocumentFilter {
        use boxkeeper_store::DocumentSort as S;
        let descending = self.descending;
        let blank = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        boxkeeper_store::DocumentFilter {
            status: self.status.map(|s| s.as_str().to_string()),
            text: blank(&self.text),
            review: self.review.map(|r| r.as_str().to_string()),
            project: blank(&self.project),
            po: blank(&self.po),
            vendor_type: blank(&self.vendor_type),
            name_type: blank(&self.document_type),
            flagged: self.flagged,
            ids: None,
            sort: match self.order {
                DocumentOrder::Newest if descending => S::Oldest,
                DocumentOrder::Newest => S::Newest,
                DocumentOrder::Oldest if descending => S::Newest,
                DocumentOrder::Oldest => S::Oldest,
                DocumentOrder::Vendor => S::Vendor { descending },
                DocumentOrder::InvoiceDate => S::InvoiceDate { descending },
                DocumentOrder::Total => S::Total { descending },
                DocumentOrder::Path => S::Path { descending },
            },
        }
    }
}

/// One row of the documents list.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
pub struct DocumentRow {
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
    pub path: String,
    pub status: DocumentStatus,
    /// Why the last extraction failed (or why it will be tried again).
    pub error: Option<String>,
    /// What a running extraction is doing.
    pub progress: Option<String>,
    pub document_type: Option<String>,
    /// e-invoice, text, ocr.
    pub extracted_by: Option<String>,
    pub vendor_name: Option<String>,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<String>,
    pub total: Option<String>,
    pub currency: Option<String>,
    /// The file is gone from the source; its data is kept.
    pub deleted: bool,
    #[specta(type = specta_typescript::Number)]
    pub updated_ms: i64,
    pub review: ReviewState,
    /// What the path says.
    pub project_number: Option<String>,
    pub po_number: Option<String>,
    pub vendor_type: Option<String>,
    /// The document type the file name gives.
    pub name_type: Option<String>,
    pub file_number: Option<String>,
    /// Flags not dismissed.
    pub open_flags: u32,
    /// The Dropbox share link, once made (Dropbox sources only).
    pub share_link: Option<String>,
    /// Why there is no share link ("(will retry)" while another try is due).
    pub share_error: Option<String>,
}

impl From<boxkeeper_store::DocumentSummary> for DocumentRow {
    fn from(d: boxkeeper_store::DocumentSummary) -> DocumentRow {
        DocumentRow {
            id: d.id,
            path: d.path,
            status: DocumentStatus::of(&d.status),
            error: d.error,
            progress: d.progress,
            document_type: d.document_type,
            extracted_by: d.extracted_by,
            vendor_name: d.vendor_name,
            invoice_number: d.invoice_number,
            invoice_date: d.invoice_date,
            total: d.total,
            currency: d.currency,
            deleted: d.deleted,
            updated_ms: d.updated_ms,
            review: ReviewState::of(&d.review),
            project_number: d.project_number,
            po_number: d.po_number,
            vendor_type: d.vendor_type,
            name_type: d.name_type,
            file_number: d.file_number,
            open_flags: d.open_flags,
            share_link: d.share_link,
            share_error: d.share_error,
        }
    }
}

/// A PO folder of a Dropbox source and its share link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct PoFolderLinkRow {
    pub project_number: String,
    pub po_number: String,
    pub path: String,
    pub link: Option<String>,
    /// Why there is no link ("(will retry)" while another try is due).
    pub error: Option<String>,
}

impl From<boxkeeper_store::PoFolderLink> for PoFolderLinkRow {
    fn from(l: boxkeeper_store::PoFolderLink) -> PoFolderLinkRow {
        PoFolderLinkRow {
            project_number: l.project_number,
            po_number: l.po_number,
            path: l.path,
            link: l.link,
            error: l.error,
        }
    }
}

/// Share links of the followed source, for a status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Type)]
pub struct ShareLinkStatus {
    pub documents_linked: u32,
    /// Queued, being made, or waiting out a retry.
    pub documents_pending: u32,
    pub documents_failed: u32,
    pub folders_linked: u32,
    pub folders_pending: u32,
    pub folders_failed: u32,
}

impl From<boxkeeper_store::ShareLinkCounts> for ShareLinkStatus {
    fn from(c: boxkeeper_store::ShareLinkCounts) -> ShareLinkStatus {
        ShareLinkStatus {
            documents_linked: c.documents.linked,
            documents_pending: c.documents.pending,
            documents_failed: c.documents.failed,
            folders_linked: c.folders.linked,
            folders_pending: c.folders.pending,
            folders_failed: c.folders.failed,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Type)]
pub struct DocumentPage {
    pub total: u32,
    pub rows: Vec<DocumentRow>,
}

/// A field: the value in force, how sure the extractor was, and who it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
pub struct FieldRow {
    pub name: String,
    pub value: Option<String>,
    /// What extraction found (differs from `value` when a person corrected it).
    pub extracted_value: Option<String>,
    /// 0..1.
    pub confidence: f64,
    /// offline, llm, e-invoice, file name, person.
    pub provenance: String,
    /// Where on the document ("page 2").
    pub location: Option<String>,
    /// The value's box on that page: x0, y0, x1, y1 in the page's coordinates.
    pub bbox: Option<Vec<f32>>,
    /// A person set this value: no extraction overwrites it.
    pub pinned: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct LineRow {
    pub position: u32,
    pub description: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub amount: Option<String>,
    pub date: Option<String>,
    pub account_code: Option<String>,
    pub provenance: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct FieldChange {
    pub name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// person, offline, llm, e-invoice, file name, export, "person (undo)".
    pub who: String,
    #[specta(type = specta_typescript::Number)]
    pub at_ms: i64,
    /// A later undo took this change back.
    pub undone: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Type)]
pub struct DocumentDetail {
    pub document: DocumentRow,
    pub content_hash: Option<String>,
    pub problems: Vec<String>,
    /// Tokens the model used on this document, when one was asked.
    #[specta(type = Option<specta_typescript::Number>)]
    pub llm_tokens: Option<i64>,
    pub attempts: u32,
    pub fields: Vec<FieldRow>,
    pub lines: Vec<LineRow>,
    /// A person edited the lines: extraction no longer replaces them.
    pub lines_by_person: bool,
    pub history: Vec<FieldChange>,
    pub flags: Vec<FlagRow>,
    pub project_name: Option<String>,
    /// The PO folder's vendor, and the vendor the file name gives.
    pub po_vendor: Option<String>,
    pub name_vendor: Option<String>,
    /// Why the name does not parse or disagrees with its folders.
    pub name_problems: Vec<String>,
    /// Undo would take back a person's change.
    pub can_undo: bool,
    /// Values vendor memory offers (accept or dismiss); never in `fields` or `lines`.
    pub suggestions: Vec<SuggestionRow>,
}

impl From<boxkeeper_store::DocumentDetail> for DocumentDetail {
    fn from(d: boxkeeper_store::DocumentDetail) -> DocumentDetail {
        DocumentDetail {
            document: d.summary.into(),
            content_hash: d.content_hash,
            problems: d.problems,
            llm_tokens: d.llm_tokens,
            attempts: d.attempts as u32,
            fields: d
                .fields
                .into_iter()
                .map(|f| FieldRow {
                    name: f.name,
                    value: f.value,
                    extracted_value: f.extracted_value,
                    confidence: f.confidence,
                    provenance: f.provenance,
                    location: f.location,
                    bbox: f.bbox.map(|b| b.to_vec()),
                    pinned: f.pinned,
                })
                .collect(),
            lines: d
                .lines
                .into_iter()
                .map(|l| LineRow {
                    position: l.position as u32,
                    description: l.description,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    amount: l.amount,
                    date: l.date,
                    account_code: l.account_code,
                    provenance: l.provenance,
                })
                .collect(),
            history: d
                .history
                .into_iter()
                .map(|h| FieldChange {
                    name: h.name,
                    old_value: h.old_value,
                    new_value: h.new_value,
                    who: h.who,
                    at_ms: h.at_ms,
                    undone: h.undone,
                })
                .collect(),
            lines_by_person: d.lines_by_person,
            flags: d.flags.into_iter().map(Into::into).collect(),
            project_name: d.project_name,
            po_vendor: d.po_vendor,
            name_vendor: d.name_vendor,
            name_problems: d.name_problems,
            can_undo: d.can_undo,
            suggestions: d
                .suggestions
                .into_iter()
                .filter_map(SuggestionRow::of)
                .collect(),
        }
    }
}

/// How the model is asked for the fields' shape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LlmMode {
    /// JSON Schema structured output (OpenAI, Azure, Ollama, llama.cpp).
    #[default]
    Structured,
    /// JSON mode, the answer checked against the schema here (other servers).
    Json,
}

/// The optional LLM extractor: an OpenAI-compatible server. Off while `base_url` is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct LlmConfig {
    /// The API base including /v1, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1.
    pub base_url: String,
    pub model: String,
    pub mode: LlmMode,
    /// Whether an API key is stored (the key itself never leaves the core).
    pub has_key: bool,
    /// Set when the key could not go to the system keyring.
    pub key_warning: Option<String>,
}
