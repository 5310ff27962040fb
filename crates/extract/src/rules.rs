//! The offline extractor: invoice and receipt fields from a document's text, by labels
//! (English, German, French, Dutch), page layout and arithmetic, with no model and no network.
//! Each value says how sure it is and where it came from (page and box when the text layer or
//! OCR had word boxes). It is a floor, not an oracle: the LLM extractor improves on it when
//! configured, and a person's correction beats both.
//!
//! The page is read as a grid, not as a stream: words are grouped into visual rows by their
//! boxes and rows into cells at wide gaps, because a PDF's text order often puts a label far
//! from its value ("Date:" in one column, "Jan 1, 2022" in the next; "Endbetrag" as a table
//! header with the amount under it). A label's value is looked for in the rest of its cell,
//! then the cells to its right, then under it. Amounts are chosen together: of the candidate
//! totals, the one that equals a candidate subtotal plus a candidate tax wins.

use serde::Serialize;

use crate::fields::LineItem;
use crate::pdf::{DocumentText, PageText};
use crate::values::{
    add_days, cents_of, find_date, format_cents, parse_amount, parse_quantity, Locale,
};

/// A value with its confidence (0..=1) and where on which page it was read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    pub value: String,
    pub confidence: f32,
    pub page: Option<usize>,
    pub bbox: Option<[f32; 4]>,
}

