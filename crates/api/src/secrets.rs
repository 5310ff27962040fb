//! Where the Dropbox refresh token is kept: the OS keyring (Secret Service on Linux, the
//! Keychain on macOS, the Credential Manager on Windows) when one answers, else a file in
//! the data folder that only the user can read, and the app says so. The value never reaches
//! a log; errors name the place, not the secret.

use std::io::Write;
use std::path::{Path, PathBuf};

const SERVICE: &str = "com.boxkeeper.desktop";

/// Where a secret ended up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretPlace {
    Keyring,
    /// The keyring was not reachable (its error); the file holds the secret.
    File {
        path: PathBuf,
        keyring_error: String,
    },
}

impl SecretPlace {
    /// What the user is told when the secret is not in the keyring.
    pub fn warning(&self) -> Option<String> {
        match self {
            SecretPlace::Keyring => None,
            SecretPlace::File {
                path,
                keyring_error,
            } => Some(format!(
                "No system keyring is available ({keyring_error}), so the secret is kept in {}, readable only by you.",
                path.display()
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot keep the secret in {path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Secrets of one data folder, by name. `use_keyring` false skips the keyring (the
/// `BOXKEEPER_KEYRING=off` setting, for machines whose keyring prompts or hangs).
#[derive(Clone, Debug)]
pub struct SecretStore {
    dir: PathBuf,
    use_keyring: bool,
}

impl SecretStore {
    pub fn new(dir: &Path) -> SecretStore {
        let use_keyring = std::env::var("BOXKEEPER_KEYRING").map_or(true, |v| v != "off");
        SecretStore {
            dir: dir.to_path_buf(),
            use_keyring,
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.secret"))
    }

    fn entry(&self, name: &str) -> keyring::Result<keyring::Entry> {
        // One entry per data folder, so two workspaces do not share a connection.
        keyring::Entry::new(SERVICE, &format!("{name}@{}", self.dir.display()))
    }

    /// Keeps `value` under `name`: the keyring if it answers, else the file.
    pub fn save(&self, name: &str, value: &str) -> Result<SecretPlace, SecretError> {
        let keyring_error = if self.use_keyring {
            match self.entry(name).and_then(|e| e.set_password(value)) {
                Ok(()) => {
                    // A copy left in a file from a time without keyring is stale now.
                    let _ = std::fs::remove_file(self.file(name));
                    return Ok(SecretPlace::Keyring);
                }
                Err(e) => e.to_string(),
            }
        } else {
            "turned off by BOXKEEPER_KEYRING=off".to_string()
        };
        let path = self.file(name);
        write_private(&path, value).map_err(|source| SecretError::File {
            path: path.display().to_string(),
            source,
        })?;
        Ok(SecretPlace::File {
            path,
            keyring_error,
        })
    }

    /// The secret and where it was, if there is one.
    pub fn load(&self, name: &str) -> Result<Option<(String, SecretPlace)>, SecretError> {
        let mut keyring_error = "turned off by BOXKEEPER_KEYRING=off".to_string();
        if self.use_keyring {
            match self.entry(name).and_then(|e| e.get_password()) {
                Ok(value) => return Ok(Some((value, SecretPlace::Keyring))),
                Err(keyring::Error::NoEntry) => keyring_error = "no entry".into(),
                Err(e) => keyring_error = e.to_string(),
            }
        }
        let path = self.file(name);
        match std::fs::read_to_string(&path) {
            Ok(value) => Ok(Some((
                value.trim().to_string(),
                SecretPlace::File {
                    path,
                    keyring_error,
                },
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SecretError::File {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Forgets the secret everywhere it may be.
    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        if self.use_keyring {
            if let Err(e) = self.entry(name).and_then(|e| e.delete_credential()) {
                if !matches!(e, keyring::Error::NoEntry) {
                    tracing::debug!(error = %e, "keyring entry not deleted");
                }
            }
        }
        let path = self.file(name);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SecretError::File {
                path: path.display().to_string(),
                source,
            }),
        }
    }
}

/// Writes `value` to `path` readable by the owner only, atomically (a temp file renamed over).
fn write_private(path: &Path, value: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("secret.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    #[cfg(unix)]
    {
        // `mode` applies only when the file is created; a leftover temp file keeps its own.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(value.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fallback_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore {
            dir: dir.path().to_path_buf(),
            use_keyring: false,
        };
        assert!(store.load("t").unwrap().is_none());
        let place = store.save("t", "s3cret").unwrap();
        let warning = place.warning().unwrap();
        assert!(!warning.contains("s3cret"));
        let (value, _) = store.load("t").unwrap().unwrap();
        assert_eq!(value, "s3cret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("t.secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.delete("t").unwrap();
        assert!(store.load("t").unwrap().is_none());
        store.delete("t").unwrap();
    }
}
