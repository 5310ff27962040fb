//! Numbers as the budgeting software writes them: money (`3000.00`, `$1,234.56`, `(42.17)`,
//! `-$12`) read into integer cents, and plain decimals (the quantity in "1.5 days x 600") read
//! exactly. Nothing here goes through floating point: a bookkeeper's cent must survive.
//! Thousands separators must be grouped by three, so a European `1.234,56` is refused instead
//! of being misread as 1.23456.

use std::fmt;

/// Why a cell is not an amount. The messages complete "the Sub-Total $ "…" …".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("is empty")]
    Empty,
    #[error("is not an amount (expected a number like 1,234.56, $42.17 or (12.00))")]
    NotANumber,
    #[error("has fractions of a cent")]
    FractionOfACent,
    #[error("is too large to be an amount")]
    TooLarge,
}

/// An unsigned number split at its decimal point: the integer digits (thousands separators
/// removed, checked) and the fraction digits.
struct Digits<'a> {
    integer: String,
    fraction: &'a str,
}

/// Reads `1234`, `1,234.5`, `.50`, `12.` — digits with optional correctly grouped commas and
/// an optional fraction. Anything else is not a number.
fn split_digits(text: &str) -> Option<Digits<'_>> {
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, fraction),
        None => (text, ""),
    };
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if integer.is_empty() && fraction.is_empty() {
        return None;
    }
    let groups: Vec<&str> = integer.split(',').collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return None;
        }
    }
    let integer: String = groups.concat();
    if !integer.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Digits { integer, fraction })
}

/// Takes the sign and currency marks off an amount: surrounding parentheses, a leading `-`,
/// `+` or U+2212 minus, a trailing `-`, and a `$` before or after the sign. Returns whether it
/// is negative and the bare number.
fn strip_marks(text: &str) -> (bool, &str) {
    let mut rest = text.trim();
    let mut negative = false;
    if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        rest = inner.trim();
    }
    let mut signed = negative;
    let mut dollar = false;
    loop {
        if let Some(r) = rest.strip_prefix('$').filter(|_| !dollar) {
            dollar = true;
            rest = r.trim_start();
        } else if let Some(r) = rest
            .strip_prefix('-')
            .or_else(|| rest.strip_prefix('\u{2212}'))
            .filter(|_| !signed)
        {
            signed = true;
            negative = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix('+').filter(|_| !signed) {
            signed = true;
            rest = r.trim_start();
        } else {
            break;
        }
    }
    if let Some(r) = rest.strip_suffix('-').filter(|_| !signed) {
        negative = true;
        rest = r.trim_end();
    }
    (negative, rest)
}

/// Reads an amount of money into integer cents. Accepts `3000.00`, `3,000`, `$1,234.56`,
/// `-$12`, `$-12`, `(42.17)` and `42.17-` (both negative), `.5`; more than two decimals only
/// when the extra ones are zeros.
pub fn parse_amount(text: &str) -> Result<i64, AmountError> {
    if text.trim().is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, body) = strip_marks(text);
    let digits = split_digits(body).ok_or(AmountError::NotANumber)?;
    let (cents_digits, beyond) = digits.fraction.split_at(digits.fraction.len().min(2));
    if beyond.bytes().any(|b| b != b'0') {
        return Err(AmountError::FractionOfACent);
    }
    let mut magnitude: i128 = 0;
    for b in digits.integer.bytes() {
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(b - b'0')))
            .filter(|m| *m <= i128::from(i64::MAX))
            .ok_or(AmountError::TooLarge)?;
    }
    let mut fraction = 0i128;
    for i in 0..2 {
        let digit = cents_digits.as_bytes().get(i).map_or(0, |b| b - b'0');
        fraction = fraction * 10 + i128::from(digit);
    }
    let cents = magnitude * 100 + fraction;
    let cents = if negative { -cents } else { cents };
    i64::try_from(cents).map_err(|_| AmountError::TooLarge)
}

/// Writes cents as the log does, with thousands separators: `-1,234.56`. [`parse_amount`]
/// reads every output back to the same cents.
pub fn format_cents(cents: i64) -> String {
    let magnitude = cents.unsigned_abs();
    let whole: Vec<char> = (magnitude / 100).to_string().chars().collect();
    let grouped = whole
        .rchunks(3)
        .rev()
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(",");
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{grouped}.{:02}", magnitude % 100)
}

/// An exact decimal number: `digits` × 10^-`scale`, with no trailing zeros in the fraction
/// (so equal numbers are equal values). Used for quantities, which may be fractional
/// ("1.5 days").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    digits: i64,
    scale: u32,
}

/// More decimals than this are not a quantity anyone types; it also keeps products in range.
const MAX_SCALE: u32 = 9;