/// One line item as read from a table row: the item, its date when the row had one, and
/// where it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoundLine {
    pub item: LineItem,
    pub date: Option<String>,
    pub confidence: f32,
    pub page: usize,
    pub bbox: Option<[f32; 4]>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Extracted {
    /// INVOICE, RECEIPT, CREDIT_NOTE or TAX_FORM.
    pub document_type: Option<String>,
    /// The vendor, or for a receipt the merchant.
    pub vendor_name: Option<Found>,
    pub invoice_number: Option<Found>,
    pub invoice_date: Option<Found>,
    pub due_date: Option<Found>,
    pub currency: Option<Found>,
    pub subtotal: Option<Found>,
    pub tax: Option<Found>,
    pub total: Option<Found>,
    pub po_number: Option<Found>,
    pub line_items: Vec<FoundLine>,
    /// Checks that failed, in words ("subtotal 100.00 plus tax 19.00 is not the total 120.00").
    pub problems: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Labels. Lower case; earlier labels in a list win over later ones.

const INVOICE_NUMBER: &[&str] = &[
    "invoice number",
    "invoice no",
    "invoice #",
    "invoice nr",
    "invoice id",
    "rechnungsnummer",
    "rechnungs-nr",
    "rechnungsnr",
    "rechnung-nr",
    "rechnung nr",
    "belegnummer",
    "beleg-nr",
    "gutschriftsnummer",
    "numéro de facture",
    "n° de facture",
    "facture n°",
    "facture no",
    "factuurnummer",
    "factuur nr",
    "credit note number",
    "bill no",
    "receipt number",
    "receipt no",
    "receipt #",
    "invoice:",
    "rechnung:",
];
const INVOICE_DATE: &[&str] = &[
    "invoice date",
    "date of invoice",
    "invoice dated",
    "rechnungsdatum",
    "belegdatum",
    "beleg-datum",
    "date de facture",
    "date de facturation",
    "date facture",
    "factuurdatum",
    "factuur datum",
    "data wystawienia",
    "receipt date",
    "date of issue",
    "issue date",
];
/// Standalone words that date a document when nothing more specific does ("Date: ...").
const PLAIN_DATE: &[&str] = &["date", "datum", "date :", "dated"];
/// A plain "Date" in a cell with one of these is some other date.
const NOT_INVOICE_DATE: &[&str] = &[
    "due",
    "fällig",
    "échéance",
    "liefer",
    "leistung",
    "order",
    "bestell",
    "livraison",
    "delivery",
    "check",
    "verval",
    "start",
    "end",
    "début",
    "fin",
    "ship",
    "birth",
    "version",
    "associée",
    "auftrag",
    "vertrag",
    "lieferschein",
    "service",
];
/// Words that make an invoice date or number another document's (a credit note names the
/// invoice it corrects).
const REFERENCED: &[&str] = &[
    "associée",
    "associated",
    "original",
    "ursprungs",
    "related",
    "referenced",
    "previous",
    "corrected",
];
const DUE_DATE: &[&str] = &[
    "due date",
    "payment due",
    "date due",
    "due by",
    "pay by",
    "fälligkeitsdatum",
    "fällig am",
    "fälligkeit",
    "zahlungsziel",
    "zahlbar bis",
    "date d'échéance",
    "date limite de paiement",
    "échéance",
    "vervaldatum",
];
// Grand totals before amounts due: a prepayment makes the amount due smaller than the
// invoice's total, and the total is what is booked.
const TOTAL: &[&str] = &[
    "grand total",
    "invoice total",
    "total amount",
    "bruttosumme",
    "summe brutto",
    "gesamtsumme",
    "bruttobetrag",
    "endbetrag",
    "rechnungsbetrag",
    "gesamtbetrag",
    "rechnungssumme",
    "gesamtpreis",
    "total ttc",
    "montant ttc",
    "factuur totaal",
    "totaal",
    "total facture",
    "total for this invoice",
    "summe inkl",
    "amount due",
    "total due",
    "balance due",
    "zahlbetrag",
    "zu zahlen",
    "net à payer",
    "somme à payer",
    "ttc",
    "total",
    "summe",
];
/// Words that make a cell something other than the total.
const NOT_TOTAL: &[&str] = &[
    "ohne",
    "netto",
    "excl",
    "exclusief",
    "before tax",
    "hors",
    "ht",
    "subtotal",
    "sub-total",
    "subtotaal",
    "zuschläge",
    "abschläge",
    "tva",
    "vat",
    "tax",
    "mwst",
    "ust",
    "btw",
    "steuer",
];
/// Words that say an amount includes tax.
const INCLUDING: &[&str] = &["inkl", "incl", "including", "ttc", "brutto"];
const SUBTOTAL: &[&str] = &[
    "rechnungssumme ohne",
    "summe ohne",
    "total net",
    "total excl",
    "net amount",
    "nettobetrag",
    "summe netto",
    "nettosumme",
    "gesamt netto",
    "total ht",
    "montant ht",
    "exclusief btw",
    "subtotal",
    "sub-total",
    "sub total",
    "subtotaal",
    "warenwert",
    "positionssumme",
    "grondslag",
    "ht",
    "netto",
];
const NOT_SUBTOTAL: &[&str] = &["inkl", "incl", "brutto", "ttc"];
const TAX: &[&str] = &[
    "steuerbetrag",
    "mwst-betrag",
    "mwst.-betrag",
    "ust-betrag",
    "total tva",
    "montant tva",
    "btw bedrag",
    "zuzügl. ust",
    "sales tax",
    "mwst",
    "umsatzsteuer",
    "mehrwertsteuer",
    "vat",
    "tax",
    "tva",
    "btw",
    "ust",
];
const NOT_TAX: &[&str] = &[
    "ohne",
    "inkl",
    "incl",
    "excl",
    "hors",
    "summe",
    "total",
    "basis",
    "id",
    "nr",
    "number",
    "idnr",
    "no",
    "nummer",
    "grondslag",
    "registration",
    "identification",
    "intra",
    "exclusief",
    "exkl",
    "-id",
    "number:",
    "#",
    "inclusief",
    "inclusive",
    "including",
];
const PO_NUMBER: &[&str] = &[
    "purchase order",
    "po number",
    "po no",
    "po #",
    "p.o.",
    "bestellnummer",
    "bestell-nr",
    "ihre bestellung",
    "bon de commande",
    "numéro de commande",
    "order number",
    "order no",
    "auftragsnummer",
    "ordernummer",
];
const CURRENCY: &[&str] = &[
    "rechnungswährung",
    "currency",
    "währung",
    "devise",
    "valuta",
    "monnaie",
];
const CURRENCY_CODES: &[&str] = &[
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "INR", "JPY", "SEK", "DKK", "NOK", "PLN", "CZK",
    "HUF", "CNY", "HKD", "SGD", "NZD", "MXN", "BRL", "ZAR",
];
/// Words that open the seller's block.
const SELLER: &[&str] = &[
    "verkäufer",
    "lieferant",
    "rechnungssteller",
    "seller",
    "supplier",
    "vendor",
    "vendeur",
    "fournisseur",
    "leverancier",
    "sprzedawca",
    "service provider",
    "sold by",
    "bill from",
    "from",
];
/// Words that open the buyer's block: a company named there is not the vendor.
const BUYER: &[&str] = &[
    "käufer",
    "rechnungsempfänger",
    "warenempfänger",
    "leistungsempfänger",
    "kunde",
    "buyer",
    "bill to",
    "billed to",
    "ship to",
    "sold to",
    "customer",
    "client",
    "acheteur",
    "nabywca",
    "factuuradres",
    "afleveradres",
    "abweichender",
    "attn",
];
/// Words of a footer's legal imprint: the company line beside them is the issuer.
const IMPRINT: &[&str] = &[
    "ust-idnr",
    "ust-id",
    "ustid",
    "ust.-id.-nr",
    "vat",
    "tva",
    "btw",
    "hrb",
    "hra",
    "rcs",
    "kvk",
    "siren",
    "siret",
    "registergericht",
    "amtsgericht",
    "capital",
    "geschäftsführ",
    "vorstand",
    "company no",
    "registered",
];
const LEGAL_FORMS_ANY_CASE: &[&str] = &[
    "gmbh",
    "ohg",
    "e.k.",
    "a.g.",
    "inc",
    "inc.",
    "llc",
    "llc.",
    "ltd",
    "ltd.",
    "limited",
    "corp",
    "corp.",
    "corporation",
    "sarl",
    "s.a.r.l.",
    "sas",
    "s.a.",
    "b.v.",
    "n.v.",
    "plc",
    "gbr",
    "s.p.a.",
    "srl",
    "s.r.l.",
    "gmbh.",
    "pvt.",
    "pvt",
    "e.v.",
];
const LEGAL_FORMS_UPPER: &[&str] = &["AG", "KG", "UG", "SE", "SA", "BV", "NV", "Co.", "CO."];

const GERMAN_HINTS: &[&str] = &[
    "rechnung",
    "mwst",
    "umsatzsteuer",
    "betrag",
    "datum",
    "summe",
];
const FRENCH_HINTS: &[&str] = &["facture", "tva", "montant", "échéance", "total ttc"];
const DUTCH_HINTS: &[&str] = &["factuur", "btw", "totaal", "bedrag"];

// ---------------------------------------------------------------------------------------
// Layout: tokens, cells, rows.

/// A word with its box. Boxes of plain text (no word boxes) are made from character columns
/// and line numbers so the same geometry applies; they are never reported as sources.
#[derive(Clone, Debug)]
struct Tok {
    text: String,
    /// Per-character lower case (same number of characters as `text`).
    lower: String,
    bbox: [f32; 4],
}

#[derive(Clone, Debug)]
struct Row {
    page: usize,
    toks: Vec<Tok>,
    /// Start index in `toks` of each cell; cells are separated by wide gaps.
    cell_starts: Vec<usize>,
    /// Whether the boxes are real word boxes.
    boxed: bool,
}

impl Row {
    fn cells(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        self.cell_starts.iter().enumerate().map(|(i, &s)| {
            let e = self
                .cell_starts
                .get(i + 1)
                .copied()
                .unwrap_or(self.toks.len());
            s..e
        })
    }
    fn cell_of(&self, tok: usize) -> std::ops::Range<usize> {
        self.cells()
            .find(|c| c.contains(&tok))
            .unwrap_or(tok..tok + 1)
    }
    fn text(&self, range: std::ops::Range<usize>) -> String {
        join(&self.toks[range])
    }
    fn all(&self) -> String {
        join(&self.toks)
    }
    fn bbox(&self, range: std::ops::Range<usize>) -> Option<[f32; 4]> {
        if !self.boxed {
            return None;
        }
        self.toks[range].iter().map(|t| t.bbox).reduce(union)
    }
}

fn join(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn union(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

fn lower(text: &str) -> String {
    // One lower-case character per character, so offsets in characters agree.
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

fn tok(text: &str, bbox: [f32; 4]) -> Tok {
    Tok {
        text: text.to_string(),
        lower: lower(text),
        bbox,
    }
}

fn rows_of(doc: &DocumentText) -> Vec<Row> {
    let mut rows = Vec::new();
    for page in &doc.pages {
        if page.words.is_empty() {
            rows.extend(text_rows(page));
        } else {
            rows.extend(boxed_rows(page));
        }
    }
    rows
}

/// Rows from word boxes: words whose vertical centres are close form a row, left to right.
fn boxed_rows(page: &PageText) -> Vec<Row> {
    let words: Vec<&crate::pdf::Word> = page
        .words
        .iter()
        .filter(|w| {
            let (wd, ht) = (w.bbox[2] - w.bbox[0], w.bbox[3] - w.bbox[1]);
            // Vertical text (margin notes, rotated copyright lines) would cut across rows.
            !(w.text.chars().count() > 2 && ht > wd * 1.5) && ht > 0.0
        })
        .collect();
    // A scan fed crooked tilts its lines: measured against the slope, the words of one line
    // keep one height from left to right and do not fall into rows of their own. Two pages
    // photographed into one image are tilted each its own way: the slope is measured per
    // part of the image (parts split at wide vertical gaps), the whole image's when a part
    // has too few words to tell.
    let whole = skew_slope(&words).unwrap_or(0.0);
    let groups: Vec<Vec<&crate::pdf::Word>> = vertical_parts(words)
        .into_iter()
        .flat_map(|part| {
            let slope = skew_slope(&part).unwrap_or(whole);
            group_rows(part, slope)
        })
        .collect();
    groups
        .into_iter()
        .map(|mut g| {
            g.sort_by(|a, b| a.bbox[0].total_cmp(&b.bbox[0]));
            let toks: Vec<Tok> = g.iter().map(|w| tok(&w.text, w.bbox)).collect();
            let mut cell_starts = vec![0];
            for i in 1..toks.len() {
                let (a, b) = (&toks[i - 1], &toks[i]);
                let char_w =
                    |t: &Tok| (t.bbox[2] - t.bbox[0]) / t.text.chars().count().max(1) as f32;
                let gap = b.bbox[0] - a.bbox[2];
                if gap > 2.5 * (char_w(a) + char_w(b)) / 2.0 {
                    cell_starts.push(i);
                }
            }
            Row {
                page: page.number,
                toks,
                cell_starts,
                boxed: true,
            }
        })
        .collect()
}

/// Words grouped into rows: vertical centres (measured against `slope`) within 0.4 of a
/// line's letter height.
fn group_rows(mut words: Vec<&crate::pdf::Word>, slope: f32) -> Vec<Vec<&crate::pdf::Word>> {
    let cy = |b: &[f32; 4]| (b[1] + b[3]) / 2.0 - slope * (b[0] + b[2]) / 2.0;
    words.sort_by(|a, b| cy(&a.bbox).total_cmp(&cy(&b.bbox)));
    let mut groups: Vec<Vec<&crate::pdf::Word>> = Vec::new();
    // A line's height is its letters': a dash or a dot is a sliver whose height would let
    // nothing else into its row (OCR reads "vom 01.12.2025 - RECHNUNG" with a "-" two pixels
    // high).
    let letter_height = |w: &crate::pdf::Word| {
        w.text
            .chars()
            .any(char::is_alphanumeric)
            .then_some(w.bbox[3] - w.bbox[1])
    };
    for w in words {
        match groups.last_mut() {
            Some(g)
                if {
                    let seed = g[0];
                    let h = match (letter_height(w), letter_height(seed)) {
                        (Some(a), Some(b)) => a.min(b),
                        (Some(a), None) | (None, Some(a)) => a,
                        (None, None) => (w.bbox[3] - w.bbox[1]).max(seed.bbox[3] - seed.bbox[1]),
                    };
                    (cy(&w.bbox) - cy(&seed.bbox)).abs() <= 0.4 * h
                } =>
            {
                g.push(w)
            }
            _ => groups.push(vec![w]),
        }
    }
    groups
}

/// The words split where the image has a wide band without text (more than six median
/// word heights): the pages of a photo of two stacked pages, each with its own tilt.
fn vertical_parts(mut words: Vec<&crate::pdf::Word>) -> Vec<Vec<&crate::pdf::Word>> {
    if words.is_empty() {
        return Vec::new();
    }
    let mut heights: Vec<f32> = words.iter().map(|w| w.bbox[3] - w.bbox[1]).collect();
    heights.sort_by(f32::total_cmp);
    let gap = 6.0 * heights[heights.len() / 2];
    words.sort_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]));
    let mut parts: Vec<Vec<&crate::pdf::Word>> = Vec::new();
    let mut bottom = f32::NEG_INFINITY;
    for w in words {
        if parts.is_empty() || w.bbox[1] - bottom > gap {
            parts.push(Vec::new());
        }
        bottom = bottom.max(w.bbox[3]);
        if let Some(part) = parts.last_mut() {
            part.push(w);
        }
    }
    parts
}

/// The page's text slope (vertical per horizontal, in page fractions): the median over
/// neighbouring words of the rise from one word's centre to the next's. Neighbours are words
/// side by side on one line (overlapping vertically, a few characters apart), so the median
/// is the lines' slope: 0 on a text layer, that of the skew on a crooked scan.
fn skew_slope(words: &[&crate::pdf::Word]) -> Option<f32> {
    let mut by_x: Vec<&crate::pdf::Word> = words.to_vec();
    by_x.sort_by(|a, b| a.bbox[0].total_cmp(&b.bbox[0]));
    let mut slopes = Vec::new();
    for (i, a) in by_x.iter().enumerate() {
        let (ah, aw) = (a.bbox[3] - a.bbox[1], a.bbox[2] - a.bbox[0]);
        let char_w = aw / a.text.chars().count().max(1) as f32;
        let next = by_x[i + 1..]
            .iter()
            .take_while(|b| b.bbox[0] - a.bbox[2] <= 4.0 * char_w)
            .filter(|b| b.bbox[0] >= a.bbox[2] - char_w)
            .find(|b| {
                let overlap = a.bbox[3].min(b.bbox[3]) - a.bbox[1].max(b.bbox[1]);
                overlap > 0.5 * ah.min(b.bbox[3] - b.bbox[1])
            });
        if let Some(b) = next {
            let dx = (b.bbox[0] + b.bbox[2] - a.bbox[0] - a.bbox[2]) / 2.0;
            if dx > 0.0 {
                slopes.push((b.bbox[1] + b.bbox[3] - a.bbox[1] - a.bbox[3]) / 2.0 / dx);
            }
        }
    }
    if slopes.len() < 5 {
        return None;
    }
    slopes.sort_by(f32::total_cmp);
    Some(slopes[slopes.len() / 2])
}

/// Rows from plain text: one a line, cells split at runs of two or more spaces, boxes from
/// character columns (so a value under a label in fixed-width text is found too).
fn text_rows(page: &PageText) -> Vec<Row> {
    let lines: Vec<&str> = page.text.lines().collect();
    let width = lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    let height = lines.len().max(1) as f32;
    let mut rows = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut toks = Vec::new();
        let mut cell_starts = Vec::new();
        let mut i = 0;
        // Whitespace before the next token, and whether it had a tab.
        let (mut spaces, mut tab) = (0usize, false);
        while i < chars.len() {
            if chars[i].is_whitespace() {
                spaces = spaces.saturating_add(1);
                tab |= chars[i] == '\t';
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            if toks.is_empty() || spaces >= 2 || tab {
                cell_starts.push(toks.len());
            }
            (spaces, tab) = (0, false);
            let text: String = chars[start..i].iter().collect();
            let bbox = [
                start as f32 / width,
                n as f32 / height,
                i as f32 / width,
                (n as f32 + 0.8) / height,
            ];
            toks.push(tok(&text, bbox));
        }
        if toks.is_empty() {
            continue;
        }
        rows.push(Row {
            page: page.number,
            toks,
            cell_starts,
            boxed: false,
        });
    }
    rows
}

// ---------------------------------------------------------------------------------------
// Finding labels and the values beside or under them.

/// Where a label ends in a row: the token it ends in and the character offset after it in
/// that token (equal to the token's length when the label ends with the token).
#[derive(Clone, Copy, Debug)]
struct Hit {
    row: usize,
    first: usize,
    last: usize,
    end_char: usize,
}

/// Every place `label` occurs in a row as a whole word or phrase, case-insensitively.
fn find_label(rows: &[Row], r: usize, label: &str) -> Vec<Hit> {
    let row = &rows[r];
    // The row's lower text with each token's start, in characters.
    let mut text = String::new();
    let mut starts = Vec::new();
    for t in &row.toks {
        if !text.is_empty() {
            text.push(' ');
        }
        starts.push(text.chars().count());
        text.push_str(&t.lower);
    }
    // Accents folded on both sides: OCR drops umlauts and accents often ("Wahrung" for
    // "Währung"), and no two labels differ only by one. One character for one, so offsets
    // hold.
    let chars: Vec<char> = text.chars().map(unaccented).collect();
    let needle: Vec<char> = label.chars().map(unaccented).collect();
    let mut hits = Vec::new();
    if needle.is_empty() || needle.len() > chars.len() {
        return hits;
    }
    for s in 0..=chars.len() - needle.len() {
        if chars[s..s + needle.len()] != needle[..] {
            continue;
        }
        let e = s + needle.len();
        let before_ok = s == 0 || !(chars[s - 1].is_alphanumeric() || chars[s - 1] == '-');
        let after_ok = !needle.last().is_some_and(|c| c.is_alphanumeric())
            || e >= chars.len()
            || !chars[e].is_alphanumeric();
        if !(before_ok && after_ok) {
            continue;
        }
        let first = starts.iter().rposition(|&st| st <= s).unwrap_or(0);
        let last = starts.iter().rposition(|&st| st < e).unwrap_or(0);
        hits.push(Hit {
            row: r,
            first,
            last,
            end_char: e - starts[last],
        });
    }
    hits
}

/// A lower-case letter without its accent or umlaut.
fn unaccented(c: char) -> char {
    match c {
        'ä' | 'à' | 'â' | 'á' => 'a',
        'ö' | 'ô' | 'ó' => 'o',
        'ü' | 'ù' | 'û' | 'ú' => 'u',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ç' => 'c',
        other => other,
    }
}

/// A piece of text where a value may be, with where it is.
#[derive(Clone, Debug)]
struct Spot {
    text: String,
    page: usize,
    bbox: Option<[f32; 4]>,
    /// 0: after the label in its cell; 1: a cell to the right; 2+: under the label.
    distance: u8,
}

/// The places to look for a label's value, nearest first: the rest of its cell, the cells
/// to its right (all of them as one when they are a table row of numbers), the cells to its
/// right on the rows just above and below (a label of two lines sits between its value's
/// rows), then what lies under the label in the next rows of the same page.
fn spots_after(rows: &[Row], hit: Hit, below_rows: usize) -> Vec<Spot> {
    let row = &rows[hit.row];
    let mut spots = Vec::new();
    let cell = row.cell_of(hit.last);
    let tail: String = row.toks[hit.last].text.chars().skip(hit.end_char).collect();
    let mut rest = tail;
    for t in &row.toks[hit.last + 1..cell.end] {
        rest.push(' ');
        rest.push_str(&t.text);
    }
    let rest = rest
        .trim()
        .trim_start_matches([':', '#', '.', '-', '°', ')', '*', ' '])
        .trim()
        .to_string();
    if !rest.is_empty() {
        spots.push(Spot {
            text: rest,
            page: row.page,
            bbox: row.bbox(hit.last + 1..cell.end),
            distance: 0,
        });
    }
    let right: Vec<_> = row.cells().filter(|c| c.start >= cell.end).collect();
    let numeric = |text: &str| {
        text.chars().any(|c| c.is_ascii_digit())
            && text.split_whitespace().all(|w| {
                w.chars().all(|c| {
                    c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '-' | '€' | '$' | '£')
                }) || (w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase()))
            })
    };
    if right.len() > 1 && right.iter().all(|c| numeric(&row.text(c.clone()))) {
        // "Umsatzsteuer (S) | 850,00 | 8,75 | 858,75 | 19 | 163,16": the row's last number.
        let whole = right[0].start..right[right.len() - 1].end;
        let last = right[right.len() - 1].clone();
        spots.push(Spot {
            text: row.text(whole),
            page: row.page,
            bbox: row.bbox(last),
            distance: 1,
        });
    } else {
        for c in right.iter().cloned() {
            spots.push(Spot {
                text: row.text(c.clone()),
                page: row.page,
                bbox: row.bbox(c),
                distance: 1,
            });
        }
    }
    let Some(label_box) = row.toks[hit.first..=hit.last]
        .iter()
        .map(|t| t.bbox)
        .reduce(union)
    else {
        return spots;
    };
    let line_h = label_box[3] - label_box[1];
    // Only for a label alone on its row: in a table header the row below holds the values
    // of every column.
    if row.boxed
        && row.cell_starts.len() == 1
        && !spots
            .iter()
            .any(|s| s.text.chars().any(|c| c.is_ascii_digit()))
    {
        for near in [hit.row.wrapping_sub(1), hit.row + 1] {
            let Some(n) = rows.get(near).filter(|n| n.page == row.page) else {
                continue;
            };
            let dy = ((n.toks[0].bbox[1] + n.toks[0].bbox[3]) - (label_box[1] + label_box[3]))
                .abs()
                / 2.0;
            if dy > line_h * 1.2 {
                continue;
            }
            if let Some(first) = n.toks.iter().position(|t| t.bbox[0] > label_box[2]) {
                let range = n.cell_of(first).start.max(first)..n.toks.len();
                spots.push(Spot {
                    text: n.text(range.clone()),
                    page: n.page,
                    bbox: n.bbox(range),
                    distance: 1,
                });
            }
        }
    }
    // Under the label: tokens of the next rows whose boxes overlap the label's columns; only
    // for a label that heads a column (nothing but words after it in its cell: "Tax #:
    // AAACW8725FSD001" is not the head of the amounts under it).
    if spots
        .first()
        .is_some_and(|s| s.distance == 0 && s.text.chars().any(|c| c.is_ascii_digit()))
    {
        return spots;
    }
    let (x0, x1) = (label_box[0], label_box[2]);
    let slack = (x1 - x0) * 0.25;
    let mut last_bottom = label_box[3];
    for (k, below) in rows[hit.row + 1..]
        .iter()
        .take(below_rows)
        .take_while(|b| b.page == row.page)
        .enumerate()
    {
        // A wide vertical gap ends the column: what follows belongs to something else.
        if below.boxed && below.toks[0].bbox[1] - last_bottom > 3.0 * line_h {
            break;
        }
        last_bottom = below.toks.iter().map(|t| t.bbox[3]).fold(0.0, f32::max);
        let picked: Vec<usize> = (0..below.toks.len())
            .filter(|&i| {
                let b = below.toks[i].bbox;
                b[2] >= x0 - slack && b[0] <= x1 + slack
            })
            .collect();
        if picked.is_empty() {
            continue;
        }
        // Whole cells that touch the label's columns (a value may be wider than its label);
        // "Name: | value" brings its value along.
        let (first, last) = (picked[0], picked[picked.len() - 1]);
        let mut range = below.cell_of(first).start..below.cell_of(last).end;
        if below.text(range.clone()).ends_with(':') && range.end < below.toks.len() {
            range.end = below.cell_of(range.end).end;
        }
        spots.push(Spot {
            text: below.text(range.clone()),
            page: below.page,
            bbox: below.bbox(range),
            distance: 2 + k.min(200) as u8,
        });
    }
    spots
}

