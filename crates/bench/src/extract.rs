//! Document extraction (issue 4), each figure next to a reference run in the same process
//! on the same files:
//!
//! 1. Field accuracy on the shared ZUGFeRD corpus with the embedded XML ignored, on the PDFs'
//!    text and on scanned versions of them (`boxkeeper-scans`: skewed, noisy, image-only
//!    PDFs), each distinct invoice counted once, next to invoice2data (template-based,
//!    Python, in `.venv-bench`: `scripts/bench-venv.sh`) on the same files; then both on
//!    invoice2data's own test corpus, where its expected outputs come from.
//! 2. Pages per second of our text extraction against `pdftotext` on every corpus PDF.
//! 3. OCR pages per second of our pipeline (render, then a page per core) against the
//!    tesseract CLI run serially on the same page images with the same settings.
//!
//! The tables are printed and written to artifacts/bench-extract.md.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use boxkeeper_extract::document::{extract_document, Format, Options};
use boxkeeper_extract::normalize_amount;
use boxkeeper_extract::ocr::{self, OCR_DPI};
use boxkeeper_extract::pdf::{GrayImage, PdfEngine};
use boxkeeper_scans::{image_pdf, scan_document, stack, ScanOptions, ScannedPage};
use serde_json::Value;

/// The languages OCR reads: the corpus is German, French and English.
const LANG: &str = "eng+deu+fra";
/// The fields scored, in table order.
const FIELDS: [&str; 9] = [
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax",
    "total",
    "vendor_name",
    "po_number",
];
const AMOUNTS: [&str; 3] = ["subtotal", "tax", "total"];

/// invoice2data over a list of files in one process (its 215 templates load once): prints
/// `{path: fields}` as JSON; dates as ISO strings.
const INVOICE2DATA_DRIVER: &str = r#"
import json, logging, sys
logging.disable(logging.CRITICAL)
from invoice2data import extract_data
from invoice2data.extract.loader import read_templates
templates = read_templates()
reader = None if sys.argv[1] == "auto" else sys.argv[1]
out = {}
for path in sys.argv[2:]:
    try:
        out[path] = extract_data(path, templates=templates, input_module=reader) or {}
    except Exception as e:
        out[path] = {"error": f"{type(e).__name__}: {e}"}
json.dump(out, sys.stdout, default=lambda o: o.strftime("%Y-%m-%d") if hasattr(o, "strftime") else str(o))
"#;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> PathBuf {
    std::env::var_os("BOXKEEPER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"))
}

/// Whitespace folded, lower case: how names are compared.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Field values in our normal forms (ISO dates, two-decimal amounts), by field name.
type Fields = BTreeMap<&'static str, String>;

/// One invoice with its expected fields.
struct Labelled {
    path: PathBuf,
    truth: Fields,
}

/// A value compared the way the corpus README says: amounts to the cent, names folded and
/// matched when one holds the other (a letterhead adds "GmbH & Co. KG" or a department;
/// invoice2data's issuer is its template's name), the rest exactly.
fn matches(field: &str, want: &str, got: Option<&String>) -> bool {
    let Some(got) = got else { return false };
    if AMOUNTS.contains(&field) {
        return normalize_amount(got).as_deref() == Some(want);
    }
    if field == "vendor_name" {
        let (w, g) = (fold(want), fold(got));
        return !g.is_empty() && (g.contains(&w) || w.contains(&g));
    }
    got.trim() == want
}

/// Right answers per field, out of the invoices whose truth has that field.
#[derive(Default)]
struct Tally {
    right: BTreeMap<&'static str, usize>,
    of: BTreeMap<&'static str, usize>,
    misses: Vec<String>,
}

impl Tally {
    fn score(&mut self, doc: &Labelled, got: &Fields) {
        for field in FIELDS {
            let Some(want) = doc.truth.get(field) else {
                continue;
            };
            *self.of.entry(field).or_default() += 1;
            if matches(field, want, got.get(field)) {
                *self.right.entry(field).or_default() += 1;
            } else {
                let name = doc.path.file_name().unwrap_or_default().to_string_lossy();
                self.misses.push(format!(
                    "{name}: {field} want {want:?} got {:?}",
                    got.get(field)
                ));
            }
        }
    }

    fn cell(&self, field: &str) -> String {
        match self.of.get(field) {
            None | Some(0) => "-".into(),
            Some(&n) => {
                let r = self.right.get(field).copied().unwrap_or(0);
                format!("{r}/{n} ({:.0}%)", 100.0 * r as f64 / n as f64)
            }
        }
    }
}

