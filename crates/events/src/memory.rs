//! An in-memory known tree: what the classifier's tests (and anything without a database)
//! classify against.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;

use crate::{Classified, KnownEntry, KnownTree, TreeChange};

#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    by_id: HashMap<String, KnownEntry>,
    by_key: BTreeMap<String, String>,
}

impl MemoryTree {
    pub fn new() -> MemoryTree {
        MemoryTree::default()
    }

    pub fn apply(&mut self, classified: &Classified) {
        for change in &classified.changes {
            match change {
                TreeChange::Remove { id } => {
                    if let Some(old) = self.by_id.remove(id) {
                        if self.by_key.get(&old.key) == Some(id) {
                            self.by_key.remove(&old.key);
                        }
                    }
                }
                TreeChange::Upsert(e) => {
                    if let Some(old) = self.by_id.remove(&e.id) {
                        if self.by_key.get(&old.key) == Some(&e.id) {
                            self.by_key.remove(&old.key);
                        }
                    }
                    self.by_key.insert(e.key.clone(), e.id.clone());
                    self.by_id.insert(e.id.clone(), e.clone());
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Paths in key order: handy for asserting on the whole tree.
    pub fn paths(&self) -> Vec<String> {
        self.by_key
            .values()
            .map(|id| self.by_id[id].path.clone())
            .collect()
    }
}

impl KnownTree for MemoryTree {
    type Error = Infallible;

    fn by_id(&mut self, id: &str) -> Result<Option<KnownEntry>, Infallible> {
        Ok(self.by_id.get(id).cloned())
    }

    fn by_key(&mut self, key: &str) -> Result<Option<KnownEntry>, Infallible> {
        Ok(self.by_key.get(key).map(|id| self.by_id[id].clone()))
    }

    fn descendants(&mut self, key: &str) -> Result<Vec<KnownEntry>, Infallible> {
        let lo = format!("{key}/");
        let hi = format!("{key}0");
        Ok(self
            .by_key
            .range(lo..hi)
            .map(|(_, id)| self.by_id[id].clone())
            .collect())
    }

    fn all(&mut self) -> Result<Vec<KnownEntry>, Infallible> {
        Ok(self.by_id.values().cloned().collect())
    }
}