/// The first value `read` finds after any of `labels` (earlier labels first, then earlier
/// rows), skipping label cells that contain a word of `not`.
fn labelled<T>(
    rows: &[Row],
    labels: &[&str],
    not: &[&str],
    below_rows: usize,
    mut read: impl FnMut(&str) -> Option<T>,
) -> Option<(T, Spot)> {
    for label in labels {
        for r in 0..rows.len() {
            for hit in find_label(rows, r, label) {
                if excluded(&rows[r], hit, not) {
                    continue;
                }
                for spot in spots_after(rows, hit, below_rows) {
                    if let Some(v) = read(&spot.text) {
                        return Some((v, spot));
                    }
                }
            }
        }
    }
    None
}

/// Whether the words around a label (the one before it and a few after it, in its cell)
/// make it another field: "Rechnungssumme ohne USt.", "Summe netto", "USt-IdNr". Words that
/// say "including tax" keep a total a total. A label on a "%" column is a rate.
fn excluded(row: &Row, hit: Hit, not: &[&str]) -> bool {
    if row.toks[hit.first..=hit.last]
        .iter()
        .any(|t| t.text.contains('%'))
    {
        return true;
    }
    let cell = row.cell_of(hit.first);
    let from = hit.first.saturating_sub(1).max(cell.start);
    // A label may run over a cell gap: its own last token bounds the words after it.
    let to = (hit.last + 4)
        .min(row.cell_of(hit.last).end)
        .max(hit.last + 1);
    let mut context: Vec<String> = Vec::new();
    // The word before counts for a one-word label ("ohne USt."), not for a phrase that says
    // what it is on its own ("Grondslag | BTW bedrag" in one header cell).
    if from < hit.first && hit.first == hit.last {
        context.push(row.toks[from].lower.clone());
    }
    context.push(
        row.toks[hit.last]
            .lower
            .chars()
            .skip(hit.end_char)
            .collect(),
    );
    context.extend(row.toks[hit.last + 1..to].iter().map(|t| t.lower.clone()));
    let text = context.join(" ");
    let has = |w: &&str| {
        let mut from = 0;
        while let Some(i) = text[from..].find(*w) {
            let s = from + i;
            let e = s + w.len();
            let before = text[..s].chars().next_back();
            let after = text[e..].chars().next();
            if !before.is_some_and(char::is_alphanumeric)
                && (!w.chars().last().is_some_and(char::is_alphanumeric)
                    || !after.is_some_and(char::is_alphanumeric))
            {
                return true;
            }
            from = e;
        }
        false
    };
    not.iter().any(has) && !(not == NOT_TOTAL && INCLUDING.iter().any(has))
}

fn found_at(value: String, confidence: f32, spot: &Spot) -> Found {
    Found {
        value,
        confidence,
        page: Some(spot.page),
        bbox: spot.bbox,
    }
}

/// How much a value's position lowers its confidence: a value beside its label is surer
/// than one under it.
fn nearness(spot: &Spot) -> f32 {
    match spot.distance {
        0 => 0.0,
        1 => 0.05,
        _ => 0.1,
    }
}

// ---------------------------------------------------------------------------------------
// The document as a whole.

