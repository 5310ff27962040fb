//! The review workspace: review states, line items by hand, undo, flags, the PO view, page
//! images and CSV export. Each command is one call into the workspace; the save dialog of an
//! export is the only thing the shell adds.

use boxkeeper_api::dto::{
    DocumentDetail, DocumentQuery, ExportRequest, ExportResult, LineInput, PageImage, PoChange,
    PoLogReport, PurchaseOrderRow, ReviewState,
};
use boxkeeper_api::Workspace;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use super::blocking;

#[tauri::command]
#[specta::specta]
pub async fn set_review(
    ws: State<'_, Workspace>,
    ids: Vec<u32>,
    state: ReviewState,
) -> Result<u32, String> {
    let ws = ws.inner().clone();
    let ids: Vec<i64> = ids.into_iter().map(i64::from).collect();
    blocking(move || ws.set_review(&ids, state)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_lines(
    ws: State<'_, Workspace>,
    id: u32,
    lines: Vec<LineInput>,
) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.set_lines(i64::from(id), &lines)).await
}

#[tauri::command]
#[specta::specta]
pub async fn revert_lines(
    ws: State<'_, Workspace>,
    id: u32,
) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.revert_lines(i64::from(id))).await
}

/// Undoes the document's last change by a person; returns what was undone.
#[tauri::command]
#[specta::specta]
pub async fn undo(ws: State<'_, Workspace>, id: u32) -> Result<Option<String>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.undo(i64::from(id))).await
}

/// Dismisses a flag with a note; no note restores it.
#[tauri::command]
#[specta::specta]
pub async fn dismiss_flag(
    ws: State<'_, Workspace>,
    flag: u32,
    note: Option<String>,
) -> Result<Option<DocumentDetail>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.dismiss_flag(i64::from(flag), note.as_deref())).await
}

/// The ids of the documents `query` selects, in its order (the review queue).
#[tauri::command]
#[specta::specta]
pub async fn document_ids(
    ws: State<'_, Workspace>,
    query: DocumentQuery,
) -> Result<Vec<u32>, String> {
    let ws = ws.inner().clone();
    blocking(move || {
        Ok(ws
            .document_ids(&query)?
            .into_iter()
            .filter_map(|id| u32::try_from(id).ok())
            .collect())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn page_image(
    ws: State<'_, Workspace>,
    id: u32,
    page: u32,
    width: u32,
) -> Result<PageImage, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.page_image(i64::from(id), page, width)).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_orders(ws: State<'_, Workspace>) -> Result<Vec<PurchaseOrderRow>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.purchase_orders()).await
}

#[tauri::command]
#[specta::specta]
pub async fn change_po(
    ws: State<'_, Workspace>,
    change: PoChange,
) -> Result<Vec<PurchaseOrderRow>, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.change_po(&change)).await
}

/// Exports CSV. Without a path the save dialog asks where (None: the person cancelled).
/// `BOXKEEPER_SAVE_AS` answers the dialog instead (the end-to-end tests cannot click a
/// native dialog).
#[tauri::command]
#[specta::specta]
pub async fn export_csv(
    app: AppHandle,
    ws: State<'_, Workspace>,
    mut request: ExportRequest,
) -> Result<Option<ExportResult>, String> {
    if request.path.trim().is_empty() {
        let chosen = match std::env::var("BOXKEEPER_SAVE_AS") {
            Ok(path) if !path.is_empty() => Some(path),
            _ => {
                let name = format!("boxkeeper-{}.csv", request_name(&request));
                tauri::async_runtime::spawn_blocking(move || {
                    app.dialog()
                        .file()
                        .set_file_name(name)
                        .add_filter("CSV", &["csv"])
                        .blocking_save_file()
                        .and_then(|p| p.into_path().ok())
                        .map(|p| p.display().to_string())
                })
                .await
                .map_err(|e| e.to_string())?
            }
        };
        let Some(path) = chosen else {
            return Ok(None);
        };
        request.path = path;
    }
    let ws = ws.inner().clone();
    blocking(move || ws.export_csv(&request).map(Some)).await
}

fn request_name(r: &ExportRequest) -> String {
    let preset = serde_json::to_value(r.preset)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let shape = serde_json::to_value(r.shape)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("{preset}-{shape}")
}

/// Undoes an export: its documents go back to the state they had.
#[tauri::command]
#[specta::specta]
pub async fn undo_export(ws: State<'_, Workspace>, export_id: u32) -> Result<u32, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.undo_export(i64::from(export_id))).await
}

/// Reads a PO log the person chose (the window's open dialog gives the path) and compares it
/// with the invoices.
#[tauri::command]
#[specta::specta]
pub async fn open_po_log(ws: State<'_, Workspace>, path: String) -> Result<PoLogReport, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.open_po_log(std::path::Path::new(&path))).await
}
