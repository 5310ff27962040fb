//! Broken and odd inputs through `document::extract_document`, the boundary the app calls:
//! each must come back as a specific sentence (or, where the document is still readable, a
//! result with a problem that says what was wrong), never a panic or a hang. The broken
//! files are made here (cut, emptied, written by `fixtures/minimal_pdf.rs`) except the
//! password-protected PDF, which qpdf made.

mod common;
use common::*;

#[path = "fixtures/minimal_pdf.rs"]
mod minimal_pdf;

use std::time::{Duration, Instant};

use boxkeeper_extract::document::{
    extract_document, DocumentExtraction, ExtractError, Format, Options,
};
use boxkeeper_extract::pdf::{self, PdfEngine, PdfError};
use minimal_pdf::{pdf, Page};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("crates/extract/tests/fixtures").join(name)).unwrap()
}

fn corpus(rel: &str) -> Vec<u8> {
    std::fs::read(zugferd_dir().join("..").join(rel)).unwrap()
}

/// Extracts, failing the test if it takes more than `limit` (a hang would otherwise only
/// show as a CI timeout).
fn extract_within(
    bytes: &[u8],
    format: Format,
    opts: &Options,
    limit: Duration,
) -> Result<DocumentExtraction, ExtractError> {
    use_installed_pdfium();
    let start = Instant::now();
    let result = extract_document(bytes, format, opts);
    assert!(
        start.elapsed() < limit,
        "took {:?} (limit {limit:?})",
        start.elapsed()
    );
    result
}

/// The error's sentence; the test fails if the document was read.
fn error_of(bytes: &[u8], format: Format) -> (ExtractError, String) {
    match extract_within(bytes, format, &Options::default(), Duration::from_secs(20)) {
        Ok(got) => panic!("expected an error, got {got:?}"),
        Err(e) => {
            let text = e.to_string();
            println!("{format:?}: {text}");
            (e, text)
        }
    }
}

#[test]
fn a_pdf_cut_in_half_is_damaged_and_says_it_looks_truncated() {
    let whole = corpus("invoice2data/AzureInterior.pdf");
    let half = &whole[..whole.len() / 2];
    let (e, text) = error_of(half, Format::Pdf);
    assert!(
        matches!(e, ExtractError::Pdf(PdfError::Damaged(_))),
        "{e:?}"
    );
    assert!(text.starts_with("the PDF is damaged: "), "{text}");
    assert!(text.contains("truncated"), "{text}");
}

#[test]
fn a_password_protected_pdf_says_so() {
    let (e, text) = error_of(&fixture("password-protected.pdf"), Format::Pdf);
    assert!(
        matches!(e, ExtractError::Pdf(PdfError::PasswordProtected)),
        "{e:?}"
    );
    assert!(text.starts_with("the PDF is password-protected"), "{text}");
}

#[test]
fn a_pdf_encrypted_only_against_printing_and_copying_is_read() {
    // No user password, only an owner password restricting print and copy: common on
    // invoices, and no reason to refuse them.
    let got = extract_within(
        &fixture("owner-restricted.pdf"),
        Format::Pdf,
        &Options::default(),
        Duration::from_secs(20),
    )
    .unwrap();
    assert_eq!(got.source, "text");
    assert_eq!(got.fields["total"].value, "119.00");
}

#[test]
fn a_pdf_without_pages_says_so() {
    // Count 0 with no kids, as a broken generator writes it.
    let (e, text) = error_of(&pdf(&[], &[]), Format::Pdf);
    assert!(matches!(e, ExtractError::Pdf(PdfError::NoPages)), "{e:?}");
    assert_eq!(text, "the PDF has no pages");
}

#[test]
fn a_page_tree_that_contains_itself_is_no_hang() {
    // The page tree's only kid is the tree itself: a reader that follows it naively loops.
    let looped = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
                   2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n\
                   trailer\n<< /Size 3 /Root 1 0 R >>\n%%EOF\n";
    let (e, text) = error_of(looped, Format::Pdf);
    assert!(
        matches!(
            e,
            ExtractError::Pdf(PdfError::NoPages | PdfError::Damaged(_))
        ),
        "{e:?}: {text}"
    );
}

