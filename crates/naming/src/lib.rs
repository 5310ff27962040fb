//! The production-accounting naming convention: this crate owns the rules that turn a Dropbox
//! path such as `2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_01 Jane
//! Smith Invoice.pdf` into a project, a PO, a vendor, a vendor type (vendor / card / petty
//! cash), a document type and a file number, plus readable problems when a name or its place
//! in the tree is wrong. The rules live in a TOML file rather than in code because every
//! production company names its tree a little differently: [`DEFAULT_RULES_TOML`] is the
//! documented starting point, [`PathRules::load`] validates an edited copy up front (reporting
//! the line of any mistake), and [`PathRules::parse`] then never fails: a name that matches
//! nothing is a normal event that gets a problem sentence, not an error. A PO log
//! (`PO_LOG_<project>-...txt`) is named by the budgeting software rather than by the company,
//! so it is recognised by `boxkeeper-polog`'s fixed rule, not by the rules file.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The default rules, commented for whoever edits a company's copy. Parsed by
/// [`PathRules::defaults`].
pub const DEFAULT_RULES_TOML: &str = include_str!("../default_rules.toml");

// ---------------------------------------------------------------------------------------------
// Public value types
// ---------------------------------------------------------------------------------------------

/// Whether a path names a file or a folder. Dropbox metadata says which; when it does not
/// (a deleted entry), [`PathKind::guess`] decides from the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathKind {
    File,
    Folder,
}

impl PathKind {
    /// Guesses from the last segment: a name ending in a dot and 1-5 ASCII letters/digits
    /// (with at least one letter) is a file; anything else, including a path ending in a
    /// separator and dot-files such as `.DS_Store`, is a folder.
    ///
    /// The "at least one letter" keeps version-like folder names ("1.2 Working" is already
    /// safe thanks to its space, but "Season 1.2" is not) from being taken for files; real
    /// document extensions always contain a letter.
    pub fn guess(path: &str) -> PathKind {
        if path.ends_with(['/', '\\']) {
            return PathKind::Folder;
        }
        let last = path.rsplit(['/', '\\']).next().unwrap_or("");
        let has_extension = match last.rfind('.') {
            // A dot at index 0 is a hidden name, not an extension. `dot + 1` is a char
            // boundary because '.' is one byte.
            Some(dot) if dot > 0 => {
                let ext = &last[dot + 1..];
                (1..=5).contains(&ext.len())
                    && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                    && ext.bytes().any(|b| b.is_ascii_alphabetic())
            }
            _ => false,
        };
        if has_extension {
            PathKind::File
        } else {
            PathKind::Folder
        }
    }
}

/// Who a PO pays: a vendor with an invoice, a company card, or petty cash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VendorType {
    #[serde(rename = "vendor")]
    Vendor,
    #[serde(rename = "cc")]
    Cc,
    #[serde(rename = "pc")]
    Pc,
}

impl VendorType {
    pub const ALL: [VendorType; 3] = [VendorType::Vendor, VendorType::Cc, VendorType::Pc];

    /// The stored spelling, identical to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            VendorType::Vendor => "vendor",
            VendorType::Cc => "cc",
            VendorType::Pc => "pc",
        }
    }
}

impl fmt::Display for VendorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VendorType {
    type Err = UnknownName;

    /// Accepts the stored spelling in any case, surrounding spaces ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VendorType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownName::new("vendor type", s, "vendor, cc, pc"))
    }
}

/// The kind of document a file is, from the word before its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentType {
    #[serde(rename = "INVOICE")]
    Invoice,
    #[serde(rename = "RECEIPT")]
    Receipt,
    #[serde(rename = "W9")]
    W9,
    #[serde(rename = "W8-BEN")]
    W8Ben,
    #[serde(rename = "W8-BEN-E")]
    W8BenE,
}

impl DocumentType {
    pub const ALL: [DocumentType; 5] = [
        DocumentType::Invoice,
        DocumentType::Receipt,
        DocumentType::W9,
        DocumentType::W8Ben,
        DocumentType::W8BenE,
    ];

