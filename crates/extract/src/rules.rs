//! The offline extractor: invoice fields from a document's text by labels (English, German,
//! French), with no model and no network. Each value says how sure it is and where it came
//! from (page and box when the text layer had words). It is a floor, not an oracle: the LLM
//! extractor improves on it when configured, and a person's correction beats both.

use serde::Serialize;

use crate::pdf::{DocumentText, Word};
use crate::values::{add_days, find_date, parse_amount, Locale};

/// A value with its confidence (0..=1) and where on which page it was read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    pub value: String,
    pub confidence: f32,
    pub page: Option<usize>,
    pub bbox: Option<[f32; 4]>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Extracted {
    pub document_type: Option<String>,
    pub vendor_name: Option<Found>,
    pub invoice_number: Option<Found>,
    pub invoice_date: Option<Found>,
    pub due_date: Option<Found>,
    pub currency: Option<Found>,
    pub subtotal: Option<Found>,
    pub tax: Option<Found>,
    pub total: Option<Found>,
    pub po_number: Option<Found>,
    /// Checks that failed, in words ("subtotal 100.00 plus tax 19.00 is not the total 120.00").
    pub problems: Vec<String>,
}

const INVOICE_NUMBER: &[&str] = &[
    "invoice number",
    "invoice no",
    "invoice #",
    "invoice nr",
    "invoice id",
    "rechnungsnummer",
    "rechnungs-nr",
    "rechnung nr",
    "rechnungsnr",
    "rechnung-nr",
    "belegnummer",
    "numéro de facture",
    "n° de facture",
    "facture n°",
    "facture no",
    "invoice:",
    "rechnung:",
    "bill no",
];
const INVOICE_DATE: &[&str] = &[
    "invoice date",
    "date of invoice",
    "rechnungsdatum",
    "belegdatum",
    "date de facture",
    "date de facturation",
    "datum",
    "date",
];
const DUE_DATE: &[&str] = &[
    "due date",
    "payment due",
    "due by",
    "pay by",
    "fälligkeitsdatum",
    "fällig am",
    "fällig",
    "zahlbar bis",
    "date d'échéance",
    "échéance",
];
// Most specific first: the first label that has an amount on its line wins.
const TOTAL: &[&str] = &[
    "amount due",
    "total due",
    "balance due",
    "grand total",
    "invoice total",
    "total amount",
    "zahlbetrag",
    "zu zahlen",
    "bruttosumme",
    "summe brutto",
    "summe inkl",
    "gesamtsumme",
    "bruttobetrag",
    "endbetrag",
    "rechnungsbetrag",
    "gesamtbetrag",
    "rechnungssumme",
    "gesamtpreis",
    "total ttc",
    "montant ttc",
    "net à payer",
    "total",
];
/// Words that make a line something other than the total.
const NOT_TOTAL: &[&str] = &[
    "ohne",
    "netto",
    "excl",
    "before tax",
    "hors",
    "subtotal",
    "sub-total",
    "zuschläge",
    "abschläge",
];
const SUBTOTAL: &[&str] = &[
    "subtotal",
    "sub-total",
    "sub total",
    "net amount",
    "total net",
    "total excl",
    "nettobetrag",
    "summe netto",
    "nettosumme",
    "rechnungssumme ohne",
    "summe ohne",
    "gesamt netto",
    "warenwert",
    "positionssumme",
    "total ht",
    "montant ht",
    "netto",
];
const NOT_SUBTOTAL: &[&str] = &["inkl", "incl", "brutto", "ttc"];
const TAX: &[&str] = &[
    "steuerbetrag",
    "zuzügl. ust",
    "mwst",
    "umsatzsteuer",
    "mehrwertsteuer",
    "sales tax",
    "vat",
    "tax",
    "tva",
    "ust",
];
const NOT_TAX: &[&str] = &[
    "ohne", "inkl", "incl", "excl", "hors", "summe", "total", "basis", "id", "nr",
];
const PO_NUMBER: &[&str] = &[
    "purchase order",
    "po number",
    "po no",
    "po #",
    "p.o.",
    "order number",
    "bestellnummer",
    "ihre bestellung",
    "auftragsnummer",
    "bon de commande",
    "numéro de commande",
];

