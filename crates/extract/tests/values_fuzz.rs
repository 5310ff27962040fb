//! Property tests of reading amounts, dates and fields: no input makes them panic; amounts
//! printed the US or European way (with thousands separators, signs and currency) read back
//! as the same cents; dates printed in the styles invoices use read back as the same day for
//! the locale; NET terms add days like a calendar; and the extractor's sum check is exact to
//! the cent (it works on integer cents, so 0.10 + 0.20 is 0.30).

use boxkeeper_extract::pdf::{DocumentText, PageText, Word};
use boxkeeper_extract::rules::extract;
use boxkeeper_extract::{add_days, find_date, normalize_amount, parse_amount, Locale};
use proptest::prelude::*;

/// Cents as "1234.56" / "-0.05", the extractor's normal form.
fn plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The integer part with a separator every three digits from the right.
fn grouped(whole: u64, sep: &str) -> String {
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// An amount as printed: US "1,234.56", European "1.234,56" or "1 234,56", with a sign and
/// perhaps a currency before or after.
fn printed(cents: i64, locale: Locale, style: u8) -> String {
    let abs = cents.unsigned_abs();
    let (whole, frac) = (abs / 100, abs % 100);
    let body = match (locale, style % 2) {
        (Locale::Us, _) => format!("{}.{frac:02}", grouped(whole, ",")),
        (Locale::European, 0) => format!("{},{frac:02}", grouped(whole, ".")),
        (Locale::European, _) => format!("{},{frac:02}", grouped(whole, "\u{a0}")),
    };
    let sign = if cents < 0 { "-" } else { "" };
    match style % 4 {
        0 | 1 => format!("{sign}{body}"),
        2 => format!("{sign}{body} €"),
        _ => format!("$ {sign}{body}"),
    }
}

fn locale() -> impl Strategy<Value = Locale> {
    prop_oneof![Just(Locale::Us), Just(Locale::European)]
}

fn days_in(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn date() -> impl Strategy<Value = (i32, u32, u32)> {
    (1950i32..2150, 1u32..=12).prop_flat_map(|(y, m)| (Just(y), Just(m), 1..=days_in(y, m)))
}

const ENGLISH: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const GERMAN: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const FRENCH: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const DUTCH: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A date printed in one of the styles invoices use, and the locale it is read in.
fn printed_date(y: i32, m: u32, d: u32, style: u8) -> (String, Locale) {
    let mi = (m - 1) as usize;
    match style % 11 {
        0 => (format!("{y:04}-{m:02}-{d:02}"), Locale::Us),
        1 => (format!("{d:02}.{m:02}.{y:04}"), Locale::Us),
        2 => (format!("{d}.{m}.{y}"), Locale::European),
        3 => (format!("{m:02}/{d:02}/{y:04}"), Locale::Us),
        4 => (format!("{d:02}/{m:02}/{y:04}"), Locale::European),
        5 => (format!("{d:02}-{m:02}-{y:04}"), Locale::European),
        6 => (format!("{} {d}, {y}", ENGLISH[mi]), Locale::Us),
        7 => (format!("{} {d}, {y}", &ENGLISH[mi][..3]), Locale::Us),
        8 => (format!("{d}. {} {y}", GERMAN[mi]), Locale::European),
        9 => (format!("le {d} {} {y}", FRENCH[mi]), Locale::European),
        _ => (format!("{d} {} {y}", DUTCH[mi]), Locale::European),
    }
}

proptest! {
    #[test]
    fn reading_any_text_never_panics(text in any::<String>(), l in locale()) {
        let _ = parse_amount(&text, l);
        let _ = find_date(&text, l);
        let _ = normalize_amount(&text);
        let _ = add_days(&text, 30);
    }

    #[test]
    fn reading_number_like_text_never_panics(
        text in "[-+(]?[0-9 .,'€$]{0,24}[)-]?", l in locale()
    ) {
        let _ = parse_amount(&text, l);
        let _ = find_date(&text, l);
        let _ = normalize_amount(&text);
    }

    #[test]
    fn amounts_round_trip_in_their_locale(
        cents in -10_000_000_000_000i64..10_000_000_000_000, l in locale(), style in 0u8..8
    ) {
        let text = printed(cents, l, style);
        prop_assert_eq!(parse_amount(&text, l), Some(plain(cents)), "{}", text);
    }

    #[test]
    fn amounts_with_both_separators_read_the_same_in_either_locale(
        cents in 100_000i64..10_000_000_000, l in locale(), read_as in locale()
    ) {
        // With a thousands and a decimal separator, the last one is the decimal.
        let text = printed(cents, l, 0);
        prop_assert_eq!(parse_amount(&text, read_as), Some(plain(cents)), "{}", text);
    }

    #[test]
    fn dates_round_trip_in_their_locale((y, m, d) in date(), style in 0u8..11) {
        let (text, l) = printed_date(y, m, d, style);
        let want = format!("{y:04}-{m:02}-{d:02}");
        prop_assert_eq!(find_date(&text, l), Some(want), "{}", text);
    }

    #[test]
    fn net_terms_add_days_like_a_calendar((y, m, d) in date(), a in 0u32..400, b in 0u32..400) {
        let start = format!("{y:04}-{m:02}-{d:02}");
        let once = add_days(&start, a + b).unwrap();
        let twice = add_days(&add_days(&start, a).unwrap(), b).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(add_days(&start, 0), Some(start.clone()));
        // The result is a real day.
        prop_assert_eq!(find_date(&once, Locale::Us), Some(once.clone()));
        // One day on is the next day: the day of month grows by one or starts again at 1.
        let next = add_days(&start, 1).unwrap();
        let next_day: u32 = next[8..10].parse().unwrap();
        prop_assert!(next_day == d + 1 || next_day == 1, "{} -> {}", start, next);
    }

    #[test]
    fn the_sum_check_is_exact_to_the_cent(
        subtotal in 0i64..100_000_000, tax in 0i64..10_000_000, l in locale(), off in -2i64..=2
    ) {
        let total = subtotal + tax + off;
        let text = format!(
            "Invoice No. A-1\nSubtotal {}\nTax {}\nTotal {}\n",
            printed(subtotal, l, 0),
            printed(tax, l, 0),
            printed(total, l, 0)
        );
        let got = extract(&DocumentText {
            pages: vec![PageText { number: 1, text: text.clone(), words: Vec::new() }],
        });
        let value = |f: &Option<boxkeeper_extract::rules::Found>| f.as_ref().map(|f| f.value.clone());
        prop_assert_eq!(value(&got.total), Some(plain(total)), "{}", text);
        prop_assert_eq!(value(&got.subtotal), Some(plain(subtotal)), "{}", text);
        prop_assert_eq!(value(&got.tax), Some(plain(tax)), "{}", text);
        prop_assert_eq!(got.problems.is_empty(), off == 0, "{}: {:?}", text, got.problems);
    }
}

// Whole documents cost more than single values: fewer cases keep the suite to seconds.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn extracting_any_text_never_panics(text in any::<String>()) {
        let doc = DocumentText {
            pages: vec![PageText { number: 1, text, words: Vec::new() }],
        };
        let _ = extract(&doc);
    }

    #[test]
    fn extracting_invoice_like_lines_never_panics(
        lines in proptest::collection::vec(
            "(Invoice|Rechnung|Total|Tax|MwSt|Date|Datum|Nr\\.|#|Verkäufer:|Name:|GmbH|x|  |\t|[0-9]{1,6}|[0-9]{1,3}[.,][0-9]{2}|[A-Za-z]{1,8}| ){0,12}",
            0..30,
        )
    ) {
        let doc = DocumentText {
            pages: vec![PageText { number: 1, text: lines.join("\n"), words: Vec::new() }],
        };
        let _ = extract(&doc);
    }

    #[test]
    fn extracting_any_word_boxes_never_panics(
        words in proptest::collection::vec(
            ("[A-Za-z0-9.,:€$%-]{1,10}", proptest::array::uniform4(-0.5f32..1.5)),
            0..60,
        )
    ) {
        let doc = DocumentText {
            pages: vec![PageText {
                number: 1,
                text: words.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" "),
                words: words
                    .into_iter()
                    .map(|(text, bbox)| Word { text, bbox })
                    .collect(),
            }],
        };
        let _ = extract(&doc);
    }
}
