//! What the core pushes to the window. tauri-specta names each event after its type
//! ("feed-changed", "status-changed") and generates a typed listener for the UI.

use boxkeeper_api::dto::{AppStatus, FeedChange};
use serde::Serialize;

/// Events were recorded: the window refetches what it shows. Rows are not pushed (an initial
/// scan may record 100,000); the window asks for the page it displays.
#[derive(Clone, Debug, Serialize, specta::Type, tauri_specta::Event)]
pub struct FeedChanged(pub FeedChange);

/// The source's state, the rules or an error changed.
#[derive(Clone, Debug, Serialize, specta::Type, tauri_specta::Event)]
pub struct StatusChanged(pub AppStatus);

/// Documents were queued, read, failed or corrected: the window refetches what it shows.
#[derive(Clone, Debug, Serialize, specta::Type, tauri_specta::Event)]
pub struct DocumentsChanged;

/// The Monday.com sync's settings or a PO's sync state changed: the window refetches them.
#[derive(Clone, Debug, Serialize, specta::Type, tauri_specta::Event)]
pub struct MondayChanged;
