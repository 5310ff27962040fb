//! Payment terms written in a PO log row (`RTP`, `PAID`, `NET0`, `NET30`) and the invoice-line
//! statuses they and the reconciliation lead to (Pending, RTP, PO Log Mismatch, Paid — the
//! labels the old Monday.com board used). The sample export writes the terms in the "Pay ID"
//! column; a "Terms" column, when a log has one, is read instead.

use std::fmt;

use crate::Date;

/// Payment terms of a log row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Terms {
    /// `RTP`: ready to pay now.
    ReadyToPay,
    /// `NETn`: due n days after the row's date (`NET0`: due on it).
    Net(u32),
    /// `PAID`: already paid.
    Paid,
}

/// Longer terms than this are not terms but a typo (or another number in the Pay ID column).
const MAX_NET_DAYS: u32 = 999;

impl Terms {
    /// Reads `RTP`, `PAID`, `NET30`, `NET 30`, `Net-30` (any case). Anything else — a cheque
    /// number in the Pay ID column, an empty cell — is not terms.
    pub fn parse(text: &str) -> Option<Terms> {
        let upper = text.trim().to_ascii_uppercase();
        match upper.as_str() {
            "RTP" => return Some(Terms::ReadyToPay),
            "PAID" => return Some(Terms::Paid),
            _ => {}
        }
        let days = upper
            .strip_prefix("NET")?
            .trim_start_matches([' ', '-'])
            .trim();
        if days.is_empty() || !days.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        days.parse()
            .ok()
            .filter(|d| *d <= MAX_NET_DAYS)
            .map(Terms::Net)
    }

    /// When a row with these terms, dated `date`, is due: NET n days later; RTP at once; a
    /// paid row is due no more.
    pub fn due_date(self, date: Date) -> Option<Date> {
        match self {
            Terms::ReadyToPay => Some(date),
            Terms::Net(days) => date.add_days(i64::from(days)),
            Terms::Paid => None,
        }
    }

    /// The status these terms give a line: RTP and PAID say it outright; NET terms leave it
    /// pending until the amounts are reconciled.
    pub fn status(self) -> LineStatus {
        match self {
            Terms::ReadyToPay => LineStatus::Rtp,
            Terms::Net(_) => LineStatus::Pending,
            Terms::Paid => LineStatus::Paid,
        }
    }
}

impl fmt::Display for Terms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Terms::ReadyToPay => f.write_str("RTP"),
            Terms::Net(days) => write!(f, "NET{days}"),
            Terms::Paid => f.write_str("PAID"),
        }
    }
}

/// The status of an invoice line, in the order a line moves through them: Pending, then RTP
/// or PO Log Mismatch, then Paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineStatus {
    Pending,
    Rtp,
    PoLogMismatch,
    Paid,
}

impl LineStatus {
    /// The label the board and the window show.
    pub fn label(self) -> &'static str {
        match self {
            LineStatus::Pending => "Pending",
            LineStatus::Rtp => "RTP",
            LineStatus::PoLogMismatch => "PO Log Mismatch",
            LineStatus::Paid => "Paid",
        }
    }
}

impl fmt::Display for LineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_as_written() {
        assert_eq!(Terms::parse("RTP"), Some(Terms::ReadyToPay));
        assert_eq!(Terms::parse(" rtp "), Some(Terms::ReadyToPay));
        assert_eq!(Terms::parse("PAID"), Some(Terms::Paid));
        assert_eq!(Terms::parse("Paid"), Some(Terms::Paid));
        assert_eq!(Terms::parse("NET0"), Some(Terms::Net(0)));
        assert_eq!(Terms::parse("NET30"), Some(Terms::Net(30)));
        assert_eq!(Terms::parse("Net 15"), Some(Terms::Net(15)));
        assert_eq!(Terms::parse("NET-45"), Some(Terms::Net(45)));
        assert_eq!(Terms::parse("NET"), None);
        assert_eq!(Terms::parse("NET30X"), None);
        assert_eq!(Terms::parse("NET1000"), None);
        assert_eq!(Terms::parse("10442"), None);
        assert_eq!(Terms::parse(""), None);
    }

    #[test]
    fn due_dates_and_statuses() {
        let date = Date::parse_iso("2024-04-22").unwrap();
        assert_eq!(Terms::Net(30).due_date(date), Date::parse_iso("2024-05-22"));
        assert_eq!(Terms::Net(0).due_date(date), Some(date));
        assert_eq!(Terms::ReadyToPay.due_date(date), Some(date));
        assert_eq!(Terms::Paid.due_date(date), None);
        assert_eq!(Terms::Net(30).status(), LineStatus::Pending);
        assert_eq!(Terms::ReadyToPay.status(), LineStatus::Rtp);
        assert_eq!(Terms::Paid.status(), LineStatus::Paid);
        assert_eq!(LineStatus::PoLogMismatch.to_string(), "PO Log Mismatch");
        assert_eq!(Terms::Net(30).to_string(), "NET30");
    }
}
