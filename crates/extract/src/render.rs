//! Page images for the document view: one page of a PDF (rendered by pdfium, through the
//! engine's lock and panic guard in [`crate::pdf`]) or an image file (decoded by `image`),
//! scaled to the width the window asks for and encoded as PNG. The image is the whole page
//! and nothing else: no margin is added and the page is shown as pdfium displays it (its
//! /Rotate and crop box applied), so a word box, which is fractions of the displayed page
//! with the origin top left, maps onto the image by percentages at any zoom. This module
//! owns the size (the asked width, narrowed so a render stays within the 40 MP cap) and the
//! errors a viewer meets: a broken file gets the same sentence extraction gives it, and a
//! page past the last and a file with no page to show (e-invoice XML, HEIC) each get their
//! own.

use std::fmt;
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{
    DynamicImage, ExtendedColorType, GenericImageView, ImageEncoder, ImageError, ImageReader,
    RgbImage,
};
use pdfium_render::prelude::*;

use crate::document::{heic, is_heic, ExtractError, Format};
use crate::pdf::{self, PdfEngine, PdfError, MAX_RENDER_PIXELS, MAX_RENDER_SIDE};

/// One page as an image for the window.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// The page as a PNG image, `width` x `height` pixels, the whole page edge to edge.
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Which page this is, 0-based.
    pub page: u32,
    /// How many pages the document has (1 for an image file).
    pub page_count: u32,
}

// By hand: the derived Debug would print every byte of the PNG.
impl fmt::Debug for RenderedPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderedPage")
            .field("png", &format_args!("{} bytes", self.png.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("page", &self.page)
            .field("page_count", &self.page_count)
            .finish()
    }
}

/// How many pages `bytes` has to show: a PDF's page count, 1 for an image file. The bytes
/// decide the format when they are clear, else `file_name`'s extension does (as extraction
/// does). An e-invoice XML file or a HEIC photo has no page to show and says so; a broken
/// file gets the sentence extraction gives it.
pub fn page_count(bytes: &[u8], file_name: &str) -> Result<u32, ExtractError> {
    guarded(|| match format_of(bytes, file_name)? {
        Format::Pdf => PdfEngine::get()?
            .with_document(bytes, |doc| pdf_page_count(doc.pages().len()))
            .map_err(ExtractError::from),
        Format::Image => {
            // The header is read (cheap) so a file that is no image of ours fails here, as
            // it would when its page is rendered.
            let kind = image_kind(bytes)?;
            decoder(bytes, kind)?
                .into_dimensions()
                .map_err(|e| image_error(kind, e))?;
            Ok(1)
        }
        Format::Xml => Err(xml_has_no_page()),
    })
}

/// Renders page `page` (0-based) of a document to PNG, `width` pixels wide (at least 1) with
/// the height that keeps the page's proportions; narrower when that would pass
/// [`MAX_RENDER_PIXELS`] or [`MAX_RENDER_SIDE`], so the returned size is the one to trust.
/// A PDF is rendered by pdfium (forms and annotations drawn, as a viewer shows them); a
/// PNG, JPEG, TIFF or BMP file is decoded, scaled and, where it is transparent, laid on
/// white. An image's EXIF orientation is not applied: OCR reads the pixels as stored, and
/// its word boxes must land on the same pixels here. The format is decided as in
/// [`page_count`]; a page past the last is [`ExtractError::NoSuchPage`].
pub fn render_page(
    bytes: &[u8],
    file_name: &str,
    page: u32,
    width: u32,
) -> Result<RenderedPage, ExtractError> {
    let _span = tracing::debug_span!("render_page", page, width, size = bytes.len()).entered();
    let start = Instant::now();
    let rendered = guarded(|| match format_of(bytes, file_name)? {
        Format::Pdf => render_pdf(bytes, page, width),
        Format::Image => render_image(bytes, page, width),
        Format::Xml => Err(xml_has_no_page()),
    })?;
    tracing::debug!(
        width = rendered.width,
        height = rendered.height,
        png_bytes = rendered.png.len(),
        elapsed_ms = start.elapsed().as_millis() as u64,
        "page rendered"
    );
    Ok(rendered)
}

/// The pixel size of a render `width` wide (at least 1) of a page `page_width` x
/// `page_height` (any unit): the height follows the page's proportions; the width is
/// narrowed until the render fits [`MAX_RENDER_PIXELS`] and [`MAX_RENDER_SIDE`]. A page
/// so thin that even one pixel across is too tall (a corrupt MediaBox) is cut to the
/// longest side allowed.
pub fn fit_size(page_width: f64, page_height: f64, width: u32) -> (u32, u32) {
    let side = |v: f64| {
        if v.is_finite() {
            v.abs().max(1e-3)
        } else {
            1.0
        }
    };
    let aspect = side(page_height) / side(page_width);
    let height_of = |w: u64| ((w as f64 * aspect).round() as u64).max(1);
    let fits = |w: u64| {
        let h = height_of(w);
        w.saturating_mul(h) <= MAX_RENDER_PIXELS && w.max(h) <= MAX_RENDER_SIDE
    };
    let mut w = u64::from(width.max(1));
    if !fits(w) {
        // Start near the answer (area grows with the square of the width), then step past
        // the rounding of the height.
        let by_area = (MAX_RENDER_PIXELS as f64 / aspect).sqrt().floor() as u64;
        let by_side = (MAX_RENDER_SIDE as f64 / aspect).floor() as u64;
        w = w.min(by_area).min(by_side).clamp(1, MAX_RENDER_SIDE);
        while w > 1 && !fits(w) {
            w -= 1;
        }
    }
    // Both fit in u32: each is at most MAX_RENDER_SIDE.
    (w as u32, height_of(w).min(MAX_RENDER_SIDE) as u32)
}

