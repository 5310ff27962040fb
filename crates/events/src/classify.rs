//! How a batch becomes events: load the part of the known tree the batch touches (S0), apply
//! the batch in order to a copy of it (S1), then compare S0 and S1 id by id. Comparing final
//! states, rather than reading entries one at a time, is what makes the order of entries
//! inside a batch irrelevant where it should be (a rename's delete before or after its add)
//! and relevant where Dropbox says it is (an add and then a delete of the same path leaves
//! nothing).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::{
    is_below, parent_of, Batch, Change, EntryKind, Event, EventKind, KnownEntry, KnownTree,
};
use crate::{RawEntry, RawState};

/// What a batch means: the events to record and the changes that bring the known tree to S1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classified {
    pub events: Vec<Event>,
    pub changes: Vec<TreeChange>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeChange {
    /// Insert or replace the entry with this id.
    Upsert(KnownEntry),
    /// The entry with this id is gone.
    Remove { id: String },
}

/// Classifies one batch against the known tree. The tree is only read; apply
/// [`Classified::changes`] to it afterwards (in the same transaction as the events).
pub fn classify<T: KnownTree>(tree: &mut T, batch: &Batch) -> Result<Classified, T::Error> {
    let mut s0: HashMap<String, KnownEntry> = HashMap::new();
    let mut s1 = Overlay::default();

    if batch.complete {
        // A full listing: S1 is exactly the listing, so S1 starts empty.
        for e in tree.all()? {
            s0.insert(e.id.clone(), e);
        }
        if s0.is_empty() {
            if let Some(first) = first_listing(&batch.entries) {
                return Ok(first);
            }
        }
    } else {
        load_touched(tree, &batch.entries, &mut s0, &mut s1)?;
    }

    for entry in &batch.entries {
        match &entry.state {
            RawState::Present { id, kind, rev } => s1.upsert(known(entry, id, *kind, rev)),
            RawState::Deleted => s1.remove_subtree(&entry.key),
        }
    }

    Ok(diff(&s0, &s1.nodes))
}

/// What the tree will remember of a present entry (folders have no rev).
fn known(entry: &RawEntry, id: &str, kind: EntryKind, rev: &Option<String>) -> KnownEntry {
    KnownEntry {
        id: id.to_string(),
        key: entry.key.clone(),
        path: entry.path.clone(),
        kind,
        rev: if kind == EntryKind::File {
            rev.clone()
        } else {
            None
        },
    }
}

/// The first listing of an empty tree, when every entry is present with its own id and key
/// (the usual case): everything is added, and no overlay is needed. `None` when the listing
/// has deletions or repeats, which the general path handles.
fn first_listing(entries: &[RawEntry]) -> Option<Classified> {
    let mut ids = HashSet::with_capacity(entries.len());
    let mut keys = HashSet::with_capacity(entries.len());
    let mut added: Vec<KnownEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        let RawState::Present { id, kind, rev } = &entry.state else {
            return None;
        };
        if !ids.insert(id.as_str()) || !keys.insert(entry.key.as_str()) {
            return None;
        }
        added.push(known(entry, id, *kind, rev));
    }
    added.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    let events = added
        .iter()
        .map(|n| Event {
            kind: EventKind::of(n.kind, Change::Added),
            path: n.path.clone(),
            old_path: None,
            id: Some(n.id.clone()),
            descendants: 0,
        })
        .collect();
    let changes = added.into_iter().map(TreeChange::Upsert).collect();
    Some(Classified { events, changes })
}

/// Loads into S0 (and into the overlay that becomes S1) every known entry the batch can
/// affect: the entries with the batch's ids and keys, and everything below a folder that is
/// deleted, replaced or moved.
fn load_touched<T: KnownTree>(
    tree: &mut T,
    entries: &[RawEntry],
    s0: &mut HashMap<String, KnownEntry>,
    s1: &mut Overlay,
) -> Result<(), T::Error> {
    let mut load = |e: KnownEntry, s0: &mut HashMap<String, KnownEntry>| {
        if !s0.contains_key(&e.id) {
            s1.insert(e.clone());
            s0.insert(e.id.clone(), e);
        }
    };
    let mut subtrees_loaded: HashSet<String> = HashSet::new();
    for entry in entries {
        let mut subtree_of: Vec<String> = Vec::new();
        match &entry.state {
            RawState::Present { id, .. } => {
                if let Some(known) = tree.by_id(id)? {
                    if known.kind == EntryKind::Folder && known.key != entry.key {
                        subtree_of.push(known.key.clone());
                    }
                    load(known, s0);
                }
                if let Some(known) = tree.by_key(&entry.key)? {
                    if known.kind == EntryKind::Folder && &known.id != id {
                        subtree_of.push(known.key.clone());
                    }
                    load(known, s0);
                }
            }
            RawState::Deleted => {
                if let Some(known) = tree.by_key(&entry.key)? {
                    if known.kind == EntryKind::Folder {
                        subtree_of.push(known.key.clone());
                    }
                    load(known, s0);
                }
            }
        }
        for key in subtree_of {
            if subtrees_loaded.insert(key.clone()) {
                for d in tree.descendants(&key)? {
                    load(d, s0);
                }
            }
        }
    }
    Ok(())
}

