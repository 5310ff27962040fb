//! OCR with tesseract (Debian's libtesseract), for scans and photos: pages without a text
//! layer, rendered by pdfium, and image files. As measured on this project's receipts:
//! OpenMP threads inside tesseract made one image five times slower, so OCR runs with
//! OMP_THREAD_LIMIT=1 and parallelism comes from running one OCR job per core; page
//! segmentation mode 6 (one uniform block) found printed totals more often than the default.

use std::sync::Once;

use crate::pdf::{GrayImage, PdfEngine, PdfError, Word};

/// The DPI pages are rendered at for OCR: tesseract reads printed text best at about 300.
pub const OCR_DPI: u16 = 300;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OcrError {
    #[error(
        "tesseract could not start with language {lang:?} ({detail}): install tesseract-ocr-{lang} \
         (`make deps` installs eng, deu and fra)"
    )]
    Init { lang: String, detail: String },
    #[error("the image could not be read (unsupported or damaged): {0}")]
    Image(String),
    #[error("OCR failed: {0}")]
    Recognize(String),
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

/// What OCR read on one page or image: its text, its mean confidence (0-100) and each word
/// with its box (fractions of the page, top-left origin, like the PDF text layer's).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OcrPage {
    pub text: String,
    pub confidence: i32,
    pub words: Vec<Word>,
}

static SINGLE_THREADED: Once = Once::new();

fn tesseract(lang: &str) -> Result<tesseract::Tesseract, OcrError> {
    SINGLE_THREADED.call_once(|| {
        // Read by libgomp when tesseract first starts; set before any OCR thread exists
        // unless the environment already chose.
        if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
            std::env::set_var("OMP_THREAD_LIMIT", "1");
        }
    });
    let t = tesseract::Tesseract::new(None, Some(lang)).map_err(|e| OcrError::Init {
        lang: lang.to_string(),
        detail: e.to_string(),
    })?;
    t.set_variable("tessedit_pageseg_mode", "6")
        .map_err(|e| OcrError::Recognize(e.to_string()))
}

/// OCR of a grayscale image (a rendered page).
pub fn read_gray(image: &GrayImage, lang: &str) -> Result<OcrPage, OcrError> {
    let width = i32::try_from(image.width).map_err(|_| OcrError::Image("too wide".into()))?;
    let height = i32::try_from(image.height).map_err(|_| OcrError::Image("too tall".into()))?;
    let t = tesseract(lang)?
        .set_frame(&image.pixels, width, height, 1, width)
        .map_err(|e| OcrError::Image(e.to_string()))?
        .set_source_resolution(i32::from(image.dpi));
    recognize(t)
}

/// OCR of an image file's bytes (PNG, JPEG, TIFF, BMP: what leptonica reads).
pub fn read_image(bytes: &[u8], lang: &str) -> Result<OcrPage, OcrError> {
    let t = tesseract(lang)?
        .set_image_from_mem(bytes)
        .map_err(|e| OcrError::Image(e.to_string()))?;
    recognize(t)
}

/// OCR of one PDF page (0-based), rendered at [`OCR_DPI`].
pub fn read_pdf_page(pdf: &[u8], page: usize, lang: &str) -> Result<OcrPage, OcrError> {
    let image = PdfEngine::get()?.render_gray(pdf, page, OCR_DPI)?;
    read_gray(&image, lang)
}

fn recognize(t: tesseract::Tesseract) -> Result<OcrPage, OcrError> {
    let mut t = t
        .recognize()
        .map_err(|e| OcrError::Recognize(e.to_string()))?;
    let text = t
        .get_text()
        .map_err(|e| OcrError::Recognize(e.to_string()))?;
    let confidence = t.mean_text_conf();
    let tsv = t
        .get_tsv_text(0)
        .map_err(|e| OcrError::Recognize(e.to_string()))?;
    Ok(OcrPage {
        text,
        confidence,
        words: words_of_tsv(&tsv),
    })
}

/// Tesseract's TSV: level, page, block, paragraph, line, word, left, top, width, height,
/// confidence, text. The level 1 row is the page (its size); level 5 rows are words.
fn words_of_tsv(tsv: &str) -> Vec<Word> {
    let rows: Vec<Vec<&str>> = tsv.lines().map(|l| l.split('\t').collect()).collect();
    let page = rows.iter().find(|c| c.len() >= 10 && c[0] == "1");
    let size = |i: usize| {
        page.and_then(|c| c[i].parse::<f32>().ok())
            .filter(|v| *v > 0.0)
            .unwrap_or(1.0)
    };
    let (w, h) = (size(8), size(9));
    rows.iter()
        .filter_map(|cols| {
            if cols.len() < 12 || cols[0] != "5" || cols[11].trim().is_empty() {
                return None;
            }
            let n = |i: usize| cols[i].parse::<f32>().ok();
            let (left, top, bw, bh) = (n(6)?, n(7)?, n(8)?, n(9)?);
            Some(Word {
                text: cols[11].to_string(),
                bbox: [left / w, top / h, (left + bw) / w, (top + bh) / h],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_become_boxes() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t1000\t500\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t100\t50\t200\t25\t96.5\tTotal\n\
                   5\t1\t1\t1\t1\t2\t400\t50\t100\t25\t91.0\t12.50\n\
                   5\t1\t1\t1\t1\t3\t400\t50\t100\t25\t91.0\t \n";
        let words = words_of_tsv(tsv);
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].text, "Total");
        assert_eq!(words[0].bbox, [0.1, 0.1, 0.3, 0.15]);
        assert_eq!(words[1].text, "12.50");
    }
}
