//! The one surface that the desktop shell and the CLI call. It owns the [`Workspace`] — the
//! data folder, the naming rules in force, the database, the running source — and the DTOs
//! that cross to the window ([`dto`]). Shells stay thin: a Tauri command or a CLI subcommand
//! is a call to one method here. Nothing here knows about Tauri; the shell hands in a
//! listener and forwards what it hears to the window.

mod documents;
mod dropbox;
pub mod dto;
mod export;
mod extract;
mod links;
mod llm;
mod memory;
mod monday;
mod paths;
mod reconcile;
mod review;
mod secrets;
mod workspace;

pub use boxkeeper_dropbox::AccessToken;
pub use boxkeeper_extract::document::Options as ExtractOptions;
pub use boxkeeper_extract::Locale;
pub use documents::{system_locale, FIELD_NAMES};
pub use dropbox::{DropboxOverrides, DropboxSettings};
pub use export::export_document;
pub use extract::{extract_file, ExtractOutput, FieldOutput};
pub use monday::MAX_TRIES as MONDAY_MAX_TRIES;
pub use paths::DataPaths;
pub use review::{check_field_value, ACCOUNT_CODES};
pub use secrets::{SecretError, SecretPlace};
pub use workspace::{parse_paths, Notice, ScanReport, Workspace};

/// Log directives every shell adds after the user's `BOXKEEPER_LOG`, so they win over it:
/// ureq's protocol layer hex-dumps whole requests at TRACE, `Authorization` headers and all
/// (a Dropbox bearer token or a Monday.com token), so it is capped at DEBUG whatever is asked.
pub const LOG_CAPS: [&str; 1] = ["ureq_proto=debug"];

use boxkeeper_naming::RulesError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Store(#[from] boxkeeper_store::StoreError),
    #[error(transparent)]
    Folder(#[from] boxkeeper_folder::FolderError),
    #[error("naming rules {path}: {source}")]
    Rules {
        path: String,
        #[source]
        source: RulesError,
    },
    /// Its messages name Dropbox already.
    #[error(transparent)]
    Dropbox(boxkeeper_dropbox::FeedError),
    #[error("connecting Dropbox: {0}")]
    Connect(#[from] boxkeeper_dropbox::OAuthError),
    #[error("{0}")]
    NotConnected(String),
    /// The caller asked for something that does not exist or is not allowed.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// Its messages name monday.com already.
    #[error(transparent)]
    Monday(boxkeeper_monday::MondayError),
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;