/// The ZUGFeRD corpus, each distinct invoice once (by seller, number, date, total).
fn zugferd_invoices() -> Result<Vec<Labelled>> {
    let dir = shared().join("corpus/zugferd");
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ground_truth.json"))
            .with_context(|| format!("the shared corpus in {}", dir.display()))?,
    )?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for doc in truth["documents"].as_array().context("documents")? {
        let s = |k: &str| doc[k].as_str().unwrap_or("").trim().to_string();
        if !seen.insert((
            fold(&s("seller_name")),
            s("invoice_number"),
            s("issue_date"),
            s("grand_total"),
        )) {
            continue;
        }
        let mut fields = Fields::new();
        for (ours, theirs) in [
            ("invoice_number", "invoice_number"),
            ("invoice_date", "issue_date"),
            ("due_date", "due_date"),
            ("currency", "currency"),
            ("subtotal", "tax_basis_total"),
            ("tax", "tax_total"),
            ("total", "grand_total"),
            ("vendor_name", "seller_name"),
            ("po_number", "order_reference"),
        ] {
            let v = s(theirs);
            let v = if AMOUNTS.contains(&ours) {
                normalize_amount(&v).unwrap_or_default()
            } else {
                v
            };
            if !v.is_empty() {
                fields.insert(ours, v);
            }
        }
        out.push(Labelled {
            path: dir.join(s("file")),
            truth: fields,
        });
    }
    Ok(out)
}

/// invoice2data's test corpus: its PDFs and PNG page images with its expected outputs.
fn invoice2data_corpus() -> Result<(Vec<Labelled>, Vec<Labelled>)> {
    let dir = shared().join("corpus/invoice2data");
    let (mut pdfs, mut images) = (Vec::new(), Vec::new());
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for json in names {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
        let truth = invoice2data_fields(v.get(0).unwrap_or(&v));
        for (ext, list) in [("pdf", &mut pdfs), ("png", &mut images)] {
            let path = json.with_extension(ext);
            if path.exists() {
                list.push(Labelled {
                    path,
                    truth: truth.clone(),
                });
            }
        }
    }
    Ok((pdfs, images))
}

/// invoice2data's output in our field names and forms.
fn invoice2data_fields(v: &Value) -> Fields {
    let mut out = Fields::new();
    let text = |k: &str| match v.get(k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    for (ours, keys) in [
        ("invoice_number", &["invoice_number"][..]),
        ("invoice_date", &["date"]),
        ("due_date", &["date_due"]),
        ("currency", &["currency"]),
        ("subtotal", &["amount_untaxed"]),
        ("tax", &["amount_tax"]),
        ("total", &["amount"]),
        ("vendor_name", &["issuer"]),
        (
            "po_number",
            &["purchase_order_id", "order_id", "customer_order_number"],
        ),
    ] {
        if let Some(value) = keys.iter().find_map(|k| text(k)) {
            let value = if AMOUNTS.contains(&ours) {
                match normalize_amount(&value) {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                value
            };
            out.insert(ours, value);
        }
    }
    out
}

/// Our extraction of one file, in the app's code path.
fn ours(bytes: &[u8], format: Format, force_ocr: bool) -> Result<Fields> {
    let opts = Options {
        no_embedded: true,
        force_ocr,
        ocr_lang: LANG.into(),
        locale: None,
    };
    let got = extract_document(bytes, format, &opts)?;
    Ok(FIELDS
        .iter()
        .filter_map(|f| got.fields.get(*f).map(|v| (*f, v.value.clone())))
        .collect())
}

/// invoice2data on the files, by path; `None` when it could not run at all.
fn invoice2data(
    python: &Path,
    reader: &str,
    files: &[PathBuf],
) -> Result<BTreeMap<PathBuf, Fields>> {
    let out = Command::new(python)
        .arg("-c")
        .arg(INVOICE2DATA_DRIVER)
        .arg(reader)
        .args(files)
        .stderr(Stdio::null())
        .output()
        .context("running invoice2data")?;
    if !out.status.success() {
        bail!("invoice2data failed: {}", out.status);
    }
    let all: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout)?;
    Ok(all
        .into_iter()
        .map(|(path, v)| (PathBuf::from(path), invoice2data_fields(&v)))
        .collect())
}

/// The venv with invoice2data, made by scripts/bench-venv.sh when missing.
fn invoice2data_python() -> Result<PathBuf> {
    let script = repo().join("scripts/bench-venv.sh");
    let ok = Command::new("bash").arg(&script).status()?.success();
    let python = std::env::var_os("BOXKEEPER_BENCH_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-bench"))
        .join("bin/python");
    if !ok || !python.exists() {
        bail!("invoice2data is not installed: {} failed", script.display());
    }
    Ok(python)
}