fn locale_of(text: &str, fallback: Locale) -> Locale {
    // Amounts decide first: "1.234,56" and "12,50" against "1,234.56" and "12.50".
    let (mut eu, mut us) = (0, 0);
    for t in text.split_whitespace() {
        let t = t.trim_matches(|c: char| !c.is_ascii_digit());
        let b = t.as_bytes();
        if b.len() >= 4
            && b[b.len() - 3] == b','
            && b[..b.len() - 3]
                .iter()
                .all(|c| c.is_ascii_digit() || *c == b'.')
            && b[b.len() - 2..].iter().all(u8::is_ascii_digit)
        {
            eu += 1;
        } else if b.len() >= 4
            && b[b.len() - 3] == b'.'
            && b[..b.len() - 3]
                .iter()
                .all(|c| c.is_ascii_digit() || *c == b',')
            && b[b.len() - 2..].iter().all(u8::is_ascii_digit)
        {
            us += 1;
        }
    }
    if eu != us {
        return if eu > us {
            Locale::European
        } else {
            Locale::Us
        };
    }
    let lower = text.to_lowercase();
    let count = |hints: &[&str]| hints.iter().filter(|h| lower.contains(*h)).count();
    if count(GERMAN_HINTS) >= 2 || count(FRENCH_HINTS) >= 2 || count(DUTCH_HINTS) >= 2 {
        Locale::European
    } else {
        fallback
    }
}

fn document_type_of(rows: &[Row], full: &str) -> Option<String> {
    let kind = |lower: &str| {
        let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        if has(&[
            "form w-9",
            "form w-8",
            "w-8ben",
            "request for taxpayer identification",
        ]) {
            Some("TAX_FORM")
        } else if has(&[
            "credit note",
            "gutschrift",
            "avoir",
            "rechnungskorrektur",
            "creditnota",
        ]) {
            Some("CREDIT_NOTE")
        } else if has(&[
            "receipt",
            "quittung",
            "kassenbon",
            "reçu",
            "ticket de caisse",
        ]) {
            Some("RECEIPT")
        } else if has(&[
            "invoice", "rechnung", "facture", "factuur", "faktura", "bill",
        ]) {
            Some("INVOICE")
        } else {
            None
        }
    };
    // The title decides ("PAYMENT RECEIPT" that mentions an invoice in its small print).
    let head: String = rows
        .iter()
        .take(6)
        .map(|r| lower(&r.all()))
        .collect::<Vec<_>>()
        .join("\n");
    kind(&head)
        .or_else(|| kind(&full.to_lowercase()))
        .map(str::to_string)
}

/// Reads invoice or receipt fields from a document's text. Whether 05/06/2018 is May or
/// June follows the document (its amounts' style, its language) and, where it says nothing,
/// the US style.
pub fn extract(doc: &DocumentText) -> Extracted {
    extract_with_locale(doc, Locale::Us)
}

/// [`extract`], with `fallback` for the documents whose own style does not tell (the user's
/// locale setting).
pub fn extract_with_locale(doc: &DocumentText, fallback: Locale) -> Extracted {
    let _span = tracing::debug_span!("rules_extract", pages = doc.pages.len()).entered();
    let rows = rows_of(doc);
    let full = doc.full_text();
    let locale = locale_of(&full, fallback);
    let mut out = Extracted {
        document_type: document_type_of(&rows, &full),
        ..Default::default()
    };
    let title = numbered_title(&rows, locale);
    out.invoice_number = invoice_number(&rows, locale, title.as_ref());
    out.invoice_date = invoice_date(&rows, locale, title.as_ref());
    out.due_date = due_date(&rows, locale, out.invoice_date.as_ref());
    if out.due_date.is_none() && out.document_type.as_deref() == Some("INVOICE") {
        // No date and no terms: the usual 30 days, said with little confidence.
        out.due_date = out.invoice_date.as_ref().and_then(|d| {
            add_days(&d.value, 30).map(|value| Found {
                value,
                confidence: 0.2,
                page: None,
                bbox: None,
            })
        });
    }
    out.currency = currency(&rows, &full);
    amounts(&rows, locale, &mut out);
    out.po_number = labelled(&rows, PO_NUMBER, &[], 1, |t| {
        t.split_whitespace()
            .map(|w| w.trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '#')))
            .find(|w| w.chars().any(|c| c.is_ascii_digit()) && find_date(w, locale).is_none())
            .map(str::to_string)
    })
    .map(|(v, spot)| found_at(v, 0.5 - nearness(&spot), &spot));
    out.vendor_name = vendor(&rows);
    out.line_items = line_items(&rows, locale);
    check_lines(&mut out);
    if out.document_type.as_deref() == Some("RECEIPT") {
        refund_is_negative(&full, &mut out);
    }
    tracing::debug!(
        document_type = ?out.document_type,
        problems = out.problems.len(),
        line_items = out.line_items.len(),
        "rules extraction done"
    );
    out
}

// ---------------------------------------------------------------------------------------
// Number and dates.

/// A token that can be a document number: it has a digit and is not a date, an amount with
/// a currency, or a percentage.
fn number_token(t: &str, locale: Locale) -> Option<String> {
    let t = t.trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '(' | ')'));
    let t = t.trim_start_matches('#');
    (t.chars().any(|c| c.is_ascii_digit())
        && t.chars().count() >= 2
        && !t.contains(['%', '€', '$', '£', '@'])
        && find_date(t, locale).is_none())
    .then(|| t.to_string())
}

/// "Handelsrechnung (380) Nr. E2018092011804 vom 20.09.2018", "Rechnung # RE-20140703/502",
/// "Facture n°562044387 du 02 Juillet 2015", "Invoice INV/2023/03/0008": a document word, a
/// number marker (or none), the number; and the date after it when there is one.
struct Title {
    number: Found,
    date: Option<Found>,
}

fn numbered_title(rows: &[Row], locale: Locale) -> Option<Title> {
    const DOC_WORDS: [&str; 9] = [
        "invoice",
        "rechnung",
        "facture",
        "factuur",
        "gutschrift",
        "credit note",
        "bill",
        "faktura",
        "receipt",
    ];
    const MARKERS: [&str; 10] = [
        "nr.", "nr", "no.", "no", "#", "n°", "number", "nummer", "numéro", "n°:",
    ];
    // Within the next few tokens: a marker and the number after it (the marker may be glued
    // to the number: "n°562044387"), or directly a number with letters or slashes in it
    // ("INV/2023/03/0008"). Words between are skipped ("Rechnung des Versicherers (575) Nr.").
    let number_from = |toks: &[Tok], start: usize| -> Option<(String, usize)> {
        let mut j = start;
        while j < toks.len() && j <= start + 4 {
            let w = toks[j].lower.trim_end_matches(':').to_string();
            if let Some(m) = MARKERS.iter().find(|m| {
                w.starts_with(**m) && w.len() > m.len() && !m.chars().all(char::is_alphabetic)
            }) {
                let glued: String = toks[j].text.chars().skip(m.chars().count()).collect();
                return number_token(&glued, locale).map(|n| (n, j));
            }
            if MARKERS.contains(&w.as_str()) {
                return toks[j + 1..]
                    .iter()
                    .take(2)
                    .enumerate()
                    .find_map(|(k, t)| {
                        if t.text.chars().all(|c| !c.is_alphanumeric()) {
                            return None;
                        }
                        Some(number_token(&t.text, locale).map(|n| (n, j + 1 + k)))
                    })
                    .flatten();
            }
            let raw = &toks[j].text;
            if j == start
                && raw.chars().any(|c| c.is_ascii_digit())
                && raw
                    .chars()
                    .any(|c| c.is_alphabetic() || c == '/' || c == '-')
                && !raw.contains(':')
            {
                return number_token(raw, locale).map(|n| (n, j));
            }
            if raw.chars().any(|c| c.is_ascii_digit()) && !raw.starts_with('(')
                || raw.ends_with(':')
            {
                return None;
            }
            j += 1;
        }
        None
    };
    for (r, row) in rows.iter().enumerate().take(80) {
        for (i, t) in row.toks.iter().enumerate() {
            let word = t.lower.trim_end_matches(':');
            let is_doc = DOC_WORDS.iter().any(|w| word.contains(w))
                && !word.contains("datum")
                && !word.contains("date");
            if !is_doc {
                continue;
            }
            // A title alone on its row may have its number on the next ("INVOICE" / "# 12").
            let (at_row, found) = match rows.get(r + 1) {
                Some(next) if i + 1 == row.toks.len() && next.page == row.page => {
                    (next, number_from(&next.toks, 0))
                }
                _ => (row, number_from(&row.toks, i + 1)),
            };
            let Some((value, at)) = found else { continue };
            let end = at_row.toks.len();
            let rest = at_row.text(at + 1..end);
            let date = find_date(&rest, locale).map(|d| Found {
                value: d,
                confidence: 0.7,
                page: Some(at_row.page),
                bbox: at_row.bbox(at + 1..end),
            });
            return Some(Title {
                number: Found {
                    value,
                    confidence: 0.75,
                    page: Some(at_row.page),
                    bbox: at_row.bbox(at..at + 1),
                },
                date,
            });
        }
    }
    None
}

fn invoice_number(rows: &[Row], locale: Locale, title: Option<&Title>) -> Option<Found> {
    if let Some(t) = title {
        return Some(t.number.clone());
    }
    labelled(rows, INVOICE_NUMBER, REFERENCED, 2, |text| {
        // The number is the first token with a digit (skipping a lone "#" or ":").
        text.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .take(2)
            .find_map(|w| number_token(w, locale))
    })
    .map(|(v, spot)| found_at(v, 0.7 - nearness(&spot), &spot))
}

fn invoice_date(rows: &[Row], locale: Locale, title: Option<&Title>) -> Option<Found> {
    if let Some((d, spot)) = labelled(rows, INVOICE_DATE, REFERENCED, 2, |t| find_date(t, locale)) {
        return Some(found_at(d, 0.75 - nearness(&spot), &spot));
    }
    if let Some(d) = title.and_then(|t| t.date.clone()) {
        return Some(d);
    }
    if let Some((d, spot)) = labelled(rows, PLAIN_DATE, NOT_INVOICE_DATE, 2, |t| {
        find_date(t, locale)
    }) {
        return Some(found_at(d, 0.6 - nearness(&spot), &spot));
    }
    // The first date of the document that is not something else's date.
    rows.iter().find_map(|row| {
        let text = row.all();
        if NOT_INVOICE_DATE.iter().any(|w| lower(&text).contains(w)) {
            return None;
        }
        find_date(&text, locale).map(|d| Found {
            value: d,
            confidence: 0.35,
            page: Some(row.page),
            bbox: row.bbox(0..row.toks.len()),
        })
    })
}

