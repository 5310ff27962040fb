//! The optional LLM extractor's settings. The key goes to the core once and never comes
//! back: the window only learns whether one is stored.

use boxkeeper_api::dto::LlmConfig;
use boxkeeper_api::Workspace;
use tauri::State;

use super::blocking;

#[tauri::command]
#[specta::specta]
pub async fn llm_config(ws: State<'_, Workspace>) -> Result<LlmConfig, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.llm_config()).await
}

/// Saves the settings; `key` replaces the stored key when given (empty removes it).
#[tauri::command]
#[specta::specta]
pub async fn save_llm_config(
    ws: State<'_, Workspace>,
    config: LlmConfig,
    key: Option<String>,
) -> Result<LlmConfig, String> {
    let ws = ws.inner().clone();
    blocking(move || ws.save_llm_config(&config, key.as_deref())).await
}
