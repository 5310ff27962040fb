//! pdfium, bound once per process from the libpdfium.so that `make pdfium` installs (from the
//! pypdfium2 wheel: Debian has no pdfium). Looked for in $BOXKEEPER_PDFIUM_DIR, then beside
//! the executable, then in the system's library path. This module also owns what can go
//! wrong with a PDF: bytes that are not a PDF, password protection, damage, no pages, pages
//! too large to render, each as its own [`PdfError`] sentence, and pdfium's lack of thread
//! safety (one operation at a time) and panics in its binding (caught, returned as errors).

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use pdfium_render::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error(
        "libpdfium is not installed (looked in {searched}): run `make pdfium`, or set \
         BOXKEEPER_PDFIUM_DIR to the folder that holds libpdfium.so"
    )]
    LibraryMissing { searched: String },
    #[error("the file is empty")]
    Empty,
    /// What the file seems to be instead, e.g. "it starts with <html>".
    #[error("the file is not a PDF ({0})")]
    NotPdf(String),
    #[error(
        "the PDF is password-protected: save a copy without the password (print to PDF) and \
         add that instead"
    )]
    PasswordProtected,
    #[error("the PDF is encrypted with a security handler pdfium does not support")]
    UnsupportedSecurity,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF has no page {page} (it has {count})")]
    NoSuchPage { page: usize, count: usize },
    /// What is wrong, e.g. "its structure cannot be parsed".
    #[error("the PDF is damaged: {0}")]
    Damaged(String),
    /// Anything else pdfium refused, in its own words.
    #[error("the PDF could not be read: {0}")]
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
/// a highlight at any zoom): `[left, top, right, bottom]`, each in 0..=1, of the page as
/// shown and rendered (its crop box, turned by its /Rotate).
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

/// The most pixels a page is rendered with (40 megapixels: an A2 sheet at 300 dpi; A4 at
/// 300 dpi is 8.7). A page larger than that on paper is rendered at a lower DPI, so a
/// poster-sized or corrupt MediaBox cannot ask for gigapixels.
pub const MAX_RENDER_PIXELS: u64 = 40_000_000;

/// The longest side a render may have, whatever its area: tesseract and leptonica refuse
/// images past about 32k pixels a side.
pub const MAX_RENDER_SIDE: u64 = 30_000;

/// The DPI at which a page of `width_pt` x `height_pt` points is rendered when `dpi` is asked
/// for: `dpi` itself, or lower (at least 1) when the render would pass [`MAX_RENDER_PIXELS`]
/// or [`MAX_RENDER_SIDE`].
pub fn fit_dpi(width_pt: f32, height_pt: f32, dpi: u16) -> u16 {
    let (w, h) = (
        f64::from(width_pt.abs().max(1.0)),
        f64::from(height_pt.abs().max(1.0)),
    );
    let size = |d: u16| {
        let scale = f64::from(d) / 72.0;
        ((w * scale).ceil() as u64, (h * scale).ceil() as u64)
    };
    let fits = |d: u16| {
        let (pw, ph) = size(d);
        pw.saturating_mul(ph) <= MAX_RENDER_PIXELS && pw.max(ph) <= MAX_RENDER_SIDE
    };
    if fits(dpi) {
        return dpi;
    }
    // Area grows with the square of the DPI: start from the exact root, then step down past
    // the rounding of each side.
    let (pw, ph) = size(dpi);
    let by_area = (MAX_RENDER_PIXELS as f64 / (pw as f64 * ph as f64)).sqrt();
    let by_side = MAX_RENDER_SIDE as f64 / pw.max(ph) as f64;
    let mut d = (f64::from(dpi) * by_area.min(by_side)).floor().max(1.0) as u16;
    while d > 1 && !fits(d) {
        d -= 1;
    }
    d
}

/// The process's pdfium. pdfium is not thread-safe: pdfium-render's `thread_safe` feature
/// (on in Cargo.toml) holds a global lock around each FFI call, which keeps two calls from
/// running at once but lets another thread's calls run between a load and its
/// `FPDF_GetLastError`, so the reason a load failed could be another document's. The
/// engine therefore also holds its own lock for the whole of each operation (load, read,
/// close).
pub struct PdfEngine {
    pdfium: Pdfium,
    operation: Mutex<()>,
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

