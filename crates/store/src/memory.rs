//! Vendor memory: what a person's corrections taught about a vendor, and the suggestions it
//! makes on that vendor's other documents.
//!
//! When a person corrects a document's vendor name, its description, or gives its lines an
//! account code, the value is remembered for the vendor (one value per vendor and field, the
//! newest wins) in the transaction of the correction. Suggestions are worked out when a
//! document is read from the store, from the memory as it is then, so an edited or forgotten
//! entry changes them at once and a re-extraction cannot lose them: they are never written
//! into a field or line. A suggestion is offered only on a document still to review, only
//! where no person has set the value, and not after a person dismissed that value there.
//! Accepting one is a person's correction like any other (history, undo).

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::review::{self, LineValues};
use crate::{Result, Store, StoreError};

/// The fields the memory learns and suggests: the vendor's name as a person spells it, the
/// document's short description, and the account code of its line items.
pub const MEMORY_FIELDS: &[&str] = &["vendor_name", "description", "account_code"];

/// Who is recorded in history when a person accepts a suggestion.
pub const ACCEPTED_FROM_MEMORY: &str = "person (from memory)";

/// Legal-form words set aside at the end of a vendor's name ("Courier Car Rental, Inc.").
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "llp",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "ag",
    "kg",
    "ug",
    "plc",
    "sa",
    "sas",
    "sarl",
    "srl",
    "bv",
    "nv",
    "pty",
    "pllc",
];

/// A vendor's name as the memory compares it: lower case, letters and digits only (the rest
/// separates words), "&" read as "and", initials run together ("L.L.C." is "llc"), and
/// legal-form words at the end set aside. "ACME, Inc." and "Acme Inc" are the same vendor.
/// Empty when the name has no letters or digits.
pub fn vendor_key(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if c == '&' {
                words.push("and".into());
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    // Runs of single letters are initials: "l l c" -> "llc", "a b c studios" -> "abc studios".
    let mut joined: Vec<String> = Vec::with_capacity(words.len());
    let mut initials = false; // the last word kept is a run of initials
    for w in words {
        let single = w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
        match joined.last_mut() {
            Some(last) if single && initials => last.push_str(&w),
            _ => {
                joined.push(w);
                initials = single;
            }
        }
    }
    // Legal-form words at the end, and an "&" before them ("Müller GmbH & Co. KG"), but
    // never the whole name ("Inc" stays "inc").
    let mut dropped = false;
    while joined.len() > 1 {
        let last = joined.last().map(String::as_str).unwrap_or_default();
        if LEGAL_SUFFIXES.contains(&last) || (dropped && last == "and") {
            joined.pop();
            dropped = true;
        } else {
            break;
        }
    }
    joined.join(" ")
}

/// One remembered value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryEntry {
    pub id: i64,
    /// The vendor as the document gave it when the value was learned.
    pub vendor: String,
    pub vendor_key: String,
    /// vendor_name, description or account_code.
    pub field: String,
    pub value: String,
    /// The document it was learned from, and its path (None once the document is gone).
    pub document_id: Option<i64>,
    pub document_path: Option<String>,
    pub learned_by: String,
    pub learned_ms: i64,
    /// When a person last edited the value by hand.
    pub edited_ms: Option<i64>,
}

/// A remembered value offered on a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub memory_id: i64,
    pub field: String,
    pub value: String,
    /// The value in force it would replace (for an account code: None).
    pub current: Option<String>,
    /// For an account code: the positions of the lines it would be given to.
    pub lines: Vec<i64>,
    /// The vendor it was learned for, and the document it was learned from.
    pub vendor: String,
    pub from_document: Option<i64>,
    pub from_path: Option<String>,
}

const ENTRY_COLUMNS: &str = "m.id, m.vendor, m.vendor_key, m.field, m.value, m.document_id,
    d.path, m.learned_by, m.learned_ms, m.edited_ms";

fn entry_row(r: &rusqlite::Row) -> rusqlite::Result<MemoryEntry> {
    Ok(MemoryEntry {
        id: r.get(0)?,
        vendor: r.get(1)?,
        vendor_key: r.get(2)?,
        field: r.get(3)?,
        value: r.get(4)?,
        document_id: r.get(5)?,
        document_path: r.get(6)?,
        learned_by: r.get(7)?,
        learned_ms: r.get(8)?,
        edited_ms: r.get(9)?,
    })
}

/// The names a document gives its vendor.
struct VendorNames {
    /// The vendor_name field as extracted, and a person's value for it.
    extracted: Option<String>,
    person: Option<String>,
    /// The vendor (or merchant) the file name gives.
    name_vendor: Option<String>,
    /// The PO folder's vendor, for a vendor PO (a card PO's folder names the card).
    po_vendor: Option<String>,
}

