//! What lists filter, sort and search on: a document's parsed path, the values in force of
//! its key fields (kept in `documents` beside the `fields` rows they come from), and its
//! full-text row (`documents_fts`: path, vendor, invoice number, text).
//!
//! They are copies, written in the same transaction as what they copy, so a page of 100,000
//! documents sorts on indexed columns instead of a subquery per row and per field.

use boxkeeper_naming::{PathKind, PathRules};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use crate::{Result, Store};

/// Integer cents of a stored decimal ("1234.50", "-12", "0.5"); None when it is not one.
/// Used for sorting and sums, never by way of floating point.
pub fn parse_cents(value: &str) -> Option<i64> {
    let v = value.trim();
    let (negative, digits) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2 && fraction[2..].chars().any(|c| c != '0')
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut cents: i64 = fraction
        .chars()
        .take(2)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    if fraction.len() == 1 {
        cents *= 10;
    }
    let total = whole.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -total } else { total })
}

/// Formats cents as the stored decimal form ("-12.50").
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// An FTS5 query for what a person typed: every word must occur, each as a prefix
/// ("jan smi" finds "Jane Smith"). Quotes and operators are not FTS syntax here: a word is
/// quoted, so `"`, `-`, `:` or `NEAR` in the search box cannot break the query.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The parsed-path columns of a document, from its path and the rules in force.
pub(crate) struct ParsedColumns {
    project_number: Option<String>,
    project_name: Option<String>,
    po_number: Option<String>,
    po_vendor: Option<String>,
    vendor_type: Option<String>,
    name_vendor: Option<String>,
    name_type: Option<String>,
    file_number: Option<String>,
    name_problems: Option<String>,
}

impl ParsedColumns {
    pub(crate) fn of(rules: &PathRules, path: &str) -> ParsedColumns {
        // A PO log names its project in its own way; it is not a misnamed document.
        if let Some(project) = boxkeeper_polog::is_po_log_name(path).map(|n| n.project) {
            let folders = rules.parse(
                path.rsplit_once('/').map_or("", |(d, _)| d),
                PathKind::Folder,
            );
            return ParsedColumns {
                project_number: Some(project),
                project_name: folders.project_name,
                po_number: None,
                po_vendor: None,
                vendor_type: None,
                name_vendor: None,
                name_type: Some("PO_LOG".into()),
                file_number: None,
                name_problems: None,
            };
        }
        let parsed = rules.parse(path, PathKind::File);
        // The PO folder's vendor: the file's own name may name a merchant instead.
        let po_vendor = parsed.po_number.as_ref().and_then(|_| {
            let parent = path.rsplit_once('/').map(|(dir, _)| dir)?;
            rules.parse(parent, PathKind::Folder).vendor_name
        });
        ParsedColumns {
            project_number: parsed.project_number,
            project_name: parsed.project_name,
            po_number: parsed.po_number,
            po_vendor,
            vendor_type: parsed.vendor_type.map(|t| t.as_str().to_string()),
            name_vendor: parsed.vendor_name,
            name_type: parsed.document_type.map(|t| t.as_str().to_string()),
            file_number: parsed.file_number,
            name_problems: (!parsed.problems.is_empty())
                .then(|| serde_json::to_string(&parsed.problems).unwrap_or_default()),
        }
    }

    /// Writes the columns; true when any of them changed.
    pub(crate) fn write(&self, tx: &Transaction, doc: i64, parsed_with: &str) -> Result<bool> {
        let n = tx
            .prepare_cached(
                "UPDATE documents SET project_number = ?2, project_name = ?3, po_number = ?4,
                   po_vendor = ?5, vendor_type = ?6, name_vendor = ?7, name_type = ?8,
                   file_number = ?9, name_problems = ?10, parsed_with = ?11
                 WHERE id = ?1 AND (project_number IS NOT ?2 OR project_name IS NOT ?3
                   OR po_number IS NOT ?4 OR po_vendor IS NOT ?5 OR vendor_type IS NOT ?6
                   OR name_vendor IS NOT ?7 OR name_type IS NOT ?8 OR file_number IS NOT ?9
                   OR name_problems IS NOT ?10 OR parsed_with IS NOT ?11)",
            )?
            .execute(params![
                doc,
                self.project_number,
                self.project_name,
                self.po_number,
                self.po_vendor,
                self.vendor_type,
                self.name_vendor,
                self.name_type,
                self.file_number,
                self.name_problems,
                parsed_with
            ])?;
        Ok(n > 0)
    }
}