/// A document's scanned version, as written for both extractors: an image-only PDF (ours)
/// and its pages stacked into one PNG (invoice2data's tesseract reader takes images; it turns
/// PDFs into one through ImageMagick, whose Debian policy refuses PDF).
struct Scanned {
    pdf: PathBuf,
    png: PathBuf,
    pages: usize,
}

fn make_scans(docs: &[Labelled], dir: &Path) -> Result<Vec<Scanned>> {
    std::fs::create_dir_all(dir)?;
    let opts = ScanOptions::default();
    let mut out = Vec::new();
    for doc in docs {
        let name = doc.path.file_stem().unwrap_or_default().to_string_lossy();
        let pages: Vec<ScannedPage> = scan_document(&std::fs::read(&doc.path)?, &name, &opts)?;
        let pdf = dir.join(format!("{name}.pdf"));
        let png = dir.join(format!("{name}.png"));
        std::fs::write(&pdf, image_pdf(&pages, opts.jpeg_quality)?)?;
        std::fs::write(&png, stack(&pages)?.png()?)?;
        out.push(Scanned {
            pdf,
            png,
            pages: pages.len(),
        });
    }
    Ok(out)
}

pub fn run(runs: usize, work: &Path) -> Result<()> {
    let engine = PdfEngine::get()?;
    let python = invoice2data_python();
    if let Err(e) = &python {
        println!("(invoice2data columns skipped: {e:#})");
    }
    let mut report = String::new();

    // 1. Accuracy on the ZUGFeRD corpus: text, then scans.
    let docs = zugferd_invoices()?;
    let t = Instant::now();
    let scans = make_scans(&docs, &work.join("scans"))?;
    let scanned_pages: usize = scans.iter().map(|s| s.pages).sum();
    println!(
        "\nscanned {} invoices ({scanned_pages} pages, {} dpi, skew, noise, JPEG) in {:.1} s",
        docs.len(),
        ScanOptions::default().dpi,
        t.elapsed().as_secs_f64()
    );
    let (mut text, mut scanned) = (Tally::default(), Tally::default());
    let t = Instant::now();
    for doc in &docs {
        text.score(doc, &ours(&std::fs::read(&doc.path)?, Format::Pdf, false)?);
    }
    let text_time = t.elapsed();
    println!("ours, text: {:.1} s", text_time.as_secs_f64());
    let t = Instant::now();
    for (doc, scan) in docs.iter().zip(&scans) {
        scanned.score(doc, &ours(&std::fs::read(&scan.pdf)?, Format::Pdf, true)?);
    }
    let scan_time = t.elapsed();
    println!("ours, scanned: {:.1} s", scan_time.as_secs_f64());
    let (mut their_text, mut their_scanned) = (Tally::default(), Tally::default());
    let mut i2d_time = (Duration::ZERO, Duration::ZERO);
    if let Ok(python) = &python {
        let files: Vec<PathBuf> = docs.iter().map(|d| d.path.clone()).collect();
        let t = Instant::now();
        let got = invoice2data(python, "pdftotext", &files)?;
        i2d_time.0 = t.elapsed();
        for doc in &docs {
            their_text.score(doc, got.get(&doc.path).unwrap_or(&Fields::new()));
        }
        let files: Vec<PathBuf> = scans.iter().map(|s| s.png.clone()).collect();
        let t = Instant::now();
        let got = invoice2data(python, "tesseract", &files)?;
        i2d_time.1 = t.elapsed();
        println!(
            "invoice2data: text {:.1} s, scanned {:.1} s",
            i2d_time.0.as_secs_f64(),
            i2d_time.1.as_secs_f64()
        );
        for (doc, scan) in docs.iter().zip(&scans) {
            their_scanned.score(doc, got.get(&scan.png).unwrap_or(&Fields::new()));
        }
    }
    let _ = writeln!(
        report,
        "## Field accuracy: ZUGFeRD corpus, {} distinct invoices, embedded XML ignored\n\n\
         Scanned: {scanned_pages} pages rendered at {} dpi, skewed 0.5-1.5 degrees, blurred, \
         noise and specks, JPEG q{}, no text layer (ours: image-only PDF, OCR {LANG}; \
         invoice2data: the pages stacked in one PNG, its tesseract reader).\n\
         n = invoices whose ground truth has the field.\n\n\
         | field | n | ours text | invoice2data text | ours scanned | invoice2data scanned |\n\
         |---|---|---|---|---|---|",
        docs.len(),
        ScanOptions::default().dpi,
        ScanOptions::default().jpeg_quality,
    );
    let i2d = |t: &Tally, f: &str| {
        if python.is_ok() {
            t.cell(f)
        } else {
            "not run".into()
        }
    };
    for field in FIELDS {
        let _ = writeln!(
            report,
            "| {field} | {} | {} | {} | {} | {} |",
            text.of.get(field).copied().unwrap_or(0),
            text.cell(field),
            i2d(&their_text, field),
            scanned.cell(field),
            i2d(&their_scanned, field),
        );
    }
    let _ = writeln!(
        report,
        "\nTime: ours text {:.1} s, ours scanned {:.1} s (OCR, pages in order); invoice2data \
         text {:.1} s, scanned {:.1} s.\n",
        text_time.as_secs_f64(),
        scan_time.as_secs_f64(),
        i2d_time.0.as_secs_f64(),
        i2d_time.1.as_secs_f64(),
    );

    // invoice2data's home ground.
    let (pdfs, images) = invoice2data_corpus()?;
    let (mut ours_pdf, mut ours_img) = (Tally::default(), Tally::default());
    for doc in &pdfs {
        ours_pdf.score(doc, &ours(&std::fs::read(&doc.path)?, Format::Pdf, false)?);
    }
    for doc in &images {
        ours_img.score(
            doc,
            &ours(&std::fs::read(&doc.path)?, Format::Image, false)?,
        );
    }
    let (mut their_pdf, mut their_img) = (Tally::default(), Tally::default());
    if let Ok(python) = &python {
        for (docs, reader, tally) in [
            (&pdfs, "pdftotext", &mut their_pdf),
            (&images, "tesseract", &mut their_img),
        ] {
            let files: Vec<PathBuf> = docs.iter().map(|d| d.path.clone()).collect();
            let got = invoice2data(python, reader, &files)?;
            for doc in docs.iter() {
                tally.score(doc, got.get(&doc.path).unwrap_or(&Fields::new()));
            }
        }
    }
    let _ = writeln!(
        report,
        "## Field accuracy: invoice2data's test corpus ({} PDFs, {} PNG page images)\n\n\
         Its expected outputs are its own templates' outputs (issuer = template name), so \
         invoice2data is scored against itself here.\n\n\
         | field | n pdf | ours pdf | invoice2data pdf | n png | ours png | invoice2data png |\n\
         |---|---|---|---|---|---|---|",
        pdfs.len(),
        images.len()
    );
    for field in FIELDS {
        if !ours_pdf.of.contains_key(field) && !ours_img.of.contains_key(field) {
            continue;
        }
        let _ = writeln!(
            report,
            "| {field} | {} | {} | {} | {} | {} | {} |",
            ours_pdf.of.get(field).copied().unwrap_or(0),
            ours_pdf.cell(field),
            i2d(&their_pdf, field),
            ours_img.of.get(field).copied().unwrap_or(0),
            ours_img.cell(field),
            i2d(&their_img, field),
        );
    }

    // 2. Text extraction speed.
    report.push('\n');
    report.push_str(&text_speed(engine, runs)?);

    // 3. OCR speed.
    report.push('\n');
    report.push_str(&ocr_speed(engine, &scans, work)?);

    println!("\n{report}");
    println!("misses, ours text:\n  {}", text.misses.join("\n  "));
    println!("misses, ours scanned:\n  {}", scanned.misses.join("\n  "));
    let artifacts = repo().join("artifacts");
    std::fs::create_dir_all(&artifacts)?;
    std::fs::write(artifacts.join("bench-extract.md"), &report)?;
    println!(
        "written to {}",
        artifacts.join("bench-extract.md").display()
    );
    Ok(())
}

