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

/// The text of a document, page by page, with each word's place on its page.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct DocumentText {
    pub pages: Vec<PageText>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PageText {
    /// 1-based.
    pub number: usize,
    /// The page's text as pdfium orders it (reading order of the content stream).
    pub text: String,
    pub words: Vec<Word>,
}

/// A word and its box as fractions of the page, origin top left (what a viewer needs to draw
/// a highlight at any zoom): `[left, top, right, bottom]`, each in 0..=1.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Word {
    pub text: String,
    pub bbox: [f32; 4],
}

impl DocumentText {
    /// Every page's text, pages separated by a form feed.
    pub fn full_text(&self) -> String {
        self.pages
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\u{c}")
    }

    /// Whether the document has a text layer worth reading (scans have none, or a few
    /// stray characters): the signal to send its pages to OCR instead.
    pub fn has_text_layer(&self) -> bool {
        self.pages
            .iter()
            .any(|p| p.text.chars().filter(|c| c.is_alphanumeric()).count() >= 20)
    }
}

/// An 8-bit grayscale image, one byte a pixel, rows without padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    pub dpi: u16,
    pub pixels: Vec<u8>,
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

    /// The text layer of every page, with word boxes.
    pub fn text(&self, pdf: &[u8]) -> Result<DocumentText, PdfError> {
        let doc = self
            .pdfium
            .load_pdf_from_byte_slice(pdf, None)
            .map_err(|e| PdfError::Unreadable(e.to_string()))?;
        let mut pages = Vec::new();
        for (i, page) in doc.pages().iter().enumerate() {
            let (w, h) = (page.width().value.max(1.0), page.height().value.max(1.0));
            let text = page
                .text()
                .map_err(|e| PdfError::Unreadable(format!("page {}: {e}", i + 1)))?;
            let mut words = Vec::new();
            let mut current = String::new();
            let mut bbox: Option<[f32; 4]> = None;
            let mut flush = |current: &mut String, bbox: &mut Option<[f32; 4]>| {
                if let (false, Some(b)) = (current.is_empty(), bbox.take()) {
                    words.push(Word {
                        text: std::mem::take(current),
                        bbox: b,
                    });
                }
                current.clear();
            };
            for ch in text.chars().iter() {
                let s = ch.unicode_string().unwrap_or_default();
                if s.is_empty() || s.chars().all(char::is_whitespace) {
                    flush(&mut current, &mut bbox);
                    continue;
                }
                current.push_str(&s);
                if let Ok(r) = ch.loose_bounds() {
                    let b = [
                        r.left().value / w,
                        1.0 - r.top().value / h,
                        r.right().value / w,
                        1.0 - r.bottom().value / h,
                    ];
                    bbox = Some(match bbox {
                        None => b,
                        Some(o) => [
                            o[0].min(b[0]),
                            o[1].min(b[1]),
                            o[2].max(b[2]),
                            o[3].max(b[3]),
                        ],
                    });
                }
            }
            flush(&mut current, &mut bbox);
            pages.push(PageText {
                number: i + 1,
                text: text.all(),
                words,
            });
        }
        Ok(DocumentText { pages })
    }

    /// Renders one page (0-based) as an 8-bit grayscale image at `dpi`, for OCR.
    pub fn render_gray(&self, pdf: &[u8], page: usize, dpi: u16) -> Result<GrayImage, PdfError> {
        let doc = self
            .pdfium
            .load_pdf_from_byte_slice(pdf, None)
            .map_err(|e| PdfError::Unreadable(e.to_string()))?;
        let index = i32::try_from(page)
            .map_err(|_| PdfError::Unreadable(format!("no page {}", page + 1)))?;
        let page = doc
            .pages()
            .get(index)
            .map_err(|e| PdfError::Unreadable(format!("page {}: {e}", page + 1)))?;
        let config = PdfRenderConfig::new()
            .scale_page_by_factor(f32::from(dpi) / 72.0)
            .set_format(PdfBitmapFormat::BGRA)
            .render_form_data(true);
        let bitmap = page
            .render_with_config(&config)
            .map_err(|e| PdfError::Unreadable(format!("render: {e}")))?;
        let (width, height) = (bitmap.width() as usize, bitmap.height() as usize);
        let raw = bitmap.as_raw_bytes();
        let stride = raw.len().checked_div(height).unwrap_or(0);
        let mut pixels = Vec::with_capacity(width * height);
        for row in raw.chunks(stride.max(1)).take(height) {
            for px in row.chunks_exact(4).take(width) {
                // BGRA -> luma (ITU-R BT.601 weights), on integers.
                let (b, g, r) = (u32::from(px[0]), u32::from(px[1]), u32::from(px[2]));
                pixels.push(((r * 299 + g * 587 + b * 114) / 1000) as u8);
            }
        }
        Ok(GrayImage {
            width,
            height,
            dpi,
            pixels,
        })
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
