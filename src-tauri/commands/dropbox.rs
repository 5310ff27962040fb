//! Dropbox from the window: connect (the browser opens the authorize page; the loopback
//! redirect or a pasted code finishes it), follow, disconnect. The status comes back through
//! the StatusChanged event.

use boxkeeper_api::dto::{ConnectStart, DropboxConfig};
use boxkeeper_api::Workspace;
use tauri::State;

use super::blocking;

/// Saves the settings, starts connecting, and opens the authorize page in the system
/// browser. The page's address is also returned (and in the status), for a machine where
/// no browser opens.
#[tauri::command]
#[specta::specta]
pub async fn dropbox_connect(
    ws: State<'_, Workspace>,
    config: DropboxConfig,
) -> Result<ConnectStart, String> {
    let ws = ws.inner().clone();
    let start = blocking(move || ws.dropbox_connect_begin(config, true)).await?;
    if std::env::var_os("BOXKEEPER_NO_BROWSER").is_none() {
        if let Err(e) = tauri_plugin_opener::open_url(&start.authorize_url, None::<&str>) {
            tracing::warn!(error = %e, "no browser opened; the address is shown in the app");
        }
    }
    Ok(start)
}

/// Finishes connecting with the code Dropbox showed (or the redirect address).
#[tauri::command]
#[specta::specta]
pub async fn dropbox_paste_code(ws: State<'_, Workspace>, code: String) -> Result<(), String> {
    let ws = ws.inner().clone();
    blocking(move || ws.dropbox_connect_paste(&code)).await
}

/// Makes the connected Dropbox the followed source again (after a folder was chosen).
#[tauri::command]
#[specta::specta]
pub async fn dropbox_follow(ws: State<'_, Workspace>) -> Result<(), String> {
    let ws = ws.inner().clone();
    blocking(move || ws.follow_dropbox()).await
}

#[tauri::command]
#[specta::specta]
pub async fn dropbox_disconnect(ws: State<'_, Workspace>) -> Result<(), String> {
    let ws = ws.inner().clone();
    blocking(move || ws.dropbox_disconnect()).await
}

/// Gives up the connection attempt in progress.
#[tauri::command]
#[specta::specta]
pub async fn dropbox_cancel_connect(ws: State<'_, Workspace>) -> Result<(), String> {
    let ws = ws.inner().clone();
    blocking(move || {
        ws.dropbox_connect_cancel();
        Ok(())
    })
    .await
}