    fn new(pdfium: Pdfium) -> PdfEngine {
        PdfEngine {
            pdfium,
            operation: Mutex::new(()),
        }
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
                        return Ok(PdfEngine::new(Pdfium::new(bindings)));
                    }
                    Err(e) => {
                        tracing::warn!(library = %lib.display(), error = %e, "cannot bind pdfium")
                    }
                }
            }
        }
        match Pdfium::bind_to_system_library() {
            Ok(bindings) => Ok(PdfEngine::new(Pdfium::new(bindings))),
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

    /// Opens `pdf` under the engine's lock and runs `read` on it. The bytes are checked
    /// before pdfium sees them (empty, or not a PDF at all, get their own errors), pdfium's
    /// load errors become sentences, and a panic inside pdfium-render is caught here and
    /// returned as an error, so a bad document cannot take the process down.
    pub(crate) fn with_document<T>(
        &self,
        pdf: &[u8],
        read: impl FnOnce(&PdfDocument) -> Result<T, PdfError>,
    ) -> Result<T, PdfError> {
        check_header(pdf)?;
        // A poisoned lock only means an earlier operation panicked; the lock guards no data.
        let _operation = self
            .operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let doc = self
                .pdfium
                .load_pdf_from_byte_slice(pdf, None)
                .map_err(|e| load_error(e, pdf))?;
            read(&doc)
        }));
        outcome.unwrap_or_else(|payload| {
            let message = panic_message(payload.as_ref());
            tracing::error!(panic = %message, "pdfium-render panicked");
            Err(PdfError::Unreadable(format!(
                "the PDF library failed on it ({message})"
            )))
        })
    }

    /// The size of each page in points (1/72 inch), width then height.
    pub fn page_sizes(&self, pdf: &[u8]) -> Result<Vec<(f32, f32)>, PdfError> {
        self.with_document(pdf, |doc| {
            let pages = doc.pages();
            (0..pages.len())
                .map(|i| {
                    pages
                        .page_size(i)
                        .map(|r| (r.width().value, r.height().value))
                        .map_err(|e| page_error(e, i))
                })
                .collect()
        })
    }

    /// The text layer of every page, with word boxes.
    pub fn text(&self, pdf: &[u8]) -> Result<DocumentText, PdfError> {
        self.with_document(pdf, |doc| {
            if doc.pages().is_empty() {
                return Err(PdfError::NoPages);
            }
            let mut pages = Vec::new();
            for (i, page) in doc.pages().iter().enumerate() {
                pages.push(page_text(&page, i)?);
            }
            Ok(DocumentText { pages })
        })
    }

    /// Renders one page (0-based) as an 8-bit grayscale image at `dpi`, for OCR; at a lower
    /// DPI when the page is too large for that (see [`fit_dpi`]: the image says which).
    pub fn render_gray(&self, pdf: &[u8], page: usize, dpi: u16) -> Result<GrayImage, PdfError> {
        let (bgra, width, height, used_dpi) =
            self.with_document(pdf, |doc| {
                let count = doc.pages().len();
                let index = i32::try_from(page).ok().filter(|i| *i < count).ok_or(
                    PdfError::NoSuchPage {
                        page: page + 1,
                        count: usize::try_from(count).unwrap_or(0),
                    },
                )?;
                let page = doc.pages().get(index).map_err(|e| page_error(e, index))?;
                let used_dpi = fit_dpi(page.width().value, page.height().value, dpi);
                if used_dpi < dpi {
                    tracing::warn!(
                        page = index + 1,
                        asked = dpi,
                        used = used_dpi,
                        "page too large to render at the asked DPI"
                    );
                }
                let config = PdfRenderConfig::new()
                    .scale_page_by_factor(f32::from(used_dpi) / 72.0)
                    .set_format(PdfBitmapFormat::BGRA)
                    .render_form_data(true);
                let bitmap = page.render_with_config(&config).map_err(|e| {
                    PdfError::Unreadable(format!("page {} cannot be rendered: {}", index + 1, e))
                })?;
                let (width, height) = (bitmap.width() as usize, bitmap.height() as usize);
                Ok((bitmap.as_raw_bytes(), width, height, used_dpi))
            })?;
        // The conversion runs outside the engine's lock: it does not touch pdfium. Plain
        // index loops: a large page is tens of millions of pixels, and iterator chains over
        // 4-byte chunks cost seconds in an unoptimised (test) build.
        let stride = bgra.len().checked_div(height).unwrap_or(0);
        let width = width.min(stride / 4);
        let mut pixels = vec![0u8; width * height];
        for y in 0..height {
            let row = &bgra[y * stride..y * stride + width * 4];
            let out = &mut pixels[y * width..(y + 1) * width];
            for (x, luma) in out.iter_mut().enumerate() {
                // BGRA -> luma (ITU-R BT.601 weights), on integers.
                let px = &row[x * 4..x * 4 + 3];
                let (b, g, r) = (u32::from(px[0]), u32::from(px[1]), u32::from(px[2]));
                *luma = ((r * 299 + g * 587 + b * 114) / 1000) as u8;
            }
        }
        Ok(GrayImage {
            width,
            height,
            dpi: used_dpi,
            pixels,
        })
    }

    /// The files embedded in a PDF, in the order the document lists them. An attachment
    /// that cannot be read (no data, a broken stream) is left out with a warning: the
    /// others, and the document, are still good.
    pub fn embedded_files(&self, pdf: &[u8]) -> Result<Vec<EmbeddedFile>, PdfError> {
        self.with_document(pdf, |doc| {
            let mut files = Vec::new();
            for attachment in doc.attachments().iter() {
                let name = attachment.name();
                match attachment.save_to_bytes() {
                    Ok(bytes) => files.push(EmbeddedFile { name, bytes }),
                    Err(e) => {
                        tracing::warn!(attachment = %name, error = %describe(&e), "unreadable attachment skipped")
                    }
                }
            }
            Ok(files)
        })
    }
}

