//! Reading a PO log's text into rows: the tab-separated table with a header line, columns found
//! by their header names (any order, extra columns ignored), each row checked and converted
//! (dates, types, terms, factors, money in cents). A row that cannot be read becomes a
//! [`RowProblem`] naming its line, and the rest of the log is still read.

use std::collections::HashSet;

use crate::amount::{parse_amount, AmountError};
use crate::factors::{parse_factors, Factors};
use crate::name::is_po_log_name;
use crate::terms::{LineStatus, Terms};
use crate::Date;

/// A parsed PO log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoLog {
    /// The project the log belongs to, from its file name ([`parse_named`]); `None` when only
    /// the text was given.
    pub project: Option<String>,
    /// The rows that were read, in file order.
    pub rows: Vec<PoLogRow>,
    /// Lines that could not be read (or a header that is missing columns), in file order.
    pub problems: Vec<RowProblem>,
}

/// What a row's Type says the spending was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// `CRD`: a card purchase.
    Card,
    /// `PC`: petty cash.
    PettyCash,
    /// Any other type (`INV`, `CHK`, …).
    Invoice,
}

impl RowKind {
    /// `CRD` is card, `PC` petty cash, anything else an invoice (any case).
    pub fn from_type(text: &str) -> RowKind {
        match text.trim().to_ascii_uppercase().as_str() {
            "CRD" => RowKind::Card,
            "PC" => RowKind::PettyCash,
            _ => RowKind::Invoice,
        }
    }
}

/// One row of a PO log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoLogRow {
    /// 1-based line number in the file.
    pub line: usize,
    pub date: Date,
    /// The Type cell as written ("INV", "CRD", "PC").
    pub type_code: String,
    pub kind: RowKind,
    /// The Pay ID cell as written ("NET30", "PAID", "RTP" in the sample).
    pub pay_id: String,
    /// The terms, from the Terms column when the log has one, else from Pay ID; `None` when
    /// the cell holds no terms.
    pub terms: Option<Terms>,
    pub account: String,
    /// The ID cell ("01"): the invoice or receipt number within the PO.
    pub id: String,
    pub vendor: String,
    pub description: String,
    /// The PO cell as written: "23", "03", or with its project, "2416_23".
    pub po: String,
    /// The Factors cell as written.
    pub factors_text: String,
    /// The Factors cell read; `None` when empty or not "quantity x rate".
    pub factors: Option<Factors>,
    pub subtotal_cents: i64,
    /// Fringes (payroll burden); 0 when the cell is empty.
    pub fringes_cents: i64,
}

impl PoLogRow {
    /// The project written in the PO cell ("2416" of "2416_23"), if any.
    pub fn po_project(&self) -> Option<&str> {
        split_po(&self.po).0
    }

    /// The PO number without a written project ("23" of "2416_23"), as written otherwise.
    pub fn po_number(&self) -> &str {
        split_po(&self.po).1
    }

    /// When the row is due, from its terms and date.
    pub fn due_date(&self) -> Option<Date> {
        self.terms.and_then(|t| t.due_date(self.date))
    }

    /// The status the row's terms give, if it has terms.
    pub fn status_from_terms(&self) -> Option<LineStatus> {
        self.terms.map(Terms::status)
    }
}

/// "2416_23" or "2416-23" is project 2416, PO 23; anything else is a PO number alone.
pub(crate) fn split_po(po: &str) -> (Option<&str>, &str) {
    let po = po.trim();
    if let Some(at) = po.find(['_', '-']) {
        let (project, number) = (&po[..at], &po[at + 1..]);
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if all_digits(project) && all_digits(number) {
            return (Some(project), number);
        }
    }
    (None, po)
}

/// A line that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line number in the file.
    pub line: usize,
    /// A sentence for the person who fixes the export.
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The columns this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Date,
    Type,
    PayId,
    Account,
    Id,
    Vendor,
    Description,
    Po,
    Factors,
    SubTotal,
    Fringes,
    Terms,
}