const GERMAN_HINTS: &[&str] = &[
    "rechnung",
    "mwst",
    "umsatzsteuer",
    "betrag",
    "datum",
    "summe",
];
const FRENCH_HINTS: &[&str] = &["facture", "tva", "montant", "échéance", "total ttc"];

/// One line of text with where it is.
struct Line<'a> {
    text: String,
    page: usize,
    words: Vec<&'a Word>,
}

fn lines_of(doc: &DocumentText) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    for page in &doc.pages {
        let mut words = page.words.iter().peekable();
        for raw in page.text.lines() {
            let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                continue;
            }
            // The page's words in order cover its lines in order: take as many as this line has.
            let n = text.split(' ').count();
            let mut mine = Vec::new();
            for _ in 0..n {
                match words.next() {
                    Some(w) => mine.push(w),
                    None => break,
                }
            }
            lines.push(Line {
                text,
                page: page.number,
                words: mine,
            });
        }
    }
    lines
}

fn locale_of(text: &str) -> Locale {
    let lower = text.to_lowercase();
    let count = |hints: &[&str]| hints.iter().filter(|h| lower.contains(*h)).count();
    let european_numbers = lower.matches(',').count() > lower.matches('.').count();
    if count(GERMAN_HINTS) >= 2 || count(FRENCH_HINTS) >= 2 || european_numbers {
        Locale::European
    } else {
        Locale::Us
    }
}

/// Where `label` starts in `line` as a whole word or phrase, case-insensitively.
fn label_at(line: &str, label: &str) -> Option<usize> {
    let lower = line.to_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(label) {
        let start = from + i;
        let end = start + label.len();
        let before_ok = start == 0
            || !lower[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
        let after_ok = label.ends_with([':', '#', '.', '°'])
            || end >= lower.len()
            || !lower[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            return Some(end);
        }
        from = start + label.len().max(1);
        if from >= lower.len() {
            break;
        }
    }
    None
}

/// The text after the first of `labels` found on a line (or, when the line ends at the
/// label, the next line), with the line's position. Earlier labels in the list win.
fn after_label<'a>(lines: &'a [Line<'a>], labels: &[&str]) -> Option<(String, &'a Line<'a>)> {
    for label in labels {
        for (i, line) in lines.iter().enumerate() {
            if let Some(end) = label_at(&line.text, label) {
                // `end` is a byte offset in the lower-cased text; map it back by characters.
                let chars = line.text.to_lowercase()[..end].chars().count();
                let rest: String = line.text.chars().skip(chars).collect();
                let rest = rest
                    .trim_start_matches([':', '#', '.', ' ', '-', '°'])
                    .trim()
                    .to_string();
                if !rest.is_empty() {
                    return Some((rest, line));
                }
                if let Some(next) = lines.get(i + 1) {
                    return Some((next.text.clone(), next));
                }
            }
        }
    }
    None
}

fn found(value: String, confidence: f32, line: &Line, needle: &str) -> Found {
    let word = line
        .words
        .iter()
        .find(|w| needle.contains(w.text.as_str()) || w.text.contains(needle));
    Found {
        value,
        confidence,
        page: Some(line.page),
        bbox: word.map(|w| w.bbox),
    }
}

/// The last amount on a piece of text (totals are usually at the end of their line).
/// Digits grouped by spaces ("1 200,00") are joined first.
fn last_amount(text: &str, locale: Locale) -> Option<(String, String)> {
    let mut tokens: Vec<String> = Vec::new();
    for t in text.split_whitespace() {
        let is_group = t.len() >= 3
            && t[..3].bytes().all(|b| b.is_ascii_digit())
            && t[3..]
                .chars()
                .next()
                .is_none_or(|c| matches!(c, ',' | '.' | '€' | '$' | '£'));
        match tokens.last_mut() {
            Some(prev)
                if is_group && prev.len() <= 3 && prev.bytes().all(|b| b.is_ascii_digit()) =>
            {
                prev.push(' ');
                prev.push_str(t);
            }
            _ => tokens.push(t.to_string()),
        }
    }
    tokens
        .into_iter()
        .filter(|t| {
            let digits = t.chars().filter(char::is_ascii_digit).count();
            let separated = t.contains(['.', ',', ' ']);
            // A long bare integer is a phone number or an id, not money.
            digits > 0
                && (separated || digits <= 6)
                && !t.contains('%')
                && !t.chars().any(char::is_alphabetic)
                && find_date(t, locale).is_none()
        })
        .rev()
        .find_map(|t| parse_amount(&t, locale).map(|a| (a, t)))
}

fn amount_field(lines: &[Line], labels: &[&str], not: &[&str], locale: Locale) -> Option<Found> {
    let excluded = |line: &Line| {
        let lower = line.text.to_lowercase();
        not.iter().any(|w| label_at(&lower, w).is_some())
    };
    // A label with its amount on the same line wins, and of those the last (totals come at
    // the end, after table headers that repeat the words); an amount on the next line is a
    // weaker fallback.
    for label in labels {
        let same_line = lines
            .iter()
            .rev()
            .filter(|l| !excluded(l))
            .find_map(|line| {
                let end = label_at(&line.text, label)?;
                let chars = line.text.to_lowercase()[..end].chars().count();
                let rest: String = line.text.chars().skip(chars).collect();
                last_amount(&rest, locale).map(|(amount, token)| found(amount, 0.7, line, &token))
            });
        if same_line.is_some() {
            return same_line;
        }
    }
    for label in labels {
        for (i, line) in lines.iter().enumerate().rev() {
            if !excluded(line) && label_at(&line.text, label).is_some() {
                // Only a bare value line (digits, separators, a currency) continues a label;
                // a line with words of its own is another field.
                let bare = |l: &Line| {
                    l.text.split_whitespace().all(|w| {
                        !w.chars().any(char::is_alphabetic)
                            || w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase())
                    })
                };
                if let Some(next) = lines.get(i + 1).filter(|n| bare(n)) {
                    if let Some((amount, token)) = last_amount(&next.text, locale) {
                        return Some(found(amount, 0.5, next, &token));
                    }
                }
            }
        }
    }
    None
}

