//! The fields an invoice yields, in the app's normal forms: dates as YYYY-MM-DD, money as
//! decimal strings with two decimals, currency as ISO 4217.

use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InvoiceFields {
    pub vendor_name: Option<String>,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<String>,
    pub due_date: Option<String>,
    pub currency: Option<String>,
    pub subtotal: Option<String>,
    pub tax: Option<String>,
    pub total: Option<String>,
    pub po_number: Option<String>,
    pub line_items: Vec<LineItem>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LineItem {
    pub description: Option<String>,
    /// As written, without trailing zeros ("2.5", "1").
    pub quantity: Option<String>,
    /// As written, without trailing zeros (unit prices may have more than two decimals).
    pub unit_price: Option<String>,
    /// Two decimals.
    pub amount: Option<String>,
}

/// A decimal string ("1234.5", "-0.125", "+7") rounded half away from zero to two decimals
/// ("1234.50", "-0.13", "7.00"). `None` when it is not a plain decimal number. Done on the
/// digits, never through floating point, so no cent is lost.
pub fn normalize_amount(text: &str) -> Option<String> {
    let (negative, digits) = split_sign(text.trim())?;
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // Cents as a big-enough integer: whole part * 100 + first two decimals, rounded by the third.
    let whole: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac_digits = frac.bytes().map(|b| (b - b'0') as u128);
    let d1 = frac_digits.next().unwrap_or(0);
    let d2 = frac_digits.next().unwrap_or(0);
    let d3 = frac_digits.next().unwrap_or(0);
    let mut cents = whole.checked_mul(100)? + d1 * 10 + d2;
    if d3 >= 5 {
        cents += 1;
    }
    let sign = if negative && cents > 0 { "-" } else { "" };
    Some(format!("{sign}{}.{:02}", cents / 100, cents % 100))
}

/// A decimal string without trailing fractional zeros: "2.500" -> "2.5", "1.0" -> "1".
pub(crate) fn trim_decimal(text: &str) -> Option<String> {
    let (negative, digits) = split_sign(text.trim())?;
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let sign = if negative && (int != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    Some(if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}

fn split_sign(text: &str) -> Option<(bool, &str)> {
    match text.as_bytes().first()? {
        b'-' => Some((true, &text[1..])),
        b'+' => Some((false, &text[1..])),
        _ => Some((false, text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_on_the_digits() {
        assert_eq!(normalize_amount("1234.5").as_deref(), Some("1234.50"));
        assert_eq!(normalize_amount("8.41").as_deref(), Some("8.41"));
        assert_eq!(normalize_amount("100").as_deref(), Some("100.00"));
        assert_eq!(normalize_amount("-0.125").as_deref(), Some("-0.13"));
        assert_eq!(normalize_amount("0.004").as_deref(), Some("0.00"));
        assert_eq!(normalize_amount("-0.001").as_deref(), Some("0.00"));
        assert_eq!(normalize_amount(" +7 ").as_deref(), Some("7.00"));
        assert_eq!(normalize_amount(".5").as_deref(), Some("0.50"));
        assert_eq!(normalize_amount("1,234.50"), None);
        assert_eq!(normalize_amount("abc"), None);
        assert_eq!(normalize_amount(""), None);
        assert_eq!(normalize_amount("-"), None);
    }

    #[test]
    fn decimals_lose_trailing_zeros() {
        assert_eq!(trim_decimal("2.500").as_deref(), Some("2.5"));
        assert_eq!(trim_decimal("1.0000").as_deref(), Some("1"));
        assert_eq!(trim_decimal("007").as_deref(), Some("7"));
        assert_eq!(trim_decimal("-0.0").as_deref(), Some("0"));
        assert_eq!(trim_decimal("x"), None);
    }
}