impl Decimal {
    /// `digits` × 10^-`scale`, normalised.
    pub fn new(digits: i64, scale: u32) -> Decimal {
        let mut value = Decimal { digits, scale };
        while value.scale > 0 && value.digits % 10 == 0 {
            value.digits /= 10;
            value.scale -= 1;
        }
        value
    }

    pub fn from_integer(value: i64) -> Decimal {
        Decimal::new(value, 0)
    }

    /// The unscaled digits and the scale: `1.5` is `(15, 1)`.
    pub fn parts(self) -> (i64, u32) {
        (self.digits, self.scale)
    }

    /// Reads an unsigned decimal with optional thousands separators: `5`, `1.5`, `1,200`.
    pub fn parse(text: &str) -> Option<Decimal> {
        let digits = split_digits(text.trim())?;
        let scale = u32::try_from(digits.fraction.len()).ok()?;
        if scale > MAX_SCALE {
            return None;
        }
        let all = format!("{}{}", digits.integer, digits.fraction);
        let value: i64 = if all.is_empty() { 0 } else { all.parse().ok()? };
        Some(Decimal::new(value, scale))
    }

    /// The product, when it fits.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale + other.scale;
        if scale > MAX_SCALE * 2 {
            return None;
        }
        Some(Decimal::new(self.digits.checked_mul(other.digits)?, scale))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.digits);
        }
        let divisor = 10u64.pow(self.scale);
        let magnitude = self.digits.unsigned_abs();
        let sign = if self.digits < 0 { "-" } else { "" };
        write!(
            f,
            "{sign}{}.{:0width$}",
            magnitude / divisor,
            magnitude % divisor,
            width = self.scale as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_every_written_form() {
        let cases: &[(&str, i64)] = &[
            ("3000.00", 300_000),
            ("3000", 300_000),
            ("3,000.00", 300_000),
            ("$1,234.56", 123_456),
            ("$ 1,234.56", 123_456),
            ("-1234.56", -123_456),
            ("-$12", -1_200),
            ("$-12", -1_200),
            ("(42.17)", -4_217),
            ("($42.17)", -4_217),
            ("42.17-", -4_217),
            ("\u{2212}5.00", -500),
            ("+5", 500),
            (".5", 50),
            ("12.", 1_200),
            ("12.500", 1_250),
            ("  0.00 ", 0),
            ("-0.00", 0),
            ("1,000,000.01", 100_000_001),
        ];
        for (text, cents) in cases {
            assert_eq!(parse_amount(text), Ok(*cents), "{text}");
        }
    }

    #[test]
    fn refused_amounts_say_why() {
        let cases: &[(&str, AmountError)] = &[
            ("", AmountError::Empty),
            ("   ", AmountError::Empty),
            ("abc", AmountError::NotANumber),
            ("1.234,56", AmountError::NotANumber),
            ("3,00.00", AmountError::NotANumber),
            ("1,2345", AmountError::NotANumber),
            (",123", AmountError::NotANumber),
            ("12.3.4", AmountError::NotANumber),
            ("--5", AmountError::NotANumber),
            ("(-5)", AmountError::NotANumber),
            ("$$5", AmountError::NotANumber),
            ("5 USD", AmountError::NotANumber),
            ("$", AmountError::NotANumber),
            (".", AmountError::NotANumber),
            ("1.005", AmountError::FractionOfACent),
            ("99999999999999999999", AmountError::TooLarge),
        ];
        for (text, error) in cases {
            assert_eq!(parse_amount(text).as_ref(), Err(error), "{text}");
        }
    }

    #[test]
    fn cents_are_written_with_separators() {
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(-5), "-0.05");
        assert_eq!(format_cents(123_456), "1,234.56");
        assert_eq!(format_cents(100_000_000), "1,000,000.00");
        assert_eq!(format_cents(i64::MIN), "-92,233,720,368,547,758.08");
        assert_eq!(parse_amount(&format_cents(i64::MIN)), Ok(i64::MIN));
        assert_eq!(parse_amount(&format_cents(i64::MAX)), Ok(i64::MAX));
    }

    #[test]
    fn decimals() {
        let d = |s| Decimal::parse(s).map(|d| d.to_string());
        assert_eq!(d("5").as_deref(), Some("5"));
        assert_eq!(d("1.5").as_deref(), Some("1.5"));
        assert_eq!(d("1.50").as_deref(), Some("1.5"));
        assert_eq!(d("1,200").as_deref(), Some("1200"));
        assert_eq!(d("0.05").as_deref(), Some("0.05"));
        assert_eq!(d("-1"), None);
        assert_eq!(d("1.2345678901"), None);
        let product = Decimal::parse("1.5")
            .unwrap()
            .checked_mul(Decimal::parse("2").unwrap());
        assert_eq!(product, Some(Decimal::from_integer(3)));
        assert_eq!(Decimal::new(-15, 1).to_string(), "-1.5");
    }
}
