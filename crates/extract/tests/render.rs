//! Page images for the document view (`render`): sizes and page counts, the claim the
//! window relies on (a word box, as fractions of the page, lands on the word's ink in the
//! image: the two coordinate systems agree, also on a rotated or cropped page and for OCR
//! of an image file), image files, and the errors a viewer meets. The PDFs with a rotated
//! or cropped page are made here: `fixtures/minimal_pdf.rs` writes the page, an incremental
//! update adds /Rotate or /CropBox to it.

mod common;
use common::*;

#[path = "fixtures/minimal_pdf.rs"]
mod minimal_pdf;

use boxkeeper_extract::document::{extract_document, ExtractError, Format, Options};
use boxkeeper_extract::pdf::{PdfEngine, PdfError, Word, MAX_RENDER_PIXELS, MAX_RENDER_SIDE};
use boxkeeper_extract::{ocr, page_count, render_page, RenderedPage};
use image::GrayImage;
use minimal_pdf::{pdf, Page};

const COURIER_INVOICE: &str = "2416 - Whop Keynote/1. Purchase Orders/2416_07 Courier Car \
                               Rental, Inc/2416_07_01 Courier Car Rental, Inc Invoice.pdf";
const RECEIPT_PNG: &str = "2417_Orbit Launch/1. Purchase Orders/2417_05 AMEX 8738/2417_05_01 \
                           Blue Bottle Coffee Receipt.png";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("crates/extract/tests/fixtures").join(name)).unwrap()
}

fn render(bytes: &[u8], name: &str, page: u32, width: u32) -> RenderedPage {
    use_installed_pdfium();
    render_page(bytes, name, page, width).unwrap_or_else(|e| panic!("{name} page {page}: {e}"))
}

fn render_error(bytes: &[u8], name: &str, page: u32) -> ExtractError {
    use_installed_pdfium();
    match render_page(bytes, name, page, 600) {
        Ok(got) => panic!("{name}: expected an error, got {got:?}"),
        Err(e) => e,
    }
}

/// The PNG decoded to grey, checked to be the size the render says it is.
fn decoded(page: &RenderedPage) -> GrayImage {
    assert!(page.png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let image = image::load_from_memory(&page.png).unwrap().to_luma8();
    assert_eq!(image.dimensions(), (page.width, page.height));
    image
}

/// A word box (fractions of the page) as pixels of `image`, grown by `pad` on each side.
fn pixel_box(image: &GrayImage, bbox: [f32; 4], pad: i64) -> (u32, u32, u32, u32) {
    let (w, h) = (f64::from(image.width()), f64::from(image.height()));
    let clamp = |v: f64, max: f64| v.clamp(0.0, max) as u32;
    (
        clamp((f64::from(bbox[0]) * w).floor() - pad as f64, w),
        clamp((f64::from(bbox[1]) * h).floor() - pad as f64, h),
        clamp((f64::from(bbox[2]) * w).ceil() + pad as f64, w),
        clamp((f64::from(bbox[3]) * h).ceil() + pad as f64, h),
    )
}

fn is_ink(luma: u8) -> bool {
    luma < 128
}

/// Ink pixels inside the box, and the box's pixels.
fn ink_in(image: &GrayImage, bbox: [f32; 4]) -> (usize, usize) {
    let (x0, y0, x1, y1) = pixel_box(image, bbox, 0);
    let mut ink = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            ink += usize::from(is_ink(image.get_pixel(x, y).0[0]));
        }
    }
    (ink, ((x1 - x0) * (y1 - y0)) as usize)
}

/// Every word box has ink in it, and (the page holding nothing but words) no ink lies
/// outside the boxes grown by two pixels: boxes shifted, scaled or turned against the image
/// fail one or the other.
fn assert_boxes_cover_the_ink(image: &GrayImage, words: &[Word]) {
    assert!(words.len() >= 5, "{} words", words.len());
    for word in words {
        let (ink, area) = ink_in(image, word.bbox);
        assert!(
            ink * 20 >= area,
            "word {:?} at {:?}: {ink} of {area} pixels are ink",
            word.text,
            word.bbox
        );
    }
    let mut covered = vec![false; (image.width() * image.height()) as usize];
    for word in words {
        let (x0, y0, x1, y1) = pixel_box(image, word.bbox, 2);
        for y in y0..y1 {
            for x in x0..x1 {
                covered[(y * image.width() + x) as usize] = true;
            }
        }
    }
    let (mut ink, mut stray) = (0, 0);
    for (i, pixel) in image.pixels().enumerate() {
        if is_ink(pixel.0[0]) {
            ink += 1;
            stray += usize::from(!covered[i]);
        }
    }
    assert!(ink > 1000, "only {ink} ink pixels: is the page blank?");
    assert_eq!(
        stray, 0,
        "{stray} of {ink} ink pixels lie outside every word box"
    );
}