impl Column {
    /// Header names compared by their letters and digits only, so "Sub-Total $", "Subtotal"
    /// and "SUB TOTAL" are one column and "PO #" is "PO".
    fn from_header(text: &str) -> Option<Column> {
        let key: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "date" => Column::Date,
            "type" => Column::Type,
            "payid" => Column::PayId,
            "account" | "acct" => Column::Account,
            "id" => Column::Id,
            "vendor" => Column::Vendor,
            "description" => Column::Description,
            "po" | "ponumber" => Column::Po,
            "factors" => Column::Factors,
            "subtotal" => Column::SubTotal,
            "fringes" => Column::Fringes,
            "terms" => Column::Terms,
            _ => return None,
        })
    }

    /// The name used in messages: the sample export's header.
    fn name(self) -> &'static str {
        match self {
            Column::Date => "Date",
            Column::Type => "Type",
            Column::PayId => "Pay ID",
            Column::Account => "Account",
            Column::Id => "ID",
            Column::Vendor => "Vendor",
            Column::Description => "Description",
            Column::Po => "PO",
            Column::Factors => "Factors",
            Column::SubTotal => "Sub-Total $",
            Column::Fringes => "Fringes $",
            Column::Terms => "Terms",
        }
    }
}

/// Without these a row cannot be reconciled.
const REQUIRED: [Column; 4] = [Column::Date, Column::Type, Column::Po, Column::SubTotal];

/// Where each known column is in the table.
struct Layout {
    positions: Vec<(Column, usize)>,
    width: usize,
}

impl Layout {
    /// Reads the header line. Problems: a required column missing (fatal: `Err`), or a column
    /// named twice (the first is used).
    fn from_header(cells: &[String], line: usize) -> Result<(Layout, Vec<RowProblem>), RowProblem> {
        let mut positions: Vec<(Column, usize)> = Vec::new();
        let mut problems = Vec::new();
        for (at, cell) in cells.iter().enumerate() {
            let Some(column) = Column::from_header(cell) else {
                continue;
            };
            if positions.iter().any(|(c, _)| *c == column) {
                problems.push(RowProblem {
                    line,
                    message: format!(
                        "the header names the {} column twice; the first one is read",
                        column.name()
                    ),
                });
                continue;
            }
            positions.push((column, at));
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .filter(|r| !positions.iter().any(|(c, _)| c == *r))
            .map(|c| c.name())
            .collect();
        if !missing.is_empty() {
            let found: Vec<&str> = cells
                .iter()
                .map(String::as_str)
                .filter(|c| !c.is_empty())
                .collect();
            return Err(RowProblem {
                line,
                message: format!(
                    "the header has no {} column (it has: {}), so no row could be read",
                    missing.join(", "),
                    if found.is_empty() {
                        "nothing".to_string()
                    } else {
                        found.join(", ")
                    }
                ),
            });
        }
        Ok((
            Layout {
                positions,
                // A tab after the last name is not a column.
                width: cells
                    .iter()
                    .rposition(|c| !c.is_empty())
                    .map_or(0, |p| p + 1),
            },
            problems,
        ))
    }

    fn cell<'a>(&self, cells: &'a [String], column: Column) -> &'a str {
        self.positions
            .iter()
            .find(|(c, _)| *c == column)
            .and_then(|(_, at)| cells.get(*at))
            .map_or("", String::as_str)
    }

    fn has(&self, column: Column) -> bool {
        self.positions.iter().any(|(c, _)| *c == column)
    }
}

/// Splits a line at tabs and trims each cell. A cell in double quotes (as spreadsheets write
/// a cell holding a quote or a tab) is unquoted, with `""` read as `"`.
fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut rest = line;
    loop {
        let start = rest.trim_start_matches(' ');
        if let Some(quoted) = start.strip_prefix('"') {
            if let Some((value, after)) = unquote(quoted) {
                // Whatever follows the closing quote up to the tab belongs to the cell.
                let (tail, next) = match after.split_once('\t') {
                    Some((tail, next)) => (tail, Some(next)),
                    None => (after, None),
                };
                cells.push(format!("{value}{}", tail.trim_end()).trim().to_string());
                match next {
                    Some(next) => {
                        rest = next;
                        continue;
                    }
                    None => break,
                }
            }
        }
        match rest.split_once('\t') {
            Some((cell, next)) => {
                cells.push(cell.trim().to_string());
                rest = next;
            }
            None => {
                cells.push(rest.trim().to_string());
                break;
            }
        }
    }
    cells
}