#[test]
fn random_bytes_named_pdf_are_not_a_pdf() {
    // A fixed linear congruential sequence: the same "random" file every run.
    let mut state: u32 = 0x2545_f491;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let (e, text) = error_of(&bytes, Format::Pdf);
    assert!(matches!(e, ExtractError::Pdf(PdfError::NotPdf(_))), "{e:?}");
    assert!(
        text.starts_with("the file is not a PDF (it starts with the bytes "),
        "{text}"
    );
}

#[test]
fn an_html_page_named_pdf_is_not_a_pdf_and_shows_its_first_tag() {
    let html =
        b"<html>\n<head><title>Invoice</title></head><body>Your invoice is ready</body></html>";
    let (_, text) = error_of(html, Format::Pdf);
    assert_eq!(text, "the file is not a PDF (it starts with <html>)");
    let doctype = b"\xef\xbb\xbf  <!DOCTYPE html><html lang=en></html>";
    let (_, text) = error_of(doctype, Format::Pdf);
    assert_eq!(
        text,
        "the file is not a PDF (it starts with <!DOCTYPE html>)"
    );
}

#[test]
fn a_text_file_named_pdf_quotes_its_first_line() {
    let (_, text) = error_of(b"Invoice 42\nTotal 10.00\n", Format::Pdf);
    assert_eq!(
        text,
        "the file is not a PDF (it starts with the text \"Invoice 42\")"
    );
}

#[test]
fn empty_files_are_empty_whatever_their_name() {
    for format in [Format::Pdf, Format::Image, Format::Xml] {
        let (e, text) = error_of(b"", format);
        assert!(matches!(e, ExtractError::Empty), "{e:?}");
        assert_eq!(text, "the file is empty");
    }
    // The engine says the same when called directly.
    use_installed_pdfium();
    let engine = PdfEngine::get().unwrap();
    assert_eq!(engine.text(b""), Err(PdfError::Empty));
}

#[test]
fn malformed_embedded_xml_falls_back_to_the_text_and_says_why() {
    let doc = pdf(
        &[Page::a4(&[
            "INVOICE",
            "Acme Office Supplies Ltd",
            "Invoice number: INV-5521",
            "Invoice date: 2024-02-01",
            "Total: 119.00 EUR",
        ])],
        &[("factur-x.xml", b"<rsm:CrossIndustryInvoice><unclosed>")],
    );
    let got = extract_within(
        &doc,
        Format::Pdf,
        &Options::default(),
        Duration::from_secs(20),
    )
    .unwrap();
    assert_eq!(got.source, "text");
    assert!(
        got.problems.iter().any(|p| p.starts_with(
            "an XML file is attached but could not be used: the e-invoice XML is not well-formed"
        ) && p.ends_with("the text was read instead")),
        "{:?}",
        got.problems
    );
    assert_eq!(got.fields["invoice_number"].value, "INV-5521");
}

#[test]
fn a_huge_page_is_rendered_within_the_pixel_budget_at_a_lower_dpi() {
    use_installed_pdfium();
    let huge = pdf(
        &[Page {
            width: 20000.0,
            height: 20000.0,
            lines: Vec::new(),
        }],
        &[],
    );
    let engine = PdfEngine::get().unwrap();
    let start = Instant::now();
    let image = engine.render_gray(&huge, 0, 300).unwrap();
    println!(
        "20000 pt page: {}x{} px at {} dpi in {:?}",
        image.width,
        image.height,
        image.dpi,
        start.elapsed()
    );
    assert!((image.width * image.height) as u64 <= pdf::MAX_RENDER_PIXELS);
    assert_eq!(image.dpi, pdf::fit_dpi(20000.0, 20000.0, 300));
    assert!(image.dpi < 30, "{}", image.dpi);
    // 300 dpi would have been 83334 px a side (7 gigapixels).
    assert!(image.width > 5000, "{}", image.width);
    assert_eq!(image.pixels.len(), image.width * image.height);
}

