//! The desktop shell: a Tauri window over boxkeeper-api. It owns only what needs Tauri —
//! the window, the typed command adapters (`commands`), the push of core notices to the
//! window (`events`), logging to the data folder, and choosing the folder to open at start.
//! Everything else is a call into the workspace.

mod commands;
mod events;
mod logging;

use std::path::PathBuf;

use boxkeeper_api::{DataPaths, Notice, Workspace};
use tauri::Manager;
use tauri_specta::Event as _;

/// The command and event list, shared by the app and by the test that regenerates
/// ui/src/bindings.ts.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::events_page,
            commands::event_facets,
            commands::status,
            commands::choose_folder,
            commands::reload_rules,
            commands::dropbox::dropbox_connect,
            commands::dropbox::dropbox_paste_code,
            commands::dropbox::dropbox_follow,
            commands::dropbox::dropbox_disconnect,
            commands::dropbox::dropbox_cancel_connect,
            commands::documents::documents_page,
            commands::documents::document,
            commands::documents::reextract,
            commands::documents::correct_field,
            commands::documents::revert_field,
            commands::llm::llm_config,
            commands::llm::save_llm_config,
            commands::review::set_review,
            commands::review::set_lines,
            commands::review::revert_lines,
            commands::review::undo,
            commands::review::dismiss_flag,
            commands::review::document_ids,
            commands::review::page_image,
            commands::review::purchase_orders,
            commands::review::change_po,
            commands::review::export_csv,
            commands::review::undo_export,
            commands::review::open_po_log,
            commands::memory::vendor_memory,
            commands::memory::set_memory_value,
            commands::memory::forget_memory,
            commands::memory::accept_suggestion,
            commands::memory::dismiss_suggestion,
            commands::links::share_link_status,
            commands::links::po_folder_links,
            commands::links::retry_share_links,
            commands::monday::monday_config,
            commands::monday::save_monday_config,
            commands::monday::monday_board,
            commands::monday::validate_monday_mapping,
            commands::monday::monday_status,
            commands::monday::monday_sync_now,
            commands::monday::retry_monday,
        ])
        .events(tauri_specta::collect_events![
            events::FeedChanged,
            events::StatusChanged,
            events::DocumentsChanged,
            events::MondayChanged
        ])
}

pub fn run() {
    let paths = DataPaths::default_paths();
    let _log_guard = logging::init(&paths.logs);
    let folder_arg = folder_argument();
    let builder = specta_builder();

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let handle = app.handle().clone();
            let workspace = Workspace::open(paths, move |notice| match notice {
                Notice::FeedChanged { change, .. } => {
                    let _ = events::FeedChanged(change).emit(&handle);
                }
                Notice::StatusChanged(status) => {
                    let _ = events::StatusChanged(*status).emit(&handle);
                }
                Notice::DocumentsChanged => {
                    let _ = events::DocumentsChanged.emit(&handle);
                }
                Notice::MondayChanged => {
                    let _ = events::MondayChanged.emit(&handle);
                }
            })?;
            app.manage(workspace.clone());
            let demo = app.path().resource_dir().map(|d| d.join("demo")).ok();
            // Scanning can take a while on a large tree: never on the UI thread.
            std::thread::spawn(move || {
                open_initial_folder(&workspace, folder_arg, demo);
                // Documents are read in the background from the start (workers of their own).
                if let Err(e) = workspace.start_extraction() {
                    tracing::error!(error = %e, "cannot start reading documents");
                }
                // The Monday.com sync runs a first pass when it is set up and enabled.
                if let Err(e) = workspace.start_monday_sync() {
                    tracing::error!(error = %e, "cannot start the Monday.com sync");
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        eprintln!("boxkeeper: {e}");
        std::process::exit(1);
    }
}

/// `--folder PATH` on the command line picks the folder (and remembers it).
fn folder_argument() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--folder" {
            return args.next().map(PathBuf::from);
        }
    }
    None
}

/// At start: the folder given on the command line, else Dropbox if it was followed last
/// time, else the folder chosen last time, else the bundled demo (copied into the data
/// folder so playing with it changes nothing installed).
fn open_initial_folder(ws: &Workspace, arg: Option<PathBuf>, demo: Option<PathBuf>) {
    if arg.is_none()
        && ws.follows_dropbox().unwrap_or(false)
        && ws.dropbox_connected().unwrap_or(false)
    {
        match ws.follow_dropbox() {
            Ok(()) => return,
            Err(e) => tracing::error!(error = %e, "cannot follow Dropbox; opening a folder"),
        }
    }
    let remembered = ws.remembered_folder().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read the remembered folder");
        None
    });
    let folder = match (arg, remembered) {
        (Some(arg), _) => Some(arg),
        (None, Some(remembered)) => Some(remembered),
        (None, None) => match demo.filter(|d| d.is_dir()) {
            Some(demo) => match ws.install_demo(&demo) {
                Ok(copy) => Some(copy),
                Err(e) => {
                    tracing::error!(error = %e, "cannot install the demo folder");
                    None
                }
            },
            None => None,
        },
    };
    if let Some(folder) = folder {
        if let Err(e) = ws.watch_folder(&folder, true) {
            tracing::error!(folder = %folder.display(), error = %e, "cannot watch the folder");
        }
    }
}

#[cfg(test)]
mod tests {
    /// The TypeScript bindings in ui/src/bindings.ts must be what the Rust types say. Run
    /// with BOXKEEPER_WRITE_BINDINGS=1 (`make bindings`) to regenerate after a change.
    #[test]
    fn bindings_are_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
        let fresh = std::env::temp_dir().join(format!("bindings-{}.ts", std::process::id()));
        super::specta_builder()
            .export(
                specta_typescript::Typescript::default()
                    .header("// @ts-nocheck\n/* eslint-disable */"),
                &fresh,
            )
            .expect("export bindings");
        let generated = std::fs::read_to_string(&fresh).unwrap();
        let _ = std::fs::remove_file(&fresh);
        if std::env::var_os("BOXKEEPER_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/bindings.ts is out of date: run `make bindings` and commit it"
        );
    }
}