/// Where a point of a page's own space (points, origin bottom left, before /Rotate) lies on
/// the page as shown (fractions of it, origin top left): pdfium's display matrix, which
/// applies the crop box's offset and the page's /Rotate as a render does, so word boxes land
/// on the rendered image of any page. Read once per page from three points mapped onto a
/// virtual device a million pixels square (pdfium answers in whole pixels).
struct DisplayMap {
    matrix: [f64; 6],
}

impl DisplayMap {
    fn of(page: &PdfPage, index: usize) -> Result<DisplayMap, PdfError> {
        const DEVICE: Pixels = 1_000_000;
        let device = PdfRenderConfig::new().set_fixed_size(DEVICE, DEVICE);
        let at = |x: f32, y: f32| {
            page.points_to_pixels(PdfPoints::new(x), PdfPoints::new(y), &device)
                .map(|(dx, dy)| {
                    (
                        f64::from(dx) / f64::from(DEVICE),
                        f64::from(dy) / f64::from(DEVICE),
                    )
                })
                .map_err(|e| {
                    PdfError::Unreadable(format!(
                        "page {} cannot be measured ({})",
                        index + 1,
                        describe(&e)
                    ))
                })
        };
        let (e, f) = at(0.0, 0.0)?;
        let (x1, y1) = at(1000.0, 0.0)?;
        let (x2, y2) = at(0.0, 1000.0)?;
        Ok(DisplayMap {
            matrix: [
                (x1 - e) / 1000.0,
                (y1 - f) / 1000.0,
                (x2 - e) / 1000.0,
                (y2 - f) / 1000.0,
                e,
                f,
            ],
        })
    }

    /// A box in page space (left, top, right, bottom) as `[left, top, right, bottom]`
    /// fractions of the shown page: /Rotate turns by quarter turns, so two opposite corners
    /// give the box.
    fn bbox(&self, left: f32, top: f32, right: f32, bottom: f32) -> [f32; 4] {
        let [a, b, c, d, e, f] = self.matrix;
        let map = |x: f32, y: f32| {
            let (x, y) = (f64::from(x), f64::from(y));
            ((a * x + c * y + e) as f32, (b * x + d * y + f) as f32)
        };
        let (x0, y0) = map(left, top);
        let (x1, y1) = map(right, bottom);
        [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]
    }
}

/// One page's text and words.
fn page_text(page: &PdfPage, index: usize) -> Result<PageText, PdfError> {
    let display = DisplayMap::of(page, index)?;
    let text = page.text().map_err(|e| {
        PdfError::Damaged(format!(
            "the text of page {} cannot be read ({})",
            index + 1,
            describe(&e)
        ))
    })?;
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
            let b = display.bbox(
                r.left().value,
                r.top().value,
                r.right().value,
                r.bottom().value,
            );
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
    Ok(PageText {
        number: index + 1,
        text: text.all(),
        words,
    })
}

/// pdfium looks for the `%PDF` header in the first 1024 bytes (junk before it is allowed);
/// without one it would only say "format error", so the bytes are named here instead.
fn check_header(pdf: &[u8]) -> Result<(), PdfError> {
    if pdf.is_empty() {
        return Err(PdfError::Empty);
    }
    let head = &pdf[..pdf.len().min(1024)];
    if head.windows(4).any(|w| w == b"%PDF") {
        Ok(())
    } else {
        Err(PdfError::NotPdf(what_it_is(pdf)))
    }
}