/// Copies the values in force of the listed fields into the document's row, and its search
/// row. `body`: the document's text when an extraction read it (else the stored text stays).
pub(crate) fn refresh_summary(tx: &Transaction, doc: i64, body: Option<&str>) -> Result<()> {
    let value = |name: &str| -> Result<Option<String>> {
        Ok(tx
            .prepare_cached(
                "SELECT coalesce(person_value, value) FROM fields
                 WHERE document_id = ?1 AND name = ?2",
            )?
            .query_row(params![doc, name], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten()
            .filter(|v| !v.is_empty()))
    };
    let vendor = value("vendor_name")?;
    let number = value("invoice_number")?;
    let total = value("total")?;
    let cents = total.as_deref().and_then(parse_cents);
    tx.prepare_cached(
        "UPDATE documents SET vendor = ?2, invoice_number = ?3, invoice_date = ?4, total = ?5,
           total_cents = ?6, currency = ?7 WHERE id = ?1",
    )?
    .execute(params![
        doc,
        vendor,
        number,
        value("invoice_date")?,
        total,
        cents,
        value("currency")?
    ])?;
    write_search_row(tx, doc, body)
}

/// Rewrites the document's full-text row from its columns (and `body`, else the old body).
pub(crate) fn write_search_row(tx: &Transaction, doc: i64, body: Option<&str>) -> Result<()> {
    let old_body: Option<String> = match body {
        Some(_) => None,
        None => tx
            .prepare_cached("SELECT body FROM documents_fts WHERE rowid = ?1")?
            .query_row([doc], |r| r.get(0))
            .optional()?,
    };
    tx.prepare_cached("DELETE FROM documents_fts WHERE rowid = ?1")?
        .execute([doc])?;
    tx.prepare_cached(
        "INSERT INTO documents_fts (rowid, path, vendor, invoice_number, body)
         SELECT id, path, vendor, invoice_number, ?2 FROM documents WHERE id = ?1",
    )?
    .execute(params![
        doc,
        body.map(str::to_string).or(old_body).unwrap_or_default()
    ])?;
    Ok(())
}

impl Store {
    /// Parses the paths of documents parsed with other rules (or never) again, and refreshes
    /// the flags that depend on them. `fingerprint` names the rules (a hash of their text).
    /// Returns how many documents' parsed columns changed.
    pub fn reparse_documents(&mut self, rules: &PathRules, fingerprint: &str) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stale: Vec<(i64, String)> = tx
            .prepare("SELECT id, path FROM documents WHERE parsed_with IS NOT ?1")?
            .query_map([fingerprint], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut changed = Vec::new();
        for (doc, path) in &stale {
            if ParsedColumns::of(rules, path).write(&tx, *doc, fingerprint)? {
                changed.push(*doc);
            }
        }
        crate::flags::refresh_flags(&tx, &changed, crate::now_ms())?;
        tx.commit()?;
        Ok(changed.len())
    }

    /// The body of a document's search row: the text its last extraction read.
    pub fn document_text(&self, doc: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM documents_fts WHERE rowid = ?1",
                [doc],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_read_exactly() {
        assert_eq!(parse_cents("1234.50"), Some(123450));
        assert_eq!(parse_cents("-12"), Some(-1200));
        assert_eq!(parse_cents("0.5"), Some(50));
        assert_eq!(parse_cents(".05"), Some(5));
        assert_eq!(parse_cents("7.100"), Some(710));
        assert_eq!(parse_cents("7.105"), None);
        assert_eq!(parse_cents("1,234.50"), None);
        assert_eq!(parse_cents(""), None);
        assert_eq!(parse_cents("-"), None);
        assert_eq!(format_cents(-1250), "-12.50");
        assert_eq!(format_cents(5), "0.05");
    }

    #[test]
    fn search_words_are_quoted_prefixes() {
        assert_eq!(fts_query("jan smi").as_deref(), Some("\"jan\"* \"smi\"*"));
        assert_eq!(
            fts_query("\"NEAR(a\" -b:c").as_deref(),
            Some("\"NEAR\"* \"a\"* \"b\"* \"c\"*")
        );
        assert_eq!(fts_query("  -- "), None);
    }
}
