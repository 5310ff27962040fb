//! The review workspace: review states, line items and fields corrected by hand (validated
//! as typed), undo, flags, the PO view and the page images of the document view. Each
//! method is one call of a shell; values are checked here, so the window and the CLI get
//! the same sentence for the same mistake.

use base64::Engine;
use boxkeeper_store::{now_ms, LineValues};

use crate::dto::{
    DocumentDetail, DocumentQuery, LineInput, PageImage, PoChange, PurchaseOrderRow, ReviewState,
};
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

/// The account codes of domain.md: the only codes a person may give a line.
pub const ACCOUNT_CODES: &[(&str, &str)] = &[
    ("5000", "Cost of Goods Sold"),
    ("5200", "Travel"),
    ("5300", "US Labor"),
    ("5330", "Foreign Contractor"),
    ("6040", ""),
    ("6110", "Automobile Expense"),
    ("6320", "Insurance"),
];

/// The widest a page is rendered (pixels); the window scales it.
const MAX_PAGE_WIDTH: u32 = 2400;

impl Workspace {
    /// Moves documents to a review state. A move the flow does not allow (exporting by
    /// hand, approving a rejected document without sending it back first) is refused.
    pub fn set_review(&self, ids: &[i64], state: ReviewState) -> Result<u32> {
        if state == ReviewState::Exported {
            return Err(ApiError::Invalid(
                "documents become Exported by an export, not by hand".into(),
            ));
        }
        let mut store = lock(&self.inner.reader);
        let mut moved = 0;
        for &id in ids {
            let detail = store
                .document(id)?
                .ok_or_else(|| ApiError::Invalid(format!("there is no document {id}")))?;
            let from = ReviewState::of(&detail.summary.review);
            if from == state {
                continue;
            }
            if !from.may_become(state) {
                return Err(ApiError::Invalid(format!(
                    "document {id} is {}: it cannot become {} (send it back to review first)",
                    from.as_str(),
                    state.as_str()
                )));
            }
            store.set_review(id, state.as_str(), now_ms())?;
            moved += 1;
        }
        drop(store);
        self.documents_changed();
        Ok(moved)
    }