fn currency_of(text: &str) -> Option<String> {
    const CODES: [&str; 10] = [
        "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "INR", "JPY", "SEK", "DKK",
    ];
    let upper = text.to_uppercase();
    let by_code = CODES
        .iter()
        .map(|c| (upper.matches(c).count(), *c))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, c)| c.to_string());
    by_code.or_else(|| {
        [
            ('€', "EUR"),
            ('£', "GBP"),
            ('₹', "INR"),
            ('$', "USD"),
            ('¥', "JPY"),
        ]
        .iter()
        .find(|(sym, _)| text.contains(*sym))
        .map(|(_, code)| code.to_string())
    })
}

fn document_type_of(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&[
        "form w-9",
        "form w-8",
        "w-8ben",
        "request for taxpayer identification",
    ]) {
        Some("TAX_FORM".into())
    } else if has(&["credit note", "gutschrift", "avoir", "rechnungskorrektur"]) {
        Some("CREDIT_NOTE".into())
    } else if has(&["invoice", "rechnung", "facture", "bill"]) {
        Some("INVOICE".into())
    } else if has(&["receipt", "quittung", "beleg", "reçu", "ticket"]) {
        Some("RECEIPT".into())
    } else {
        None
    }
}

/// Reads invoice fields from a document's text.
pub fn extract(doc: &DocumentText) -> Extracted {
    let lines = lines_of(doc);
    let full = doc.full_text();
    let locale = locale_of(&full);
    let mut out = Extracted {
        document_type: document_type_of(&full),
        ..Default::default()
    };

    out.invoice_number = numbered_title(&lines, locale);
    if out.invoice_number.is_some() {
    } else if let Some((rest, line)) = after_label(&lines, INVOICE_NUMBER) {
        // The number is the first token that holds a digit.
        if let Some(token) = rest
            .split_whitespace()
            .map(|t| t.trim_matches(|c: char| matches!(c, ':' | ',' | ';')))
            .find(|t| t.chars().any(|c| c.is_ascii_digit()) && find_date(t, locale).is_none())
        {
            out.invoice_number = Some(found(token.to_string(), 0.7, line, token));
        }
    }
    if let Some((rest, line)) = after_label(&lines, INVOICE_DATE) {
        if let Some(date) = find_date(&rest, locale) {
            out.invoice_date = Some(found(date, 0.7, line, ""));
        }
    }
    if out.invoice_date.is_none() {
        // The first date in the document is usually its date.
        if let Some(line) = lines.iter().find(|l| find_date(&l.text, locale).is_some()) {
            out.invoice_date = find_date(&line.text, locale).map(|d| found(d, 0.4, line, ""));
        }
    }
    if let Some((rest, line)) = after_label(&lines, DUE_DATE) {
        if let Some(date) = find_date(&rest, locale) {
            out.due_date = Some(found(date, 0.6, line, ""));
        }
    }
    if out.due_date.is_none() {
        out.due_date = net_terms(&lines, out.invoice_date.as_ref());
    }
    out.currency = currency_of(&full).map(|c| Found {
        value: c,
        confidence: 0.6,
        page: None,
        bbox: None,
    });
    out.total = amount_field(&lines, TOTAL, NOT_TOTAL, locale);
    out.subtotal = amount_field(&lines, SUBTOTAL, NOT_SUBTOTAL, locale);
    out.tax = amount_field(&lines, TAX, NOT_TAX, locale);
    if let Some((rest, line)) = after_label(&lines, PO_NUMBER) {
        if let Some(token) = rest
            .split_whitespace()
            .find(|t| t.chars().any(|c| c.is_ascii_digit()))
        {
            let token = token.trim_matches(|c: char| matches!(c, ':' | ',' | ';'));
            out.po_number = Some(found(token.to_string(), 0.5, line, token));
        }
    }
    out.vendor_name = vendor(&lines);
    check_sums(&mut out);
    out
}