    /// The stored spelling, identical to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Invoice => "INVOICE",
            DocumentType::Receipt => "RECEIPT",
            DocumentType::W9 => "W9",
            DocumentType::W8Ben => "W8-BEN",
            DocumentType::W8BenE => "W8-BEN-E",
        }
    }

    /// True for the tax forms that make a vendor PO compliant.
    pub fn is_tax_form(self) -> bool {
        matches!(
            self,
            DocumentType::W9 | DocumentType::W8Ben | DocumentType::W8BenE
        )
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocumentType {
    type Err = UnknownName;

    /// Accepts the stored spelling in any case ("Invoice", "w8-ben-e").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                UnknownName::new("document type", s, "INVOICE, RECEIPT, W9, W8-BEN, W8-BEN-E")
            })
    }
}

/// A string that is not one of an enum's spellings (from [`VendorType`] or
/// [`DocumentType`]'s `FromStr`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?} (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl UnknownName {
    fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        UnknownName {
            what,
            value: value.to_owned(),
            expected,
        }
    }
}

/// What a path says about itself. Every field is optional because most paths say only part
/// of it (a budget folder has a project and nothing else); `problems` explains, in sentences
/// a bookkeeper understands, anything that did not follow the convention.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedPath {
    pub project_number: Option<String>,
    pub project_name: Option<String>,
    /// As written: "03" stays "03".
    pub po_number: Option<String>,
    /// The vendor of the PO, or for a document the vendor/merchant named in the file name.
    pub vendor_name: Option<String>,
    pub vendor_type: Option<VendorType>,
    pub document_type: Option<DocumentType>,
    /// Always at least two digits when present ("01", "02", "12"); longer numbers kept as
    /// written.
    pub file_number: Option<String>,
    pub problems: Vec<String>,
}

/// A rules file that cannot be used, with the 1-based line and column of the mistake when it
/// is known.
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", location_prefix(*.line, *.column))]
pub struct RulesError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// "line 12, column 5: " (or "line 12: ", or nothing) in front of a [`RulesError`]'s message.
fn location_prefix(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!("line {line}, column {column}: "),
        (Some(line), None) => format!("line {line}: "),
        _ => String::new(),
    }
}