/// The format to render `bytes` as: their own when they are clear (a PDF named .png is
/// rendered as a PDF), else what the name says.
fn format_of(bytes: &[u8], file_name: &str) -> Result<Format, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    if is_heic(bytes) {
        return Err(heic());
    }
    match Format::of_content(bytes) {
        Some(format) => Ok(format),
        None => Format::of_name(file_name),
    }
}

fn xml_has_no_page() -> ExtractError {
    ExtractError::NoPageToShow {
        what: "an e-invoice XML file",
    }
}

fn pdf_page_count(count: PdfPageIndex) -> Result<u32, PdfError> {
    u32::try_from(count)
        .ok()
        .filter(|n| *n > 0)
        .ok_or(PdfError::NoPages)
}

fn render_pdf(bytes: &[u8], page: u32, width: u32) -> Result<RenderedPage, ExtractError> {
    let engine = PdfEngine::get()?;
    let (rgba, width, height, page_count) = engine
        .with_document(bytes, |doc| {
            let count = pdf_page_count(doc.pages().len())?;
            if page >= count {
                return Err(PdfError::NoSuchPage {
                    page: page as usize + 1,
                    count: count as usize,
                });
            }
            // Below `count`, which came from an i32.
            let index = page as PdfPageIndex;
            let pdf_page = doc
                .pages()
                .get(index)
                .map_err(|e| pdf::page_error(e, index))?;
            // The page's displayed size: pdfium's width and height are after its /Rotate
            // and of its crop box, as the render is.
            let (w, h) = fit_size(
                f64::from(pdf_page.width().value),
                f64::from(pdf_page.height().value),
                width,
            );
            // A fixed size: pdfium draws the page to fill exactly these pixels, so the
            // page's edges are the image's whatever the rounding of the height.
            let config = PdfRenderConfig::new()
                .set_fixed_size(w as Pixels, h as Pixels)
                .set_format(PdfBitmapFormat::BGRA)
                .render_form_data(true)
                .render_annotations(true);
            let bitmap = pdf_page.render_with_config(&config).map_err(|e| {
                PdfError::Unreadable(format!("page {} cannot be rendered: {e:?}", page + 1))
            })?;
            Ok((bitmap.as_rgba_bytes(), w, h, count))
        })
        .map_err(|e| match e {
            PdfError::NoSuchPage { page, count } => ExtractError::NoSuchPage {
                number: page as u32,
                count: count as u32,
            },
            other => other.into(),
        })?;
    // Outside the engine's lock: none of this touches pdfium. The page is opaque (pdfium
    // clears to white first), so the alpha channel is dropped.
    let rgb = rgba_to_rgb(&rgba, width as usize, height as usize);
    Ok(RenderedPage {
        png: encode_png(&rgb, width, height, ExtendedColorType::Rgb8)?,
        width,
        height,
        page,
        page_count,
    })
}

/// RGBA rows (each `stride` = len / height bytes, padding allowed) to packed RGB.
fn rgba_to_rgb(rgba: &[u8], width: usize, height: usize) -> Vec<u8> {
    let stride = rgba.len().checked_div(height).unwrap_or(0);
    let width = width.min(stride / 4);
    let mut rgb = vec![0u8; width * height * 3];
    // Index loops over rows: tens of millions of pixels at the cap.
    for y in 0..height {
        let row = &rgba[y * stride..y * stride + width * 4];
        let out = &mut rgb[y * width * 3..(y + 1) * width * 3];
        for x in 0..width {
            out[x * 3..x * 3 + 3].copy_from_slice(&row[x * 4..x * 4 + 3]);
        }
    }
    rgb
}

fn image_kind(bytes: &[u8]) -> Result<&'static str, ExtractError> {
    pdf::image_kind(bytes).ok_or_else(|| ExtractError::NotThatFormat {
        expected: "an image Boxkeeper reads (PNG, JPEG, TIFF, BMP)",
        found: pdf::what_it_is(bytes),
    })
}

fn decoder<'a>(
    bytes: &'a [u8],
    kind: &'static str,
) -> Result<ImageReader<Cursor<&'a [u8]>>, ExtractError> {
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ExtractError::DamagedImage {
            kind,
            detail: e.to_string(),
        })
}

