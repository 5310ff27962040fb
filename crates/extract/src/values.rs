//! Reading amounts and dates as people print them: 1,234.56 and 1.234,56; 05/06/2018 read
//! by locale; "20. September 2018", "Sept 20, 2018", "20 sept. 2018".

/// Which way a document writes numbers and day/month order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    /// 1,234.56 and MM/DD/YYYY.
    Us,
    /// 1.234,56 (or 1 234,56) and DD.MM.YYYY / DD/MM/YYYY.
    European,
}

/// An amount in a piece of text as a decimal string with two decimals ("1234.56",
/// "-12.50"). Currency signs and codes around it are ignored; parentheses mean negative.
pub fn parse_amount(text: &str, locale: Locale) -> Option<String> {
    let (negative, int, frac) = decimal_parts(text, locale)?;
    let number = format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        if int.is_empty() { "0" } else { &int },
        frac
    );
    crate::normalize_amount(&number)
}

/// A quantity or unit price as printed ("10000,0000", "$1.50", "27,5"): the number without
/// trailing zeros ("10000", "1.5", "27.5") and its value in millionths, for exact
/// arithmetic. `None` for words, codes ("ZS997") and numbers too long to be quantities.
pub(crate) fn parse_quantity(text: &str, locale: Locale) -> Option<(String, i128)> {
    let t = text.trim();
    if !t.chars().all(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '.' | ',' | '\'' | '-' | '+' | '(' | ')' | '€' | '$' | '£'
            )
    }) {
        return None;
    }
    let (negative, int, frac) = decimal_parts(t, locale)?;
    let frac = frac.trim_end_matches('0');
    if int.len() > 9 || frac.len() > 6 {
        return None;
    }
    let whole: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut micro = whole * 1_000_000;
    for (i, d) in frac.bytes().enumerate() {
        micro += i128::from(d - b'0') * 10_i128.pow(5 - i as u32);
    }
    if negative {
        micro = -micro;
    }
    let shown = crate::fields::trim_decimal(&format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        if int.is_empty() { "0" } else { &int },
        frac
    ))?;
    Some((shown, micro))
}

/// A two-decimal amount string ("-12.50") in cents, exactly.
pub(crate) fn cents_of(amount: &str) -> Option<i128> {
    let (negative, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount),
    };
    let (int, frac) = digits.split_once('.')?;
    if int.is_empty()
        || frac.len() != 2
        || int.len() > 30
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = int.parse::<i128>().ok()? * 100 + frac.parse::<i128>().ok()?;
    Some(if negative { -cents } else { cents })
}

/// Cents as a two-decimal amount string: -1250 -> "-12.50".
pub(crate) fn format_cents(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The sign, integer digits and fraction digits of a printed number, deciding which of "."
/// and "," is the decimal separator (both present: the last; one alone: by the digits after
/// it and the locale).
fn decimal_parts(text: &str, locale: Locale) -> Option<(bool, String, String)> {
    let t = text.trim();
    // The sign may follow a currency ("$ -0.01", "EUR -5,00") or end the number ("5,00-").
    let core = t.trim_matches(|c: char| {
        c.is_whitespace()
            || c.is_alphabetic()
            || matches!(c, '€' | '$' | '£' | '₹' | '¥' | '.' | ':')
    });
    let negative = core.starts_with('-')
        || core.ends_with('-')
        || (core.starts_with('(') && core.ends_with(')'));
    let body: String = t
        .chars()
        .filter(|c| {
            c.is_ascii_digit() || matches!(c, '.' | ',' | '\'' | ' ' | '\u{a0}' | '\u{202f}')
        })
        .collect();
    let body = body.trim_matches(|c: char| !c.is_ascii_digit());
    if body.is_empty() {
        return None;
    }
    let last_dot = body.rfind('.');
    let last_comma = body.rfind(',');
    let decimal_sep = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        (Some(d), None) => decimal_if_not_grouping(body, d, '.', locale == Locale::Us),
        (None, Some(c)) => decimal_if_not_grouping(body, c, ',', locale == Locale::European),
        (None, None) => None,
    };
    let (int, frac) = match decimal_sep {
        Some(sep) => {
            let i = body.rfind(sep)?;
            (&body[..i], &body[i + 1..])
        }
        None => (body, ""),
    };
    // Grouping is the other separator, an apostrophe or a space; never the decimal one again.
    if decimal_sep.is_some_and(|sep| int.contains(sep)) || frac.chars().any(|c| !c.is_ascii_digit())
    {
        return None;
    }
    let int: String = int.chars().filter(char::is_ascii_digit).collect();
    Some((negative, int, frac.to_string()))
}

