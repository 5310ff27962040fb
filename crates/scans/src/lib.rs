//! Scanned versions of PDF pages, for tests and the benchmark of the OCR path. Our corpus
//! invoices are digital PDFs with a text layer; real scans are not, and nobody hands us
//! labelled scans, so this crate makes them from the labelled PDFs: each page is rendered by
//! pdfium, turned by a small skew, blurred a little (a scanner's optics), given sensor noise
//! and dust (salt and pepper), and written without any text layer, as PNG, JPEG, or an
//! image-only PDF (one JPEG per page) so that the PDF OCR path is exercised too. Everything is
//! seeded from the caller's key (e.g. the file name), so a document's scan is the same on
//! every machine and run: accuracy figures move only when the code under test does.

use std::io::Write;

use boxkeeper_extract::pdf::{GrayImage, PdfEngine, PdfError};

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("cannot encode the scan as {format}: {detail}")]
    Encode {
        format: &'static str,
        detail: String,
    },
    #[error("a scan needs at least one page")]
    NoPages,
}

/// How a page is degraded. The defaults are those of an office scanner at its default
/// setting: 200 dpi grayscale, fed slightly crooked, JPEG at quality 75.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanOptions {
    pub dpi: u16,
    /// The skew's size in degrees is drawn between these; its sign is drawn too.
    pub skew_degrees: (f32, f32),
    /// Apply a 3x3 binomial blur before the noise.
    pub blur: bool,
    /// Standard deviation of the gaussian noise, in gray levels.
    pub noise_sigma: f32,
    /// Share of pixels set to black or white at random (dust, specks).
    pub salt_pepper: f32,
    /// JPEG quality for [`ScannedPage::jpeg`] and [`image_pdf`].
    pub jpeg_quality: u8,
    /// Mixed with the caller's key: change it for a different set of scans.
    pub seed: u64,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            dpi: 200,
            skew_degrees: (0.5, 1.5),
            blur: true,
            noise_sigma: 10.0,
            salt_pepper: 0.002,
            jpeg_quality: 75,
            seed: 4,
        }
    }
}

/// One scanned page: 8-bit gray, rows without padding.
#[derive(Clone, Debug, PartialEq)]
pub struct ScannedPage {
    pub image: GrayImage,
    /// The skew applied, in degrees (counter-clockwise positive).
    pub skew_degrees: f32,
}

impl ScannedPage {
    /// PNG with its resolution recorded (pHYs), so OCR knows the text's size.
    pub fn png(&self) -> Result<Vec<u8>, ScanError> {
        let err = |e: png::EncodingError| ScanError::Encode {
            format: "PNG",
            detail: e.to_string(),
        };
        let (w, h) = dimensions(&self.image)?;
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        // Noise does not compress: spend no time trying.
        encoder.set_compression(png::Compression::Fast);
        // Pixels per metre: dpi / 0.0254.
        let ppm = (f64::from(self.image.dpi) / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(&self.image.pixels).map_err(err)?;
        writer.finish().map_err(err)?;
        Ok(out)
    }

    /// Baseline JPEG with its resolution recorded (JFIF density).
    pub fn jpeg(&self, quality: u8) -> Result<Vec<u8>, ScanError> {
        let (w, h) = dimensions(&self.image)?;
        let mut out = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
        encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(self.image.dpi));
        encoder
            .encode(&self.image.pixels, w, h, image::ExtendedColorType::L8)
            .map_err(|e| ScanError::Encode {
                format: "JPEG",
                detail: e.to_string(),
            })?;
        Ok(out)
    }
}

fn dimensions(image: &GrayImage) -> Result<(u32, u32), ScanError> {
    let too_big = || ScanError::Encode {
        format: "image",
        detail: format!("{} x {} pixels is too large", image.width, image.height),
    };
    Ok((
        u32::try_from(image.width).map_err(|_| too_big())?,
        u32::try_from(image.height).map_err(|_| too_big())?,
    ))
}

/// The number of pages of a PDF.
pub fn page_count(pdf: &[u8]) -> Result<usize, ScanError> {
    Ok(PdfEngine::get()?.text(pdf)?.pages.len())
}

/// Scans one page (0-based) of a PDF. `key` names the document (its file name, say): the
/// skew and noise are drawn from it, the page number and `opts.seed`.
pub fn scan_page(
    pdf: &[u8],
    page: usize,
    key: &str,
    opts: &ScanOptions,
) -> Result<ScannedPage, ScanError> {
    let clean = PdfEngine::get()?.render_gray(pdf, page, opts.dpi)?;
    Ok(degrade(&clean, &format!("{key}#{page}"), opts))
}