/// The value of a quoted cell whose opening quote is already taken off, and the text after
/// its closing quote; `None` when it never closes (then it is read as plain text).
fn unquote(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '"' {
            value.push(c);
        } else if chars.peek().is_some_and(|(_, next)| *next == '"') {
            value.push('"');
            chars.next();
        } else {
            return Some((value, &text[at + 1..]));
        }
    }
    None
}

fn amount_message(column: Column, text: &str, error: &AmountError) -> String {
    if text.is_empty() {
        format!("the {} {error}", column.name())
    } else {
        format!("the {} \"{text}\" {error}", column.name())
    }
}

/// Reads one data row against the layout, or says everything that is wrong with it.
fn read_row(layout: &Layout, cells: &[String], line: usize) -> Result<PoLogRow, String> {
    if cells.len() != layout.width {
        // Trailing empty cells (a tab at the end of a line) are harmless; anything else means
        // the cells no longer line up with the header.
        let extra_empty =
            cells.len() > layout.width && cells[layout.width..].iter().all(|c| c.is_empty());
        if !extra_empty {
            return Err(format!(
                "the row has {} columns but the header has {}; a tab inside a cell, or a \
                 missing cell, shifts the columns, so the row is not read",
                cells.len(),
                layout.width
            ));
        }
    }
    let cell = |column| layout.cell(cells, column);
    let mut errors = Vec::new();

    let date_text = cell(Column::Date);
    let date = Date::parse_month_day_year(date_text);
    if date.is_none() {
        errors.push(if date_text.is_empty() {
            "the Date is empty".to_string()
        } else {
            format!("the Date \"{date_text}\" is not a month/day/year date like 04/22/24")
        });
    }

    let po = cell(Column::Po);
    if po.is_empty() {
        errors.push("the PO is empty".to_string());
    }

    let subtotal_text = cell(Column::SubTotal);
    let subtotal = parse_amount(subtotal_text);
    if let Err(error) = &subtotal {
        errors.push(amount_message(Column::SubTotal, subtotal_text, error));
    }

    let fringes_text = cell(Column::Fringes);
    let fringes = match parse_amount(fringes_text) {
        Err(AmountError::Empty) => Ok(0),
        other => other,
    };
    if let Err(error) = &fringes {
        errors.push(amount_message(Column::Fringes, fringes_text, error));
    }

    let (Some(date), Ok(subtotal_cents), Ok(fringes_cents), true) =
        (date, subtotal, fringes, errors.is_empty())
    else {
        return Err(errors.join("; "));
    };

    let pay_id = cell(Column::PayId).to_string();
    let terms = if layout.has(Column::Terms) {
        Terms::parse(cell(Column::Terms))
    } else {
        Terms::parse(&pay_id)
    };
    let type_code = cell(Column::Type).to_string();
    let factors_text = cell(Column::Factors).to_string();
    Ok(PoLogRow {
        line,
        date,
        kind: RowKind::from_type(&type_code),
        type_code,
        pay_id,
        terms,
        account: cell(Column::Account).to_string(),
        id: cell(Column::Id).to_string(),
        vendor: cell(Column::Vendor).to_string(),
        description: cell(Column::Description).to_string(),
        po: po.to_string(),
        factors: parse_factors(&factors_text),
        factors_text,
        subtotal_cents,
        fringes_cents,
    })
}