/// Pages per second of PdfEngine::text against `pdftotext` (one process per file, as a
/// script would run it) on every corpus PDF, best of `runs`.
fn text_speed(engine: &PdfEngine, runs: usize) -> Result<String> {
    let dir = shared().join("corpus");
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["zugferd/pdf", "invoice2data"] {
        for e in std::fs::read_dir(dir.join(sub))? {
            let p = e?.path();
            if p.extension().is_some_and(|e| e == "pdf") {
                files.push(p);
            }
        }
    }
    files.sort();
    let bytes: Vec<Vec<u8>> = files
        .iter()
        .map(std::fs::read)
        .collect::<std::io::Result<_>>()?;
    let mut pages = 0;
    let (mut ours, mut theirs) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        pages = 0;
        for b in &bytes {
            pages += engine.text(b)?.pages.len();
        }
        ours = ours.min(t.elapsed());
        let t = Instant::now();
        for f in &files {
            let ok = Command::new("pdftotext")
                .arg(f)
                .arg("-")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .context("pdftotext (apt: poppler-utils)")?
                .success();
            if !ok {
                bail!("pdftotext failed on {}", f.display());
            }
        }
        theirs = theirs.min(t.elapsed());
    }
    let rate = |d: Duration| pages as f64 / d.as_secs_f64();
    Ok(format!(
        "## Text extraction: {} PDFs, {pages} pages, one core, best of {}\n\n\
         | | pages/s | time |\n|---|---|---|\n\
         | pdftotext (a process per file) | {:.0} | {:.2} s |\n\
         | boxkeeper PdfEngine::text (words with boxes) | {:.0} | {:.2} s |\n\
         | ratio ours / pdftotext | {:.2} | |\n",
        files.len(),
        runs.max(1),
        rate(theirs),
        theirs.as_secs_f64(),
        rate(ours),
        ours.as_secs_f64(),
        rate(ours) / rate(theirs),
    ))
}