fn due_date(rows: &[Row], locale: Locale, invoice_date: Option<&Found>) -> Option<Found> {
    if let Some((d, spot)) = labelled(rows, DUE_DATE, &[], 2, |t| find_date(t, locale)) {
        return Some(found_at(d, 0.65 - nearness(&spot), &spot));
    }
    // "Zahlbar ... bis 20.11.2018", "payable by 3/1/2024", "à payer avant le 5 juillet".
    for row in rows {
        let l = lower(&row.all());
        if !["zahlbar", "payable", "à payer", "pay "]
            .iter()
            .any(|w| l.contains(w))
        {
            continue;
        }
        for marker in [" bis ", " by ", " until ", " avant le ", " avant "] {
            if let Some(i) = l.find(marker) {
                if l[..i].contains("skonto") || l[..i].contains("discount") {
                    continue;
                }
                if let Some(d) = find_date(&l[i..], locale) {
                    return Some(Found {
                        value: d,
                        confidence: 0.55,
                        page: Some(row.page),
                        bbox: row.bbox(0..row.toks.len()),
                    });
                }
            }
        }
    }
    net_terms(rows, invoice_date)
}

/// "NET 30", "net 14 days", "30 Tage netto", "zahlbar innerhalb 14 Tagen", "30 jours net":
/// the invoice date plus that many days.
fn net_terms(rows: &[Row], invoice_date: Option<&Found>) -> Option<Found> {
    let date = &invoice_date?.value;
    for row in rows {
        let l = lower(&row.all());
        let tokens: Vec<&str> = l
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        for (i, t) in tokens.iter().enumerate() {
            let days = if *t == "net" || *t == "netto" {
                tokens
                    .get(i + 1)
                    .and_then(|n| n.parse::<u32>().ok())
                    .or_else(|| t.strip_prefix("net").and_then(|n| n.parse().ok()))
            } else if let Some(n) = t.strip_prefix("net").filter(|n| !n.is_empty()) {
                n.parse::<u32>().ok()
            } else if matches!(*t, "tage" | "tagen" | "jours" | "days" | "dagen") && i > 0 {
                tokens[i - 1].parse::<u32>().ok().filter(|_| {
                    [
                        "netto",
                        "zahlbar",
                        "net",
                        "payable",
                        "terms",
                        "zahlungsbedingungen",
                    ]
                    .iter()
                    .any(|w| l.contains(w))
                        && !l.contains("skonto")
                        && !l.contains("discount")
                        && !l.contains("escompte")
                })
            } else {
                None
            };
            if let Some(days) = days.filter(|d| *d <= 180) {
                return add_days(date, days).map(|value| Found {
                    value,
                    confidence: 0.5,
                    page: Some(row.page),
                    bbox: row.bbox(0..row.toks.len()),
                });
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Currency.

fn code_in(text: &str) -> Option<&'static str> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .find_map(|w| CURRENCY_CODES.iter().find(|c| **c == w).copied())
        .or_else(|| {
            let l = text.to_lowercase();
            if l.contains('€')
                || l.split_whitespace()
                    .any(|w| w.trim_matches(|c: char| !c.is_alphabetic()) == "euro")
            {
                Some("EUR")
            } else {
                None
            }
        })
}

fn currency(rows: &[Row], full: &str) -> Option<Found> {
    if let Some((code, spot)) = labelled(rows, CURRENCY, &[], 1, |t| {
        code_in(&t.split_whitespace().take(4).collect::<Vec<_>>().join(" "))
    }) {
        return Some(found_at(code.to_string(), 0.85, &spot));
    }
    // Otherwise the code or sign printed most often (whole words: "SEK" in "Sekretariat" is
    // not Swedish crowns).
    let mut counts: Vec<(usize, &str)> = CURRENCY_CODES
        .iter()
        .map(|code| {
            let n = full
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w == code)
                .count();
            (n, *code)
        })
        .collect();
    let signs = [
        ('€', "EUR"),
        ('£', "GBP"),
        ('₹', "INR"),
        ('$', "USD"),
        ('¥', "JPY"),
    ];
    for (sign, code) in signs {
        let n = full.matches(sign).count();
        if let Some(c) = counts.iter_mut().find(|(_, c)| *c == code) {
            c.0 += n;
        }
    }
    let words = |w: &str| {
        full.split(|c: char| !c.is_alphanumeric())
            .filter(|x| *x == w)
            .count()
    };
    for (word, code) in [
        ("Rs", "INR"),
        ("zł", "PLN"),
        ("Euro", "EUR"),
        ("Dollars", "USD"),
    ] {
        if let Some(c) = counts.iter_mut().find(|(_, c)| *c == code) {
            c.0 += words(word);
        }
    }
    counts
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, code)| Found {
            value: code.to_string(),
            confidence: 0.6,
            page: None,
            bbox: None,
        })
}

// ---------------------------------------------------------------------------------------
// Amounts.

/// Amount-looking tokens of a piece of text, in order, with the token they came from. Digits
/// grouped by spaces ("1 200,00") are joined first; phone numbers, ids, dates and
/// percentages are not amounts.
fn amounts_in(text: &str, locale: Locale) -> Vec<(String, String)> {
    amounts_grouped(text, locale, true)
}

/// `amounts_in`, with or without joining digit groups split by spaces: "19 163,16" is
/// 19163.16 in French print but a tax rate and an amount in a table row.
fn amounts_grouped(text: &str, locale: Locale, join_groups: bool) -> Vec<(String, String)> {
    let mut tokens: Vec<String> = Vec::new();
    for t in text.split_whitespace() {
        let is_group = join_groups
            && t.len() >= 3
            && t.as_bytes()[..3].iter().all(u8::is_ascii_digit)
            && t[3..]
                .chars()
                .next()
                .is_none_or(|c| matches!(c, ',' | '.' | '€' | '$' | '£'));
        match tokens.last_mut() {
            Some(prev)
                if is_group
                    && (1..=3).contains(&prev.len())
                    && prev.bytes().all(|b| b.is_ascii_digit()) =>
            {
                prev.push(' ');
                prev.push_str(t);
            }
            // A sign or currency standing alone belongs to the number after it.
            Some(prev) if matches!(prev.as_str(), "-" | "€" | "$" | "£" | "Rs" | "Rs." | "₹") =>
            {
                prev.push_str(t);
            }
            _ => tokens.push(t.to_string()),
        }
    }
    tokens
        .into_iter()
        .filter(|t| {
            let body = t
                .trim_start_matches(['€', '$', '£', '₹', '(', '-', '+'])
                .trim_start_matches("Rs.")
                .trim_start_matches("Rs")
                .trim_end_matches(['€', '$', '£', ')', '-', '*', ',', ';'])
                .trim();
            let digits = body.chars().filter(char::is_ascii_digit).count();
            let separated = body.contains(['.', ',', ' ']);
            digits > 0
                && (separated || digits <= 6)
                && body
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\''))
                && find_date(body, locale).is_none()
        })
        .filter_map(|t| parse_amount(&t, locale).map(|a| (a, t)))
        .collect()
}

/// Candidates for one amount field, best first.
#[derive(Clone, Debug)]
struct Candidate {
    cents: i128,
    found: Found,
    /// Read beside its label rather than under a column header.
    beside: bool,
}

