//! The scanned path end to end on real invoices: three corpus invoices (two with their
//! totals on page 2) are scanned (`boxkeeper-scans`: 200 dpi, skewed, blurred, noise and specks, no text layer) and read
//! by `extract_document` as the app reads a scan: twice as an image-only PDF (pdfium renders
//! it, OCR reads it) and once as a PNG photo. The invoice number, date and total must come
//! back as the invoice's embedded XML has them (the corpus ground truth). Five pages keep it
//! to seconds; `make bench` measures the whole corpus.

mod common;
use common::*;

use boxkeeper_extract::document::{extract_document, Format, Options};
use boxkeeper_scans::{image_pdf, scan_document, stack, ScanOptions};

struct Expected {
    file: &'static str,
    format: Format,
    invoice_number: &'static str,
    invoice_date: &'static str,
    total: &'static str,
}

const CASES: [Expected; 3] = [
    Expected {
        file: "ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_OEPNV.pdf",
        format: Format::Pdf,
        invoice_number: "E2018092011804",
        invoice_date: "2018-09-20",
        total: "9.00",
    },
    Expected {
        file: "ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_Einfach.pdf",
        format: Format::Image,
        invoice_number: "471102",
        invoice_date: "2018-03-05",
        total: "529.87",
    },
    Expected {
        file: "ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_AbweichenderZahlungsempf.pdf",
        format: Format::Pdf,
        invoice_number: "471102",
        invoice_date: "2018-03-05",
        total: "529.87",
    },
];

fn check(case: &Expected) {
    use_installed_pdfium();
    let pdf = std::fs::read(zugferd_dir().join("pdf").join(case.file)).unwrap();
    let pages = scan_document(&pdf, case.file, &ScanOptions::default()).unwrap();
    // A photo of a two-page invoice is one tall picture; a scanner writes a page per page.
    let bytes = if case.format == Format::Image {
        stack(&pages).unwrap().png().unwrap()
    } else {
        image_pdf(&pages, 75).unwrap()
    };
    // German invoices: the two languages they use, which reads twice as fast as three.
    let opts = Options {
        no_embedded: true,
        force_ocr: true,
        ocr_lang: "deu+eng".into(),
        locale: None,
    };
    let got = extract_document(&bytes, case.format, &opts).unwrap();
    assert_eq!(got.source, "ocr");
    let value = |f: &str| got.fields.get(f).map(|v| v.value.as_str());
    let wrong: Vec<String> = [
        ("invoice_number", case.invoice_number),
        ("invoice_date", case.invoice_date),
        ("total", case.total),
    ]
    .into_iter()
    .filter(|(f, want)| value(f) != Some(want))
    .map(|(f, want)| format!("{f}: want {want:?}, got {:?}", value(f)))
    .collect();
    assert!(wrong.is_empty(), "{}: {wrong:#?}\n{got:#?}", case.file);
    // What was read says where; a due date computed from the terms has no page.
    for f in ["invoice_number", "invoice_date", "total"] {
        let v = &got.fields[f];
        assert!(v.source.starts_with("ocr page "), "{f}: {v:?}");
    }
}

#[test]
fn a_scanned_transit_ticket_invoice_reads_back_as_an_image_only_pdf() {
    check(&CASES[0]);
}

#[test]
fn a_photographed_goods_invoice_reads_back_as_a_png() {
    check(&CASES[1]);
}

#[test]
fn a_scanned_invoice_with_another_payee_reads_back_as_an_image_only_pdf() {
    check(&CASES[2]);
}