#[test]
fn fit_dpi_keeps_normal_pages_and_shrinks_posters_and_slivers() {
    // A4 and US Letter at 300 dpi are well within the budget.
    assert_eq!(pdf::fit_dpi(595.0, 842.0, 300), 300);
    assert_eq!(pdf::fit_dpi(612.0, 792.0, 300), 300);
    // A0 (2384 x 3370 pt) is 139 megapixels at 300 dpi.
    let a0 = pdf::fit_dpi(2384.0, 3370.0, 300);
    assert!((150..300).contains(&a0), "{a0}");
    let side = |pt: f32, dpi: u16| (f64::from(pt) * f64::from(dpi) / 72.0).ceil() as u64;
    assert!(side(2384.0, a0) * side(3370.0, a0) <= pdf::MAX_RENDER_PIXELS);
    assert!(side(2384.0, a0 + 1) * side(3370.0, a0 + 1) > pdf::MAX_RENDER_PIXELS);
    // A 14400 pt x 10 pt strip: small area, too long a side.
    let strip = pdf::fit_dpi(14400.0, 10.0, 300);
    assert!(side(14400.0, strip) <= pdf::MAX_RENDER_SIDE, "{strip}");
    // Absurd or degenerate sizes still give a usable DPI.
    assert_eq!(pdf::fit_dpi(1.0e9, 1.0e9, 300), 1);
    assert_eq!(pdf::fit_dpi(0.0, -5.0, 300), 300);
}

#[test]
fn a_huge_scanned_page_is_read_by_ocr_at_a_lower_dpi_and_says_so() {
    let huge = pdf(
        &[Page {
            width: 20000.0,
            height: 20000.0,
            lines: Vec::new(),
        }],
        &[],
    );
    let got = extract_within(
        &huge,
        Format::Pdf,
        &Options::default(),
        Duration::from_secs(30),
    )
    .unwrap();
    assert_eq!(got.source, "ocr");
    let dpi = pdf::fit_dpi(20000.0, 20000.0, 300);
    let want = format!(
        "page 1 is 7056 x 7056 mm, too large to render at 300 dpi within 40 megapixels: it \
         was read at {dpi} dpi, so small text may be missed"
    );
    assert!(got.problems.contains(&want), "{:?}", got.problems);
}

#[test]
fn a_truncated_png_is_a_damaged_image() {
    let whole = corpus("invoice2data/FlipkartInvoice.png");
    let (e, text) = error_of(&whole[..whole.len() / 2], Format::Image);
    assert!(matches!(e, ExtractError::DamagedImage { .. }), "{e:?}");
    assert!(
        text.starts_with("the image is damaged or cut short (a PNG that cannot be decoded)"),
        "{text}"
    );
}

#[test]
fn a_zero_byte_jpeg_is_empty() {
    let format = Format::of_name("receipt.jpg").unwrap();
    let (e, _) = error_of(b"", format);
    assert!(matches!(e, ExtractError::Empty), "{e:?}");
}

#[test]
fn heic_is_unsupported_by_name_and_by_content() {
    let by_name = Format::of_name("IMG_0042.HEIC").unwrap_err().to_string();
    assert_eq!(
        by_name,
        "unsupported format: HEIC/HEIF photos cannot be read here (no HEIC decoder is \
         installed): export the photo as JPEG and add that"
    );
    // An iPhone photo renamed .jpg: the ISO media header gives it away.
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0u8; 64]);
    let (e, text) = error_of(&heic, Format::Image);
    assert!(matches!(e, ExtractError::Unsupported(_)), "{e:?}");
    assert_eq!(text, by_name);
}

