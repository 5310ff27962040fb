//! Calendar dates and export timestamps. A PO log writes dates as month/day/year with a
//! two-digit year (`04/22/24`); the rest of Boxkeeper keeps them as ISO `yyyy-mm-dd`, which is
//! what [`Date`] prints. Due dates from NET terms need "a date plus n days", so the type does
//! that arithmetic itself rather than pulling in a date library for one operation.

use std::fmt;

/// A valid proleptic Gregorian date. Prints as `yyyy-mm-dd`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The digits of `text` as a number, when `text` is 1..=`max_len` ASCII digits.
fn digits(text: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if (min_len..=max_len).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

impl Date {
    /// The date, when it exists (years 1..=9999).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let month = u8::try_from(month).ok()?;
        let day = u8::try_from(day).ok()?;
        if !(1..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Parses exactly `yyyy-mm-dd`, as the store keeps dates.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let year = digits(parts.next()?, 4, 4)?;
        let month = digits(parts.next()?, 2, 2)?;
        let day = digits(parts.next()?, 2, 2)?;
        if parts.next().is_some() {
            return None;
        }
        Date::new(i32::try_from(year).ok()?, month, day)
    }

    /// Parses the PO log's `%m/%d/%y`: month and day of one or two digits, and a year of two
    /// digits (taken as 20yy: these are bookkeeping records of current productions, so a
    /// 1900s reading is never meant) or four.
    pub fn parse_month_day_year(text: &str) -> Option<Date> {
        let mut parts = text.trim().split('/');
        let month = digits(parts.next()?, 1, 2)?;
        let day = digits(parts.next()?, 1, 2)?;
        let year_text = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let year = match year_text.len() {
            2 => 2000 + digits(year_text, 2, 2)?,
            4 => digits(year_text, 4, 4)?,
            _ => return None,
        };
        Date::new(i32::try_from(year).ok()?, month, day)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    fn to_days(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` since 1970-01-01 (Hinnant's `civil_from_days`), when its year is in
    /// 1..=9999.
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
        Date::new(
            i32::try_from(year).ok()?,
            u32::try_from(month).ok()?,
            u32::try_from(day).ok()?,
        )
    }

    /// This date plus `days` (negative goes back), or `None` past the years 1..=9999.
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_days(self.to_days().checked_add(days)?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// When a PO log was exported, from its file name. Ordered, so the newest log of a project is
/// the greatest. Prints as `yyyy-mm-dd hh:mm:ss`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub date: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Timestamp {
    /// The timestamp, when the time of day exists (a leap second 60 is not accepted).
    pub fn new(date: Date, hour: u32, minute: u32, second: u32) -> Option<Timestamp> {
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Some(Timestamp {
            date,
            hour: u8::try_from(hour).ok()?,
            minute: u8::try_from(minute).ok()?,
            second: u8::try_from(second).ok()?,
        })
    }

    /// Parses `YYYY-MM-DD_HH-MM-SS`, the form in PO log file names.
    pub(crate) fn parse_file_name_part(text: &str) -> Option<Timestamp> {
        let (date, time) = text.split_once('_')?;
        let date = Date::parse_iso(date)?;
        let mut parts = time.split('-');
        let hour = digits(parts.next()?, 2, 2)?;
        let minute = digits(parts.next()?, 2, 2)?;
        let second = digits(parts.next()?, 2, 2)?;
        if parts.next().is_some() {
            return None;
        }
        Timestamp::new(date, hour, minute, second)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_day_year_forms() {
        let d = |s| Date::parse_month_day_year(s).map(|d| d.to_string());
        assert_eq!(d("04/22/24").as_deref(), Some("2024-04-22"));
        assert_eq!(d("4/2/24").as_deref(), Some("2024-04-02"));
        assert_eq!(d("04/22/2024").as_deref(), Some("2024-04-22"));
        assert_eq!(d("02/29/24").as_deref(), Some("2024-02-29"));
        assert_eq!(d("02/29/23"), None);
        assert_eq!(d("13/01/24"), None);
        assert_eq!(d("04/31/24"), None);
        assert_eq!(d("2024-04-22"), None);
        assert_eq!(d("04/22/124"), None);
        assert_eq!(d("04/22"), None);
        assert_eq!(d("04/22/24/1"), None);
        assert_eq!(d("+4/22/24"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn adding_days_crosses_months_years_and_leap_days() {
        let date = |s| Date::parse_iso(s).unwrap();
        assert_eq!(date("2024-04-22").add_days(30), Some(date("2024-05-22")));
        assert_eq!(date("2024-02-28").add_days(1), Some(date("2024-02-29")));
        assert_eq!(date("2023-02-28").add_days(1), Some(date("2023-03-01")));
        assert_eq!(date("2024-12-31").add_days(1), Some(date("2025-01-01")));
        assert_eq!(date("2025-01-01").add_days(-1), Some(date("2024-12-31")));
        assert_eq!(date("9999-12-31").add_days(1), None);
    }

    #[test]
    fn days_round_trip_over_four_centuries() {
        let start = Date::new(1900, 1, 1).unwrap().to_days();
        let mut previous: Option<Date> = None;
        for days in start..start + 146_097 {
            let date = Date::from_days(days).unwrap();
            assert_eq!(date.to_days(), days);
            if let Some(previous) = previous {
                assert!(previous < date);
            }
            previous = Some(date);
        }
    }

    #[test]
    fn timestamps_from_file_names() {
        let t = Timestamp::parse_file_name_part("2024-05-01_10-00-00").unwrap();
        assert_eq!(t.to_string(), "2024-05-01 10:00:00");
        assert!(Timestamp::parse_file_name_part("2024-05-01_24-00-00").is_none());
        assert!(Timestamp::parse_file_name_part("2024-05-01 10-00-00").is_none());
        assert!(Timestamp::parse_file_name_part("2024-5-01_10-00-00").is_none());
        let later = Timestamp::parse_file_name_part("2024-05-01_10-00-01").unwrap();
        assert!(later > t);
    }
}
