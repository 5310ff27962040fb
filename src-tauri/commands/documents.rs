//! Documents: the list, one document's fields, history and line items, re-extraction, and a
//! person's corrections. Each command is one call into the workspace.

use boxkeeper_api::dto::{DocumentDetail, DocumentPage, DocumentQuery};
use boxkeeper_api::Workspace;
use tauri::State;

use super::blocking;

#[tauri::command]
#[specta::specta]
pub async fn documents_page(
    ws: State<'_, Workspace>,
    query: DocumentQuery,
    offset: u32,
    limit: u32,
) -> Result<DocumentPage, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.documents_page(query, offset, limit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn document(ws: State<'_, Workspace>, id: u32) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.document(i64::from(id))).await
}

/// Queues the documents for extraction again (a person's values stay).
#[tauri::command]
#[specta::specta]
pub async fn reextract(ws: State<'_, Workspace>, ids: Vec<u32>) -> Result<u32, String> {
    let ws = ws.inner().clone();
    let ids: Vec<i64> = ids.into_iter().map(i64::from).collect();
    blocking(move || ws.reextract(&ids)).await
}

#[tauri::command]
#[specta::specta]
pub async fn correct_field(
    ws: State<'_, Workspace>,
    id: u32,
    name: String,
    value: String,
) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.correct_field(i64::from(id), &name, &value)).await
}

#[tauri::command]
#[specta::specta]
pub async fn revert_field(
    ws: State<'_, Workspace>,
    id: u32,
    name: String,
) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.revert_field(i64::from(id), &name)).await
}