impl RulesError {
    /// An error located at a byte span of the rules text (a TOML error, or a value kept in a
    /// [`Spanned`]).
    fn at(text: &str, span: Option<Range<usize>>, message: String) -> RulesError {
        let (line, column) = match span {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        RulesError {
            line,
            column,
            message,
        }
    }

    fn from_toml(text: &str, error: &toml::de::Error) -> RulesError {
        // toml's Display embeds a code snippet; we want a one-line message that still names
        // the key. toml keeps the key path private but prints it ("in `a.b`") when it has no
        // input to quote, so render a copy without input to recover it.
        let mut bare = error.clone();
        bare.set_input(None);
        let rendered = bare.to_string();
        let key = rendered
            .lines()
            .find_map(|l| l.strip_prefix("in `")?.strip_suffix('`'))
            .filter(|k| !k.is_empty());
        let message = error.message().trim_end();
        let message = match key {
            Some(key) => format!("{key}: {message}"),
            None => message.to_owned(),
        };
        RulesError::at(text, error.span(), message)
    }
}

/// 1-based line and column (in characters) of a byte offset, tolerant of offsets past the end
/// or inside a multi-byte character.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------------------
// The rules file as written
// ---------------------------------------------------------------------------------------------

// Every section denies unknown keys: a misspelt key in a hand-edited file must be an error,
// not a silently ignored line. Values that are validated after deserialising are `Spanned`
// so their errors can name a line too.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    ignore: Vec<Spanned<String>>,
    folders: FoldersSection,
    project_folder: PatternSection,
    po_folder: PoFolderSection,
    file: FileSection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FoldersSection {
    purchase_orders: Spanned<String>,
    petty_cash: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSection {
    pattern: Spanned<String>,
    shape: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoFolderSection {
    pattern: Spanned<String>,
    shape: String,
    card_suffix: Spanned<String>,
    card_words: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSection {
    pattern: Spanned<String>,
    shape: String,
    petty_cash_prefix: String,
    /// Word -> type. The values are typed, so serde itself rejects an unknown type (with
    /// its line); the words are checked after loading.
    document_types: BTreeMap<String, Spanned<DocumentType>>,
}

// ---------------------------------------------------------------------------------------------
/// FNV-1a, 64 bits: stable across builds and platforms, unlike std's hasher.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// Compiled rules
// ---------------------------------------------------------------------------------------------

/// The naming rules, validated and compiled once. Cheap to clone (regexes share their
/// compiled programs).
#[derive(Clone, Debug)]
pub struct PathRules {
    ignore: GlobSet,
    /// Folded (see `fold`) fixed folder names; `None` when switched off with "".
    purchase_orders: Option<String>,
    petty_cash: Option<String>,
    project: Regex,
    project_shape: String,
    po: Regex,
    po_shape: String,
    card_suffix: Regex,
    /// `None` when `card_words` is empty: every four-digit suffix is then a card.
    card_words: Option<Regex>,
    file: Regex,
    file_shape: String,
    petty_cash_prefix: String,
    /// Keyed by the folded type word.
    document_types: HashMap<String, DocumentType>,
    /// FNV-1a of the rules text: names these rules in what was parsed with them.
    fingerprint: u64,
}

impl PathRules {
    /// The built-in rules. The embedded file is covered by tests, so failing here is a bug in
    /// this crate, not a user mistake.
    pub fn defaults() -> PathRules {
        PathRules::from_toml(DEFAULT_RULES_TOML)
            .unwrap_or_else(|e| panic!("built-in default_rules.toml is invalid: {e}"))
    }

    /// Parses and validates a rules file: TOML syntax, unknown keys, glob and regex syntax,
    /// and the named groups each pattern must provide.
    pub fn from_toml(text: &str) -> Result<PathRules, RulesError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| RulesError::from_toml(text, &e))?;
        Compiler { text }.compile(file)
    }

    /// Names these rules: equal rules texts give equal fingerprints, in every build (stored
    /// beside what was parsed with them, to know what to parse again).
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", self.fingerprint)
    }

    /// Reads and validates a rules file from disk.
    pub fn load(path: &Path) -> Result<PathRules, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|e| RulesError {
            line: None,
            column: None,
            message: format!("cannot read {}: {e}", path.display()),
        })?;
        PathRules::from_toml(&text)
    }

    /// True when a file name (or the last segment of a path) is one of the `ignore` globs:
    /// sync and lock files that are never documents.
    pub fn is_ignored(&self, file_name: &str) -> bool {
        let name = file_name.rsplit(['/', '\\']).next().unwrap_or("");
        !name.is_empty() && self.ignore.is_match(name)
    }

    /// Reads everything a path says. Never fails: what cannot be read is left `None` and
    /// explained in `problems`.
    pub fn parse(&self, path: &str, kind: PathKind) -> ParsedPath {
        let segments: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
        let (dirs, file_name) = match (kind, segments.split_last()) {
            (PathKind::File, Some((last, dirs))) => (dirs, Some(*last)),
            _ => (&segments[..], None),
        };

        let mut out = ParsedPath::default();
        let project = self.find_project_folder(dirs, &mut out.problems);
        let po = self.find_po_folder(dirs, &mut out.problems);

        if let (Some(project), Some(po)) = (&project, &po) {
            if !same_number(&project.number, &po.project) {
                out.problems.push(format!(
                    "PO folder {} belongs to project {} but sits in project folder {}",
                    po.label(),
                    po.project,
                    project.number
                ));
            }
        }

        // Folder-derived values; a document's own name overrides them below. The PO folder is
        // nearer to the document than the project folder, so its project number wins.
        out.project_number = po
            .as_ref()
            .map(|p| p.project.clone())
            .or_else(|| project.as_ref().map(|p| p.number.clone()));
        out.po_number = po.as_ref().map(|p| p.po.clone());
        out.vendor_name = po.as_ref().map(|p| p.vendor.clone());
        out.vendor_type = if dirs.iter().any(|s| self.is_petty_cash(s)) {
            Some(VendorType::Pc)
        } else {
            po.as_ref().map(|p| {
                if self.is_card(&p.vendor) {
                    VendorType::Cc
                } else {
                    VendorType::Vendor
                }
            })
        };

        if let Some(name) = file_name {
            self.apply_file_name(name, project.as_ref(), po.as_ref(), &mut out);
        }

        // The name belongs to the project folder's number; if the reported number came from
        // somewhere else that disagrees, pairing them would mislabel the project.
        out.project_name = project.and_then(|p| {
            let agrees = out
                .project_number
                .as_deref()
                .is_some_and(|n| same_number(n, &p.number));
            agrees.then_some(p.name)
        });
        out
    }

    // --- parsing helpers ---------------------------------------------------------------------

    fn is_purchase_orders(&self, segment: &str) -> bool {
        self.purchase_orders.as_deref() == Some(fold(segment).as_str())
    }

    fn is_petty_cash(&self, segment: &str) -> bool {
        self.petty_cash.as_deref() == Some(fold(segment).as_str())
    }

    /// Locates the project folder by position, because paths may carry any number of
    /// unrelated leading segments (home directory, Dropbox root, year namespace).
    fn find_project_folder(&self, dirs: &[&str], problems: &mut Vec<String>) -> Option<Project> {
        let anchor = dirs
            .iter()
            .position(|s| self.is_purchase_orders(s) || self.is_petty_cash(s));
        match anchor {
            // The fixed folders sit directly in the project folder, so the segment before the
            // first of them is the project folder, whatever it is called.
            Some(anchor) => {
                // Anchor at the root (a path relative to the project folder): nothing to
                // check against, and nothing wrong with the path either.
                let segment = dirs.get(anchor.checked_sub(1)?)?;
                let project = self.parse_project(segment);
                if project.is_none() {
                    problems.push(format!(
                        "project folder \"{}\" does not follow '{}'",
                        segment, self.project_shape
                    ));
                }
                project
            }
            // No fixed folder (a budget file, the project folder itself): the first folder
            // that looks like a project folder.
            None => dirs.iter().find_map(|s| self.parse_project(s)),
        }
    }

    fn parse_project(&self, segment: &str) -> Option<Project> {
        let caps = self.project.captures(segment)?;
        Some(Project {
            number: group(&caps, "number")?,
            name: group(&caps, "name")?,
        })
    }

    /// The PO folder is the folder directly inside "1. Purchase Orders". Under petty cash the
    /// tree below the fixed folder is free-form (crew folders), so the first folder there that
    /// looks like a PO folder is taken, and folders that do not are not a problem.
    fn find_po_folder(&self, dirs: &[&str], problems: &mut Vec<String>) -> Option<PoFolder> {
        if let Some(root) = dirs.iter().position(|s| self.is_purchase_orders(s)) {
            let segment = dirs.get(root + 1)?;
            let po = self.parse_po(segment);
            if po.is_none() {
                problems.push(format!(
                    "PO folder \"{}\" does not follow '{}'",
                    segment, self.po_shape
                ));
            }
            return po;
        }
        let root = dirs.iter().position(|s| self.is_petty_cash(s))?;
        dirs[root + 1..].iter().find_map(|s| self.parse_po(s))
    }

    fn parse_po(&self, segment: &str) -> Option<PoFolder> {
        let caps = self.po.captures(segment)?;
        Some(PoFolder {
            project: group(&caps, "project")?,
            po: group(&caps, "po")?,
            vendor: group(&caps, "vendor")?,
        })
    }

    /// A card PO ends in a space and exactly four digits AND names a card issuer before them,
    /// so "Studio54 1999" (a vendor whose name ends in a year) is not taken for a card.
    fn is_card(&self, vendor: &str) -> bool {
        let Some(caps) = self.card_suffix.captures(vendor) else {
            return false;
        };
        let issuer = caps.name("issuer").map_or("", |m| m.as_str());
        self.card_words.as_ref().is_none_or(|w| w.is_match(issuer))
    }

    /// Reads a document's own name and checks it against the folders it sits in.
    fn apply_file_name(
        &self,
        name: &str,
        project: Option<&Project>,
        po: Option<&PoFolder>,
        out: &mut ParsedPath,
    ) {
        let stem = match strip_prefix_ignore_case(name, &self.petty_cash_prefix) {
            Some(rest) => {
                out.vendor_type = Some(VendorType::Pc);
                rest
            }
            None => name,
        };
        let Some(doc) = self.parse_file_name(stem) else {
            if let Some(log) = boxkeeper_polog::is_po_log_name(name) {
                // The budgeting software names its exports, not the company's convention:
                // a PO log is expected here, and its name says which project it belongs to.
                match project {
                    Some(project) if !same_number(&log.project, &project.number) => {
                        out.problems.push(format!(
                            "PO log \"{name}\" is for project {} but it is in project folder {}",
                            log.project, project.number
                        ));
                    }
                    _ => out.project_number = Some(log.project),
                }
                return;
            }
            // Keep what the folders said: a scratch file in a PO folder still belongs to it.
            out.problems.push(format!(
                "file name \"{}\" does not follow '{}'",
                name, self.file_shape
            ));
            return;
        };

        if let Some(po) = po {
            if !same_number(&doc.project, &po.project) {
                out.problems.push(format!(
                    "file name says project {} but it is in PO folder {}",
                    doc.project,
                    po.label()
                ));
            }
            if !same_number(&doc.po, &po.po) {
                out.problems.push(format!(
                    "file name says PO {} but it is in PO folder {}",
                    doc.po,
                    po.label()
                ));
            }
        } else if let Some(project) = project {
            if !same_number(&doc.project, &project.number) {
                out.problems.push(format!(
                    "file name says project {} but it is in project folder {}",
                    doc.project, project.number
                ));
            }
        }

        let folded_word = fold(&doc.type_word);
        out.document_type = self.document_types.get(&folded_word).copied();
        if out.document_type.is_none() {
            out.problems.push(format!(
                "document word \"{}\" is not listed in the rules' [file.document_types]",
                doc.type_word
            ));
        }
        // A mismatch was reported above; the name is the more specific statement.
        out.project_number = Some(doc.project);
        out.po_number = Some(doc.po);
        out.vendor_name = Some(doc.vendor);
        out.file_number = Some(doc.file_number);
    }

    fn parse_file_name(&self, stem: &str) -> Option<DocumentName> {
        let caps = self.file.captures(stem)?;
        let number = |g: &str| {
            caps.name(g)
                .map(|m| m.as_str().trim())
                .filter(|s| !s.is_empty())
        };
        // The `_NN` group, else the number after the type word ("Receipt 02"), else 01: the
        // old system dropped the trailing number and so collided "Receipt 02" with "03".
        let file_number = number("file")
            .or_else(|| number("number"))
            .map_or_else(|| "01".to_owned(), pad_file_number);
        Some(DocumentName {
            project: group(&caps, "project")?,
            po: group(&caps, "po")?,
            vendor: group(&caps, "vendor")?,
            type_word: group(&caps, "type")?,
            file_number,
        })
    }
}