/// The decoder's reason as the crate's error: bad data is a damaged image; a variant the
/// decoder lacks (a TIFF compression, say) or one too large for memory is unsupported.
fn image_error(kind: &'static str, e: ImageError) -> ExtractError {
    match e {
        ImageError::Unsupported(_) | ImageError::Limits(_) => {
            ExtractError::Unsupported(format!("{kind} image that cannot be shown ({e})"))
        }
        other => ExtractError::DamagedImage {
            kind,
            detail: other.to_string(),
        },
    }
}

fn render_image(bytes: &[u8], page: u32, width: u32) -> Result<RenderedPage, ExtractError> {
    let kind = image_kind(bytes)?;
    if page != 0 {
        return Err(ExtractError::NoSuchPage {
            number: page.saturating_add(1),
            count: 1,
        });
    }
    let decoded = decoder(bytes, kind)?
        .decode()
        .map_err(|e| image_error(kind, e))?;
    let (w, h) = fit_size(
        f64::from(decoded.width()),
        f64::from(decoded.height()),
        width,
    );
    // Colour or not, the page keeps it: a grey scan stays one byte a pixel (a smaller PNG,
    // sooner encoded). A transparent image is laid on white.
    let flat = match decoded {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageLuma8(_) => decoded,
        other if other.color().has_alpha() => DynamicImage::ImageRgb8(on_white(&other.to_rgba8())),
        other if other.color().has_color() => DynamicImage::ImageRgb8(other.to_rgb8()),
        other => DynamicImage::ImageLuma8(other.to_luma8()),
    };
    let scaled = if flat.dimensions() == (w, h) {
        flat
    } else if w.saturating_mul(2) <= flat.width() {
        // Shrinking a photo to the window: averaging each output pixel's area is
        // antialiased and faster than a filter (a 12 MP photo to 1000 px, measured: 110 ms
        // against 310 for Triangle).
        flat.thumbnail_exact(w, h)
    } else {
        flat.resize_exact(w, h, FilterType::Triangle)
    };
    let color = ExtendedColorType::from(scaled.color());
    let pixels = scaled.into_bytes();
    Ok(RenderedPage {
        png: encode_png(&pixels, w, h, color)?,
        width: w,
        height: h,
        page: 0,
        page_count: 1,
    })
}

/// A transparent image laid on white paper: on the window's background its black text on
/// nothing could be unreadable.
fn on_white(rgba: &image::RgbaImage) -> RgbImage {
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

/// PNG at the fastest compression: the image is shown once and never stored, so encoding
/// time counts and size barely does.
fn encode_png(
    pixels: &[u8],
    width: u32,
    height: u32,
    color: ExtendedColorType,
) -> Result<Vec<u8>, ExtractError> {
    let mut png = Vec::with_capacity(pixels.len() / 8);
    PngEncoder::new_with_quality(&mut png, CompressionType::Fast, PngFilter::Adaptive)
        .write_image(pixels, width, height, color)
        .map_err(|e| ExtractError::Internal(format!("the page image cannot be encoded: {e}")))?;
    Ok(png)
}

/// Runs `work`, returning a panic below it (the image decoders', pdfium's binding outside
/// the engine's own guard) as [`ExtractError::Internal`] rather than ending the process.
fn guarded<T>(work: impl FnOnce() -> Result<T, ExtractError>) -> Result<T, ExtractError> {
    panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let message = pdf::panic_message(payload.as_ref());
        tracing::error!(panic = %message, "rendering a page panicked");
        Err(ExtractError::Internal(message))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_a4_page_keeps_its_proportions_at_the_asked_width() {
        assert_eq!(fit_size(595.0, 842.0, 1000), (1000, 1415));
        assert_eq!(fit_size(842.0, 595.0, 1000), (1000, 707));
        assert_eq!(fit_size(595.0, 842.0, 0), (1, 1));
    }

    #[test]
    fn a_render_past_the_pixel_cap_is_narrowed_to_fit_it() {
        let (w, h) = fit_size(595.0, 842.0, 20_000);
        assert!(
            u64::from(w) * u64::from(h) <= MAX_RENDER_PIXELS,
            "{w} x {h}"
        );
        // Narrowed by as little as the cap needs.
        let (w2, h2) = (w + 1, ((f64::from(w + 1)) * 842.0 / 595.0).round() as u64);
        assert!(u64::from(w2) * h2 > MAX_RENDER_PIXELS, "{w} could be wider");
        assert!(w > 5000, "{w}");
    }

    #[test]
    fn no_side_passes_the_longest_side_allowed() {
        // A strip of a page, 1 x 100000 points: one pixel across is already too tall.
        let (w, h) = fit_size(1.0, 100_000.0, 1000);
        assert_eq!((w, u64::from(h)), (1, MAX_RENDER_SIDE));
        let (w, h) = fit_size(100_000.0, 1.0, 100_000);
        assert_eq!((u64::from(w), h), (MAX_RENDER_SIDE, 1));
        // Nonsense sizes (a corrupt MediaBox) still give a small, valid image.
        let (w, h) = fit_size(f64::NAN, 0.0, 10);
        assert!(w >= 1 && h >= 1);
    }
}