/// The tree as the batch leaves it: id -> entry, and key -> id for prefix operations.
/// Entries removed by the batch wait in `limbo` until the batch ends: if a removed folder's
/// id comes back at a new path (Dropbox and the local watcher both report a move as "old
/// path deleted, folder at new path"), whatever was below it comes back with it.
#[derive(Default)]
struct Overlay {
    nodes: HashMap<String, KnownEntry>,
    keys: BTreeMap<String, String>,
    limbo: BTreeMap<String, KnownEntry>,
    limbo_keys: HashMap<String, String>,
}

/// The range of keys strictly below `key`: they sort between "key/" and "key0" ('0' follows
/// '/'), so one range finds them without touching a sibling such as "key b".
fn below_range(key: &str) -> std::ops::Range<String> {
    format!("{key}/")..format!("{key}0")
}

impl Overlay {
    /// Inserts an entry of S0 (consistent by construction, so no conflicts to resolve).
    fn insert(&mut self, e: KnownEntry) {
        self.keys.insert(e.key.clone(), e.id.clone());
        self.nodes.insert(e.id.clone(), e);
    }

    fn ids_below(&self, key: &str) -> Vec<String> {
        self.keys
            .range(below_range(key))
            .map(|(_, id)| id.clone())
            .collect()
    }

    fn take(&mut self, id: &str) -> Option<KnownEntry> {
        let node = self.nodes.remove(id)?;
        if self.keys.get(&node.key).map(String::as_str) == Some(id) {
            self.keys.remove(&node.key);
        }
        Some(node)
    }

    fn take_from_limbo(&mut self, id: &str) -> Option<KnownEntry> {
        let key = self.limbo_keys.remove(id)?;
        self.limbo.remove(&key)
    }

    fn park(&mut self, id: &str) {
        if let Some(node) = self.take(id) {
            let key = node.key.clone();
            if let Some(prev) = self.limbo.insert(key.clone(), node) {
                self.limbo_keys.remove(&prev.id);
            }
            self.limbo_keys.insert(id.to_string(), key);
        }
    }

    fn remove_subtree(&mut self, key: &str) {
        for id in self.ids_below(key) {
            self.park(&id);
        }
        if let Some(id) = self.keys.get(key).cloned() {
            self.park(&id);
        }
    }

    fn upsert(&mut self, e: KnownEntry) {
        // Something else at this key is replaced, and whatever was below it goes with it.
        if let Some(other) = self.keys.get(&e.key).cloned() {
            if other != e.id {
                let mine_is_below = self
                    .nodes
                    .get(&e.id)
                    .is_some_and(|mine| is_below(&mine.key, &e.key));
                if !mine_is_below {
                    for id in self.ids_below(&e.key) {
                        self.park(&id);
                    }
                }
                self.park(&other);
            }
        }
        let old = self.take(&e.id).or_else(|| self.take_from_limbo(&e.id));
        if let Some(old) = old {
            if old.kind == EntryKind::Folder && old.key != e.key {
                self.move_below(&old, &e);
            }
        }
        self.insert(e);
    }

    /// A folder moved: everything below it moves with it, whether or not the batch lists it.
    fn move_below(&mut self, old: &KnownEntry, new: &KnownEntry) {
        let mut below: Vec<KnownEntry> = Vec::new();
        for id in self.ids_below(&old.key) {
            below.extend(self.take(&id));
        }
        let from_limbo: Vec<String> = self
            .limbo
            .range(below_range(&old.key))
            .map(|(k, _)| k.clone())
            .collect();
        for key in from_limbo {
            if let Some(n) = self.limbo.remove(&key) {
                self.limbo_keys.remove(&n.id);
                below.push(n);
            }
        }
        for mut d in below {
            let key_suffix = d.key[old.key.len()..].to_string();
            let path_suffix = if d.path.len() >= old.path.len()
                && d.path.is_char_boundary(old.path.len())
                && d.path[..old.path.len()].eq_ignore_ascii_case(&old.path)
            {
                d.path[old.path.len()..].to_string()
            } else {
                key_suffix.clone()
            };
            d.key = format!("{}{key_suffix}", new.key);
            d.path = format!("{}{path_suffix}", new.path);
            if let Some(other) = self.keys.get(&d.key).cloned() {
                if other != d.id {
                    self.park(&other);
                }
            }
            self.insert(d);
        }
    }
}