/// A page of words only, for the strict check.
fn words_page() -> Vec<u8> {
    pdf(
        &[Page::a4(&[
            "INVOICE 2416-07",
            "Courier Car Rental, Inc., 12 Harbour Street",
            "Date: 2024-05-01    Due: 2024-05-31",
            "Total due: 1,234.56 USD",
            "WWWW mmmm iiii llll",
        ])],
        &[],
    )
}

/// `pdf` (written by `minimal_pdf`, whose first page is object 4) with `entries` added to
/// its first page's dictionary, as an incremental update: the page object again, and a
/// cross-reference section and trailer that point back to the original's.
fn with_first_page_entries(pdf: &[u8], entries: &str) -> Vec<u8> {
    let find = |needle: &[u8], from: usize| {
        pdf[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|at| at + from)
            .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
    };
    let start = find(b"\n4 0 obj\n", 0) + b"\n4 0 obj\n".len();
    let end = find(b"\nendobj", start);
    let page = String::from_utf8(pdf[start..end].to_vec()).unwrap();
    assert!(page.starts_with("<< /Type /Page "), "{page}");
    let page = page.replacen("<<", &format!("<< {entries}"), 1);
    let trailer = String::from_utf8(pdf[find(b"trailer", 0)..].to_vec()).unwrap();
    let number_after = |key: &str| -> usize {
        let rest = &trailer[trailer.find(key).unwrap() + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    let (size, previous) = (number_after("/Size"), number_after("startxref"));
    let mut out = pdf.to_vec();
    let offset = out.len();
    out.extend_from_slice(format!("4 0 obj\n{page}\nendobj\n").as_bytes());
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f \n4 1\n{offset:010} 00000 n \n\
             trailer\n<< /Size {size} /Root 1 0 R /Prev {previous} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

fn words_of(pdf: &[u8], page: usize) -> Vec<Word> {
    use_installed_pdfium();
    let text = PdfEngine::get().unwrap().text(pdf).unwrap();
    text.pages[page].words.clone()
}

#[test]
fn a_multi_page_pdf_renders_each_page_at_its_proportions() {
    let bytes = demo(COURIER_INVOICE);
    use_installed_pdfium();
    assert_eq!(page_count(&bytes, "invoice.pdf").unwrap(), 2);
    let sizes = PdfEngine::get().unwrap().page_sizes(&bytes).unwrap();
    let mut images = Vec::new();
    for page in 0..2 {
        let got = render(&bytes, "invoice.pdf", page, 800);
        assert_eq!((got.page, got.page_count, got.width), (page, 2, 800));
        let (w, h) = sizes[page as usize];
        let want = (800.0 * h / w).round() as u32;
        assert!(got.height.abs_diff(want) <= 1, "{} vs {want}", got.height);
        let image = decoded(&got);
        let ink = image.pixels().filter(|p| is_ink(p.0[0])).count();
        assert!(ink > 1000, "page {page}: only {ink} ink pixels");
        images.push(image);
    }
    assert_ne!(images[0], images[1], "both pages rendered the same");
}

#[test]
fn the_width_asked_for_is_the_width_given() {
    let bytes = demo(COURIER_INVOICE);
    for width in [1, 97, 1000, 1601] {
        let got = render(&bytes, "invoice.pdf", 0, width);
        assert_eq!(got.width, width);
        decoded(&got);
    }
}

#[test]
fn a_page_too_large_for_the_asked_width_is_rendered_within_the_caps() {
    // A banner 20000 x 40 points asked for at 60000 px across: wider than any side may be
    // (the caps' arithmetic, area included, is the unit tests' in `render`).
    let banner = pdf(
        &[Page {
            width: 20000.0,
            height: 40.0,
            lines: Vec::new(),
        }],
        &[],
    );
    let got = render(&banner, "banner.pdf", 0, 60_000);
    assert_eq!((u64::from(got.width), got.height), (MAX_RENDER_SIDE, 60));
    assert!(u64::from(got.width) * u64::from(got.height) <= MAX_RENDER_PIXELS);
    decoded(&got);
}

#[test]
fn word_boxes_from_the_text_layer_land_on_their_ink() {
    let bytes = words_page();
    let image = decoded(&render(&bytes, "words.pdf", 0, 1200));
    assert_boxes_cover_the_ink(&image, &words_of(&bytes, 0));
}

#[test]
fn word_boxes_of_a_real_invoice_land_on_ink() {
    // Rules, logos and shading also make ink here, so only one direction is checked: every
    // word (of three letters or more: a lone dot's box can miss its few pixels) has ink.
    let bytes = demo(COURIER_INVOICE);
    for page in 0..2 {
        let image = decoded(&render(&bytes, "invoice.pdf", page, 1200));
        let words: Vec<Word> = words_of(&bytes, page as usize)
            .into_iter()
            .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
            .collect();
        assert!(words.len() >= 10, "page {page}: {} words", words.len());
        let blank: Vec<&Word> = words
            .iter()
            .filter(|w| {
                let (ink, area) = ink_in(&image, w.bbox);
                ink * 50 < area
            })
            .collect();
        assert!(
            blank.is_empty(),
            "page {page}: boxes without ink: {blank:?}"
        );
    }
}

#[test]
fn a_rotated_page_is_shown_upright_and_its_word_boxes_still_land_on_their_ink() {
    for rotate in [90, 180, 270] {
        let bytes = with_first_page_entries(&words_page(), &format!("/Rotate {rotate}"));
        let got = render(&bytes, "rotated.pdf", 0, 1000);
        let want = if rotate == 180 { 1415 } else { 707 };
        assert!(
            got.height.abs_diff(want) <= 1,
            "/Rotate {rotate}: {} x {}",
            got.width,
            got.height
        );
        let image = decoded(&got);
        assert_boxes_cover_the_ink(&image, &words_of(&bytes, 0));
    }
}

#[test]
fn a_cropped_page_shows_only_its_crop_box_and_its_word_boxes_follow() {
    // The crop box starts away from the page's origin: boxes measured from the MediaBox
    // would land 40 points off.
    let bytes = with_first_page_entries(&words_page(), "/CropBox [40 500 400 842]");
    let got = render(&bytes, "cropped.pdf", 0, 720);
    assert_eq!((got.width, got.height), (720, 684));
    let image = decoded(&got);
    let words = words_of(&bytes, 0);
    for word in &words {
        assert!(
            word.bbox.iter().all(|v| (0.0..=1.0).contains(v)),
            "{word:?} is outside the page shown"
        );
    }
    assert_boxes_cover_the_ink(&image, &words);
}

#[test]
fn png_and_jpeg_images_render_scaled_to_the_width_asked() {
    let png = demo(RECEIPT_PNG);
    let got = render(&png, "receipt.png", 0, 400);
    assert_eq!(
        (got.width, got.height, got.page, got.page_count),
        (400, 282, 0, 1)
    );
    let receipt = decoded(&got);
    assert!(receipt.pixels().any(|p| is_ink(p.0[0])), "no ink");
    assert_eq!(page_count(&png, "receipt.png").unwrap(), 1);

    // A JPEG of a white sheet with a black square at a known place: the square is where it
    // was, as fractions, at half the size.
    let mut sheet = image::RgbImage::from_pixel(800, 600, image::Rgb([255, 255, 255]));
    for y in 150..300 {
        for x in 200..400 {
            sheet.put_pixel(x, y, image::Rgb([0, 0, 0]));
        }
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&sheet)
        .unwrap();
    let got = render(&jpeg, "photo.JPG", 0, 400);
    assert_eq!((got.width, got.height), (400, 300));
    let image = decoded(&got);
    let square = [0.25, 0.25, 0.5, 0.5];
    let (ink, area) = ink_in(&image, square);
    assert!(ink * 10 >= area * 9, "{ink} of {area}");
    let all = image.pixels().filter(|p| is_ink(p.0[0])).count();
    assert!(
        all <= ink + 400,
        "{} ink pixels outside the square",
        all - ink
    );
}

#[test]
fn tiff_and_bmp_images_render() {
    for (name, size) in [
        ("sammy-header.tif", (850, 320)),
        ("sammy-number.bmp", (350, 180)),
    ] {
        let got = render(&fixture(name), name, 0, size.0);
        assert_eq!((got.width, got.height), size, "{name}");
        let image = decoded(&got);
        assert!(image.pixels().any(|p| is_ink(p.0[0])), "{name}: no ink");
    }
}

#[test]
fn ocr_word_boxes_of_an_image_land_on_ink_in_its_render() {
    let bytes = fixture("sammy-number.bmp");
    let read = ocr::read_image(&bytes, "eng").unwrap();
    let words: Vec<&Word> = read
        .words
        .iter()
        .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
        .collect();
    assert!(words.len() >= 3, "{:?}", read.words);
    let image = decoded(&render(&bytes, "number.bmp", 0, 700));
    for word in words {
        let (ink, area) = ink_in(&image, word.bbox);
        assert!(ink * 20 >= area, "{:?}: {ink} of {area}", word.text);
    }
}

#[test]
fn an_e_invoice_xml_file_has_no_page_to_show() {
    let xml = fixture("ubl-invoice.xml");
    let e = render_error(&xml, "invoice.xml", 0);
    assert!(matches!(e, ExtractError::NoPageToShow { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "an e-invoice XML file has no page to show: it is data, not a printed page, and its \
         fields are the whole document"
    );
    // Named as a PDF, the bytes still decide.
    let e = page_count(&xml, "invoice.pdf").unwrap_err();
    assert!(matches!(e, ExtractError::NoPageToShow { .. }), "{e:?}");
}

#[test]
fn a_heic_photo_says_it_cannot_be_shown_and_what_to_do() {
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0u8; 64]);
    for name in ["IMG_0042.HEIC", "IMG_0042.jpg"] {
        let e = render_error(&heic, name, 0);
        assert!(matches!(e, ExtractError::Unsupported(_)), "{e:?}");
        assert!(e.to_string().contains("export the photo as JPEG"), "{e}");
    }
}

#[test]
fn broken_files_give_the_sentence_extraction_gives() {
    let whole = std::fs::read(zugferd_dir().join("../invoice2data/AzureInterior.pdf")).unwrap();
    let truncated = whole[..whole.len() / 2].to_vec();
    let receipt = demo(RECEIPT_PNG);
    let cases: [(&str, Vec<u8>, Format); 6] = [
        ("cut.pdf", truncated, Format::Pdf),
        ("locked.pdf", fixture("password-protected.pdf"), Format::Pdf),
        (
            "page.pdf",
            b"<html><body>404</body></html>".to_vec(),
            Format::Pdf,
        ),
        ("none.pdf", pdf(&[], &[]), Format::Pdf),
        ("empty.pdf", Vec::new(), Format::Pdf),
        (
            "cut.png",
            receipt[..receipt.len() / 2].to_vec(),
            Format::Image,
        ),
    ];
    for (name, bytes, format) in cases {
        let rendered = render_error(&bytes, name, 0).to_string();
        let extracted = extract_document(&bytes, format, &Options::default())
            .unwrap_err()
            .to_string();
        // An image's decoder differs (leptonica for OCR, `image` here): the sentence is the
        // same up to the decoder's own words.
        let sentence = |s: &str| s.split(": ").next().unwrap_or("").to_string();
        if format == Format::Image {
            assert_eq!(sentence(&rendered), sentence(&extracted), "{name}");
        } else {
            assert_eq!(rendered, extracted, "{name}");
        }
        if format == Format::Pdf && !bytes.is_empty() {
            assert_eq!(
                page_count(&bytes, name).unwrap_err().to_string(),
                extracted,
                "{name}"
            );
        }
    }
    let e = render_error(&fixture("password-protected.pdf"), "locked.pdf", 0);
    assert!(
        matches!(e, ExtractError::Pdf(PdfError::PasswordProtected)),
        "{e:?}"
    );
}

#[test]
fn a_page_past_the_last_is_its_own_error() {
    let e = render_error(&demo(COURIER_INVOICE), "invoice.pdf", 2);
    assert!(
        matches!(
            e,
            ExtractError::NoSuchPage {
                number: 3,
                count: 2
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "the document has no page 3 (it has 2)");
    let e = render_error(&demo(RECEIPT_PNG), "receipt.png", 1);
    assert!(
        matches!(
            e,
            ExtractError::NoSuchPage {
                number: 2,
                count: 1
            }
        ),
        "{e:?}"
    );
    let e = render_error(&demo(RECEIPT_PNG), "receipt.png", u32::MAX);
    assert!(matches!(e, ExtractError::NoSuchPage { .. }), "{e:?}");
}
