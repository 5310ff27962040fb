//! The emulated Dropbox namespace: nodes, the change log, cursors and content hashes.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const BLOCK: usize = 4 * 1024 * 1024;

/// Dropbox's content hash: SHA-256 over the concatenated SHA-256 digests of each 4 MiB block,
/// as lowercase hex.
pub fn content_hash(data: &[u8]) -> String {
    let mut outer = Sha256::new();
    for block in data.chunks(BLOCK) {
        outer.update(Sha256::digest(block));
    }
    hex(&outer.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Current time as Dropbox writes it: RFC 3339, UTC, no fractional seconds.
pub(crate) fn now_timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Whether `s` is a timestamp in Dropbox's format (`2015-05-12T15:50:38Z`).
pub(crate) fn valid_timestamp(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

/// A failure of a namespace operation; each route maps it to its own error union.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    #[error("not_found")]
    NotFound,
    #[error("not_folder")]
    NotFolder,
    #[error("not_file")]
    NotFile,
    #[error("malformed_path")]
    MalformedPath,
    /// `file`, `folder` or `file_ancestor`.
    #[error("conflict/{0}")]
    Conflict(&'static str),
    #[error("cant_move_folder_into_itself")]
    MoveIntoItself,
}

impl FsError {
    /// The LookupError / WriteError union value (`{".tag": ...}`) and its summary.
    pub(crate) fn union(&self) -> (Value, String) {
        match self {
            FsError::Conflict(kind) => (
                json!({".tag": "conflict", "conflict": {".tag": kind}}),
                format!("conflict/{kind}"),
            ),
            other => {
                let tag = other.to_string();
                (json!({".tag": tag}), tag)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct FileData {
    pub content: Bytes,
    pub rev: String,
    pub hash: String,
    pub client_modified: String,
    pub server_modified: String,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Folder,
    File(FileData),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub id: String,
    pub path_display: String,
    pub kind: Kind,
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl Node {
    pub fn name(&self) -> &str {
        last_segment(&self.path_display)
    }

    /// Metadata with its `.tag` (a member of the `Metadata` union).
    pub fn metadata(&self) -> Value {
        let lower = self.path_display.to_lowercase();
        match &self.kind {
            Kind::Folder => json!({
                ".tag": "folder",
                "name": self.name(),
                "path_lower": lower,
                "path_display": self.path_display,
                "id": self.id,
            }),
            Kind::File(f) => json!({
                ".tag": "file",
                "name": self.name(),
                "path_lower": lower,
                "path_display": self.path_display,
                "id": self.id,
                "client_modified": f.client_modified,
                "server_modified": f.server_modified,
                "rev": f.rev,
                "size": f.content.len(),
                "is_downloadable": true,
                "content_hash": f.hash,
            }),
        }
    }

    /// Metadata without `.tag` (FileMetadata / FolderMetadata used as a plain struct).
    pub fn untagged_metadata(&self) -> Value {
        let mut v = self.metadata();
        if let Some(map) = v.as_object_mut() {
            map.remove(".tag");
        }
        v
    }

    fn deleted_entry(&self) -> Value {
        json!({
            ".tag": "deleted",
            "name": self.name(),
            "path_lower": self.path_display.to_lowercase(),
            "path_display": self.path_display,
        })
    }
}

/// One entry of the append-only change log.
#[derive(Debug, Clone)]
pub(crate) struct LogEntry {
    pub path_lower: String,
    pub value: Value,
}

/// What a cursor encodes (serialized as base64url of this JSON).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// Epoch: cursors of an older epoch were reset.
    pub e: u64,
    /// path_lower of the listed folder ("" for the root).
    pub p: String,
    /// Recursive listing.
    pub r: bool,
    /// Position in the change log.
    pub n: usize,
    /// Page size.
    pub l: usize,
    /// Snapshot being paged, and the offset into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s: Option<(u64, usize)>,
    /// Made through the member's home in team mode: entries are relative to the home folder
    /// (`p` stays a whole-tree path). Absent (false) otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub h: bool,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let raw = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .ok()?;
        serde_json::from_slice(&raw).ok()
    }
}

/// How an upload treats an existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteMode {
    Add,
    Overwrite,
    /// Overwrite only if the current rev is this one.
    Update(String),
}

/// Whether a change at `entry` (a path_lower) is visible to a listing of `folder`.
pub(crate) fn in_scope(folder: &str, recursive: bool, entry: &str) -> bool {
    if folder.is_empty() {
        return recursive || entry.rfind('/') == Some(0);
    }
    if entry == folder {
        return recursive;
    }
    match entry.strip_prefix(folder).and_then(|r| r.strip_prefix('/')) {
        Some(rest) => recursive || !rest.contains('/'),
        None => false,
    }
}

fn is_under(root: &str, key: &str) -> bool {
    key == root
        || key
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The namespace plus its change log.
#[derive(Debug)]
pub(crate) struct Namespace {
    pub nodes: BTreeMap<String, Node>,
    pub log: Vec<LogEntry>,
    pub epoch: u64,
    pub snapshots: HashMap<u64, Vec<Value>>,
    counter: u64,
    seed: u64,
}

/// A syntactically checked path: `None` is the root.
pub(crate) fn check_path(path: &str) -> Result<Option<(String, String)>, FsError> {
    if path.is_empty() {
        return Ok(None);
    }
    if !path.starts_with('/') || path.ends_with('/') || path.contains("//") {
        return Err(FsError::MalformedPath);
    }
    Ok(Some((path.to_lowercase(), path.to_string())))
}

impl Namespace {
    pub fn new(seed: u64) -> Self {
        Namespace {
            nodes: BTreeMap::new(),
            log: Vec::new(),
            epoch: 1,
            snapshots: HashMap::new(),
            counter: 0,
            seed,
        }
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn new_id(&mut self) -> String {
        let n = self.next();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.seed.to_be_bytes());
        bytes[8..].copy_from_slice(&n.to_be_bytes());
        format!(
            "id:{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )
    }

    fn new_rev(&mut self) -> String {
        let n = self.next();
        format!("0160{:012x}{:08x}", n, (self.seed & 0xffff_ffff) as u32)
    }

    pub fn new_snapshot_id(&mut self) -> u64 {
        self.next()
    }

    fn push_log(&mut self, path_lower: String, value: Value) {
        self.log.push(LogEntry { path_lower, value });
    }

    /// Resolves a path (`/a/b`) or an id (`id:...`) to its path_lower.
    pub fn resolve(&self, path_or_id: &str) -> Result<String, FsError> {
        if path_or_id.starts_with("id:") {
            return self
                .nodes
                .iter()
                .find(|(_, n)| n.id == path_or_id)
                .map(|(k, _)| k.clone())
                .ok_or(FsError::NotFound);
        }
        match check_path(path_or_id)? {
            None => Err(FsError::MalformedPath),
            Some((lower, _)) if self.nodes.contains_key(&lower) => Ok(lower),
            Some(_) => Err(FsError::NotFound),
        }
    }

    pub fn get(&self, path_or_id: &str) -> Result<&Node, FsError> {
        let key = self.resolve(path_or_id)?;
        self.nodes.get(&key).ok_or(FsError::NotFound)
    }

    /// Display path for `display`, reusing the case of existing ancestors; creates missing
    /// parent folders (logging them).
    fn make_parents(&mut self, display: &str) -> Result<String, FsError> {
        let segments: Vec<&str> = display.split('/').skip(1).collect();
        let mut cur_display = String::new();
        let (parents, last) = segments.split_at(segments.len().saturating_sub(1));
        for seg in parents {
            let candidate = format!("{cur_display}/{seg}");
            let lower = candidate.to_lowercase();
            match self.nodes.get(&lower) {
                Some(Node {
                    kind: Kind::File(_),
                    ..
                }) => return Err(FsError::Conflict("file_ancestor")),
                Some(node) => cur_display = node.path_display.clone(),
                None => {
                    let id = self.new_id();
                    let node = Node {
                        id,
                        path_display: candidate.clone(),
                        kind: Kind::Folder,
                    };
                    let meta = node.metadata();
                    self.nodes.insert(lower.clone(), node);
                    self.push_log(lower, meta);
                    cur_display = candidate;
                }
            }
        }
        Ok(format!(
            "{cur_display}/{}",
            last.first().copied().unwrap_or("")
        ))
    }

    /// A free name for autorename: `name (1).ext`, `name (2).ext`, ...
    fn autorename(&self, display: &str) -> String {
        let (dir, name) = display.rsplit_once('/').unwrap_or(("", display));
        let (stem, ext) = match name.rfind('.') {
            Some(i) if i > 0 => (&name[..i], &name[i..]),
            _ => (name, ""),
        };
        (1..)
            .map(|i| format!("{dir}/{stem} ({i}){ext}"))
            .find(|c| !self.nodes.contains_key(&c.to_lowercase()))
            .unwrap_or_else(|| display.to_string())
    }

    pub fn put_file(
        &mut self,
        path: &str,
        content: Bytes,
        mode: &WriteMode,
        autorename: bool,
        client_modified: Option<String>,
    ) -> Result<Value, FsError> {
        let Some((_, display)) = check_path(path)? else {
            return Err(FsError::MalformedPath);
        };
        let mut display = self.make_parents(&display)?;
        let mut lower = display.to_lowercase();
        let hash = content_hash(&content);
        let mut existing_id = None;
        if let Some(node) = self.nodes.get(&lower) {
            let conflict = match (&node.kind, mode) {
                (Kind::Folder, _) => Some("folder"),
                (Kind::File(f), _) if f.hash == hash => {
                    // Same content: Dropbox keeps the file (and its rev) as it is.
                    return Ok(node.metadata());
                }
                (Kind::File(_), WriteMode::Overwrite) => None,
                (Kind::File(f), WriteMode::Update(rev)) if &f.rev == rev => None,
                (Kind::File(_), _) => Some("file"),
            };
            match conflict {
                Some(kind) if !autorename => return Err(FsError::Conflict(kind)),
                Some(_) => {
                    display = self.autorename(&display);
                    lower = display.to_lowercase();
                }
                None => {
                    existing_id = Some(node.id.clone());
                    display = node.path_display.clone();
                }
            }
        }
        let id = match existing_id {
            Some(id) => id,
            None => self.new_id(),
        };
        let rev = self.new_rev();
        let server_modified = now_timestamp();
        let node = Node {
            id,
            path_display: display,
            kind: Kind::File(FileData {
                content,
                rev,
                hash,
                client_modified: client_modified.unwrap_or_else(|| server_modified.clone()),
                server_modified,
            }),
        };
        let meta = node.metadata();
        self.nodes.insert(lower.clone(), node);
        self.push_log(lower, meta.clone());
        Ok(meta)
    }

    pub fn create_folder(&mut self, path: &str, autorename: bool) -> Result<Value, FsError> {
        let Some((_, display)) = check_path(path)? else {
            return Err(FsError::MalformedPath);
        };
        let mut display = self.make_parents(&display)?;
        if let Some(node) = self.nodes.get(&display.to_lowercase()) {
            let kind = match node.kind {
                Kind::Folder => "folder",
                Kind::File(_) => "file",
            };
            if !autorename {
                return Err(FsError::Conflict(kind));
            }
            display = self.autorename(&display);
        }
        let lower = display.to_lowercase();
        let id = self.new_id();
        let node = Node {
            id,
            path_display: display,
            kind: Kind::Folder,
        };
        let meta = node.metadata();
        self.nodes.insert(lower.clone(), node);
        self.push_log(lower, meta.clone());
        Ok(meta)
    }

    /// Deletes a file or a folder with its subtree: one deleted entry in the log.
    pub fn delete(&mut self, path_or_id: &str) -> Result<Value, FsError> {
        let key = self.resolve(path_or_id)?;
        let keys: Vec<String> = self
            .nodes
            .keys()
            .filter(|k| is_under(&key, k))
            .cloned()
            .collect();
        let mut removed = None;
        for k in keys {
            let node = self.nodes.remove(&k);
            if k == key {
                removed = node;
            }
        }
        let node = removed.ok_or(FsError::NotFound)?;
        self.push_log(key, node.deleted_entry());
        Ok(node.metadata())
    }

    /// Moves or renames; returns the moved node's metadata.
    pub fn relocate(&mut self, from: &str, to: &str, autorename: bool) -> Result<Value, FsError> {
        let from_key = self.resolve(from)?;
        let Some((to_lower, to_display)) = check_path(to)? else {
            return Err(FsError::MalformedPath);
        };
        if to_lower == from_key {
            // Case-only rename (or no-op): the last segment takes the new case, nothing logged.
            let Some(node) = self.nodes.get(&from_key) else {
                return Err(FsError::NotFound);
            };
            let old_display = node.path_display.clone();
            let parent_display = old_display.rsplit_once('/').map_or("", |(p, _)| p);
            let new_display = format!("{parent_display}/{}", last_segment(&to_display));
            self.rewrite_subtree(&from_key, &old_display, &from_key, &new_display);
            return self
                .nodes
                .get(&from_key)
                .map(Node::metadata)
                .ok_or(FsError::NotFound);
        }
        if is_under(&from_key, &to_lower) {
            return Err(FsError::MoveIntoItself);
        }
        let mut to_display = to_display;
        if let Some(node) = self.nodes.get(&to_lower) {
            if !autorename {
                return Err(FsError::Conflict(match node.kind {
                    Kind::Folder => "folder",
                    Kind::File(_) => "file",
                }));
            }
            to_display = self.autorename(&to_display);
        }
        let to_display = self.make_parents(&to_display)?;
        let to_lower = to_display.to_lowercase();
        let Some(old) = self.nodes.get(&from_key).cloned() else {
            return Err(FsError::NotFound);
        };
        self.rewrite_subtree(&from_key, &old.path_display, &to_lower, &to_display);
        self.push_log(from_key, old.deleted_entry());
        let moved: Vec<(String, Value)> = self
            .nodes
            .iter()
            .filter(|(k, _)| is_under(&to_lower, k))
            .map(|(k, n)| (k.clone(), n.metadata()))
            .collect();
        for (k, v) in moved {
            self.push_log(k, v);
        }
        self.nodes
            .get(&to_lower)
            .map(Node::metadata)
            .ok_or(FsError::NotFound)
    }

    fn rewrite_subtree(
        &mut self,
        from_key: &str,
        old_display: &str,
        to_key: &str,
        to_display: &str,
    ) {
        let keys: Vec<String> = self
            .nodes
            .keys()
            .filter(|k| is_under(from_key, k))
            .cloned()
            .collect();
        let mut moved = Vec::with_capacity(keys.len());
        for k in keys {
            if let Some(mut node) = self.nodes.remove(&k) {
                let suffix = node
                    .path_display
                    .get(old_display.len()..)
                    .unwrap_or("")
                    .to_string();
                node.path_display = format!("{to_display}{suffix}");
                let new_key = format!("{to_key}{}", &k[from_key.len()..]);
                moved.push((new_key, node));
            }
        }
        self.nodes.extend(moved);
    }

    /// Entries of a fresh listing (parents before children).
    pub fn listing(&self, folder: &str, recursive: bool) -> Result<Vec<Value>, FsError> {
        if !folder.is_empty() {
            match self.nodes.get(folder) {
                None => return Err(FsError::NotFound),
                Some(Node {
                    kind: Kind::File(_),
                    ..
                }) => return Err(FsError::NotFolder),
                Some(_) => {}
            }
        }
        Ok(self
            .nodes
            .iter()
            .filter(|(k, _)| in_scope(folder, recursive, k))
            .map(|(_, n)| n.metadata())
            .collect())
    }

    /// Whether the log holds entries visible to `folder` at or after position `n`.
    pub fn has_changes(&self, folder: &str, recursive: bool, n: usize) -> bool {
        self.log
            .iter()
            .skip(n)
            .any(|e| in_scope(folder, recursive, &e.path_lower))
    }

    /// Up to `limit` visible entries from log position `n`; returns them and the new position.
    pub fn changes(
        &self,
        folder: &str,
        recursive: bool,
        n: usize,
        limit: usize,
    ) -> (Vec<Value>, usize, bool) {
        let mut out = Vec::new();
        let mut pos = n;
        while pos < self.log.len() {
            if out.len() == limit {
                let more = self.has_changes(folder, recursive, pos);
                return (out, pos, more);
            }
            let e = &self.log[pos];
            if in_scope(folder, recursive, &e.path_lower) {
                out.push(e.value.clone());
            }
            pos += 1;
        }
        (out, pos, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_vectors() {
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            content_hash(b"hello world"),
            "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423"
        );
        let zeros = vec![0u8; 8 * 1024 * 1024];
        assert_eq!(
            content_hash(&zeros[..BLOCK]),
            "c7e946d101855255d919ef0c70718633adf77d3dfb3adeeecf5d0cb4e951be58"
        );
        assert_eq!(
            content_hash(&zeros[..BLOCK + 1]),
            "14a4d47f23a30177885d9820122f17d2d3a55fe63f7f5c27b95f689e0b2accd6"
        );
        assert_eq!(
            content_hash(&zeros),
            "03ae066c707c588592d9e27aa2444ca98423e0999024f1ceaa11a153790b37de"
        );
        assert_eq!(
            content_hash(&vec![b'a'; 10 * 1024 * 1024]),
            "576f896dca27a476b9c9429b4cc02588f94d59603c16dfce30ae58066da2ad55"
        );
    }

    #[test]
    fn scope() {
        assert!(in_scope("", false, "/a"));
        assert!(!in_scope("", false, "/a/b"));
        assert!(in_scope("", true, "/a/b"));
        assert!(in_scope("/a", false, "/a/b"));
        assert!(!in_scope("/a", false, "/a/b/c"));
        assert!(!in_scope("/a", true, "/ab"));
        assert!(in_scope("/a", true, "/a"));
    }

    #[test]
    fn ids_and_revs_have_dropbox_shape() {
        let mut ns = Namespace::new(42);
        let id = ns.new_id();
        assert_eq!(id.len(), 3 + 22);
        let rev = ns.new_rev();
        assert!(rev.len() >= 9 && rev.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