#[test]
fn an_html_page_named_png_is_not_an_image() {
    let (e, text) = error_of(b"<html><body>404 Not Found</body></html>", Format::Image);
    assert!(matches!(e, ExtractError::NotThatFormat { .. }), "{e:?}");
    assert_eq!(
        text,
        "the file is not an image Boxkeeper reads (PNG, JPEG, TIFF, BMP): it starts with <html>"
    );
}

#[test]
fn other_files_named_pdf_are_named_by_their_magic_number() {
    let cases: [(&[u8], &str); 4] = [
        (b"GIF89a\x01\0\x01\0\0\0\0", "it is a GIF image"),
        (
            b"PK\x03\x04\x14\0\x06\0",
            "it is a ZIP archive (or a Word, Excel or OpenDocument file)",
        ),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "it is a PNG image"),
        // Text that happens to start like a BMP header is still text.
        (
            b"BMW Financial Services statement",
            "it starts with the text \"BMW Financial Services statement\"",
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(pdf::what_it_is(bytes), want);
    }
    // A PNG named .pdf is read as the image it is; text named .pdf is not a PDF.
    let (_, text) = error_of(b"BMW Financial Services statement", Format::Pdf);
    assert_eq!(
        text,
        "the file is not a PDF (it starts with the text \"BMW Financial Services statement\")"
    );
}

#[test]
fn a_pdf_named_png_is_read_as_a_pdf_and_says_so() {
    let doc = pdf(
        &[Page::a4(&[
            "INVOICE",
            "Invoice number: INV-77",
            "Total: 50.00 EUR",
        ])],
        &[],
    );
    let got = extract_within(
        &doc,
        Format::Image,
        &Options::default(),
        Duration::from_secs(20),
    )
    .unwrap();
    assert_eq!(got.source, "text");
    assert_eq!(
        got.problems[0],
        "the file's name says an image but it holds a PDF; it was read as such"
    );
}

#[test]
fn other_unsupported_types_name_what_is_read() {
    assert_eq!(
        Format::of_name("notes.docx").unwrap_err().to_string(),
        "unsupported format: files of type \"docx\": Boxkeeper reads PDF, PNG, JPEG, TIFF, BMP \
         and e-invoice XML"
    );
}

#[test]
fn engine_errors_are_sentences_not_debug_dumps() {
    use_installed_pdfium();
    let engine = PdfEngine::get().unwrap();
    let broken = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ngarbage".to_vec();
    let e = engine.text(&broken).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("the PDF is damaged: "), "{text}");
    assert!(
        !text.contains('\n') && !text.contains("PdfiumError"),
        "{text}"
    );
    assert_eq!(
        engine.render_gray(&pdf(&[Page::a4(&["x"])], &[]), 3, 72),
        Err(PdfError::NoSuchPage { page: 4, count: 1 })
    );
}

/// pdfium is not thread-safe: the engine serialises its operations. Many threads reading
/// good and broken PDFs at once must each get the answer they get alone.
#[test]
fn concurrent_reads_give_the_same_answers_as_sequential_ones() {
    use_installed_pdfium();
    let azure = corpus("invoice2data/AzureInterior.pdf");
    let inputs: Vec<Vec<u8>> = vec![
        azure.clone(),
        azure[..azure.len() / 2].to_vec(),
        fixture("password-protected.pdf"),
        pdf(&[Page::a4(&["Invoice INV-1", "Total 10.00"])], &[]),
        pdf(&[], &[]),
    ];
    let describe = |bytes: &[u8]| {
        let engine = PdfEngine::get().unwrap();
        match engine.text(bytes) {
            Ok(text) => format!("ok: {}", text.full_text()),
            Err(e) => format!("err: {e}"),
        }
    };
    let alone: Vec<String> = inputs.iter().map(|b| describe(b)).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (inputs, alone, describe) = (&inputs, &alone, &describe);
                scope.spawn(move || {
                    for round in 0..5 {
                        let i = (t + round) % inputs.len();
                        assert_eq!(describe(&inputs[i]), alone[i], "input {i}");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
}
