//! The Factors cell of a PO log row: how the budgeting software multiplied the amount out,
//! "5 days x 600" (quantity 5 days, rate 600.00), "2 x 150.50", "3 weeks x 1,200",
//! "2 people x 5 days x 400" (quantity 10). The last factor is the rate, in money; the ones
//! before it are quantities, each a number with an optional unit. An `x` inside a word
//! ("6 boxes x 20", "taxi") is not a multiplication sign.

use crate::amount::{parse_amount, Decimal};

/// A parsed Factors cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factors {
    /// The product of the quantity factors.
    pub quantity: Decimal,
    /// Their units joined by " x " ("days", "people x days"); `None` when none was written.
    pub unit: Option<String>,
    /// The last factor, in integer cents.
    pub rate_cents: i64,
}

fn is_multiplication_sign(c: char) -> bool {
    matches!(c, 'x' | 'X' | '×' | '*')
}

/// Splits at multiplication signs that stand between factors: a sign whose neighbours are
/// each a space, a digit or (after it) `$`. So "5 days x 600" and "5x600" split, "boxes" and
/// "taxi" do not.
fn split_factors(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, &(at, c)) in chars.iter().enumerate() {
        if !is_multiplication_sign(c) || i == 0 || i + 1 == chars.len() {
            continue;
        }
        let before = chars[i - 1].1;
        let after = chars[i + 1].1;
        let before_ok = before == ' ' || before.is_ascii_digit();
        let after_ok = after == ' ' || after.is_ascii_digit() || after == '$';
        if before_ok && after_ok {
            parts.push(&text[start..at]);
            start = at + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A quantity factor: a number, then an optional unit ("5 days", "1.5", "3 wks").
fn quantity_factor(text: &str) -> Option<(Decimal, Option<&str>)> {
    let text = text.trim();
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(text.len());
    let quantity = Decimal::parse(&text[..number_end])?;
    let unit = text[number_end..].trim();
    if unit.is_empty() {
        return Some((quantity, None));
    }
    // A unit is a word or two, not more numbers: "5 days 3" is not a quantity.
    if unit.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((quantity, Some(unit)))
}

/// Reads a Factors cell; `None` when it is empty or not of the form
/// "quantity [unit] x … x rate".
pub fn parse_factors(text: &str) -> Option<Factors> {
    let parts = split_factors(text.trim());
    let (rate, quantities) = parts.split_last()?;
    if quantities.is_empty() {
        return None;
    }
    let rate_cents = parse_amount(rate).ok()?;
    let mut quantity = Decimal::from_integer(1);
    let mut units = Vec::new();
    for part in quantities {
        let (value, unit) = quantity_factor(part)?;
        quantity = quantity.checked_mul(value)?;
        units.extend(unit);
    }
    Some(Factors {
        quantity,
        unit: (!units.is_empty()).then(|| units.join(" x ")),
        rate_cents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<(String, Option<String>, i64)> {
        parse_factors(text).map(|f| (f.quantity.to_string(), f.unit, f.rate_cents))
    }

    #[test]
    fn factors_as_written() {
        let some = |q: &str, u: Option<&str>, r| Some((q.to_string(), u.map(String::from), r));
        assert_eq!(read("5 days x 600"), some("5", Some("days"), 60_000));
        assert_eq!(read("2 x 150.50"), some("2", None, 15_050));
        assert_eq!(read("3 weeks x 1,200"), some("3", Some("weeks"), 120_000));
        assert_eq!(read("3 days x 185"), some("3", Some("days"), 18_500));
        assert_eq!(
            read("1.5 days X $600.00"),
            some("1.5", Some("days"), 60_000)
        );
        assert_eq!(read("5x600"), some("5", None, 60_000));
        assert_eq!(read("4 × 25"), some("4", None, 2_500));
        assert_eq!(read("6 boxes x 20"), some("6", Some("boxes"), 2_000));
        assert_eq!(
            read("2 people x 5 days x 400"),
            some("10", Some("people x days"), 40_000)
        );
    }

    #[test]
    fn not_factors() {
        for text in [
            "",
            "600",
            "flat fee",
            "x 600",
            "5 days x",
            "days x 600",
            "5 days x six hundred",
            "5 days 3 x 600",
            "5 x 600.005",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