/// Reads a PO log's text. Never fails: what cannot be read is in [`PoLog::problems`] with its
/// line number. A UTF-8 byte order mark, CRLF line ends, blank lines and trailing whitespace
/// are tolerated. The first non-blank line is the header.
pub fn parse(text: &str) -> PoLog {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut log = PoLog::default();
    let mut layout: Option<Layout> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        // `lines` leaves a lone '\r' of a CRCRLF end; a line of only tabs and spaces is blank.
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let cells = split_cells(raw);
        match &layout {
            None => match Layout::from_header(&cells, line) {
                Ok((found, problems)) => {
                    log.problems.extend(problems);
                    layout = Some(found);
                }
                Err(problem) => {
                    log.problems.push(problem);
                    break;
                }
            },
            Some(layout) => match read_row(layout, &cells, line) {
                Ok(row) => log.rows.push(row),
                Err(message) => log.problems.push(RowProblem { line, message }),
            },
        }
    }
    if layout.is_none() && log.problems.is_empty() {
        log.problems.push(RowProblem {
            line: 1,
            message: "the file is empty: there is no header line and no row".to_string(),
        });
    }
    tracing::debug!(
        rows = log.rows.len(),
        problems = log.problems.len(),
        "read a PO log"
    );
    log
}

/// Reads a PO log's text knowing its file name: the project comes from the name
/// (`PO_LOG_<project>-…`), and a row whose PO cell names another project ("2417_23" in a
/// 2416 log) is a problem rather than a silent guess.
pub fn parse_named(file_name: &str, text: &str) -> PoLog {
    let mut log = parse(text);
    let Some(name) = is_po_log_name(file_name) else {
        return log;
    };
    let project = name.project;
    let mut foreign = HashSet::new();
    for row in &log.rows {
        if let Some(written) = row.po_project() {
            if written != project {
                foreign.insert(row.line);
                log.problems.push(RowProblem {
                    line: row.line,
                    message: format!(
                        "the PO \"{}\" belongs to project {written}, but this is the PO log of \
                         project {project}; the row is not read",
                        row.po
                    ),
                });
            }
        }
    }
    log.rows.retain(|row| !foreign.contains(&row.line));
    log.problems.sort_by_key(|p| p.line);
    log.project = Some(project);
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_at_tabs_and_unquote() {
        assert_eq!(split_cells("a\t b \t\tc "), ["a", "b", "", "c"]);
        assert_eq!(
            split_cells("\"Smith, \"\"Jr\"\"\"\t\"a\tb\"\tc"),
            ["Smith, \"Jr\"", "a\tb", "c"]
        );
        assert_eq!(split_cells("\"open\tx"), ["\"open", "x"]);
        assert_eq!(split_cells(""), [""]);
    }

    #[test]
    fn header_names_are_compared_loosely() {
        assert_eq!(Column::from_header("Sub-Total $"), Some(Column::SubTotal));
        assert_eq!(Column::from_header("SUBTOTAL"), Some(Column::SubTotal));
        assert_eq!(Column::from_header(" Pay ID "), Some(Column::PayId));
        assert_eq!(Column::from_header("PO #"), Some(Column::Po));
        assert_eq!(Column::from_header("Fringes $"), Some(Column::Fringes));
        assert_eq!(Column::from_header("Notes"), None);
    }

    #[test]
    fn po_cells_with_and_without_project() {
        assert_eq!(split_po("23"), (None, "23"));
        assert_eq!(split_po("2416_23"), (Some("2416"), "23"));
        assert_eq!(split_po("2416-03"), (Some("2416"), "03"));
        assert_eq!(split_po("A_23"), (None, "A_23"));
        assert_eq!(split_po("2416_"), (None, "2416_"));
    }

    #[test]
    fn row_kinds() {
        assert_eq!(RowKind::from_type("CRD"), RowKind::Card);
        assert_eq!(RowKind::from_type("crd"), RowKind::Card);
        assert_eq!(RowKind::from_type("PC"), RowKind::PettyCash);
        assert_eq!(RowKind::from_type("INV"), RowKind::Invoice);
        assert_eq!(RowKind::from_type(""), RowKind::Invoice);
    }
}