/// What a file that is not what its name says seems to be, for an error message: a known
/// format by its magic bytes, else how it starts.
pub fn what_it_is(bytes: &[u8]) -> String {
    const OTHERS: [(&[u8], &str); 4] = [
        (b"GIF8", "a GIF image"),
        (
            b"PK\x03\x04",
            "a ZIP archive (or a Word, Excel or OpenDocument file)",
        ),
        (b"\xd0\xcf\x11\xe0", "an old Word or Excel document"),
        (b"{\\rtf", "an RTF document"),
    ];
    if bytes.is_empty() {
        return "it is empty".into();
    }
    if let Some(kind) = image_kind(bytes) {
        return format!("it is {kind} image");
    }
    if let Some((_, name)) = OTHERS.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return format!("it is {name}");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = String::from_utf8_lossy(&bytes[8..12]).to_string();
        return if ["heic", "heix", "mif1", "msf1", "hevc", "heif"].contains(&brand.as_str()) {
            "it is a HEIC/HEIF photo".into()
        } else {
            format!("it is an ISO media file of brand {brand:?}")
        };
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let printable = text
        .chars()
        .take(64)
        .all(|c| !c.is_control() || c.is_whitespace());
    if printable && !text.is_empty() {
        if text.starts_with('<') {
            // Markup: its first tag says most (<html>, <!DOCTYPE html>, <?xml ...?>).
            let tag: String = text.chars().take_while(|c| *c != '>').take(60).collect();
            return format!("it starts with {tag}>");
        }
        let line: String = text.lines().next().unwrap_or("").chars().take(40).collect();
        return format!("it starts with the text {line:?}");
    }
    let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("it starts with the bytes {}", hex.join(" "))
}

/// Which of the image formats Boxkeeper reads the bytes are, by their magic number: "a
/// PNG", "a JPEG", "a TIFF", "a BMP".
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    const KINDS: [(&[u8], &str); 4] = [
        (b"\x89PNG\r\n\x1a\n", "a PNG"),
        (b"\xff\xd8\xff", "a JPEG"),
        (b"II*\0", "a TIFF"),
        (b"MM\0*", "a TIFF"),
    ];
    // "BM" alone starts plenty of text ("BMW ..."): a BMP header also has four reserved
    // zero bytes at offset 6.
    let bmp = bytes.len() >= 26 && bytes.starts_with(b"BM") && bytes[6..10] == [0; 4];
    KINDS
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
        .or(bmp.then_some("a BMP"))
}

/// pdfium's reason a document would not load, as a sentence.
fn load_error(e: PdfiumError, pdf: &[u8]) -> PdfError {
    match e {
        PdfiumError::PdfiumLibraryInternalError(internal) => match internal {
            PdfiumInternalError::PasswordError => PdfError::PasswordProtected,
            PdfiumInternalError::SecurityError => PdfError::UnsupportedSecurity,
            PdfiumInternalError::FormatError if !has_end_marker(pdf) => PdfError::Damaged(
                "it ends abruptly (no end-of-file marker), so it looks truncated: an \
                 incomplete download or copy"
                    .into(),
            ),
            PdfiumInternalError::FormatError => {
                PdfError::Damaged("its structure cannot be parsed".into())
            }
            PdfiumInternalError::PageError => PdfError::Damaged("a page cannot be loaded".into()),
            PdfiumInternalError::FileError | PdfiumInternalError::Unknown => {
                PdfError::Damaged("pdfium cannot open it and gives no reason".into())
            }
        },
        PdfiumError::NoPagesInDocument => PdfError::NoPages,
        other => PdfError::Unreadable(describe(&other)),
    }
}

pub(crate) fn page_error(e: PdfiumError, index: i32) -> PdfError {
    match e {
        PdfiumError::NoPagesInDocument => PdfError::NoPages,
        PdfiumError::PdfiumLibraryInternalError(_) => {
            PdfError::Damaged(format!("page {} cannot be loaded", index + 1))
        }
        other => PdfError::Unreadable(format!("page {}: {}", index + 1, describe(&other))),
    }
}

/// A PDF ends with `%%EOF` (give or take trailing whitespace or junk); one cut short has none.
fn has_end_marker(pdf: &[u8]) -> bool {
    let tail = &pdf[pdf.len().saturating_sub(1024)..];
    tail.windows(5).any(|w| w == b"%%EOF")
}

/// A pdfium-render error in one line: its Display is a multi-line `{:#?}`.
fn describe(e: &PdfiumError) -> String {
    format!("{e:?}")
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
