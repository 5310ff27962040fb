//! Vendor memory for the shells: the remembered values (listed, edited with the same checks
//! as a correction, forgotten) and the suggestions on a document (accepted as a person's
//! correction, or dismissed). The learning itself happens in the store, in the transaction
//! of the correction that teaches it.

use boxkeeper_store::now_ms;

use crate::dto::{DocumentDetail, MemoryEntryRow, MemoryField};
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

impl Workspace {
    /// Everything remembered, by vendor and field.
    pub fn vendor_memory(&self) -> Result<Vec<MemoryEntryRow>> {
        Ok(lock(&self.inner.reader)
            .vendor_memory()?
            .into_iter()
            .filter_map(MemoryEntryRow::of)
            .collect())
    }

    /// A person's new value for a remembered entry, checked as a correction of its field is
    /// (an account code must be one of the list). Returns the memory as it is now.
    pub fn set_memory_value(&self, id: i64, value: &str) -> Result<Vec<MemoryEntryRow>> {
        let entry = lock(&self.inner.reader)
            .memory_entry(id)?
            .ok_or_else(|| ApiError::Invalid(format!("nothing is remembered as {id}")))?;
        let value = match MemoryField::of(&entry.field) {
            Some(MemoryField::AccountCode) => crate::review::check_account_code(value)?,
            _ => crate::check_field_value(&entry.field, value)?,
        };
        if value.is_empty() {
            return Err(ApiError::Invalid(
                "a remembered value cannot be empty: forget it instead".into(),
            ));
        }
        lock(&self.inner.reader).set_memory_value(id, &value, now_ms())?;
        self.documents_changed();
        self.vendor_memory()
    }

    /// Forgets a remembered value (its suggestions go with it). Returns the memory as it is
    /// now.
    pub fn forget_memory(&self, id: i64) -> Result<Vec<MemoryEntryRow>> {
        if !lock(&self.inner.reader).forget_memory(id)? {
            return Err(ApiError::Invalid(format!("nothing is remembered as {id}")));
        }
        self.documents_changed();
        self.vendor_memory()
    }

    /// A person accepts a document's suggestion from memory: it becomes their correction
    /// (history, undo). `shown` is the value the window showed; when memory offers another
    /// (or nothing) now, nothing is done and the error is
    /// [`boxkeeper_store::StoreError::SuggestionChanged`] ("the suggestion changed; look
    /// again"): the window shows the document afresh.
    pub fn accept_suggestion(
        &self,
        id: i64,
        field: MemoryField,
        shown: &str,
    ) -> Result<Option<DocumentDetail>> {
        lock(&self.inner.reader).accept_suggestion(id, field.as_str(), shown, now_ms())?;
        self.documents_changed();
        self.document(id)
    }

    /// A person dismisses a document's suggestion from memory: that value is not offered on
    /// this document again. `shown` is checked as for [`Workspace::accept_suggestion`].
    pub fn dismiss_suggestion(
        &self,
        id: i64,
        field: MemoryField,
        shown: &str,
    ) -> Result<Option<DocumentDetail>> {
        lock(&self.inner.reader).dismiss_suggestion(id, field.as_str(), shown, now_ms())?;
        self.documents_changed();
        self.document(id)
    }
}