/// "Handelsrechnung (380) Nr. E2018092011804 vom ...", "Rechnung # RE-20140703/502",
/// "Invoice No. 123", "Facture n° 42": a document word, a number marker, the number.
fn numbered_title(lines: &[Line], locale: Locale) -> Option<Found> {
    const DOC_WORDS: [&str; 6] = [
        "invoice",
        "rechnung",
        "facture",
        "gutschrift",
        "credit note",
        "bill",
    ];
    const MARKERS: [&str; 9] = [
        "nr.", "nr", "no.", "no", "#", "n°", "number", "nummer", "numéro",
    ];
    for line in lines.iter().take(60) {
        let lower = line.text.to_lowercase();
        if !DOC_WORDS.iter().any(|w| lower.contains(w)) {
            continue;
        }
        let tokens: Vec<&str> = line.text.split_whitespace().collect();
        for (i, t) in tokens.iter().enumerate() {
            let tl = t.to_lowercase();
            let tl = tl.trim_end_matches(':');
            if MARKERS.contains(&tl) {
                if let Some(next) = tokens.get(i + 1) {
                    let value = next.trim_matches(|c: char| matches!(c, ':' | ',' | ';'));
                    if value.chars().any(|c| c.is_ascii_digit())
                        && find_date(value, locale).is_none()
                    {
                        return Some(found(value.to_string(), 0.75, line, value));
                    }
                }
            }
        }
    }
    None
}

/// "NET 30", "net 14 days", "30 Tage netto", "zahlbar innerhalb 14 Tagen": the invoice date
/// plus that many days.
fn net_terms(lines: &[Line], invoice_date: Option<&Found>) -> Option<Found> {
    let date = &invoice_date?.value;
    for line in lines {
        let lower = line.text.to_lowercase();
        let tokens: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        for (i, t) in tokens.iter().enumerate() {
            let days = if *t == "net" {
                tokens.get(i + 1).and_then(|n| n.parse::<u32>().ok())
            } else if matches!(*t, "tage" | "tagen" | "jours" | "days") && i > 0 {
                tokens[i - 1].parse::<u32>().ok().filter(|_| {
                    lower.contains("netto")
                        || lower.contains("zahlbar")
                        || lower.contains("net")
                        || lower.contains("payable")
                })
            } else {
                None
            };
            if let Some(days) = days.filter(|d| *d <= 180) {
                return add_days(date, days).map(|value| Found {
                    value,
                    confidence: 0.5,
                    page: Some(line.page),
                    bbox: None,
                });
            }
        }
    }
    None
}

