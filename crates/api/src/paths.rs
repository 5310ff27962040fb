//! Where Boxkeeper keeps its files. The desktop app and the CLI resolve the same folder, so
//! `boxkeeper events` reads what the app recorded.

use std::path::{Path, PathBuf};

/// The app identifier; Tauri's app data folder is the platform data folder joined with it.
pub const APP_IDENTIFIER: &str = "com.boxkeeper.desktop";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataPaths {
    pub dir: PathBuf,
    pub db: PathBuf,
    pub rules: PathBuf,
    pub logs: PathBuf,
}

impl DataPaths {
    /// Everything inside one folder.
    pub fn in_dir(dir: impl Into<PathBuf>) -> DataPaths {
        let dir = dir.into();
        DataPaths {
            db: dir.join("boxkeeper.db"),
            rules: dir.join("naming-rules.toml"),
            logs: dir.join("logs"),
            dir,
        }
    }

    /// The default folder: `$BOXKEEPER_DATA_DIR` if set (tests and portable setups), else the
    /// platform data folder (`~/.local/share/com.boxkeeper.desktop` on Linux).
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("BOXKEEPER_DATA_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(APP_IDENTIFIER)
    }

    pub fn default_paths() -> DataPaths {
        DataPaths::in_dir(DataPaths::default_dir())
    }

    /// The same, with another database file (the CLI's `--db`).
    pub fn with_db(mut self, db: &Path) -> DataPaths {
        self.db = db.to_path_buf();
        self
    }

    pub fn with_rules(mut self, rules: &Path) -> DataPaths {
        self.rules = rules.to_path_buf();
        self
    }
}
