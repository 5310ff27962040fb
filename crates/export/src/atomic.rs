//! Putting an export on disk so that nobody ever sees half of it: everything is written to a
//! temporary file beside the destination, synced, and renamed over it in one step.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::{ExportError, ExportSummary};

/// Writes the file atomically: a temp file in the same directory, fsync, rename over `path`; on
/// any error the temp file is removed and `path` is untouched (never a half-written file).
///
/// The temporary file is `.<name>.<random>.tmp` in `path`'s directory (the same file system, so
/// the rename is atomic). The new file keeps the permissions of the file it replaces; a new
/// file gets `rw-r--r--` on Unix, as an ordinary document would, rather than the temporary
/// file's private `rw-------`. After the rename the directory is synced too, so the rename
/// survives a power cut; that last sync is best effort, since the export is already complete
/// and in place when it runs.
pub fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<ExportSummary, ExportError>,
) -> Result<ExportSummary, ExportError> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(dir)?;

    // Any early return below drops `temp`, which deletes the temporary file.
    let summary = {
        let mut out = BufWriter::new(temp.as_file_mut());
        let summary = write(&mut out)?;
        out.flush()?;
        summary
    };
    match fs::metadata(path) {
        Ok(existing) => temp.as_file().set_permissions(existing.permissions())?,
        Err(_) => set_new_file_permissions(temp.as_file())?,
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|err| ExportError::Replace {
        path: path.to_path_buf(),
        // Dropping the returned temporary file with the error deletes it.
        source: err.error,
    })?;
    sync_directory(dir);
    Ok(summary)
}

#[cfg(unix)]
fn set_new_file_permissions(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_permissions(_file: &fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn sync_directory(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_directory(_dir: &Path) {}