/// The vendor: a "Name:" line in the seller's block ("Verkäufer", "Seller", "Vendeur"),
/// else the first line that names a company by its legal form (GmbH, Inc., LLC, SARL...),
/// cut after the legal form, else the first plain line of the first page.
fn vendor(lines: &[Line]) -> Option<Found> {
    const SELLER: [&str; 7] = [
        "verkäufer",
        "seller",
        "vendor",
        "lieferant",
        "vendeur",
        "fournisseur",
        "from",
    ];
    const LEGAL: [&str; 16] = [
        "gmbh", "ag", "kg", "ohg", "ug", "inc.", "inc", "llc", "ltd.", "ltd", "corp.", "co.",
        "sarl", "sas", "s.a.", "e.k.",
    ];
    let found_line = |l: &Line, value: String, confidence: f32| Found {
        value,
        confidence,
        page: Some(l.page),
        bbox: l.words.first().map(|w| w.bbox),
    };
    for (i, l) in lines.iter().enumerate() {
        if SELLER.contains(&l.text.to_lowercase().trim_end_matches(':').trim()) {
            if let Some(name) = lines[i + 1..].iter().take(4).find_map(|n| {
                n.text
                    .strip_prefix("Name:")
                    .map(|v| (n, v.trim().to_string()))
            }) {
                return Some(found_line(name.0, name.1, 0.6));
            }
        }
    }
    for l in lines.iter().take(200) {
        let words: Vec<&str> = l.text.split_whitespace().collect();
        if let Some(pos) = words
            .iter()
            .position(|w| LEGAL.contains(&w.to_lowercase().trim_end_matches(',')))
        {
            if pos > 0 && pos < 8 {
                let name = words[..=pos].join(" ");
                let name = name.trim_start_matches("Name:").trim().to_string();
                return Some(found_line(l, name, 0.45));
            }
        }
    }
    let first_page = lines.first()?.page;
    lines
        .iter()
        .take_while(|l| l.page == first_page)
        .take(8)
        .find(|l| {
            let t = l.text.to_lowercase();
            let letters = l.text.chars().filter(|c| c.is_alphabetic()).count();
            letters >= 3
                && !["invoice", "rechnung", "facture", "page", "seite"]
                    .iter()
                    .any(|w| t.contains(w))
                && l.text.chars().filter(|c| c.is_ascii_digit()).count() < 3
        })
        .map(|l| found_line(l, l.text.clone(), 0.3))
}

/// Subtotal plus tax must be the total: agreement raises confidence, disagreement lowers it
/// and is reported.
fn check_sums(out: &mut Extracted) {
    let cents = |f: &Option<Found>| -> Option<i64> {
        let v = &f.as_ref()?.value;
        let (i, frac) = v.split_once('.')?;
        let sign = if i.starts_with('-') { -1 } else { 1 };
        Some(
            sign * (i.trim_start_matches('-').parse::<i64>().ok()? * 100
                + frac.parse::<i64>().ok()?),
        )
    };
    if let (Some(s), Some(t), Some(total)) =
        (cents(&out.subtotal), cents(&out.tax), cents(&out.total))
    {
        let ok = (s + t - total).abs() <= 1;
        for f in [&mut out.subtotal, &mut out.tax, &mut out.total]
            .into_iter()
            .flatten()
        {
            f.confidence = if ok {
                (f.confidence + 0.25).min(0.95)
            } else {
                f.confidence * 0.6
            };
        }
        if !ok {
            out.problems.push(format!(
                "subtotal {} plus tax {} is not the total {}",
                out.subtotal.as_ref().map_or("", |f| &f.value),
                out.tax.as_ref().map_or("", |f| &f.value),
                out.total.as_ref().map_or("", |f| &f.value),
            ));
        }
    }
}
