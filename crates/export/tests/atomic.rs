//! The file on disk is either the old one or the complete new one, never half, and no
//! temporary file is left behind.

mod fixtures;

use std::fs;
use std::io::Write;
use std::path::Path;

use boxkeeper_export::{
    write_file_atomically, ExportError, ExportOptions, ExportSummary, ExportWriter,
};

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn export_all(out: &mut dyn Write) -> Result<ExportSummary, ExportError> {
    let mut writer = ExportWriter::new(out, &ExportOptions::default())?;
    for doc in fixtures::all() {
        writer.push(&doc)?;
    }
    writer.finish()
}

fn expected_bytes() -> Vec<u8> {
    let mut out = Vec::new();
    export_all(&mut out).unwrap();
    out
}

#[test]
fn a_new_file_appears_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    let summary = write_file_atomically(&path, export_all).unwrap();
    assert_eq!(summary.documents, fixtures::all().len() as u64);
    assert_eq!(fs::read(&path).unwrap(), expected_bytes());
    assert_eq!(entries(dir.path()), ["export.csv"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o644,
            "an export is an ordinary document, not a private temp file"
        );
    }
}

#[test]
fn a_writer_error_leaves_the_existing_file_untouched_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    fs::write(&path, b"the previous export\r\n").unwrap();

    // The writer fails after writing most of a file (more than a buffer's worth).
    let error = write_file_atomically(&path, |out| {
        let mut writer = ExportWriter::new(out, &ExportOptions::default())?;
        for _ in 0..200 {
            for doc in fixtures::all() {
                writer.push(&doc)?;
            }
        }
        Err(ExportError::Io(std::io::Error::other("the disk is full")))
    })
    .unwrap_err();
    assert!(matches!(error, ExportError::Io(_)), "{error}");
    assert_eq!(fs::read(&path).unwrap(), b"the previous export\r\n");
    assert_eq!(entries(dir.path()), ["export.csv"]);

    // A document an importer refuses does the same.
    let refused = write_file_atomically(&path, |out| {
        let opts = ExportOptions {
            preset: boxkeeper_export::Preset::Xero,
            ..ExportOptions::default()
        };
        let mut writer = ExportWriter::new(out, &opts)?;
        for doc in fixtures::all() {
            writer.push(&doc)?;
        }
        writer.finish()
    })
    .unwrap_err();
    assert!(
        matches!(refused, ExportError::MissingValue { document_id: 8, .. }),
        "{refused}"
    );
    assert_eq!(fs::read(&path).unwrap(), b"the previous export\r\n");
    assert_eq!(entries(dir.path()), ["export.csv"]);
}

#[test]
fn a_success_replaces_the_existing_file_and_keeps_its_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    fs::write(&path, b"old").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    }
    write_file_atomically(&path, export_all).unwrap();
    assert_eq!(fs::read(&path).unwrap(), expected_bytes());
    assert_eq!(entries(dir.path()), ["export.csv"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn a_destination_that_cannot_be_replaced_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A non-empty directory where the file should go: the rename fails after the write.
    let path = dir.path().join("export.csv");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("keep"), b"x").unwrap();
    let error = write_file_atomically(&path, export_all).unwrap_err();
    assert!(matches!(error, ExportError::Replace { .. }), "{error}");
    assert_eq!(entries(dir.path()), ["export.csv"]);
    assert_eq!(entries(&path), ["keep"]);

    // A directory that does not exist: nothing to write into.
    let missing = dir.path().join("no such folder").join("export.csv");
    let error = write_file_atomically(&missing, export_all).unwrap_err();
    assert!(matches!(error, ExportError::Io(_)), "{error}");
    assert!(!missing.parent().unwrap().exists());

    // A path that names no file.
    let error = write_file_atomically(Path::new("/"), export_all).unwrap_err();
    assert!(matches!(error, ExportError::Io(_)), "{error}");
}
