//! The Monday.com sync's commands: settings (the token goes to the core once and never comes
//! back), the board for the mapping form, the mapping's problems, the sync's state, Sync now
//! and Retry.

use boxkeeper_api::dto::{MondayBoard, MondayConfig, MondayMapping, MondayProblem, MondayStatus};
use boxkeeper_api::Workspace;
use tauri::State;

use super::blocking;

#[tauri::command]
#[specta::specta]
pub async fn monday_config(ws: State<'_, Workspace>) -> Result<MondayConfig, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.monday_config()).await
}

/// Saves the settings; `token` replaces the stored token when given (empty removes it).
#[tauri::command]
#[specta::specta]
pub async fn save_monday_config(
    ws: State<'_, Workspace>,
    config: MondayConfig,
    token: Option<String>,
) -> Result<MondayConfig, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.save_monday_config(&config, token.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn monday_board(
    ws: State<'_, Workspace>,
    board_id: String,
) -> Result<MondayBoard, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.monday_board(&board_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn validate_monday_mapping(
    ws: State<'_, Workspace>,
    board_id: String,
    mapping: MondayMapping,
) -> Result<Vec<MondayProblem>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.validate_monday_mapping(&board_id, &mapping)).await
}

#[tauri::command]
#[specta::specta]
pub async fn monday_status(ws: State<'_, Workspace>) -> Result<MondayStatus, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.monday_status()).await
}

/// Wakes the sync worker; the window hears of progress through `monday-changed`.
#[tauri::command]
#[specta::specta]
pub async fn monday_sync_now(ws: State<'_, Workspace>) -> Result<(), String> {
    let ws = ws.inner().clone();
    blocking(move || {
        ws.start_monday_sync()?;
        ws.monday_sync_now();
        Ok(())
    })
    .await
}

/// Sends failed POs again: one (project and PO number given) or all of them.
#[tauri::command]
#[specta::specta]
pub async fn retry_monday(
    ws: State<'_, Workspace>,
    project_number: Option<String>,
    po_number: Option<String>,
) -> Result<u32, String> {
    let ws = ws.inner().clone();
    blocking(move || {
        let po = project_number.as_deref().zip(po_number.as_deref());
        ws.retry_monday(po)
    })
    .await
}
