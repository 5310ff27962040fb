//! The window's commands: each is one call into the workspace, run off the main thread
//! (async commands run on Tauri's runtime; the database work on its blocking pool).

use boxkeeper_api::dto::{AppStatus, EventFilter, EventPage, Facets};
use boxkeeper_api::Workspace;
use tauri::State;

pub mod documents;
pub mod dropbox;
pub mod links;
pub mod llm;
pub mod memory;
pub mod monday;
pub mod review;

/// Runs blocking core work on the blocking pool and turns its error into the message the
/// window shows.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> boxkeeper_api::Result<T> + Send + 'static,
) -> Result<T, String> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| {
            tracing::warn!(error = %e, "command failed");
            e.to_string()
        })
}

#[tauri::command]
#[specta::specta]
pub async fn events_page(
    ws: State<'_, Workspace>,
    filter: EventFilter,
    offset: u32,
    limit: u32,
) -> Result<EventPage, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.events_page(filter, offset, limit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn event_facets(ws: State<'_, Workspace>) -> Result<Facets, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.facets()).await
}

#[tauri::command]
#[specta::specta]
pub async fn status(ws: State<'_, Workspace>) -> Result<AppStatus, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.status()).await
}

#[tauri::command]
#[specta::specta]
pub async fn choose_folder(ws: State<'_, Workspace>, path: String) -> Result<AppStatus, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.watch_folder(std::path::Path::new(&path), true)).await
}

#[tauri::command]
#[specta::specta]
pub async fn reload_rules(ws: State<'_, Workspace>) -> Result<AppStatus, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.reload_rules()).await
}
