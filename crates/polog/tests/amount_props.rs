//! Property tests: every amount written in any of the forms the log uses reads back to the
//! same cents; quantities x rates read back; nothing panics on arbitrary input.

use boxkeeper_polog::{format_cents, parse, parse_amount, parse_factors, Decimal};
use proptest::prelude::*;

/// The cents written without separators: `-1234.56`.
fn plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let magnitude = cents.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// The cents in accounting style: `($1,234.56)` for negatives, `$1,234.56` otherwise.
fn accounting(cents: i64) -> String {
    let magnitude = format_cents(cents).trim_start_matches('-').to_string();
    if cents < 0 {
        format!("(${magnitude})")
    } else {
        format!("${magnitude}")
    }
}

proptest! {
    #[test]
    fn formatted_cents_read_back(cents in any::<i64>()) {
        prop_assert_eq!(parse_amount(&format_cents(cents)), Ok(cents));
        prop_assert_eq!(parse_amount(&plain(cents)), Ok(cents));
        prop_assert_eq!(parse_amount(&accounting(cents)), Ok(cents));
        prop_assert_eq!(parse_amount(&format!("  {}\t", format_cents(cents))), Ok(cents));
    }

    #[test]
    fn whole_amounts_read_without_decimals(whole in -1_000_000_000i64..1_000_000_000) {
        prop_assert_eq!(parse_amount(&whole.to_string()), Ok(whole * 100));
        let trailing_zero = format!("{}0", plain(whole * 100));
        prop_assert_eq!(parse_amount(&trailing_zero), Ok(whole * 100));
    }

    #[test]
    fn a_separator_in_the_wrong_place_is_refused(cents in 100_000i64..1_000_000_000_000) {
        let written = format_cents(cents);
        let comma = written.find(',').unwrap();
        let mut moved = written.replacen(',', "", 1);
        moved.insert(comma + 1, ',');
        prop_assert!(parse_amount(&moved).is_err(), "{} read", moved);
    }

    #[test]
    fn factors_read_back(
        quantity in 1i64..10_000,
        scale in 0u32..3,
        rate in 0i64..100_000_000,
        unit in proptest::option::of("[a-z]{2,8}"),
    ) {
        let quantity = Decimal::new(quantity, scale);
        let unit_text = unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        let text = format!("{quantity}{unit_text} x {}", format_cents(rate));
        let factors = parse_factors(&text).unwrap();
        prop_assert_eq!(factors.quantity, quantity);
        prop_assert_eq!(factors.unit, unit);
        prop_assert_eq!(factors.rate_cents, rate);
    }

    #[test]
    fn arbitrary_input_never_panics(text in "\\PC{0,40}") {
        let _ = parse_amount(&text);
        let _ = parse_factors(&text);
        let log = parse(&format!("Date\tType\tPO\tSub-Total $\n{text}\n"));
        for problem in &log.problems {
            prop_assert_eq!(problem.line, 2);
        }
    }
}