    /// A person's line items for a document: each value validated, then they replace the
    /// lines and are pinned (no extraction replaces them until reverted).
    pub fn set_lines(&self, id: i64, lines: &[LineInput]) -> Result<Option<DocumentDetail>> {
        let mut checked = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            let at = |e: String| ApiError::Invalid(format!("line {}: {e}", i + 1));
            checked.push(LineValues {
                description: text(&l.description),
                quantity: l
                    .quantity
                    .as_deref()
                    .map(quantity)
                    .transpose()
                    .map_err(at)?
                    .flatten(),
                unit_price: l
                    .unit_price
                    .as_deref()
                    .map(quantity)
                    .transpose()
                    .map_err(at)?
                    .flatten(),
                amount: l
                    .amount
                    .as_deref()
                    .map(money)
                    .transpose()
                    .map_err(at)?
                    .flatten(),
                date: l
                    .date
                    .as_deref()
                    .map(date)
                    .transpose()
                    .map_err(at)?
                    .flatten(),
                account_code: l
                    .account_code
                    .as_deref()
                    .map(account_code)
                    .transpose()
                    .map_err(at)?
                    .flatten(),
                provenance: String::new(),
            });
        }
        lock(&self.inner.reader).set_lines(id, &checked, now_ms())?;
        self.documents_changed();
        self.document(id)
    }

    /// Puts back the line items the last extraction read.
    pub fn revert_lines(&self, id: i64) -> Result<Option<DocumentDetail>> {
        lock(&self.inner.reader).revert_lines(id, now_ms())?;
        self.documents_changed();
        self.document(id)
    }

    /// Undoes the document's last change by a person. Returns what was undone, or None.
    pub fn undo(&self, id: i64) -> Result<Option<String>> {
        let undone = lock(&self.inner.reader).undo_last(id, now_ms())?;
        if undone.is_some() {
            self.documents_changed();
        }
        Ok(undone)
    }

    /// Dismisses a flag with a note (None restores it).
    pub fn dismiss_flag(&self, flag: i64, note: Option<&str>) -> Result<Option<DocumentDetail>> {
        if note.is_some_and(|n| n.trim().is_empty()) {
            return Err(ApiError::Invalid(
                "say why the flag is dismissed: the note is what a reviewer reads later".into(),
            ));
        }
        let doc = lock(&self.inner.reader).dismiss_flag(flag, note, now_ms())?;
        let Some(doc) = doc else {
            return Err(ApiError::Invalid(format!("there is no flag {flag}")));
        };
        self.documents_changed();
        self.document(doc)
    }

    /// The ids the list would show for `query`, in its order (the review queue walks them).
    pub fn document_ids(&self, query: &DocumentQuery) -> Result<Vec<i64>> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(Vec::new());
        };
        Ok(lock(&self.inner.reader).document_ids(source, &query.filter())?)
    }

    /// Every PO of the followed source.
    pub fn purchase_orders(&self) -> Result<Vec<PurchaseOrderRow>> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(Vec::new());
        };
        let mut rows: Vec<PurchaseOrderRow> = lock(&self.inner.reader)
            .purchase_orders(source)?
            .into_iter()
            .map(Into::into)
            .collect();
        for r in self.po_log_reconciliation()? {
            if let Some(po) = rows.iter_mut().find(|p| {
                p.project_number == r.project_number && same_po(&p.po_number, &r.po_number)
            }) {
                po.log = Some(r);
            }
        }
        if let Some(states) = self.monday_rows()? {
            for s in states {
                if let Some(po) = rows
                    .iter_mut()
                    .find(|p| p.project_number == s.project_number && p.po_number == s.po_number)
                {
                    po.monday = Some(s);
                }
            }
        }
        Ok(rows)
    }

    /// A person's say over a PO: status, vendor type, the tax form verified.
    pub fn change_po(&self, change: &PoChange) -> Result<Vec<PurchaseOrderRow>> {
        let Some(source) = lock(&self.inner.status).source else {
            return Err(ApiError::Invalid("no folder or Dropbox is followed".into()));
        };
        let (project, po) = (change.project_number.trim(), change.po_number.trim());
        {
            let mut store = lock(&self.inner.reader);
            let now = now_ms();
            if let Some(status) = &change.status {
                let status = Some(status.trim()).filter(|s| !s.is_empty());
                store.set_po_status(source, project, po, status, now)?;
            }
            if let Some(t) = &change.vendor_type {
                let t = Some(t.trim()).filter(|t| !t.is_empty());
                store.set_po_vendor_type(source, project, po, t, now)?;
            }
            if change.verify_tax_form {
                store.verify_tax_form(source, project, po, now)?;
            }
        }
        self.documents_changed();
        self.purchase_orders()
    }

    /// One page of a document as a PNG, `width` pixels wide.
    pub fn page_image(&self, id: i64, page: u32, width: u32) -> Result<PageImage> {
        let job = lock(&self.inner.reader)
            .document_job(id)?
            .ok_or_else(|| ApiError::Invalid(format!("there is no document {id}")))?;
        let bytes = self
            .fetch(&job)
            .map_err(|e| ApiError::Invalid(e.into_message()))?;
        let width = width.clamp(100, MAX_PAGE_WIDTH);
        let page = boxkeeper_extract::render_page(&bytes, &job.path, page, width)
            .map_err(|e| ApiError::Invalid(e.to_string()))?;
        Ok(PageImage {
            data_url: format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&page.png)
            ),
            width: page.width,
            height: page.height,
            page: page.page,
            page_count: page.page_count,
        })
    }
}

/// PO numbers are compared as numbers where they are ("07" is PO 7, as the log may write it).
fn same_po(a: &str, b: &str) -> bool {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A text value: trimmed, None when empty, at most 200 characters.
fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(200).collect())
}