fn candidates(rows: &[Row], labels: &[&str], not: &[&str], locale: Locale) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for (rank, label) in labels.iter().enumerate() {
        // Later rows first: totals come at the end, after table headers that repeat words.
        for r in (0..rows.len()).rev() {
            for hit in find_label(rows, r, label) {
                if excluded(&rows[r], hit, not) {
                    continue;
                }
                let mut under: Vec<Candidate> = Vec::new();
                let mut beside: Vec<Candidate> = Vec::new();
                for spot in spots_after(rows, hit, 4) {
                    let found = amounts_in(&spot.text, locale);
                    // Under a column header only money-shaped numbers count ("1.062,60",
                    // "€ 40"), not the register number of the footer below the table.
                    let last = found.last().filter(|(_, token)| {
                        spot.distance < 2 || token.contains([',', '.', '€', '$', '£'])
                    });
                    let Some((amount, _)) = last else {
                        if spot.distance >= 2 && !under.is_empty() {
                            break; // the column's block of values has ended
                        }
                        continue;
                    };
                    let Some(cents) = cents_of(amount) else {
                        continue;
                    };
                    let confidence = (0.7 - nearness(&spot) - rank as f32 * 0.005).max(0.3);
                    let c = Candidate {
                        cents,
                        found: found_at(amount.clone(), confidence, &spot),
                        beside: spot.distance < 2,
                    };
                    // The same place read without joining space-separated digit groups, as a
                    // weaker second reading.
                    let split = amounts_grouped(&spot.text, locale, false)
                        .last()
                        .filter(|(a, _)| a != amount)
                        .and_then(|(a, _)| Some((cents_of(a)?, a.clone())))
                        .map(|(cents, a)| Candidate {
                            cents,
                            found: found_at(a, confidence - 0.1, &spot),
                            beside: spot.distance < 2,
                        });
                    let c = match split {
                        Some(split) if spot.distance >= 2 => {
                            under.push(split);
                            c
                        }
                        Some(split) => {
                            out.push(c);
                            split
                        }
                        None => c,
                    };
                    if spot.distance >= 2 {
                        // Under a column header the last row of the block is the sum.
                        under.push(c);
                    } else {
                        beside.push(c);
                    }
                }
                // Beside the label, money-shaped amounts before bare numbers ("DUE ON August
                // 3 , 2014 | $4.11": the year is not the amount).
                beside.sort_by_key(|c| !money_shaped(&c.found.value, &rows[r]));
                if !beside.is_empty() {
                    under.clear();
                }
                out.append(&mut beside);
                out.extend(under.into_iter().rev());
            }
        }
    }
    let mut seen = Vec::new();
    out.retain(|c| {
        let key = (
            c.cents,
            c.found.page,
            c.found.bbox.map(|b| b.map(f32::to_bits)),
        );
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    out.truncate(12);
    out
}

/// Whether an amount was printed like money in its row: with decimals or a currency sign
/// ("4.11", "$4", "1.062,60"), not as a bare integer that may be a year or a count.
fn money_shaped(value: &str, row: &Row) -> bool {
    if !value.ends_with(".00") {
        return true;
    }
    let whole = value.trim_end_matches(".00").trim_start_matches('-');
    row.toks.iter().any(|t| {
        let digits: String = t.text.chars().filter(char::is_ascii_digit).collect();
        digits.starts_with(whole)
            && (digits.len() > whole.len() || t.text.contains(['€', '$', '£', '₹']))
    })
}

/// Subtotal, tax and total together: the best-ranked total that a subtotal plus a tax add up
/// to wins; a sum that does not add up keeps each field's best guess and says so.
fn amounts(rows: &[Row], locale: Locale, out: &mut Extracted) {
    let totals = candidates(rows, TOTAL, NOT_TOTAL, locale);
    let subtotals = candidates(rows, SUBTOTAL, NOT_SUBTOTAL, locale);
    let taxes = candidates(rows, TAX, NOT_TAX, locale);
    let zero_tax = Found {
        value: "0.00".into(),
        confidence: 0.3,
        page: None,
        bbox: None,
    };
    let mut best: Option<(usize, usize, usize, i128)> = None;
    for (ti, t) in totals.iter().enumerate() {
        for (si, s) in subtotals.iter().enumerate() {
            for (xi, x) in taxes.iter().enumerate() {
                // A credit note prints its tax without the sign its total has.
                let sign = if t.cents < 0 && s.cents < 0 && x.cents > 0 {
                    -1
                } else {
                    1
                };
                if s.cents + sign * x.cents == t.cents && t.cents != 0 {
                    let score = (ti * 4 + si + xi) as i128;
                    if best.is_none_or(|b| score < b.3) {
                        best = Some((ti, si, xi, sign));
                    }
                }
            }
        }
    }
    if let Some((ti, si, xi, sign)) = best {
        let mut tax = taxes[xi].clone();
        if sign < 0 {
            tax.found.value = format_cents(-tax.cents);
        }
        out.total = Some(raise(totals[ti].found.clone()));
        out.subtotal = Some(raise(subtotals[si].found.clone()));
        out.tax = Some(raise(tax.found));
        return;
    }
    // No tax line: a subtotal equal to a total.
    if taxes.is_empty() {
        for (ti, t) in totals.iter().enumerate().take(3) {
            if let Some(s) = subtotals.iter().find(|s| s.cents == t.cents) {
                out.total = Some(raise(totals[ti].found.clone()));
                out.subtotal = Some(raise(s.found.clone()));
                out.tax = Some(zero_tax);
                return;
            }
        }
    }
    out.total = totals.first().map(|c| c.found.clone());
    out.subtotal = subtotals.first().map(|c| c.found.clone());
    out.tax = taxes.first().map(|c| c.found.clone());
    if let (None, Some(t), Some(x)) = (&out.subtotal, totals.first(), taxes.first()) {
        // No net amount printed: the total less a tax printed beside its label, said with
        // little confidence.
        if x.beside && t.beside && x.cents.abs() <= t.cents.abs() {
            out.subtotal = Some(Found {
                value: format_cents(t.cents - x.cents),
                confidence: 0.35,
                page: None,
                bbox: None,
            });
            return;
        }
    }
    if let (Some(s), Some(x), Some(t)) = (&mut out.subtotal, &mut out.tax, &mut out.total) {
        let problem = format!(
            "subtotal {} plus tax {} is not the total {}",
            s.value, x.value, t.value
        );
        tracing::debug!(%problem, "amounts do not add up");
        for f in [s, x, t] {
            f.confidence *= 0.6;
        }
        out.problems.push(problem);
    }
}

fn raise(mut f: Found) -> Found {
    f.confidence = (f.confidence + 0.25).min(0.95);
    f
}

// ---------------------------------------------------------------------------------------
// Vendor.

fn is_legal_form(word: &str) -> bool {
    let w = word.trim_end_matches([',', ';', ':']);
    LEGAL_FORMS_UPPER.contains(&w) || LEGAL_FORMS_ANY_CASE.contains(&lower(w).as_str())
}

/// Where a company name ends in a list of words: after its legal form and any legal form
/// right after it ("GmbH & Co. KG", "Pvt. Ltd.").
fn legal_end(words: &[&str]) -> Option<usize> {
    let pos = words.iter().position(|w| is_legal_form(w))?;
    let mut end = pos;
    while end + 1 < words.len() && (is_legal_form(words[end + 1]) || words[end + 1] == "&") {
        end += 1;
    }
    while end > pos && words[end] == "&" {
        end -= 1;
    }
    Some(end)
}

/// A line that identifies rather than names: numbers, ids, contact details.
fn is_id_line(text: &str) -> bool {
    let l = lower(text);
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    l.starts_with('(')
        || l.contains('@')
        || l.contains("www.")
        || [
            "nummer", "nr", "gln", "number", "no.", "id", "tax", "ust", "vat", "tel", "fax",
            "phone", "siret", "siren", "duns", "contact",
        ]
        .iter()
        .any(|w| {
            l.split(|c: char| !c.is_alphanumeric())
                .next()
                .is_some_and(|first| first == *w)
                || l.contains(&format!("{w}:"))
                || l.contains(&format!("{w} :"))
                || l.contains(&format!("-{w}"))
        })
        || digits > letters
}

/// An address line: a street with a number, a postal code, "Anschrift:".
fn is_address_line(text: &str) -> bool {
    let l = lower(text);
    l.starts_with("anschrift")
        || l.starts_with("adres")
        || l.starts_with("address")
        || text.split_whitespace().any(|w| {
            let d = w.chars().filter(char::is_ascii_digit).count();
            d >= 1 && d == w.trim_end_matches([',', '.']).chars().count()
        })
}

fn clean_name(text: &str) -> String {
    let t = text.trim();
    let t = ["Name:", "Name :", "Nom :", "Nom:", "Firma:"]
        .iter()
        .fold(t, |t, p| t.strip_prefix(p).unwrap_or(t))
        .trim();
    t.trim_end_matches([',', ':', ';', '|']).trim().to_string()
}

/// The lines of a block under a label: the next rows of the page, from the label's left
/// edge to the next cell of the label's row (a buyer block beside it is not part of it),
/// until a wide vertical gap.
fn block_under(
    rows: &[Row],
    r: usize,
    cell: std::ops::Range<usize>,
) -> Vec<(String, Option<[f32; 4]>, usize)> {
    let row = &rows[r];
    let Some(label) = row
        .bbox(cell.clone())
        .or_else(|| Some(row.toks[cell.start].bbox))
    else {
        return Vec::new();
    };
    let left = label[0] - 0.02;
    let right = row
        .cells()
        .find(|c| c.start >= cell.end)
        .map_or(f32::MAX, |c| row.toks[c.start].bbox[0] - 0.01);
    let line_h = label[3] - label[1];
    let mut out = Vec::new();
    let mut last_bottom = label[3];
    for below in rows[r + 1..]
        .iter()
        .take(10)
        .take_while(|b| b.page == row.page)
    {
        let picked: Vec<usize> = (0..below.toks.len())
            .filter(|&i| {
                let b = below.toks[i].bbox;
                let cx = (b[0] + b[2]) / 2.0;
                cx >= left && cx < right && (row.boxed || b[0] >= left)
            })
            .collect();
        if picked.is_empty() {
            continue;
        }
        let top = below.toks[picked[0]].bbox[1];
        if row.boxed && top - last_bottom > 2.5 * line_h {
            break;
        }
        last_bottom = picked
            .iter()
            .map(|&i| below.toks[i].bbox[3])
            .fold(0.0, f32::max);
        let range = picked[0]..picked[picked.len() - 1] + 1;
        out.push((below.text(range.clone()), below.bbox(range), below.page));
    }
    out
}

/// The name in a seller block: the lines under (or after) the seller label, skipping ids,
/// until the name ends with its legal form or an address or another "Key:" begins.
fn seller_block(rows: &[Row]) -> Option<Found> {
    const FILLER: [&str; 6] = ["trade", "name", "details", "address", "information", ":"];
    const NAME_KEYS: [&str; 5] = ["name", "nom", "firma", "company", "naam"];
    for (r, row) in rows.iter().enumerate() {
        for cell in row.cells() {
            let text = lower(&row.text(cell.clone()));
            let text = text.trim();
            let Some(label) = SELLER.iter().find(|l| text.starts_with(**l)) else {
                continue;
            };
            let rest_text: String = row
                .text(cell.clone())
                .chars()
                .skip(label.chars().count())
                .collect();
            let rest_words: Vec<&str> = rest_text.split_whitespace().collect();
            let is_filler = |w: &str| FILLER.contains(&lower(w).trim_end_matches(':'));
            let after: Vec<&str> = rest_words
                .iter()
                .skip_while(|w| is_filler(w) || **w == ":")
                .copied()
                .collect();
            let labelled = text.contains(':') || rest_words.iter().all(|w| is_filler(w));
            if !labelled || (*label == "from" && !text.trim_end_matches(':').trim().eq("from")) {
                // The word starts a sentence ("Lieferant bleibt ..."), not a block.
                continue;
            }
            if !after.is_empty() {
                // "Sold By : WS Retail Services Pvt. Ltd.," has the name in its cell.
                let end = legal_end(&after).map_or(after.len(), |e| e + 1);
                let name = clean_name(&after[..end].join(" "));
                if name.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !is_id_line(&name) {
                    return Some(Found {
                        value: name,
                        confidence: 0.65,
                        page: Some(row.page),
                        bbox: row.bbox(cell),
                    });
                }
                continue;
            }
            let mut name: Vec<String> = Vec::new();
            let mut bbox: Option<[f32; 4]> = None;
            let mut page = row.page;
            for (line, line_box, line_page) in block_under(rows, r, cell.clone()) {
                let l = lower(&line);
                if BUYER.iter().any(|b| l.starts_with(b)) {
                    break;
                }
                // "Key: value" lines: a name key gives (part of) the name; another key ends
                // a name begun, or is skipped before one ("Nummer: 549910").
                let (key, value) = match line.split_once(':') {
                    Some((k, v))
                        if k.split_whitespace().count() <= 3 && !k.contains('.')
                            || k.ends_with("Nr.") =>
                    {
                        (Some(lower(k.trim())), v.trim().to_string())
                    }
                    _ => (None, line.trim().to_string()),
                };
                let name_key = key.as_deref().is_some_and(|k| NAME_KEYS.contains(&k));
                if key.is_some() && !name_key {
                    if name.is_empty() {
                        continue;
                    }
                    break;
                }
                if value.is_empty() {
                    continue;
                }
                if !name_key && (is_id_line(&value) || is_address_line(&value)) {
                    if name.is_empty() && is_id_line(&value) {
                        continue;
                    }
                    break;
                }
                bbox = match (bbox, line_box) {
                    (Some(a), Some(b)) => Some(union(a, b)),
                    (a, b) => a.or(b),
                };
                page = line_page;
                // A line with a legal form ends the name; the whole line is the name
                // ("Rohstoff AG Salzgitter" is registered with its town).
                let words: Vec<&str> = value.split_whitespace().collect();
                if legal_end(&words).is_some() {
                    name.push(value);
                    break;
                }
                name.push(value);
                if name.len() >= 3 {
                    break;
                }
            }
            if !name.is_empty() {
                return Some(Found {
                    value: clean_name(&name.join(" ")),
                    confidence: 0.65,
                    page: Some(page),
                    bbox,
                });
            }
        }
    }
    None
}

/// Rows under a buyer label, in its column: a company named there is the customer.
fn buyer_rows(rows: &[Row]) -> Vec<(usize, f32, f32)> {
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for cell in row.cells() {
            let text = lower(&row.text(cell.clone()));
            if BUYER.iter().any(|b| text.starts_with(b)) && text.split_whitespace().count() <= 4 {
                let b = row.toks[cell.start].bbox;
                for k in 0..=6 {
                    out.push((r + k, b[0] - 0.02, row.toks[cell.end - 1].bbox[2] + 0.15));
                }
            }
        }
    }
    out
}