impl VendorNames {
    fn of(conn: &Connection, doc: i64) -> Result<VendorNames> {
        let (name_vendor, po_vendor, vendor_type): (
            Option<String>,
            Option<String>,
            Option<String>,
        ) = conn
            .query_row(
                "SELECT name_vendor, po_vendor, vendor_type FROM documents WHERE id = ?1",
                [doc],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(StoreError::NoSuchDocument(doc))?;
        let (extracted, person) = conn
            .query_row(
                "SELECT value, person_value FROM fields
                 WHERE document_id = ?1 AND name = 'vendor_name'",
                [doc],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((None, None));
        let is_card = matches!(vendor_type.as_deref(), Some("cc" | "pc"));
        Ok(VendorNames {
            extracted: non_empty(extracted),
            person: non_empty(person),
            name_vendor: non_empty(name_vendor),
            po_vendor: non_empty(po_vendor).filter(|_| !is_card),
        })
    }

    /// The vendor a description or account code learned now belongs to: the one the
    /// bookkeepers filed the document under (the PO folder's, else the file name's), which
    /// stays the same across the vendor's documents and projects; else the vendor in force
    /// on the document.
    fn owner(&self) -> Option<&String> {
        self.po_vendor
            .as_ref()
            .or(self.name_vendor.as_ref())
            .or(self.person.as_ref())
            .or(self.extracted.as_ref())
    }

    /// Every key the document's vendor goes by.
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for name in [
            &self.extracted,
            &self.person,
            &self.name_vendor,
            &self.po_vendor,
        ]
        .into_iter()
        .flatten()
        {
            let key = vendor_key(name);
            if !key.is_empty() && !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|v| !v.trim().is_empty())
}

/// Remembers `value` for `field` of the vendor `vendor` (as the document names it), learned
/// from `doc` by a person. An entry already holding this value keeps its origin.
fn remember(
    tx: &Transaction,
    doc: i64,
    vendor: &str,
    field: &str,
    value: &str,
    now: i64,
) -> Result<()> {
    let key = vendor_key(vendor);
    let value = value.trim();
    if key.is_empty() || value.is_empty() {
        return Ok(());
    }
    let value_key = (field == "vendor_name").then(|| vendor_key(value));
    let changed = tx.execute(
        "INSERT INTO vendor_memory (vendor_key, vendor, field, value, value_key, document_id,
           learned_by, learned_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'person', ?7)
         ON CONFLICT (vendor_key, field) DO UPDATE SET vendor = excluded.vendor,
           value = excluded.value, value_key = excluded.value_key,
           document_id = excluded.document_id, learned_by = excluded.learned_by,
           learned_ms = excluded.learned_ms, edited_ms = NULL
         WHERE vendor_memory.value IS NOT excluded.value",
        params![key, vendor.trim(), field, value, value_key, doc, now],
    )?;
    if changed > 0 {
        tracing::debug!(document = doc, field, "vendor memory learned a value");
    }
    Ok(())
}

/// A person set a field of `doc` to `value` (its value in force was `old`): a vendor name
/// or a description is remembered for the document's vendor.
pub(crate) fn learn_field(
    tx: &Transaction,
    doc: i64,
    field: &str,
    value: &str,
    old: Option<&str>,
    now: i64,
) -> Result<()> {
    if value.trim().is_empty() {
        return Ok(());
    }
    let names = VendorNames::of(tx, doc)?;
    match field {
        // The spelling belongs to the vendor as the document wrote it (the next one will
        // likely be read the same way); with nothing read, to what the path says.
        "vendor_name" => {
            let vendor = names
                .extracted
                .clone()
                .or_else(|| non_empty(old.map(str::to_string)))
                .or(names.name_vendor.clone())
                .or(names.po_vendor.clone());
            if let Some(vendor) = vendor {
                remember(tx, doc, &vendor, field, value, now)?;
            }
        }
        "description" => {
            if let Some(vendor) = names.owner() {
                remember(tx, doc, vendor, field, value, now)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A person replaced `doc`'s lines `old` with `new`: an account code they gave to more lines
/// than had it before is remembered for the document's vendor (the one given to most lines,
/// when they gave several).
pub(crate) fn learn_lines(
    tx: &Transaction,
    doc: i64,
    old: &[LineValues],
    new: &[LineValues],
    now: i64,
) -> Result<()> {
    let count = |lines: &[LineValues], code: &str| {
        lines
            .iter()
            .filter(|l| l.account_code.as_deref() == Some(code))
            .count()
    };
    let mut best: Option<(&str, usize)> = None;
    for l in new {
        let Some(code) = l.account_code.as_deref().filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let n = count(new, code);
        if n > count(old, code) && best.is_none_or(|(_, m)| n > m) {
            best = Some((code, n));
        }
    }
    let Some((code, _)) = best else {
        return Ok(());
    };
    let names = VendorNames::of(tx, doc)?;
    if let Some(vendor) = names.owner() {
        remember(tx, doc, vendor, "account_code", code, now)?;
    }
    Ok(())
}

/// The entries remembered for any of `keys` (as vendor, or as a spelling's own key), the
/// newest first.
fn entries_for(conn: &Connection, keys: &[String]) -> Result<Vec<MemoryEntry>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; keys.len()].join(", ");
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM vendor_memory m LEFT JOIN documents d ON d.id = m.document_id
         WHERE m.vendor_key IN ({marks})
            OR (m.field = 'vendor_name' AND m.value_key IN ({marks}))
         ORDER BY coalesce(m.edited_ms, m.learned_ms) DESC, m.id DESC"
    );
    let params: Vec<Value> = keys
        .iter()
        .chain(keys.iter())
        .map(|k| Value::Text(k.clone()))
        .collect();
    let rows = conn
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(params), entry_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The suggestions from memory for `doc`, in the order of [`MEMORY_FIELDS`].
pub(crate) fn suggestions(conn: &Connection, doc: i64) -> Result<Vec<Suggestion>> {
    let state: Option<(String, bool)> = conn
        .query_row(
            "SELECT review, deleted_ms IS NOT NULL FROM documents WHERE id = ?1",
            [doc],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    // A document a person is done with (approved, exported, rejected) or that is gone is
    // not asked about again.
    match state {
        Some((review, false)) if review == "to_review" => {}
        _ => return Ok(Vec::new()),
    }
    let names = VendorNames::of(conn, doc)?;
    let mut keys = names.keys();
    let mut entries = entries_for(conn, &keys)?;
    // A remembered spelling names the vendor too: what was learned under it applies.
    let more: Vec<String> = entries
        .iter()
        .filter(|e| e.field == "vendor_name")
        .flat_map(|e| [e.vendor_key.clone(), vendor_key(&e.value)])
        .filter(|k| !k.is_empty() && !keys.contains(k))
        .collect();
    if !more.is_empty() {
        keys.extend(more);
        keys.dedup();
        entries = entries_for(conn, &keys)?;
    }
    let dismissed = |field: &str, value: &str| -> Result<bool> {
        Ok(conn
            .query_row(
                "SELECT 1 FROM dismissed_suggestions
                 WHERE document_id = ?1 AND field = ?2 AND value = ?3",
                params![doc, field, value],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    };
    let mut out = Vec::new();
    for field in MEMORY_FIELDS {
        // The newest entry wins when the vendor's names find several.
        let Some(entry) = entries.iter().find(|e| e.field == *field) else {
            continue;
        };
        if dismissed(field, &entry.value)? {
            continue;
        }
        let suggestion = |current: Option<String>, lines: Vec<i64>| Suggestion {
            memory_id: entry.id,
            field: entry.field.clone(),
            value: entry.value.clone(),
            current,
            lines,
            vendor: entry.vendor.clone(),
            from_document: entry.document_id,
            from_path: entry.document_path.clone(),
        };
        if *field == "account_code" {
            // Lines whose code a person set keep it; the others may take the remembered one.
            let lines: Vec<i64> = conn
                .prepare_cached(
                    "SELECT position FROM line_items WHERE document_id = ?1
                       AND provenance != 'person' AND account_code IS NOT ?2
                     ORDER BY position",
                )?
                .query_map(params![doc, entry.value], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if !lines.is_empty() {
                out.push(suggestion(None, lines));
            }
            continue;
        }
        let field_row: Option<(Option<String>, Option<String>)> = conn
            .query_row(
                "SELECT value, person_value FROM fields WHERE document_id = ?1 AND name = ?2",
                params![doc, field],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (extracted, person) = field_row.unwrap_or((None, None));
        // Never over a person's value (an emptied field is theirs too).
        if person.is_some() || extracted.as_deref() == Some(entry.value.as_str()) {
            continue;
        }
        out.push(suggestion(extracted, Vec::new()));
    }
    Ok(out)
}

/// The suggestion for `field` of `doc` as memory offers it now, if it is still the value a
/// person was shown: the offer is worked out afresh, and a person who clicked Accept on
/// one value must not get another (edited in the memory panel, relearned meanwhile).
fn shown_suggestion(tx: &Transaction, doc: i64, field: &str, shown: &str) -> Result<Suggestion> {
    suggestions(tx, doc)?
        .into_iter()
        .find(|s| s.field == field && s.value == shown)
        .ok_or_else(|| StoreError::SuggestionChanged {
            document: doc,
            field: field.to_string(),
        })
}

impl Store {
    /// Everything remembered, by vendor and field.
    pub fn vendor_memory(&self) -> Result<Vec<MemoryEntry>> {
        let rows = self
            .conn
            .prepare(&format!(
                "SELECT {ENTRY_COLUMNS} FROM vendor_memory m
                 LEFT JOIN documents d ON d.id = m.document_id
                 ORDER BY m.vendor_key, m.field, m.id"
            ))?
            .query_map([], entry_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// One remembered value.
    pub fn memory_entry(&self, id: i64) -> Result<Option<MemoryEntry>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM vendor_memory m
                     LEFT JOIN documents d ON d.id = m.document_id WHERE m.id = ?1"
                ),
                [id],
                entry_row,
            )
            .optional()?)
    }

    /// A person's new value for a remembered entry (checked by the caller for its field).
    pub fn set_memory_value(&mut self, id: i64, value: &str, now: i64) -> Result<()> {
        let value = value.trim();
        if value.is_empty() {
            return Err(StoreError::Invalid(
                "a remembered value cannot be empty: forget it instead".into(),
            ));
        }
        let field: Option<String> = self
            .conn
            .query_row("SELECT field FROM vendor_memory WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(field) = field else {
            return Err(StoreError::Invalid(format!(
                "nothing is remembered as {id}"
            )));
        };
        let value_key = (field == "vendor_name").then(|| vendor_key(value));
        self.conn.execute(
            "UPDATE vendor_memory SET value = ?2, value_key = ?3, edited_ms = ?4 WHERE id = ?1",
            params![id, value, value_key, now],
        )?;
        Ok(())
    }

    /// Forgets a remembered value; its suggestions go with it. Returns whether there was one.
    pub fn forget_memory(&mut self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM vendor_memory WHERE id = ?1", [id])?
            > 0)
    }

    /// The suggestions from memory for a document.
    pub fn suggestions(&self, doc: i64) -> Result<Vec<Suggestion>> {
        suggestions(&self.conn, doc)
    }

    /// A person accepts the suggestion from memory for `field` of `doc`: it becomes their
    /// value (a field's person value, or the account code of the lines it was offered for),
    /// recorded in history as theirs and undoable like any correction. `shown` is the value
    /// the person saw: when memory offers another (or nothing) now, nothing is done and the
    /// answer is [`StoreError::SuggestionChanged`]. Returns the value.
    pub fn accept_suggestion(
        &mut self,
        doc: i64,
        field: &str,
        shown: &str,
        now: i64,
    ) -> Result<String> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let s = shown_suggestion(&tx, doc, field, shown)?;
        if field == "account_code" {
            let (mut lines, _) = review::current_lines(&tx, doc)?;
            for (i, line) in lines.iter_mut().enumerate() {
                if s.lines.contains(&(i as i64 + 1)) {
                    line.account_code = Some(s.value.clone());
                }
            }
            review::set_lines_in(&tx, doc, &lines, ACCEPTED_FROM_MEMORY, now)?;
        } else {
            crate::documents::set_person_value(
                &tx,
                doc,
                field,
                Some(&s.value),
                ACCEPTED_FROM_MEMORY,
                now,
            )?;
        }
        tx.commit()?;
        Ok(s.value)
    }

    /// A person dismisses the suggestion from memory for `field` of `doc`: that value is not
    /// offered on this document again (re-extractions included). `shown` is the value the
    /// person saw, checked as for [`Store::accept_suggestion`].
    pub fn dismiss_suggestion(
        &mut self,
        doc: i64,
        field: &str,
        shown: &str,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let s = shown_suggestion(&tx, doc, field, shown)?;
        tx.execute(
            "INSERT INTO dismissed_suggestions (document_id, field, value, dismissed_ms)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![doc, field, s.value, now],
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::vendor_key;

    #[test]
    fn a_vendor_is_known_by_its_name_without_case_punctuation_or_legal_form() {
        assert_eq!(vendor_key("Courier Car Rental, Inc."), "courier car rental");
        assert_eq!(vendor_key("COURIER  CAR RENTAL INC"), "courier car rental");
        assert_eq!(vendor_key("Acme L.L.C."), "acme");
        assert_eq!(vendor_key("Müller GmbH & Co. KG"), "müller");
        assert_eq!(vendor_key("Ben & Jerry"), "ben and jerry");
        assert_eq!(vendor_key("Foo Co. Ltd"), "foo");
        assert_eq!(vendor_key("A.B.C. Studios"), "abc studios");
        assert_eq!(vendor_key("Jane Smith"), "jane smith");
        assert_eq!(vendor_key("Inc"), "inc");
        assert_eq!(vendor_key(" — "), "");
        assert_ne!(vendor_key("Jane Smith"), vendor_key("Jane Smyth"));
    }
}