/// Scans every page of a PDF.
pub fn scan_document(
    pdf: &[u8],
    key: &str,
    opts: &ScanOptions,
) -> Result<Vec<ScannedPage>, ScanError> {
    (0..page_count(pdf)?)
        .map(|page| scan_page(pdf, page, key, opts))
        .collect()
}

/// What a scanner does to a clean page: skew, blur, noise, specks. Deterministic in `key`
/// and `opts`.
pub fn degrade(clean: &GrayImage, key: &str, opts: &ScanOptions) -> ScannedPage {
    let mut rng = SplitMix64::new(opts.seed ^ fnv1a(key.as_bytes()));
    let (lo, hi) = opts.skew_degrees;
    let size = lo + (hi - lo) * rng.unit() as f32;
    let skew = if rng.next() & 1 == 0 { size } else { -size };
    let mut image = rotate(clean, skew);
    if opts.blur {
        image = blur(&image);
    }
    for px in &mut image.pixels {
        let r = rng.unit() as f32;
        if r < opts.salt_pepper / 2.0 {
            *px = 0;
        } else if r < opts.salt_pepper {
            *px = 255;
        } else if opts.noise_sigma > 0.0 {
            let v = f32::from(*px) + opts.noise_sigma * rng.gaussian() as f32;
            *px = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    ScannedPage {
        image,
        skew_degrees: skew,
    }
}

/// Turns the image about its centre by `degrees` (counter-clockwise), same size, corners
/// that come from outside the page white, bilinear sampling.
pub fn rotate(src: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (src.width, src.height);
    let (sin, cos) = (degrees.to_radians().sin(), degrees.to_radians().cos());
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let at = |x: isize, y: isize| -> f32 {
        if x < 0 || y < 0 || x as usize >= w || y as usize >= h {
            255.0
        } else {
            f32::from(src.pixels[y as usize * w + x as usize])
        }
    };
    let mut pixels = Vec::with_capacity(w * h);
    for y in 0..h {
        let dy = y as f32 + 0.5 - cy;
        for x in 0..w {
            let dx = x as f32 + 0.5 - cx;
            // Inverse mapping: the source point that lands on (x, y). With y pointing down,
            // a counter-clockwise turn on screen is a clockwise one in these coordinates.
            let sx = cos * dx - sin * dy + cx - 0.5;
            let sy = sin * dx + cos * dy + cy - 0.5;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
            let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
            pixels.push((top * (1.0 - fy) + bottom * fy).round() as u8);
        }
    }
    GrayImage {
        width: w,
        height: h,
        dpi: src.dpi,
        pixels,
    }
}

/// 3x3 binomial blur ([1 2 1] by [1 2 1] / 16); edges repeat the border pixel.
fn blur(src: &GrayImage) -> GrayImage {
    let (w, h) = (src.width, src.height);
    let px = |x: usize, y: usize| u32::from(src.pixels[y * w + x]);
    let mut pixels = Vec::with_capacity(w * h);
    for y in 0..h {
        let (ya, yb) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            let (xa, xb) = (x.saturating_sub(1), (x + 1).min(w - 1));
            let row = |y: usize| px(xa, y) + 2 * px(x, y) + px(xb, y);
            pixels.push(((row(ya) + 2 * row(y) + row(yb) + 8) / 16) as u8);
        }
    }
    GrayImage {
        width: w,
        height: h,
        dpi: src.dpi,
        pixels,
    }
}

/// The pages one below the other, as one image: how invoice2data hands a multi-page scan to
/// tesseract, so it gets the same document as one picture.
pub fn stack(pages: &[ScannedPage]) -> Result<ScannedPage, ScanError> {
    let first = pages.first().ok_or(ScanError::NoPages)?;
    let width = pages.iter().map(|p| p.image.width).max().unwrap_or(0);
    let height = pages.iter().map(|p| p.image.height).sum();
    let mut pixels = Vec::with_capacity(width * height);
    for page in pages {
        for row in page.image.pixels.chunks(page.image.width.max(1)) {
            pixels.extend_from_slice(row);
            pixels.resize(pixels.len() + width - row.len(), 255);
        }
    }
    Ok(ScannedPage {
        image: GrayImage {
            width,
            height,
            dpi: first.image.dpi,
            pixels,
        },
        skew_degrees: first.skew_degrees,
    })
}

/// An image-only PDF: one page per scan, sized from its pixels and DPI, holding the scan as
/// a JPEG (DCTDecode, as scanners write them) and no text. Written by hand: the format needs
/// five objects a page, and doing it here keeps the bytes the same on every run.
pub fn image_pdf(pages: &[ScannedPage], jpeg_quality: u8) -> Result<Vec<u8>, ScanError> {
    if pages.is_empty() {
        return Err(ScanError::NoPages);
    }
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets: Vec<usize> = Vec::new();
    // Objects: 1 catalog, 2 page tree, then per page i: page, content, image.
    let page_obj = |i: usize| 3 + 3 * i;
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        let n = offsets.len();
        let _ = writeln!(out, "{n} 0 obj");
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_obj(i)))
        .collect();
    object(
        &mut out,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );
    for (i, page) in pages.iter().enumerate() {
        let (w, h) = dimensions(&page.image)?;
        let dpi = f64::from(page.image.dpi.max(1));
        let (pw, ph) = (f64::from(w) * 72.0 / dpi, f64::from(h) * 72.0 / dpi);
        let jpeg = page.jpeg(jpeg_quality)?;
        let content = format!("q {pw:.3} 0 0 {ph:.3} 0 0 cm /Im0 Do Q");
        object(
            &mut out,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.3} {ph:.3}] \
                 /Resources << /XObject << /Im0 {} 0 R >> >> /Contents {} 0 R >>",
                page_obj(i) + 2,
                page_obj(i) + 1
            )
            .as_bytes(),
        );
        let mut body = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        body.extend_from_slice(content.as_bytes());
        body.extend_from_slice(b"\nendstream");
        object(&mut out, &body);
        let mut body = format!(
            "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
            jpeg.len()
        )
        .into_bytes();
        body.extend_from_slice(&jpeg);
        body.extend_from_slice(b"\nendstream");
        object(&mut out, &body);
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for offset in &offsets {
        let _ = writeln!(out, "{offset:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    tracing::debug!(
        pages = pages.len(),
        bytes = out.len(),
        "image-only PDF written"
    );
    Ok(out)
}

