//! OCR with tesseract (Debian's libtesseract), for scans and photos: pages without a text
//! layer, rendered by pdfium, and image files. As measured on this project's receipts:
//! OpenMP threads inside tesseract made one image five times slower, so OCR runs with
//! OMP_THREAD_LIMIT=1 and parallelism comes from running one OCR job per core; page
//! segmentation mode 6 (one uniform block) found printed totals more often than the default.
//! Rendered pages go through a 3x3 median filter first: on scans with specks of dust (the
//! bench's scanned corpus) it made tesseract five times faster (each speck is a blob it tries
//! to classify) and its text cleaner; printed strokes at 300 dpi are wider than the filter.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

/// What OCR read on one page or image: its number (1-based), its text, its mean confidence
/// (0-100) and each word with its box (fractions of the page, top-left origin, like the PDF
/// text layer's).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OcrPage {
    pub number: usize,
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
    let (page, _) = read_gray_with(tesseract(lang)?, image, 1)?;
    Ok(page)
}

/// Reads `image` with an engine already started (starting one loads the language models,
/// which costs more than a small page), and hands the engine back for the next page.
fn read_gray_with(
    t: tesseract::Tesseract,
    image: &GrayImage,
    number: usize,
) -> Result<(OcrPage, tesseract::Tesseract), OcrError> {
    let width = i32::try_from(image.width).map_err(|_| OcrError::Image("too wide".into()))?;
    let height = i32::try_from(image.height).map_err(|_| OcrError::Image("too tall".into()))?;
    let pixels = median3(image);
    let t = t
        .set_frame(&pixels, width, height, 1, width)
        .map_err(|e| OcrError::Image(e.to_string()))?
        .set_source_resolution(i32::from(image.dpi));
    recognize(t, number)
}

/// OCR of an image file's bytes (PNG, JPEG, TIFF, BMP: what leptonica reads).
pub fn read_image(bytes: &[u8], lang: &str) -> Result<OcrPage, OcrError> {
    let t = tesseract(lang)?
        .set_image_from_mem(bytes)
        .map_err(|e| OcrError::Image(e.to_string()))?;
    Ok(recognize(t, 1)?.0)
}

/// OCR of one PDF page (0-based), rendered at [`OCR_DPI`].
pub fn read_pdf_page(pdf: &[u8], page: usize, lang: &str) -> Result<OcrPage, OcrError> {
    let image = PdfEngine::get()?.render_gray(pdf, page, OCR_DPI)?;
    Ok(read_gray_with(tesseract(lang)?, &image, page + 1)?.0)
}

/// OCR of the first `pages` pages of a PDF, rendered at [`OCR_DPI`], a page per thread on up
/// to as many threads as the machine has cores. Pages come back in order, each numbered.
/// (pdfium renders one page at a time, process-wide; tesseract, the slow part, runs on
/// every core.)
pub fn read_pdf_pages(pdf: &[u8], pages: usize, lang: &str) -> Result<Vec<OcrPage>, OcrError> {
    let engine = PdfEngine::get()?;
    read_in_parallel(pages, lang, |i| Ok(engine.render_gray(pdf, i, OCR_DPI)?))
}

/// OCR of many grayscale images, one per thread on up to as many threads as the machine has
/// cores, in order; page `i` of the result is numbered `i + 1`.
pub fn read_gray_pages(images: &[GrayImage], lang: &str) -> Result<Vec<OcrPage>, OcrError> {
    read_in_parallel(images.len(), lang, |i| Ok(images[i].clone()))
}