fn diff(s0: &HashMap<String, KnownEntry>, s1: &HashMap<String, KnownEntry>) -> Classified {
    let mut moves: Vec<(&KnownEntry, &KnownEntry)> = Vec::new();
    let mut deletes: Vec<&KnownEntry> = Vec::new();
    let mut adds: Vec<&KnownEntry> = Vec::new();
    let mut modifies: Vec<&KnownEntry> = Vec::new();
    let mut changes: Vec<TreeChange> = Vec::new();

    for (id, old) in s0 {
        match s1.get(id) {
            None => {
                deletes.push(old);
                changes.push(TreeChange::Remove { id: id.clone() });
            }
            Some(new) => {
                if old.path != new.path {
                    moves.push((old, new));
                } else if new.kind == EntryKind::File && old.rev != new.rev {
                    modifies.push(new);
                }
                if old != new {
                    changes.push(TreeChange::Upsert(new.clone()));
                }
            }
        }
    }
    for (id, new) in s1 {
        if !s0.contains_key(id) {
            adds.push(new);
            changes.push(TreeChange::Upsert(new.clone()));
        }
    }

    let mut events = Vec::new();
    collapse_moves(&mut moves, &mut events);
    collapse_deletes(&mut deletes, &mut events);

    adds.sort_by(|a, b| a.key.cmp(&b.key));
    events.extend(adds.iter().map(|n| Event {
        kind: EventKind::of(n.kind, Change::Added),
        path: n.path.clone(),
        old_path: None,
        id: Some(n.id.clone()),
        descendants: 0,
    }));
    modifies.sort_by(|a, b| a.key.cmp(&b.key));
    events.extend(modifies.iter().map(|n| Event {
        kind: EventKind::FileModified,
        path: n.path.clone(),
        old_path: None,
        id: Some(n.id.clone()),
        descendants: 0,
    }));

    // Removals first, so that a store applying these in order never sees two ids on one key.
    changes.sort_by_key(|c| matches!(c, TreeChange::Upsert(_)));
    Classified { events, changes }
}

fn depth(key: &str) -> usize {
    key.bytes().filter(|b| *b == b'/').count()
}

/// One event per moved subtree: an entry that kept its place relative to a moved ancestor
/// folder is counted in that folder's event instead of getting its own.
fn collapse_moves(moves: &mut [(&KnownEntry, &KnownEntry)], events: &mut Vec<Event>) {
    moves.sort_by(|a, b| (depth(&a.0.key), &a.0.key).cmp(&(depth(&b.0.key), &b.0.key)));
    // old folder key -> (its new key, index of the event that counts it)
    let mut moved: HashMap<&str, (&str, usize)> = HashMap::new();
    for (old, new) in moves.iter() {
        let mut absorbed_by = None;
        let mut anc = parent_of(&old.key);
        while !anc.is_empty() {
            if let Some((new_anc, top)) = moved.get(anc) {
                let suffix = &old.key[anc.len()..];
                if new.key.len() == new_anc.len() + suffix.len()
                    && new.key.starts_with(new_anc)
                    && new.key.ends_with(suffix)
                {
                    absorbed_by = Some(*top);
                }
                break;
            }
            anc = parent_of(anc);
        }
        let top = match absorbed_by {
            Some(top) => {
                events[top].descendants += 1;
                top
            }
            None => {
                let change = if parent_of(&old.key) == parent_of(&new.key) {
                    Change::Renamed
                } else {
                    Change::Moved
                };
                events.push(Event {
                    kind: EventKind::of(new.kind, change),
                    path: new.path.clone(),
                    old_path: Some(old.path.clone()),
                    id: Some(new.id.clone()),
                    descendants: 0,
                });
                events.len() - 1
            }
        };
        if old.kind == EntryKind::Folder {
            moved.insert(&old.key, (&new.key, top));
        }
    }
}

/// One event per deleted subtree.
fn collapse_deletes(deletes: &mut [&KnownEntry], events: &mut Vec<Event>) {
    deletes.sort_by(|a, b| (depth(&a.key), &a.key).cmp(&(depth(&b.key), &b.key)));
    let mut deleted: HashMap<&str, usize> = HashMap::new();
    for old in deletes.iter() {
        let mut anc = parent_of(&old.key);
        let mut absorbed_by = None;
        while !anc.is_empty() {
            if let Some(top) = deleted.get(anc) {
                absorbed_by = Some(*top);
                break;
            }
            anc = parent_of(anc);
        }
        let top = match absorbed_by {
            Some(top) => {
                events[top].descendants += 1;
                top
            }
            None => {
                events.push(Event {
                    kind: EventKind::of(old.kind, Change::Deleted),
                    path: old.path.clone(),
                    old_path: None,
                    id: Some(old.id.clone()),
                    descendants: 0,
                });
                events.len() - 1
            }
        };
        if old.kind == EntryKind::Folder {
            deleted.insert(&old.key, top);
        }
    }
}