/// The vendor: the seller's block when the document has one; else the company line of the
/// footer's legal imprint (name with legal form beside a VAT id or register entry); else the
/// first company named by its legal form outside the buyer's block; else the first plain line.
fn vendor(rows: &[Row]) -> Option<Found> {
    if let Some(f) = seller_block(rows) {
        return Some(f);
    }
    let buyers = buyer_rows(rows);
    let in_buyer = |r: usize, x: f32| {
        buyers
            .iter()
            .any(|(br, x0, x1)| *br == r && x >= *x0 && x <= *x1)
    };
    let company =
        |r: usize, row: &Row, cell: std::ops::Range<usize>| -> Option<(String, Option<[f32; 4]>)> {
            let words: Vec<&str> = row.toks[cell.clone()]
                .iter()
                .map(|t| t.text.as_str())
                .collect();
            let end = legal_end(&words)?;
            if in_buyer(r, row.toks[cell.start].bbox[0]) {
                return None;
            }
            // The name starts after any label ("Name:", "sold by") and sentence before it.
            let start = words[..end]
                .iter()
                .rposition(|w| {
                    w.ends_with(':')
                        || lower(w) == "by"
                        || w.ends_with('.') && !is_legal_form(w) && w.len() > 3
                })
                .map_or(0, |p| p + 1);
            if end < start + 1 || end - start > 6 {
                return None;
            }
            let name = clean_name(&words[start..=end].join(" "));
            (name.chars().filter(|c| c.is_alphabetic()).count() >= 3)
                .then(|| (name, row.bbox(cell.start + start..cell.start + end + 1)))
        };
    // The legal imprint: a row with a company and a register or VAT id.
    for (r, row) in rows.iter().enumerate().rev() {
        let all = lower(&row.all());
        if !IMPRINT.iter().any(|w| all.contains(w)) {
            continue;
        }
        for cell in row.cells() {
            if let Some((name, bbox)) = company(r, row, cell.clone()) {
                if is_id_line(&name) {
                    continue;
                }
                return Some(Found {
                    value: name,
                    confidence: 0.5,
                    page: Some(row.page),
                    bbox,
                });
            }
            // "Sarl au capital de 10 000€ - RCS ...": the legal form opens the line and the
            // name is the short line of words just above.
            if row
                .toks
                .get(cell.start)
                .is_some_and(|t| is_legal_form(&t.text))
            {
                let above = rows[r.saturating_sub(3)..r]
                    .iter()
                    .rev()
                    .filter(|a| a.page == row.page)
                    .find(|a| {
                        let t = a.all();
                        a.toks.len() <= 4
                            && t.chars().all(|c| !c.is_ascii_digit())
                            && t.chars().filter(|c| c.is_alphabetic()).count() >= 3
                    });
                if let Some(a) = above {
                    return Some(Found {
                        value: clean_name(&a.all()),
                        confidence: 0.45,
                        page: Some(a.page),
                        bbox: a.bbox(0..a.toks.len()),
                    });
                }
            }
        }
    }
    for (r, row) in rows.iter().enumerate().take(300) {
        for cell in row.cells() {
            if let Some((name, bbox)) = company(r, row, cell) {
                return Some(Found {
                    value: name,
                    confidence: 0.45,
                    page: Some(row.page),
                    bbox,
                });
            }
        }
    }
    let first_page = rows.first()?.page;
    rows.iter()
        .take_while(|r| r.page == first_page)
        .take(8)
        .enumerate()
        .flat_map(|(i, r)| r.cells().map(move |c| (i, r, c)))
        .filter(|(i, r, c)| !in_buyer(*i, r.toks[c.start].bbox[0]))
        .map(|(_, r, c)| (r, c))
        .find(|(r, c)| {
            let text = r.text(c.clone());
            let t = lower(&text);
            if BUYER.iter().chain(SELLER).any(|w| t.starts_with(w)) {
                return false;
            }
            text.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && ![
                    "invoice", "rechnung", "facture", "factuur", "receipt", "page", "seite",
                    "date", "datum",
                ]
                .iter()
                .any(|w| t.contains(w))
                && !is_id_line(&text)
                && text.chars().filter(|c| c.is_ascii_digit()).count() < 3
        })
        .map(|(r, c)| Found {
            value: clean_name(&r.text(c.clone())),
            confidence: 0.3,
            page: Some(r.page),
            bbox: r.bbox(c),
        })
}

// ---------------------------------------------------------------------------------------
// Line items.

