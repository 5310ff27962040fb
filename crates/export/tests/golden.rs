//! Golden files: each preset and shape over the fixture documents, compared byte for byte.
//! `BLESS=1 cargo test -p boxkeeper-export --test golden` rewrites them; read the diff before
//! committing one.

mod fixtures;

use std::path::PathBuf;

use boxkeeper_export::{DateStyle, ExportDocument, ExportOptions, ExportWriter, Preset, Shape};

fn export(docs: &[ExportDocument], opts: &ExportOptions) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = ExportWriter::new(&mut out, opts).unwrap();
    for doc in docs {
        writer.push(doc).unwrap();
    }
    writer.finish().unwrap();
    out
}

fn check(name: &str, docs: &[ExportDocument], opts: ExportOptions) {
    let actual = export(docs, &opts);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (BLESS=1 writes it)", path.display()));
    if actual != expected {
        let actual_path = path.with_extension("csv.actual");
        std::fs::write(&actual_path, &actual).unwrap();
        panic!(
            "{name} differs from its golden file; the output is in {} (BLESS=1 accepts it)",
            actual_path.display()
        );
    }
}

fn opts(preset: Preset, shape: Shape, dates: DateStyle, bom: bool) -> ExportOptions {
    ExportOptions {
        preset,
        shape,
        bom,
        dates,
    }
}

#[test]
fn generic_documents_iso() {
    check(
        "generic_documents_iso.csv",
        &fixtures::all(),
        opts(Preset::Generic, Shape::Documents, DateStyle::Iso, false),
    );
}

#[test]
fn generic_lines_iso() {
    check(
        "generic_lines_iso.csv",
        &fixtures::all(),
        opts(Preset::Generic, Shape::Lines, DateStyle::Iso, false),
    );
}

#[test]
fn generic_documents_us_with_bom() {
    check(
        "generic_documents_us_bom.csv",
        &fixtures::all(),
        opts(Preset::Generic, Shape::Documents, DateStyle::Us, true),
    );
}

#[test]
fn xero_documents_european() {
    check(
        "xero_documents_european.csv",
        &fixtures::bills(),
        opts(Preset::Xero, Shape::Documents, DateStyle::European, false),
    );
}

#[test]
fn xero_lines_european() {
    check(
        "xero_lines_european.csv",
        &fixtures::bills(),
        opts(Preset::Xero, Shape::Lines, DateStyle::European, false),
    );
}

#[test]
fn xero_lines_us() {
    check(
        "xero_lines_us.csv",
        &fixtures::bills(),
        opts(Preset::Xero, Shape::Lines, DateStyle::Us, false),
    );
}

#[test]
fn qbo_documents_us() {
    check(
        "qbo_documents_us.csv",
        &fixtures::bills(),
        opts(
            Preset::QuickBooksOnline,
            Shape::Documents,
            DateStyle::Us,
            false,
        ),
    );
}

#[test]
fn qbo_lines_us() {
    check(
        "qbo_lines_us.csv",
        &fixtures::bills(),
        opts(Preset::QuickBooksOnline, Shape::Lines, DateStyle::Us, false),
    );
}

#[test]
fn qbo_lines_iso_with_bom() {
    check(
        "qbo_lines_iso_bom.csv",
        &fixtures::bills(),
        opts(Preset::QuickBooksOnline, Shape::Lines, DateStyle::Iso, true),
    );
}