struct Project {
    number: String,
    name: String,
}

struct PoFolder {
    project: String,
    po: String,
    vendor: String,
}

impl PoFolder {
    /// How problems name a PO folder: "2416_23".
    fn label(&self) -> String {
        format!("{}_{}", self.project, self.po)
    }
}

struct DocumentName {
    project: String,
    po: String,
    vendor: String,
    type_word: String,
    file_number: String,
}

/// A named group, trimmed; `None` when it did not take part or holds only spaces, which
/// callers treat as "the name does not match".
fn group(caps: &Captures<'_>, name: &str) -> Option<String> {
    let text = caps.name(name)?.as_str().trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// File numbers are shown two digits wide ("1" -> "01"); wider numbers are left alone.
fn pad_file_number(n: &str) -> String {
    if n.chars().count() == 1 {
        format!("0{n}")
    } else {
        n.to_owned()
    }
}

/// Project and PO numbers are compared by value, so "03" in a file name agrees with a PO
/// folder written "3". Comparing digit strings avoids overflow on absurdly long numbers.
fn same_number(a: &str, b: &str) -> bool {
    a.trim().trim_start_matches('0') == b.trim().trim_start_matches('0')
}

/// Folder names are compared ignoring case and runs of whitespace, because people retype
/// "1. purchase orders" or add a stray space.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Strips `prefix` ignoring case, without ever slicing inside a character.
fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        return None;
    }
    let head = name.get(..prefix.len())?;
    (head.to_lowercase() == prefix.to_lowercase()).then(|| &name[prefix.len()..])
}