/// The worker pool behind the multi-page readers: each thread starts one engine and takes
/// the next page until none is left, so a slow page does not hold up the others' thread.
/// The first error stops the remaining work and is returned.
fn read_in_parallel<F>(count: usize, lang: &str, image_of: F) -> Result<Vec<OcrPage>, OcrError>
where
    F: Fn(usize) -> Result<GrayImage, OcrError> + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(count);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let _span = tracing::debug_span!("ocr_pages", pages = count, threads, lang).entered();
    let results: Vec<Result<Vec<OcrPage>, OcrError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<Vec<OcrPage>, OcrError> {
                    let mut done = Vec::new();
                    let mut engine = None;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count || failed.load(Ordering::Relaxed) {
                            return Ok(done);
                        }
                        let read = image_of(i).and_then(|image| {
                            let t = match engine.take() {
                                Some(t) => t,
                                None => tesseract(lang)?,
                            };
                            read_gray_with(t, &image, i + 1)
                        });
                        match read {
                            Ok((page, t)) => {
                                engine = Some(t);
                                done.push(page);
                            }
                            Err(e) => {
                                failed.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(OcrError::Recognize("an OCR thread panicked".into())))
            })
            .collect()
    });
    let mut pages = Vec::with_capacity(count);
    for r in results {
        pages.extend(r?);
    }
    pages.sort_by_key(|p| p.number);
    Ok(pages)
}

fn recognize(
    t: tesseract::Tesseract,
    number: usize,
) -> Result<(OcrPage, tesseract::Tesseract), OcrError> {
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
    let page = OcrPage {
        number,
        text,
        confidence,
        words: words_of_tsv(&tsv),
    };
    Ok((page, t))
}

/// The image through a 3x3 median filter (the border rows and columns kept as they are):
/// removes specks of one or two pixels and keeps strokes that are wider.
fn median3(image: &GrayImage) -> Vec<u8> {
    let (w, h) = (image.width, image.height);
    let src = &image.pixels;
    let mut out = src.clone();
    if w < 3 || h < 3 || src.len() < w * h {
        return out;
    }
    for y in 1..h - 1 {
        let (up, row, down) = (
            &src[(y - 1) * w..y * w],
            &src[y * w..(y + 1) * w],
            &src[(y + 1) * w..(y + 2) * w],
        );
        let dst = &mut out[y * w..(y + 1) * w];
        for x in 1..w - 1 {
            dst[x] = median9([
                up[x - 1],
                up[x],
                up[x + 1],
                row[x - 1],
                row[x],
                row[x + 1],
                down[x - 1],
                down[x],
                down[x + 1],
            ]);
        }
    }
    out
}

/// The median of nine values by a fixed network of 19 compare-exchanges (Paeth's), which the
/// compiler turns into branch-free min/max.
fn median9(mut p: [u8; 9]) -> u8 {
    let mut sort = |a: usize, b: usize| {
        let (lo, hi) = (p[a].min(p[b]), p[a].max(p[b]));
        p[a] = lo;
        p[b] = hi;
    };
    for (a, b) in [
        (1, 2),
        (4, 5),
        (7, 8),
        (0, 1),
        (3, 4),
        (6, 7),
        (1, 2),
        (4, 5),
        (7, 8),
        (0, 3),
        (5, 8),
        (4, 7),
        (3, 6),
        (1, 4),
        (2, 5),
        (4, 7),
        (4, 2),
        (6, 4),
        (4, 2),
    ] {
        sort(a, b);
    }
    p[4]
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

    #[test]
    fn the_median_is_the_middle_value() {
        let mut rng = 7u32;
        for _ in 0..1000 {
            let mut v = [0u8; 9];
            for x in &mut v {
                rng = rng.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *x = (rng >> 16) as u8;
            }
            let mut sorted = v;
            sorted.sort_unstable();
            assert_eq!(median9(v), sorted[4], "{v:?}");
        }
    }

    #[test]
    fn the_median_filter_removes_specks_and_keeps_strokes() {
        // White 8x8 page, a one-pixel speck at (2, 2), a 3-pixel-wide vertical stroke at x 5..8.
        let mut pixels = vec![255u8; 64];
        pixels[2 * 8 + 2] = 0;
        for y in 0..8 {
            for x in 5..8 {
                pixels[y * 8 + x] = 0;
            }
        }
        let image = GrayImage {
            width: 8,
            height: 8,
            dpi: 300,
            pixels,
        };
        let out = median3(&image);
        assert_eq!(out[2 * 8 + 2], 255, "speck removed");
        for y in 1..7 {
            assert_eq!(out[y * 8 + 6], 0, "stroke kept at row {y}");
        }
    }
}