/// A field's value as a person typed it, checked and put in its stored form: dates as
/// yyyy-mm-dd, amounts as plain decimals, currencies as three capitals, account codes from
/// the list. An empty value clears the field.
pub fn check_field_value(name: &str, value: &str) -> Result<String> {
    let v = value.trim();
    let checked = match name {
        "invoice_date" | "due_date" => date(v),
        "subtotal" | "tax" | "total" => money(v),
        "currency" => currency(v),
        _ => Ok(Some(v.chars().take(200).collect())),
    };
    checked
        .map(Option::unwrap_or_default)
        .map_err(|e| ApiError::Invalid(format!("{}: {e}", name.replace('_', " "))))
}

fn date(v: &str) -> std::result::Result<Option<String>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(format!("\"{v}\" is not a date as yyyy-mm-dd"));
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(format!("\"{v}\" is not a date as yyyy-mm-dd"));
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("\"{v}\": there is no month {m}")),
    };
    if !(1000..=9999).contains(&y) || d == 0 || d > days {
        return Err(format!("\"{v}\" is not a day of the calendar"));
    }
    Ok(Some(format!("{y:04}-{m:02}-{d:02}")))
}

fn money(v: &str) -> std::result::Result<Option<String>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    boxkeeper_store::parse_cents(v)
        .map(|c| Some(boxkeeper_store::format_cents(c)))
        .ok_or_else(|| format!("\"{v}\" is not an amount like 1234.50"))
}

/// A quantity or rate: a decimal with up to four places, kept as typed (trimmed).
fn quantity(v: &str) -> std::result::Result<Option<String>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let digits = v.strip_prefix('-').unwrap_or(v);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.len() <= 4
        && fraction.chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(Some(v.to_string()))
    } else {
        Err(format!("\"{v}\" is not a number like 2 or 37.5"))
    }
}

fn currency(v: &str) -> std::result::Result<Option<String>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.len() == 3 && v.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(Some(v.to_ascii_uppercase()))
    } else {
        Err(format!("\"{v}\" is not a currency code like USD or EUR"))
    }
}

/// An account code as a person typed it ("5300" or "5300 US Labor"), checked against the
/// list: the code alone.
pub(crate) fn check_account_code(v: &str) -> Result<String> {
    account_code(v)
        .map(Option::unwrap_or_default)
        .map_err(|e| ApiError::Invalid(format!("account code: {e}")))
}

fn account_code(v: &str) -> std::result::Result<Option<String>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let code = v.split_whitespace().next().unwrap_or(v);
    if ACCOUNT_CODES.iter().any(|(c, _)| *c == code) {
        Ok(Some(code.to_string()))
    } else {
        Err(format!(
            "\"{v}\" is not one of the account codes ({})",
            ACCOUNT_CODES
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_put_in_their_stored_form() {
        assert_eq!(check_field_value("total", " 1234.5 ").unwrap(), "1234.50");
        assert_eq!(check_field_value("total", "-12").unwrap(), "-12.00");
        assert!(check_field_value("total", "12,50").is_err());
        assert_eq!(
            check_field_value("invoice_date", "2024-2-9").unwrap(),
            "2024-02-09"
        );
        assert!(check_field_value("invoice_date", "2023-02-29").is_err());
        assert!(check_field_value("due_date", "03/04/2024").is_err());
        assert_eq!(check_field_value("currency", "eur").unwrap(), "EUR");
        assert!(check_field_value("currency", "euro").is_err());
        assert_eq!(check_field_value("total", "").unwrap(), "");
        assert_eq!(
            check_field_value("vendor_name", "  Jane  ").unwrap(),
            "Jane"
        );
        assert_eq!(
            account_code("5300 US Labor").unwrap().as_deref(),
            Some("5300")
        );
        assert!(account_code("9999").is_err());
        assert!(quantity("1.23456").is_err());
        assert_eq!(quantity("37.5").unwrap().as_deref(), Some("37.5"));
    }

    #[test]
    fn the_flow_allows_only_its_moves() {
        use ReviewState::*;
        assert!(ToReview.may_become(Approved));
        assert!(Approved.may_become(ToReview));
        assert!(Exported.may_become(Approved));
        assert!(!Rejected.may_become(Approved));
        assert!(!ToReview.may_become(Exported));
    }
}
