//! Vendor memory: the settings page's list (edit, forget) and a document's suggestions
//! (accept, dismiss). Each command is one call into the workspace.

use boxkeeper_api::dto::{DocumentDetail, MemoryEntryRow, MemoryField};
use boxkeeper_api::Workspace;
use tauri::State;

use super::blocking;

/// Everything remembered, by vendor and field.
#[tauri::command]
#[specta::specta]
pub async fn vendor_memory(ws: State<'_, Workspace>) -> Result<Vec<MemoryEntryRow>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.vendor_memory()).await
}

/// A new value for a remembered entry (checked as a correction of its field is).
#[tauri::command]
#[specta::specta]
pub async fn set_memory_value(
    ws: State<'_, Workspace>,
    id: u32,
    value: String,
) -> Result<Vec<MemoryEntryRow>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.set_memory_value(i64::from(id), &value)).await
}

/// Forgets a remembered value; returns what is left.
#[tauri::command]
#[specta::specta]
pub async fn forget_memory(
    ws: State<'_, Workspace>,
    id: u32,
) -> Result<Vec<MemoryEntryRow>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.forget_memory(i64::from(id))).await
}

/// Accepts a document's suggestion from memory as a person's correction. `value` is the
/// suggestion as the window shows it: when memory offers another now, the error is "the
/// suggestion changed; look again" and nothing is done.
#[tauri::command]
#[specta::specta]
pub async fn accept_suggestion(
    ws: State<'_, Workspace>,
    id: u32,
    field: MemoryField,
    value: String,
) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.accept_suggestion(i64::from(id), field, &value)).await
}

/// Dismisses a document's suggestion from memory (for good, on that document); `value` is
/// checked as for `accept_suggestion`.
#[tauri::command]
#[specta::specta]
pub async fn dismiss_suggestion(
    ws: State<'_, Workspace>,
    id: u32,
    field: MemoryField,
    value: String,
) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.dismiss_suggestion(i64::from(id), field, &value)).await
}
