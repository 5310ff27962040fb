//! Plain decimal numbers, exactly: the grammar an amount must have to be written as a number
//! (an optional `-`, digits, an optional `.` and digits), and the little arithmetic the
//! importer presets need (quantity times unit price, compared with the line's amount). Never
//! floating point, like the rest of Boxkeeper's money.

use std::cmp::Ordering;
use std::fmt;

/// A decimal as an integer mantissa and a count of decimal places.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// More digits than any amount has; it keeps the arithmetic inside `i128`.
const MAX_DIGITS: usize = 30;

impl Decimal {
    /// Parses `-?[0-9]+(\.[0-9]+)?` and nothing else: no `+`, no exponent, no thousands
    /// separators, no surrounding spaces.
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (unsigned, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        let fraction = fraction.unwrap_or("");
        if whole.len() + fraction.len() > MAX_DIGITS {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa * 10 + i128::from(b - b'0');
        }
        Some(Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale: u32::try_from(fraction.len()).ok()?,
        })
    }

    pub(crate) fn one() -> Decimal {
        Decimal {
            mantissa: 1,
            scale: 0,
        }
    }

    /// The exact product, or `None` if it would not fit.
    pub(crate) fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(other.mantissa)?,
            scale: self.scale.checked_add(other.scale)?,
        })
    }

    /// Compares values (so `5.0` equals `5.00`); `None` if rescaling would overflow.
    pub(crate) fn checked_cmp(self, other: Decimal) -> Option<Ordering> {
        let scale = self.scale.max(other.scale);
        let a = self
            .mantissa
            .checked_mul(10i128.checked_pow(scale - self.scale)?)?;
        let b = other
            .mantissa
            .checked_mul(10i128.checked_pow(scale - other.scale)?)?;
        Some(a.cmp(&b))
    }

    /// The value with trailing zeros beyond two decimal places removed, as money is written
    /// (`25.000` -> `25.00`, `3.125` stays).
    pub(crate) fn money(mut self) -> Decimal {
        while self.scale > 2 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        if self.scale < 2 {
            if let Some(m) = self.mantissa.checked_mul(10i128.pow(2 - self.scale)) {
                self.mantissa = m;
                self.scale = 2;
            }
        }
        self
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn only_plain_decimals_parse() {
        for ok in ["0", "12", "-12.00", "1234.50", "0.5", "007"] {
            assert!(Decimal::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "", "-", "+1", "1.", ".5", "1,234.50", "1e5", " 1", "1 ", "$5", "--1", "1.2.3", "١",
        ] {
            assert!(Decimal::parse(bad).is_none(), "{bad:?}");
        }
        assert!(Decimal::parse(&"9".repeat(31)).is_none());
    }

    #[test]
    fn arithmetic_is_exact() {
        let product = d("5").checked_mul(d("600.00")).unwrap();
        assert_eq!(product.to_string(), "3000.00");
        assert_eq!(product.checked_cmp(d("3000")), Some(Ordering::Equal));
        let product = d("2.5").checked_mul(d("10.10")).unwrap();
        assert_eq!(product.to_string(), "25.250");
        assert_eq!(product.money().to_string(), "25.25");
        assert_eq!(d("-0.5").money().to_string(), "-0.50");
        assert_eq!(d("3").money().to_string(), "3.00");
        assert_eq!(d("3.125").money().to_string(), "3.125");
        assert_eq!(d("-12.00").to_string(), "-12.00");
        assert_eq!(d("0.05").to_string(), "0.05");
        assert_eq!(d("1.1").checked_cmp(d("1.10000")), Some(Ordering::Equal));
        assert_eq!(d("-1").checked_cmp(d("1")), Some(Ordering::Less));
    }
}
