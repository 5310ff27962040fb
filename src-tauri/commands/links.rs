//! Dropbox share links: how many are made, pending and failed, the PO folders' links, and
//! trying the failed ones again. Each command is one call into the workspace; the links
//! themselves are made by the workspace's background worker.

use boxkeeper_api::dto::{PoFolderLinkRow, ShareLinkStatus};
use boxkeeper_api::Workspace;
use tauri::State;

use super::blocking;

/// Share links made, pending and failed in the followed source.
#[tauri::command]
#[specta::specta]
pub async fn share_link_status(ws: State<'_, Workspace>) -> Result<ShareLinkStatus, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.share_link_status()).await
}

/// The PO folders of the followed source with their share links (or why there is none).
#[tauri::command]
#[specta::specta]
pub async fn po_folder_links(ws: State<'_, Workspace>) -> Result<Vec<PoFolderLinkRow>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.po_folder_links()).await
}

/// Tries the failed share links again (and those waiting out a backoff, now). Returns how
/// many failed ones were queued again.
#[tauri::command]
#[specta::specta]
pub async fn retry_share_links(ws: State<'_, Workspace>) -> Result<u32, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.retry_share_links()).await
}