/// Whether the only separator of its kind is a decimal separator: two digits after it (or
/// one), or the locale's own separator with other than three digits after it.
fn decimal_if_not_grouping(body: &str, at: usize, sep: char, locale_decimal: bool) -> Option<char> {
    let after = body[at + 1..].chars().filter(char::is_ascii_digit).count();
    let repeated = body.matches(sep).count() > 1;
    if repeated {
        return None; // 1,234,567 or 1.234.567: grouping
    }
    match after {
        1 | 2 => Some(sep),
        3 if !locale_decimal => None,
        3 => Some(sep),
        _ => Some(sep),
    }
}

const MONTHS: [(&str, u32); 43] = [
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    ("okt", 10),
    ("dez", 12),
    ("sept", 9),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .find(|(name, _)| *name == w)
        .or_else(|| {
            // Three-letter abbreviations of the English names ("Aug", "Oct", "Dec").
            MONTHS[..12]
                .iter()
                .find(|(name, _)| w.len() == 3 && name.starts_with(&w))
        })
        .map(|(_, m)| *m)
}

fn valid(y: i32, m: u32, d: u32) -> Option<String> {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=2200).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn year(s: &str) -> Option<i32> {
    let y: i32 = s.parse().ok()?;
    match s.len() {
        4 => Some(y),
        2 => Some(2000 + y),
        _ => None,
    }
}

/// The first date in `text`, as YYYY-MM-DD.
pub fn find_date(text: &str, locale: Locale) -> Option<String> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    for (i, tok) in tokens.iter().enumerate() {
        let tok = tok.trim_matches(|c: char| !c.is_alphanumeric());
        // Numeric: 2018-09-20, 20.09.2018, 09/20/2018, 20-10-2015.
        // OCR reads a dot as a colon now and then ("05.03:2018"): in a dotted date, a colon
        // is a dot (a time has no dots, so "10:30" stays a time).
        let parts: Vec<&str> = if tok.contains('.') {
            tok.split(['-', '.', '/', ':']).collect()
        } else {
            tok.split(['-', '.', '/']).collect()
        };
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            let n = |s: &str| s.parse::<u32>().ok();
            let iso = parts[0].len() == 4;
            // A part that is not a number of a date ("99999999999") skips the token; it does
            // not end the search.
            let found = if iso {
                match (year(parts[0]), n(parts[1]), n(parts[2])) {
                    (Some(y), Some(m), Some(d)) => valid(y, m, d),
                    _ => None,
                }
            } else {
                match (n(parts[0]), n(parts[1]), year(parts[2])) {
                    (Some(a), Some(b), Some(y)) => {
                        let dotted = tok.contains('.');
                        // Dots are always day first; otherwise the locale decides, unless a
                        // part over 12 can only be the day.
                        let day_first = dotted || a > 12 || (b <= 12 && locale == Locale::European);
                        if day_first {
                            valid(y, b, a)
                        } else {
                            valid(y, a, b)
                        }
                    }
                    _ => None,
                }
            };
            if found.is_some() {
                return found;
            }
            continue;
        }
        // Worded: "20. September 2018", "20 sept. 2018", "September 20 2018".
        if let Some(m) = month_of(tok) {
            let num = |t: Option<&&str>| {
                t.and_then(|t| {
                    t.trim_matches(|c: char| !c.is_ascii_digit())
                        .parse::<u32>()
                        .ok()
                })
            };
            let prev = if i > 0 { num(tokens.get(i - 1)) } else { None };
            let next = num(tokens.get(i + 1));
            let after_next = tokens
                .get(i + 2)
                .and_then(|t| year(t.trim_matches(|c: char| !c.is_ascii_digit())));
            let next_year = tokens
                .get(i + 1)
                .and_then(|t| year(t.trim_matches(|c: char| !c.is_ascii_digit())));
            if let (Some(d), Some(y)) = (prev, next_year) {
                if let Some(date) = valid(y, m, d) {
                    return Some(date);
                }
            }
            if let (Some(d), Some(y)) = (next, after_next) {
                if let Some(date) = valid(y, m, d) {
                    return Some(date);
                }
            }
        }
    }
    None
}

