//! What the extract tests share: where the repository, pdfium and the shared corpus are.
#![allow(dead_code)] // each test file uses part of it

use std::path::PathBuf;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// pdfium from `make pdfium` when the environment does not say where it is.
pub fn use_installed_pdfium() {
    if std::env::var_os("BOXKEEPER_PDFIUM_DIR").is_none() {
        std::env::set_var("BOXKEEPER_PDFIUM_DIR", repo().join(".tools/pdfium"));
    }
}

/// ../shared/corpus/zugferd beside the repository (or under $BOXKEEPER_SHARED).
pub fn zugferd_dir() -> PathBuf {
    let dir = std::env::var_os("BOXKEEPER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"))
        .join("corpus/zugferd");
    assert!(
        dir.is_dir(),
        "the shared corpus is missing: {}",
        dir.display()
    );
    dir
}

/// Whitespace folded, lower case: how names are compared.
pub fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn demo(rel: &str) -> Vec<u8> {
    std::fs::read(repo().join("demo").join(rel)).unwrap()
}
