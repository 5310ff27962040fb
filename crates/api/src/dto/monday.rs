//! Monday.com sync's types at the boundary: the settings (never the token: only whether one
//! is stored), the board's columns and groups for the mapping form, the mapping's problems,
//! and each PO's sync state and a pass's outcome.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Which column of the board holds each field. Ids as monday.com shows them
/// (`text_mkr5wya6`); an empty contact link means the board has none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct MondayMapping {
    pub project: String,
    pub po_number: String,
    pub description: String,
    pub status: String,
    pub tax_form_link: String,
    pub folder_link: String,
    pub contact_link: String,
    pub line_status: String,
    pub file_number: String,
    pub line_description: String,
    pub quantity: String,
    pub rate: String,
    pub date: String,
    pub due_date: String,
    pub account_code: String,
    pub file_link: String,
}

/// The sync's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct MondayConfig {
    /// The GraphQL endpoint (https://api.monday.com/v2).
    pub api_url: String,
    pub board_id: String,
    pub mapping: MondayMapping,
    pub enabled: bool,
    /// Whether a token is stored (the token itself never leaves the core).
    pub has_token: bool,
    /// Set when the token could not go to the system keyring.
    pub token_warning: Option<String>,
    /// Set when monday.com refused the token: nothing syncs until it is saved again.
    pub reconnect: Option<String>,
}

/// A column of the board or of its subitems board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayColumn {
    pub id: String,
    pub title: String,
    /// monday.com's column type (text, long_text, numbers, date, status, link...).
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayGroup {
    pub id: String,
    pub title: String,
}

/// One field of the mapping form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayField {
    /// The key in [`MondayMapping`] (`po_number`).
    pub key: String,
    pub label: String,
    /// A column of the subitems board (a line's) rather than of the board (the PO's).
    pub on_subitem: bool,
    /// The column types it can go to.
    pub accepted_types: Vec<String>,
    /// False only for the contact link, which boards may lack.
    pub required: bool,
}

/// The board as the mapping form needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayBoard {
    pub board_id: String,
    pub name: String,
    pub columns: Vec<MondayColumn>,
    /// The subitems board's columns (empty while the board has no subitems).
    pub subitem_columns: Vec<MondayColumn>,
    pub has_subitems: bool,
    pub groups: Vec<MondayGroup>,
    pub fields: Vec<MondayField>,
}

/// What is wrong with the mapping, one row per problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayProblem {
    /// The field's key in [`MondayMapping`]; None for the board itself.
    pub field: Option<String>,
    pub message: String,
}

/// Where one PO stands with the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MondaySyncState {
    /// The board shows the PO as it is now.
    Synced,
    /// Changed (or new) since the last sync: the next pass sends it.
    Pending,
    /// A passing failure: tried again later.
    Retrying,
    /// Refused, or out of tries: waits for a person (Retry) or a change of its data.
    Failed,
}

/// A PO's sync state for the PO view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayPoRow {
    pub project_number: String,
    pub po_number: String,
    pub state: MondaySyncState,
    #[specta(type = Option<specta_typescript::Number>)]
    pub synced_ms: Option<i64>,
    pub message: Option<String>,
    pub tries: u32,
    pub item_id: Option<String>,
}

/// The sync as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayStatus {
    /// A token, a board and a mapping are saved.
    pub configured: bool,
    pub enabled: bool,
    /// A pass is under way.
    pub running: bool,
    pub reconnect: Option<String>,
    /// Why the last pass could not run (the board unreachable, the mapping broken).
    pub last_error: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub last_pass_ms: Option<i64>,
    pub rows: Vec<MondayPoRow>,
}

/// What a pass did to one PO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MondayOutcomeKind {
    Created,
    Updated,
    Unchanged,
    /// Not sent: the board already shows this data, or a retry is not due.
    Skipped,
    Retrying,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayPoOutcome {
    pub project_number: String,
    pub po_number: String,
    pub outcome: MondayOutcomeKind,
    pub writes: u32,
    pub message: Option<String>,
}

/// One pass over every PO.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MondayReport {
    pub rows: Vec<MondayPoOutcome>,
    /// Why the pass stopped early (the token refused).
    pub stopped: Option<String>,
}
