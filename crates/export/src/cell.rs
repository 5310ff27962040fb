//! What happens to a cell's text on its way into the file: formula neutralisation (every
//! preset) and, for the importer presets, folding line breaks into spaces.

use std::borrow::Cow;

use crate::decimal::Decimal;

/// Neutralises a cell that a spreadsheet would evaluate as a formula (CSV injection).
///
/// Following the OWASP CSV injection guidance, a cell starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading single quote (`'`), which Excel, LibreOffice and Google
/// Sheets take as "this is text" (and hide). The one exception is a plain number — an optional
/// `-`, digits, an optional `.` and digits, e.g. `-12.00` — which stays as it is: it cannot run
/// anything, and a refund's negative amount must reach Xero or QuickBooks as a number, not as
/// the text `'-12.00`. A `+12` is not plain and is neutralised.
///
/// Everything else is left to the `csv` crate's quoting (a cell holding a comma, quote or line
/// break is quoted, quotes doubled), which keeps the file's structure; quoting does not stop a
/// spreadsheet from evaluating a formula, the leading quote does. The price is that a name that
/// really starts with `=` or `@` arrives in an importer with the quote in front; that is the
/// trade OWASP recommends.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && Decimal::parse(cell).is_none() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Folds every run of whitespace that holds a line break or tab into one space, and trims.
/// Importers match contacts and accounts by exact text, and a line break in a vendor name
/// (a two-line letterhead read by OCR) would otherwise create a second contact.
pub(crate) fn single_line(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    if !trimmed.contains(['\n', '\r', '\t']) {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut pending_space = false;
    for ch in trimmed.chars() {
        if matches!(ch, '\n' | '\r' | '\t') {
            pending_space = true;
            // Spaces next to the break belong to it.
            while out.ends_with(' ') {
                out.pop();
            }
        } else if pending_space && ch == ' ' {
            continue;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_are_not() {
        assert_eq!(neutralise("=1+2"), "'=1+2");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("@SUM(A1:A2)"), "'@SUM(A1:A2)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        assert_eq!(neutralise("-"), "'-");
        assert_eq!(neutralise("-12.00"), "-12.00");
        assert_eq!(neutralise("-12"), "-12");
        assert_eq!(neutralise("12.00"), "12.00");
        assert_eq!(neutralise("a=b"), "a=b");
        assert_eq!(neutralise(""), "");
        assert_eq!(neutralise(" =1"), " =1");
    }

    #[test]
    fn line_breaks_fold_into_one_space() {
        assert_eq!(single_line("Jane\nSmith"), "Jane Smith");
        assert_eq!(single_line("Jane \r\n  Smith"), "Jane Smith");
        assert_eq!(single_line("  a\tb  "), "a b");
        assert_eq!(single_line("\n\n"), "");
        assert_eq!(single_line("Café  Zürich"), "Café  Zürich");
    }
}