/// Table rows whose numbers multiply out: quantity × unit price = amount (to the cent,
/// allowing the unit price's own rounding). The description is the row's words, or the
/// nearest wordy row under or over it when the row is all numbers. "5 days x 600" is
/// quantity 5 at 600.
/// Which of a row's numbers are quantity and unit price, the last being the amount: the
/// pair whose product is the amount to within half a cent a unit (unit prices are rounded).
/// All in millionths, so the product is in 10^-12 and exact.
fn fit(nums: &[(usize, String, i128)], price_first: bool) -> Option<(usize, usize)> {
    let (_, _, amount) = nums.last()?;
    if nums.len() < 2 || *amount == 0 && nums.len() < 3 {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for a in 0..nums.len() - 1 {
        for b in 0..nums.len() - 1 {
            let (q, p) = (nums[a].2, nums[b].2);
            if a == b || q <= 0 {
                continue;
            }
            let diff = (q * p - amount * 1_000_000).abs();
            let tolerance = 5_000_000_000 * (q.abs() / 1_000_000).max(1);
            if diff <= tolerance {
                // Prefer the columns' order (quantity before price unless the header says
                // otherwise), then a whole quantity, then the pair nearest the amount.
                let key = |a: usize, b: usize| {
                    (
                        (a > b) != price_first,
                        nums[a].2 % 1_000_000 != 0,
                        nums.len() - a.min(b),
                    )
                };
                if best.is_none_or(|(ba, bb)| key(a, b) < key(ba, bb)) {
                    best = Some((a, b));
                }
            }
        }
    }
    best
}

/// Whether the item table's header names the price before the quantity ("Nettopreis |
/// Menge"), from the first row that names both.
fn price_before_quantity(rows: &[Row]) -> bool {
    const QUANTITY: [&str; 10] = [
        "menge",
        "qty",
        "quantity",
        "qté",
        "quantité",
        "aantal",
        "anzahl",
        "hoeveelheid",
        "nombre",
        "stunden",
    ];
    const PRICE: [&str; 6] = ["preis", "price", "rate", "p.u.", "prijs", "tarif"];
    for row in rows {
        let at = |words: &[&str]| {
            row.toks
                .iter()
                .position(|t| words.iter().any(|w| t.lower.contains(w)))
        };
        if let (Some(q), Some(p)) = (at(&QUANTITY), at(&PRICE)) {
            return p < q;
        }
    }
    false
}

fn line_items(rows: &[Row], locale: Locale) -> Vec<FoundLine> {
    let mut items = Vec::new();
    let price_first = price_before_quantity(rows);
    for (r, row) in rows.iter().enumerate() {
        let all = row.all();
        let l = lower(&all);
        if TOTAL.iter().chain(SUBTOTAL).any(|w| l.starts_with(w)) {
            continue;
        }
        // Numbers of the row, by token, with whether they look like money.
        let nums: Vec<(usize, String, i128)> = row
            .toks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.text.ends_with('%') && find_date(&t.text, locale).is_none())
            .filter_map(|(i, t)| {
                let q = parse_quantity(&t.text, locale)?;
                Some((i, q.0, q.1))
            })
            .collect();
        // The amount is the row's last number, or a lone amount on the next row (a wrapped
        // description pushes it down in some layouts).
        let lone_below = rows
            .get(r + 1)
            .filter(|n| n.page == row.page && n.toks.len() == 1)
            .and_then(|n| parse_quantity(&n.toks[0].text, locale))
            .filter(|q| q.0.contains('.') || q.1 % 1_000_000 == 0);
        let mut fitted = None;
        if let Some(below) = lone_below {
            let mut with_below = nums.clone();
            with_below.push((usize::MAX, below.0, below.1));
            fitted = fit(&with_below, price_first).map(|f| (f, with_below));
        }
        if fitted.is_none() {
            fitted = fit(&nums, price_first).map(|f| (f, nums.clone()));
        }
        let Some(((qa, pb), nums)) = fitted else {
            continue;
        };
        let (ai, amount) = nums
            .last()
            .map(|n| (n.0.min(row.toks.len()), n.2))
            .unwrap_or((0, 0));
        // The description: the wordiest cell before the amount that is not a number.
        let mut description = row
            .cells()
            .filter(|c| c.start < ai)
            .map(|c| {
                (c.start..c.end.min(ai))
                    .filter(|i| !nums.iter().any(|n| n.0 == *i))
                    .map(|i| row.toks[i].text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .max_by_key(|t| t.chars().filter(|c| c.is_alphabetic()).count())
            .unwrap_or_default();
        let description_start = description
            .split_whitespace()
            .skip_while(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .collect::<Vec<_>>()
            .join(" ");
        description = description_start;
        if description.chars().filter(|c| c.is_alphabetic()).count() < 3 {
            description = [r + 1, r.wrapping_sub(1)]
                .iter()
                .filter_map(|&k| rows.get(k))
                .filter(|n| n.page == row.page)
                .map(|n| n.all())
                .find(|t| {
                    t.chars().filter(|c| c.is_alphabetic()).count() >= 3
                        && amounts_in(t, locale).len() < 2
                })
                .unwrap_or_default();
        }
        let description = description
            .split_whitespace()
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()) || w.len() < 6)
            .collect::<Vec<_>>()
            .join(" ");
        let factor = factor_in(&all, locale);
        let (quantity, unit_price) = match factor {
            Some((q, p)) => (q, p),
            None => (nums[qa].1.clone(), nums[pb].1.clone()),
        };
        items.push(FoundLine {
            item: LineItem {
                description: (!description.is_empty()).then_some(description),
                quantity: Some(quantity),
                unit_price: Some(unit_price),
                amount: Some(format_cents(micro_to_cents(amount))),
            },
            date: find_date(&all, locale),
            confidence: 0.55,
            page: row.page,
            bbox: row.bbox(0..row.toks.len()),
        });
    }
    items
}

/// Millionths to cents, rounding half away from zero.
fn micro_to_cents(micro: i128) -> i128 {
    let half = if micro < 0 { -5_000 } else { 5_000 };
    (micro + half) / 10_000
}

/// "5 days x 600", "3 x 150.00", "2 Tage à 450": quantity and rate.
fn factor_in(text: &str, locale: Locale) -> Option<(String, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if !matches!(lower(w).as_str(), "x" | "×" | "à" | "@" | "a") || i == 0 {
            continue;
        }
        let rate = words
            .get(i + 1)
            .and_then(|r| parse_quantity(r, locale))
            .map(|q| q.0)?;
        // The quantity is the number just before "x", or before its unit ("5 days").
        let q = words[..i]
            .iter()
            .rev()
            .take(2)
            .find_map(|w| parse_quantity(w, locale).map(|q| q.0));
        if let Some(q) = q {
            return Some((q, rate));
        }
    }
    None
}

/// Line items must add up to the subtotal (or, without one, the total); a mismatch is
/// flagged, not hidden.
fn check_lines(out: &mut Extracted) {
    if out.line_items.is_empty() {
        return;
    }
    let sum: i128 = out
        .line_items
        .iter()
        .filter_map(|l| l.item.amount.as_deref().and_then(cents_of))
        .sum();
    let target = out.subtotal.as_ref().or(out.total.as_ref());
    if let Some(t) = target {
        if let Some(t_cents) = cents_of(&t.value) {
            if (sum - t_cents).abs() > 1 {
                out.problems.push(format!(
                    "the line items add up to {}, not {}",
                    format_cents(sum),
                    t.value
                ));
                for l in &mut out.line_items {
                    l.confidence *= 0.7;
                }
            } else {
                for l in &mut out.line_items {
                    l.confidence = (l.confidence + 0.25).min(0.9);
                }
            }
        }
    }
}

/// A receipt for a refund books a negative total.
fn refund_is_negative(full: &str, out: &mut Extracted) {
    let l = full.to_lowercase();
    if !["refund", "erstattung", "remboursement", "rückgabe"]
        .iter()
        .any(|w| l.contains(w))
    {
        return;
    }
    if let Some(t) = &mut out.total {
        if let Some(c) = cents_of(&t.value).filter(|c| *c > 0) {
            t.value = format_cents(-c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::Word;

    fn page(words: &[(&str, [f32; 4])]) -> DocumentText {
        DocumentText {
            pages: vec![PageText {
                number: 1,
                text: words.iter().map(|w| w.0).collect::<Vec<_>>().join(" "),
                words: words
                    .iter()
                    .map(|(t, b)| Word {
                        text: t.to_string(),
                        bbox: *b,
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn a_value_in_another_column_of_the_same_row() {
        let got = extract(&page(&[
            ("Date:", [0.1, 0.1, 0.15, 0.12]),
            ("Jan", [0.6, 0.1, 0.63, 0.12]),
            ("1,", [0.64, 0.1, 0.65, 0.12]),
            ("2022", [0.66, 0.1, 0.7, 0.12]),
            ("Total:", [0.1, 0.5, 0.15, 0.52]),
            ("$127.50", [0.6, 0.5, 0.66, 0.52]),
        ]));
        assert_eq!(got.invoice_date.unwrap().value, "2022-01-01");
        let total = got.total.unwrap();
        assert_eq!(total.value, "127.50");
        assert_eq!(total.bbox, Some([0.6, 0.5, 0.66, 0.52]));
    }

    /// Words of a line that rises by `slope` (page fractions) from left to right, each
    /// `w` wide with one-character gaps, starting at (x, y).
    fn tilted(words: &[&'static str], x: f32, y: f32, slope: f32) -> Vec<(&'static str, [f32; 4])> {
        let mut out = Vec::new();
        let mut left = x;
        for w in words {
            let width = 0.012 * w.chars().count() as f32;
            let top = y - slope * (left - x);
            out.push((*w, [left, top, left + width, top + 0.012]));
            left += width + 0.012;
        }
        out
    }

    #[test]
    fn a_crooked_scan_keeps_its_lines_whole() {
        // A 1.5 degree skew on A4: across the page the line rises by more than its height.
        let slope = 0.018;
        let mut words = tilted(
            &[
                "Rechnung",
                "(380)",
                "Nr.",
                "RE-2014/502",
                "vom",
                "03.07.2014",
            ],
            0.1,
            0.1,
            slope,
        );
        words.extend(tilted(
            &["Gesamtbetrag", "EUR", "inkl.", "MwSt.", "119,00"],
            0.1,
            0.3,
            slope,
        ));
        let got = extract(&page(&words));
        assert_eq!(got.invoice_number.unwrap().value, "RE-2014/502");
        assert_eq!(got.invoice_date.unwrap().value, "2014-07-03");
        assert_eq!(got.total.unwrap().value, "119.00");
    }

    #[test]
    fn a_dash_read_as_a_sliver_does_not_split_its_line() {
        let mut words = tilted(&["Handelsrechnung", "(380)", "Nr."], 0.1, 0.1, 0.0);
        // OCR's box of a dash: two pixels high, between the two halves' middles.
        words.push(("-", [0.41, 0.106, 0.415, 0.1066]));
        words.extend(tilted(
            &["47110815", "vom", "01.12.2025"],
            0.42,
            0.1006,
            0.0,
        ));
        let got = extract(&page(&words));
        assert_eq!(got.invoice_number.unwrap().value, "47110815");
        assert_eq!(got.invoice_date.unwrap().value, "2025-12-01");
    }

    #[test]
    fn a_label_whose_umlaut_ocr_dropped_still_labels() {
        // "Wahrung" for "Währung": the label, not the euro amounts, says the currency.
        let got = extract(&DocumentText {
            pages: vec![PageText {
                number: 1,
                text: "Rechnung\nWahrung: GBP\nNetto 100,00 EUR\nBrutto 119,00 EUR\n".into(),
                words: Vec::new(),
            }],
        });
        assert_eq!(got.currency.unwrap().value, "GBP");
    }

    #[test]
    fn the_last_row_under_a_column_header_is_the_sum() {
        let got = extract(&page(&[
            ("Nettobetrag", [0.1, 0.1, 0.2, 0.12]),
            ("MwSt-Betrag", [0.3, 0.1, 0.4, 0.12]),
            ("Endbetrag", [0.5, 0.1, 0.6, 0.12]),
            ("100,00", [0.12, 0.13, 0.2, 0.15]),
            ("19,00", [0.33, 0.13, 0.4, 0.15]),
            ("119,00", [0.52, 0.13, 0.6, 0.15]),
            ("200,00", [0.12, 0.16, 0.2, 0.18]),
            ("14,00", [0.33, 0.16, 0.4, 0.18]),
            ("214,00", [0.52, 0.16, 0.6, 0.18]),
            ("300,00", [0.12, 0.19, 0.2, 0.21]),
            ("33,00", [0.33, 0.19, 0.4, 0.21]),
            ("333,00", [0.52, 0.19, 0.6, 0.21]),
        ]));
        assert_eq!(got.total.unwrap().value, "333.00");
        assert_eq!(got.subtotal.unwrap().value, "300.00");
        assert_eq!(got.tax.unwrap().value, "33.00");
    }

    #[test]
    fn the_total_that_adds_up_wins_over_an_amount_due() {
        let got = extract(&DocumentText {
            pages: vec![PageText {
                number: 1,
                text: "Rechnungssumme ohne USt. 858,75\nSteuerbetrag in GBP 163,16\n\
                       Steuerbetrag in EUR 183,14\nBruttosumme 1.021,91\nZahlbetrag 521,91\n"
                    .into(),
                words: Vec::new(),
            }],
        });
        assert_eq!(got.total.unwrap().value, "1021.91");
        assert_eq!(got.tax.unwrap().value, "163.16");
        assert!(got.problems.is_empty());
    }

    #[test]
    fn a_multi_line_name_in_the_seller_block() {
        let got = extract(&DocumentText {
            pages: vec![PageText {
                number: 1,
                text: "Verkäufer:\nNummer: 549910\nName:\nMVM Musterhafter\n\
                       Versicherungsverein Musterstadt a.G.\nAnschrift: Musterstr. 12\n"
                    .into(),
                words: Vec::new(),
            }],
        });
        assert_eq!(
            got.vendor_name.unwrap().value,
            "MVM Musterhafter Versicherungsverein Musterstadt a.G."
        );
    }

    #[test]
    fn rows_that_multiply_out_are_line_items() {
        let got = extract(&DocumentText {
            pages: vec![PageText {
                number: 1,
                text: "Description Qty Rate Amount\nGrip truck, 5 days x 600 5 600.00 3,000.00\n\
                       Gaffer 2 450.00 900.00\nSubtotal 3,900.00\n"
                    .into(),
                words: Vec::new(),
            }],
        });
        let items: Vec<_> = got.line_items.iter().map(|l| &l.item).collect();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].quantity.as_deref(), Some("5"));
        assert_eq!(items[0].unit_price.as_deref(), Some("600"));
        assert_eq!(items[0].amount.as_deref(), Some("3000.00"));
        assert_eq!(items[1].description.as_deref(), Some("Gaffer"));
        assert!(got.problems.is_empty(), "{:?}", got.problems);
    }
}