/// OCR pages per second: ours renders the first page of each scanned PDF at OCR_DPI and reads the pages a
/// page per core; the reference is the tesseract CLI, one page after another (one thread:
/// OMP_THREAD_LIMIT=1, as ours), same languages and page segmentation, on PNGs of the same
/// renders, writing text and TSV as ours reads both.
fn ocr_speed(engine: &PdfEngine, scans: &[Scanned], work: &Path) -> Result<String> {
    let pdfs: Vec<Vec<u8>> = scans
        .iter()
        .map(|s| std::fs::read(&s.pdf))
        .collect::<std::io::Result<_>>()?;
    // First pages only: every invoice once, and a run that takes a minute, not ten.
    let t = Instant::now();
    let mut images: Vec<GrayImage> = Vec::new();
    for pdf in &pdfs {
        images.push(engine.render_gray(pdf, 0, OCR_DPI)?);
    }
    let read = ocr::read_gray_pages(&images, LANG)?;
    let ours = t.elapsed();
    if read.len() != images.len() {
        bail!("OCR returned {} pages of {}", read.len(), images.len());
    }

    let dir = work.join("ocr-pages");
    std::fs::create_dir_all(&dir)?;
    let mut pngs = Vec::new();
    for (i, image) in images.iter().enumerate() {
        let path = dir.join(format!("page-{i:03}.png"));
        let page = ScannedPage {
            image: image.clone(),
            skew_degrees: 0.0,
        };
        std::fs::write(&path, page.png()?)?;
        pngs.push(path);
    }
    let t = Instant::now();
    for png in &pngs {
        let ok = Command::new("tesseract")
            .arg(png)
            .arg(png.with_extension(""))
            .args(["-l", LANG, "--psm", "6", "txt", "tsv"])
            .env("OMP_THREAD_LIMIT", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("tesseract CLI (apt: tesseract-ocr)")?
            .success();
        if !ok {
            bail!("tesseract failed on {}", png.display());
        }
    }
    let theirs = t.elapsed();
    let n = images.len() as f64;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(format!(
        "## OCR: {} scanned pages at {OCR_DPI} dpi, {LANG}, page segmentation 6\n\n\
         | | pages/s | time |\n|---|---|---|\n\
         | tesseract CLI, serial, one thread | {:.2} | {:.1} s |\n\
         | boxkeeper: render + OCR, a page per core ({threads} threads) | {:.2} | {:.1} s |\n\
         | ratio ours / CLI | {:.2} | |\n",
        images.len(),
        n / theirs.as_secs_f64(),
        theirs.as_secs_f64(),
        n / ours.as_secs_f64(),
        ours.as_secs_f64(),
        theirs.as_secs_f64() / ours.as_secs_f64(),
    ))
}