// ---------------------------------------------------------------------------------------------
// Validation and compilation
// ---------------------------------------------------------------------------------------------

struct Compiler<'t> {
    text: &'t str,
}

impl Compiler<'_> {
    fn error(&self, span: Range<usize>, message: String) -> RulesError {
        RulesError::at(self.text, Some(span), message)
    }

    fn compile(&self, file: RulesFile) -> Result<PathRules, RulesError> {
        let purchase_orders = fold(file.folders.purchase_orders.get_ref());
        let petty_cash = fold(file.folders.petty_cash.get_ref());
        if !petty_cash.is_empty() && petty_cash == purchase_orders {
            return Err(self.error(
                file.folders.petty_cash.span(),
                "folders.petty_cash must differ from folders.purchase_orders".to_owned(),
            ));
        }

        let project = self.regex(
            "project_folder.pattern",
            &file.project_folder.pattern,
            &["number", "name"],
        )?;
        let po = self.regex(
            "po_folder.pattern",
            &file.po_folder.pattern,
            &["project", "po", "vendor"],
        )?;
        let card_suffix = self.regex(
            "po_folder.card_suffix",
            &file.po_folder.card_suffix,
            &["issuer"],
        )?;
        let card_words = self.card_words(&file.po_folder.card_words)?;
        let file_regex = self.regex(
            "file.pattern",
            &file.file.pattern,
            &["project", "po", "vendor", "type"],
        )?;

        Ok(PathRules {
            fingerprint: fnv1a(self.text),
            ignore: self.ignore(&file.ignore)?,
            purchase_orders: (!purchase_orders.is_empty()).then_some(purchase_orders),
            petty_cash: (!petty_cash.is_empty()).then_some(petty_cash),
            project,
            project_shape: file.project_folder.shape,
            po,
            po_shape: file.po_folder.shape,
            card_suffix,
            card_words,
            file: file_regex,
            file_shape: file.file.shape,
            petty_cash_prefix: file.file.petty_cash_prefix,
            document_types: self.document_types(&file.file.document_types)?,
        })
    }

    fn regex(
        &self,
        key: &str,
        pattern: &Spanned<String>,
        required: &[&str],
    ) -> Result<Regex, RulesError> {
        let regex = Regex::new(pattern.get_ref())
            .map_err(|e| self.error(pattern.span(), format!("{key}: {e}")))?;
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|name| !regex.capture_names().flatten().any(|n| n == *name))
            .collect();
        if missing.is_empty() {
            Ok(regex)
        } else {
            Err(self.error(
                pattern.span(),
                format!(
                    "{key} must have capture groups {} (missing {})",
                    backticked(required),
                    backticked(&missing)
                ),
            ))
        }
    }

    /// One case-insensitive regex for all card words, each matched as a whole word (bounded
    /// by non-word characters, so "mc" does not fire inside "McKinsey") and with any spacing
    /// between the words of a phrase.
    fn card_words(&self, words: &[Spanned<String>]) -> Result<Option<Regex>, RulesError> {
        let mut alternatives = Vec::with_capacity(words.len());
        for word in words {
            let parts: Vec<String> = word
                .get_ref()
                .split_whitespace()
                .map(regex::escape)
                .collect();
            if parts.is_empty() {
                return Err(self.error(
                    word.span(),
                    "po_folder.card_words: a card word must not be empty".to_owned(),
                ));
            }
            alternatives.push(parts.join(r"\s+"));
        }
        if alternatives.is_empty() {
            return Ok(None);
        }
        let pattern = format!(r"(?i)(?:^|\W)(?:{})(?:\W|$)", alternatives.join("|"));
        // Escaped words always form a valid regex; only the size limit could refuse it.
        Regex::new(&pattern).map(Some).map_err(|e| RulesError {
            line: None,
            column: None,
            message: format!("po_folder.card_words: {e}"),
        })
    }

    fn ignore(&self, globs: &[Spanned<String>]) -> Result<GlobSet, RulesError> {
        let mut set = GlobSetBuilder::new();
        for glob in globs {
            // Case-insensitive because Windows and macOS file systems are ("THUMBS.DB");
            // backslash escapes fixed on so the file means the same on every platform.
            let compiled = GlobBuilder::new(glob.get_ref())
                .case_insensitive(true)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| self.error(glob.span(), format!("ignore: {e}")))?;
            set.add(compiled);
        }
        set.build().map_err(|e| RulesError {
            line: None,
            column: None,
            message: format!("ignore: {e}"),
        })
    }

    fn document_types(
        &self,
        table: &BTreeMap<String, Spanned<DocumentType>>,
    ) -> Result<HashMap<String, DocumentType>, RulesError> {
        let mut types = HashMap::with_capacity(table.len());
        for (word, doc_type) in table {
            let key = fold(word);
            if key.is_empty() {
                return Err(self.error(
                    doc_type.span(),
                    "file.document_types: a document word must not be empty".to_owned(),
                ));
            }
            if types.insert(key, *doc_type.get_ref()).is_some() {
                return Err(self.error(
                    doc_type.span(),
                    format!(
                        "file.document_types: \"{word}\" is listed twice (words are compared ignoring case)"
                    ),
                ));
            }
        }
        Ok(types)
    }
}

/// "`a`, `b` and `c`" for error messages.
fn backticked(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