/// A date plus a number of days (for NET n terms).
pub fn add_days(date: &str, days: u32) -> Option<String> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    // Days since 1970-01-01 and back (Howard Hinnant's civil-from-days algorithms).
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let z = era * 146_097 + doe + i64::from(days);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Locale::*;

    #[test]
    fn amounts_in_both_conventions() {
        assert_eq!(parse_amount("1,234.56", Us).as_deref(), Some("1234.56"));
        assert_eq!(
            parse_amount("1.234,56", European).as_deref(),
            Some("1234.56")
        );
        assert_eq!(parse_amount("1.234,56", Us).as_deref(), Some("1234.56"));
        assert_eq!(
            parse_amount("1 234,56 €", European).as_deref(),
            Some("1234.56")
        );
        assert_eq!(parse_amount("€ 9,00", Us).as_deref(), Some("9.00"));
        assert_eq!(parse_amount("$600", Us).as_deref(), Some("600.00"));
        assert_eq!(parse_amount("1,234", Us).as_deref(), Some("1234.00"));
        assert_eq!(parse_amount("1.234", European).as_deref(), Some("1234.00"));
        assert_eq!(
            parse_amount("12,345,678.9", Us).as_deref(),
            Some("12345678.90")
        );
        assert_eq!(parse_amount("-12.50", Us).as_deref(), Some("-12.50"));
        assert_eq!(parse_amount("(12.50)", Us).as_deref(), Some("-12.50"));
        assert_eq!(parse_amount("EUR", Us), None);
    }

    #[test]
    fn dates_by_locale_and_words() {
        assert_eq!(
            find_date("Date: 2018-09-20", Us).as_deref(),
            Some("2018-09-20")
        );
        assert_eq!(
            find_date("Rechnungsdatum 20.09.2018", European).as_deref(),
            Some("2018-09-20")
        );
        assert_eq!(find_date("05/06/2018", Us).as_deref(), Some("2018-05-06"));
        assert_eq!(
            find_date("05/06/2018", European).as_deref(),
            Some("2018-06-05")
        );
        assert_eq!(
            find_date("25/06/2018", Us).as_deref(),
            Some("2018-06-25"),
            "a day over 12 decides"
        );
        assert_eq!(
            find_date("Invoice date: 20-10-2015", Us).as_deref(),
            Some("2015-10-20")
        );
        assert_eq!(
            find_date("20. September 2018", European).as_deref(),
            Some("2018-09-20")
        );
        assert_eq!(
            find_date("Sept 20, 2018", Us).as_deref(),
            Some("2018-09-20")
        );
        assert_eq!(
            find_date("le 3 mars 2021", European).as_deref(),
            Some("2021-03-03")
        );
        assert_eq!(find_date("Invoice 2018/99/99", Us), None);
        assert_eq!(find_date("no date here", Us), None);
    }

    #[test]
    fn net_terms_add_days_across_months_and_leap_years() {
        assert_eq!(add_days("2018-09-20", 30).as_deref(), Some("2018-10-20"));
        assert_eq!(add_days("2024-02-15", 15).as_deref(), Some("2024-03-01"));
        assert_eq!(add_days("2023-12-31", 1).as_deref(), Some("2024-01-01"));
        assert_eq!(add_days("2024-01-01", 0).as_deref(), Some("2024-01-01"));
    }
}
