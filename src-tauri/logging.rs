//! Logs: a daily-rotated file in the data folder (a week kept) and stderr. The level comes
//! from BOXKEEPER_LOG (an EnvFilter directive), default info. Secrets are never logged: the
//! core logs paths, counts and errors, token-bearing types redact themselves, and
//! `boxkeeper_api::LOG_CAPS` keeps ureq's request dumps (headers included) out at any level.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

/// Installs the subscriber; keep the guard alive for as long as logs should be flushed.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let filter = || {
        boxkeeper_api::LOG_CAPS.iter().fold(
            EnvFilter::try_from_env("BOXKEEPER_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
            |filter, cap| filter.add_directive(cap.parse().expect("a valid directive")),
        )
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let file = std::fs::create_dir_all(dir)
        .ok()
        .and_then(|_| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("boxkeeper")
                .filename_suffix("log")
                .max_log_files(7)
                .build(dir)
                .ok()
        })
        .map(tracing_appender::non_blocking);
    match file {
        Some((writer, guard)) => {
            let file_layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            let _ = tracing_subscriber::registry()
                .with(stderr)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry().with(stderr).try_init();
            None
        }
    }
}
