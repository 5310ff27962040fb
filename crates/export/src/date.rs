//! Calendar dates as the store keeps them (`yyyy-mm-dd`): strict parsing, adding days (for a
//! due date from payment terms) and writing them in the chosen [`DateStyle`].

use crate::DateStyle;

/// A valid proleptic Gregorian date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date {
    year: i32,
    month: u32,
    day: u32,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Parses exactly `yyyy-mm-dd` (four-digit year, two-digit month and day) and checks the
    /// day exists.
    pub(crate) fn parse_iso(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = i32::try_from(number(0..4)?).ok()?;
        let month = number(5..7)?;
        let day = number(8..10)?;
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    fn to_days(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The inverse of [`Date::to_days`] (`civil_from_days`).
    fn from_days(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Some(Date {
            year: i32::try_from(year).ok()?,
            month: u32::try_from(month).ok()?,
            day: u32::try_from(day).ok()?,
        })
    }

    /// The date `days` later; `None` past year 9999, which a four-digit format cannot write.
    pub(crate) fn plus_days(self, days: i64) -> Option<Date> {
        let date = Date::from_days(self.to_days().checked_add(days)?)?;
        (1..=9999).contains(&date.year).then_some(date)
    }

    pub(crate) fn format(self, style: DateStyle) -> String {
        let Date { year, month, day } = self;
        match style {
            DateStyle::Iso => format!("{year:04}-{month:02}-{day:02}"),
            DateStyle::Us => format!("{month:02}/{day:02}/{year:04}"),
            DateStyle::European => format!("{day:02}/{month:02}/{year:04}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_iso_dates() {
        assert!(Date::parse_iso("2024-02-29").is_some());
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-4-01",
            "24-04-01",
            "2024/04/01",
            "0000-01-01",
            "2024-04-01T00:00",
            "２０２４-01-01",
            "",
            "+024-01-01",
        ] {
            assert!(Date::parse_iso(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn adds_days_across_months_years_and_leap_days() {
        let d = |s| Date::parse_iso(s).unwrap();
        assert_eq!(d("2024-03-05").plus_days(30), Some(d("2024-04-04")));
        assert_eq!(d("2024-01-31").plus_days(30), Some(d("2024-03-01")));
        assert_eq!(d("2023-01-31").plus_days(30), Some(d("2023-03-02")));
        assert_eq!(d("2024-12-15").plus_days(30), Some(d("2025-01-14")));
        assert_eq!(d("1970-01-01").plus_days(0), Some(d("1970-01-01")));
        assert_eq!(d("1900-02-28").plus_days(1), Some(d("1900-03-01")));
        assert_eq!(d("2000-02-28").plus_days(1), Some(d("2000-02-29")));
        assert_eq!(d("9999-12-15").plus_days(30), None);
        // Every day of four centuries goes there and back.
        let start = d("1900-01-01");
        let mut previous = start;
        for n in 1..(400 * 366) {
            let next = start.plus_days(n).unwrap();
            assert!(next > previous);
            assert_eq!(Date::parse_iso(&next.format(DateStyle::Iso)), Some(next));
            assert_eq!(previous.plus_days(1), Some(next));
            previous = next;
        }
    }

    #[test]
    fn formats_each_style() {
        let date = Date::parse_iso("2024-03-05").unwrap();
        assert_eq!(date.format(DateStyle::Iso), "2024-03-05");
        assert_eq!(date.format(DateStyle::Us), "03/05/2024");
        assert_eq!(date.format(DateStyle::European), "05/03/2024");
    }
}