/// FNV-1a: a stable hash of the key (std's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64: tiny, fast, and the same numbers everywhere, which is all noise needs.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    fn gaussian(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(width: usize, height: usize) -> GrayImage {
        // A black bar across the middle of a white page.
        let pixels = (0..width * height)
            .map(|i| {
                if (height / 2 - 2..height / 2 + 2).contains(&(i / width)) {
                    0
                } else {
                    255
                }
            })
            .collect();
        GrayImage {
            width,
            height,
            dpi: 200,
            pixels,
        }
    }

    #[test]
    fn the_same_key_gives_the_same_scan_and_another_key_another() {
        let clean = page(120, 80);
        let opts = ScanOptions::default();
        let a = degrade(&clean, "a.pdf#0", &opts);
        assert_eq!(a, degrade(&clean, "a.pdf#0", &opts));
        let b = degrade(&clean, "b.pdf#0", &opts);
        assert_ne!(a.image.pixels, b.image.pixels);
        for s in [a.skew_degrees, b.skew_degrees] {
            assert!((0.5..=1.5).contains(&s.abs()), "skew {s}");
        }
    }

    #[test]
    fn rotation_tilts_a_horizontal_bar() {
        let clean = page(200, 100);
        let turned = rotate(&clean, 5.0);
        // Counter-clockwise: the bar's left end moves down, its right end up.
        let dark_rows = |x: usize| -> Vec<usize> {
            (0..100)
                .filter(|y| turned.pixels[y * 200 + x] < 128)
                .collect()
        };
        let (left, right) = (dark_rows(20), dark_rows(180));
        assert!(!left.is_empty() && !right.is_empty());
        assert!(left[0] > right[0] + 10, "left {left:?} right {right:?}");
        // Nothing of the white page turns dark at the corners.
        assert_eq!(turned.pixels[0], 255);
        assert_eq!(rotate(&clean, 0.0), clean);
    }

    #[test]
    fn stacked_pages_keep_their_rows() {
        let a = ScannedPage {
            image: GrayImage {
                width: 4,
                height: 2,
                dpi: 200,
                pixels: (1..=8).collect(),
            },
            skew_degrees: 0.0,
        };
        let b = ScannedPage {
            image: GrayImage {
                width: 2,
                height: 1,
                dpi: 200,
                pixels: vec![7, 8],
            },
            skew_degrees: 0.0,
        };
        let s = stack(&[a.clone(), b]).unwrap();
        assert_eq!((s.image.width, s.image.height), (4, 3));
        assert_eq!(&s.image.pixels[..8], &a.image.pixels[..]);
        assert_eq!(&s.image.pixels[8..], &[7, 8, 255, 255]);
        assert!(matches!(stack(&[]), Err(ScanError::NoPages)));
    }

    #[test]
    fn encodings_are_readable_images() {
        let scan = degrade(&page(64, 48), "x", &ScanOptions::default());
        let png = scan.png().unwrap();
        let back = image::load_from_memory(&png).unwrap().into_luma8();
        assert_eq!(back.as_raw(), &scan.image.pixels);
        let jpeg = scan.jpeg(90).unwrap();
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (64, 48));
    }
}
