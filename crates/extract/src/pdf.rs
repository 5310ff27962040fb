//! pdfium, bound once per process from the libpdfium.so that `make pdfium` installs (from the
//! pypdfium2 wheel: Debian has no pdfium). Looked for in $BOXKEEPER_PDFIUM_DIR, then beside
//! the executable, then in the system's library path.

use std::path::PathBuf;
use std::sync::OnceLock;

use pdfium_render::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error(
        "libpdfium is not installed (looked in {searched}): run `make pdfium`, or set \
         BOXKEEPER_PDFIUM_DIR to the folder that holds libpdfium.so"
    )]
    LibraryMissing { searched: String },
    #[error("not a readable PDF: {0}")]
    Unreadable(String),
}

/// A file embedded in a PDF (Factur-X and ZUGFeRD carry their XML this way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub struct PdfEngine {
    pdfium: Pdfium,
}

static ENGINE: OnceLock<Result<PdfEngine, PdfError>> = OnceLock::new();

impl PdfEngine {
    /// The process's pdfium, bound on first use.
    pub fn get() -> Result<&'static PdfEngine, PdfError> {
        ENGINE
            .get_or_init(PdfEngine::bind)
            .as_ref()
            .map_err(Clone::clone)
    }

    fn bind() -> Result<PdfEngine, PdfError> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Some(dir) = std::env::var_os("BOXKEEPER_PDFIUM_DIR").filter(|d| !d.is_empty()) {
            dirs.push(PathBuf::from(dir));
        }
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(PathBuf::from))
        {
            dirs.push(dir);
        }
        for dir in &dirs {
            let lib = Pdfium::pdfium_platform_library_name_at_path(dir);
            if lib.exists() {
                match Pdfium::bind_to_library(&lib) {
                    Ok(bindings) => {
                        tracing::info!(library = %lib.display(), "pdfium bound");
                        return Ok(PdfEngine {
                            pdfium: Pdfium::new(bindings),
                        });
                    }
                    Err(e) => {
                        tracing::warn!(library = %lib.display(), error = %e, "cannot bind pdfium")
                    }
                }
            }
        }
        match Pdfium::bind_to_system_library() {
            Ok(bindings) => Ok(PdfEngine {
                pdfium: Pdfium::new(bindings),
            }),
            Err(_) => {
                let mut searched: Vec<String> =
                    dirs.iter().map(|d| d.display().to_string()).collect();
                searched.push("the system library path".into());
                Err(PdfError::LibraryMissing {
                    searched: searched.join(", "),
                })
            }
        }
    }

    /// The files embedded in a PDF, in the order the document lists them.
    pub fn embedded_files(&self, pdf: &[u8]) -> Result<Vec<EmbeddedFile>, PdfError> {
        let doc = self
            .pdfium
            .load_pdf_from_byte_slice(pdf, None)
            .map_err(|e| PdfError::Unreadable(e.to_string()))?;
        let mut files = Vec::new();
        for attachment in doc.attachments().iter() {
            let bytes = attachment.save_to_bytes().map_err(|e| {
                PdfError::Unreadable(format!("attachment {}: {e}", attachment.name()))
            })?;
            files.push(EmbeddedFile {
                name: attachment.name(),
                bytes,
            });
        }
        Ok(files)
    }
}
