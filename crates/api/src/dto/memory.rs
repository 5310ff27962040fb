//! Vendor memory's types at the boundary: what is remembered (the settings page) and the
//! suggestions it makes on a document.

use serde::{Deserialize, Serialize};
use specta::Type;

/// What vendor memory learns: the vendor's name as a person spells it, the document's short
/// description, the account code of its lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MemoryField {
    VendorName,
    Description,
    AccountCode,
}

impl MemoryField {
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryField::VendorName => "vendor_name",
            MemoryField::Description => "description",
            MemoryField::AccountCode => "account_code",
        }
    }

    /// The field a store name stands for (None: not one vendor memory knows).
    pub fn of(name: &str) -> Option<MemoryField> {
        match name {
            "vendor_name" => Some(MemoryField::VendorName),
            "description" => Some(MemoryField::Description),
            "account_code" => Some(MemoryField::AccountCode),
            _ => None,
        }
    }
}

/// One remembered value (a row of the settings page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct MemoryEntryRow {
    #[specta(type = specta_typescript::Number)]
    pub id: i64,
    /// The vendor as the document named it when the value was learned.
    pub vendor: String,
    pub field: MemoryField,
    pub value: String,
    /// The document it was learned from, and its path (None once it is gone).
    #[specta(type = Option<specta_typescript::Number>)]
    pub learned_from: Option<i64>,
    pub learned_from_path: Option<String>,
    /// Who taught it ("person").
    pub learned_by: String,
    #[specta(type = specta_typescript::Number)]
    pub learned_ms: i64,
    /// When a person last edited it on the settings page.
    #[specta(type = Option<specta_typescript::Number>)]
    pub edited_ms: Option<i64>,
}

impl MemoryEntryRow {
    pub(crate) fn of(m: boxkeeper_store::MemoryEntry) -> Option<MemoryEntryRow> {
        Some(MemoryEntryRow {
            id: m.id,
            vendor: m.vendor,
            field: MemoryField::of(&m.field)?,
            value: m.value,
            learned_from: m.document_id,
            learned_from_path: m.document_path,
            learned_by: m.learned_by,
            learned_ms: m.learned_ms,
            edited_ms: m.edited_ms,
        })
    }
}

/// A remembered value offered on a document: shown beside the field (or the lines' account
/// code) until a person accepts or dismisses it. It is never in the document's values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
pub struct SuggestionRow {
    pub field: MemoryField,
    pub value: String,
    /// The value in force it would replace (None for an account code, or an empty field).
    pub current: Option<String>,
    /// For an account code: the positions of the lines it would be given to.
    pub lines: Vec<u32>,
    /// The vendor it was learned for, and the document it was learned from.
    pub vendor: String,
    #[specta(type = Option<specta_typescript::Number>)]
    pub from_document: Option<i64>,
    pub from_path: Option<String>,
    #[specta(type = specta_typescript::Number)]
    pub memory_id: i64,
}

impl SuggestionRow {
    pub(crate) fn of(s: boxkeeper_store::Suggestion) -> Option<SuggestionRow> {
        Some(SuggestionRow {
            field: MemoryField::of(&s.field)?,
            value: s.value,
            current: s.current,
            lines: s
                .lines
                .into_iter()
                .filter_map(|p| u32::try_from(p).ok())
                .collect(),
            vendor: s.vendor,
            from_document: s.from_document,
            from_path: s.from_path,
            memory_id: s.memory_id,
        })
    }
}
