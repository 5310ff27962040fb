//! The sync of one PO to the board: the input ([`PoItem`] with its [`LineSubitem`]s), the
//! ids a caller may have cached ([`KnownIds`]), and [`BoardSync::sync_po`], which is
//! idempotent. The item is found by project and PO number (`items_page_by_column_values`,
//! paged with the cursor, then read by id), created in the project's group when missing,
//! else changed only where the board differs; each line is found among the item's subitems
//! by file number (several lines of one invoice share it: then by name, then in order),
//! created when missing, else changed where it differs; a subitem of the PO that no line
//! matches any more gets the line status "Removed" ([`REMOVED`]). A resync of unchanged
//! data writes nothing. The mapped columns belong to the app: a value a person changed there is put
//! back, an empty value clears the column; other columns are never touched.
//!
//! A creation whose answer was lost (5xx, timeout, dropped connection) may have happened,
//! so it is never retried blindly: the item (or the parent's subitems) is looked up again
//! first, and created only if still missing. A crash between a creation and the caller
//! recording its id is covered by the same lookup on the next run.
//!
//! Money and quantities are decimal strings ("600", "1234.5", "0.125"), as the store keeps
//! them as written: unit prices may have more than two decimals and quantities fractions,
//! which integer cents would round, and monday's Numbers column takes a decimal string
//! anyway. They are checked and normalized by their digits, never through floating point.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Map, Value};

use crate::client::{Client, Retry};
use crate::error::MondayError;
use crate::mapping::{validate, ColumnMapping, Field, MappingProblem};
use crate::retry::Backoff;
use crate::schema::{BoardSchema, Column};
use crate::values::{
    encode, is_iso_date, normalize_decimal, shows, FieldValue, LineStatus, Link, PoStatus,
    ShownValue,
};

/// A purchase order as the board shows it: one item, named after the vendor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoItem {
    /// The project number ("2416"): written to the project column, and the group whose
    /// title starts with it takes the item.
    pub project: String,
    /// As written, zero-padded ("03").
    pub po_number: String,
    /// The item's name.
    pub vendor: String,
    pub description: Option<String>,
    pub status: PoStatus,
    pub tax_form_link: Option<Link>,
    pub folder_link: Option<Link>,
    /// Written only when the mapping has a contact column.
    pub contact_link: Option<Link>,
    pub lines: Vec<LineSubitem>,
}

/// An invoice line or a receipt: one subitem of its PO's item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineSubitem {
    /// The document's file number ("01"); several lines of one invoice share it.
    pub file_number: String,
    pub status: LineStatus,
    /// Also the subitem's name (else "File <number>").
    pub description: Option<String>,
    /// A decimal string ("5", "2.5").
    pub quantity: Option<String>,
    /// A decimal string in the PO's currency ("600", "150.125").
    pub rate: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub account_code: Option<String>,
    pub file_link: Option<Link>,
}

/// Ids a caller stored from an earlier sync: a shortcut, never trusted blindly (an item id
/// is used only if that item is on the board with the same project and PO number).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownIds {
    pub item_id: Option<String>,
    /// Subitem ids per file number, in line order.
    pub subitem_ids: BTreeMap<String, Vec<String>>,
}

/// What a sync did to an item or subitem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// Why a line was not written. Other lines go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// The line's own data cannot be written (a date or number that is not one).
    #[error("file {file_number}: {reason}")]
    Input { file_number: String, reason: String },
    /// monday.com refused the subitem's values (`Rejected`).
    #[error("file {file_number}: {error}")]
    Monday {
        file_number: String,
        error: MondayError,
    },
}

/// One line's result, in the order of [`PoItem::lines`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubitemOutcome {
    pub file_number: String,
    pub result: Result<(String, Change), LineError>,
}

/// What [`BoardSync::sync_po`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncOutcome {
    pub item_id: String,
    pub item: Change,
    pub subitems: Vec<SubitemOutcome>,
    /// Other items on the board with the same project and PO number (made by hand, or by
    /// an older tool): left alone, reported so a person can remove them.
    pub duplicates_on_board: Vec<String>,
    /// Creations and changes made (0 for a resync of unchanged data).
    pub writes: usize,
}

impl SyncOutcome {
    /// The subitem ids per file number, in line order (lines that failed left out).
    pub fn subitem_ids(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &self.subitems {
            if let Ok((id, _)) = &s.result {
                out.entry(s.file_number.clone())
                    .or_default()
                    .push(id.clone());
            }
        }
        out
    }

    /// The ids to store for the next sync.
    pub fn known_ids(&self) -> KnownIds {
        KnownIds {
            item_id: Some(self.item_id.clone()),
            subitem_ids: self.subitem_ids(),
        }
    }

    pub fn line_errors(&self) -> impl Iterator<Item = &LineError> {
        self.subitems.iter().filter_map(|s| s.result.as_ref().err())
    }
}

/// Why a PO was not synced (a line's own error is in [`SyncOutcome::subitems`] instead).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The PO's data cannot be written (no project or PO number).
    #[error("PO {project}_{po_number}: {reason}")]
    Input {
        project: String,
        po_number: String,
        reason: String,
    },
    /// The group rule found no group for the project.
    #[error("no group on the board has a title starting with project number {project}: add a group such as \"{project} - <project name>\" to the board")]
    NoGroup { project: String },
    /// A request failed. `item_id` is set when the item exists (the lines were cut short).
    #[error("{error}")]
    Monday {
        item_id: Option<String>,
        error: MondayError,
    },
}

/// Why a [`BoardSync`] could not be set up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Monday(#[from] MondayError),
    #[error("the column mapping does not fit the board: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Mapping(Vec<MappingProblem>),
}

/// A column the sync writes, with its type (the encoding depends on it).
#[derive(Clone, Debug)]
struct Target {
    field: Field,
    column: Column,
}

/// An item (or subitem) as read from the board.
#[derive(Clone, Debug, Default)]
struct BoardItem {
    id: String,
    name: String,
    board_id: String,
    values: HashMap<String, ShownValue>,
    subitems: Vec<BoardItem>,
}

impl BoardItem {
    fn shown(&self, column_id: &str) -> ShownValue {
        self.values.get(column_id).cloned().unwrap_or_default()
    }

    fn text(&self, column_id: &str) -> String {
        self.values
            .get(column_id)
            .and_then(|v| v.text.clone())
            .unwrap_or_default()
    }

    fn from_json(v: &Value) -> Option<BoardItem> {
        let id = id_of(v.get("id")?)?;
        let mut values = HashMap::new();
        for cv in v
            .get("column_values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(col) = cv.get("id").and_then(Value::as_str) else {
                continue;
            };
            let text = cv.get("text").and_then(Value::as_str).map(str::to_string);
            let value = match cv.get("value") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            };
            values.insert(col.to_string(), ShownValue { text, value });
        }
        let subitems = v
            .get("subitems")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(BoardItem::from_json)
            .collect();
        Some(BoardItem {
            id,
            name: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            board_id: v
                .get("board")
                .and_then(|b| b.get("id"))
                .and_then(id_of)
                .unwrap_or_default(),
            values,
            subitems,
        })
    }
}

fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Items are listed in pages of this many: one PO rarely has more than one match.
const SEARCH_PAGE: u32 = 25;
/// Items read by id per request.
const FETCH_CHUNK: usize = 25;

const COMPLEXITY: &str = "complexity { before after reset_in_x_seconds }";

fn search_query() -> String {
    format!(
        "query FindPo($board: ID!, $columns: [ItemsPageByColumnValuesQuery!], $limit: Int!) {{
  {COMPLEXITY}
  items_page_by_column_values(board_id: $board, columns: $columns, limit: $limit) {{ cursor items {{ id }} }}
}}"
    )
}

fn search_next_query() -> String {
    format!(
        "query FindPoNextPage($board: ID!, $cursor: String!, $limit: Int!) {{
  {COMPLEXITY}
  items_page_by_column_values(board_id: $board, cursor: $cursor, limit: $limit) {{ cursor items {{ id }} }}
}}"
    )
}

fn fetch_query() -> String {
    format!(
        "query PoItems($ids: [ID!], $columns: [String!], $subcolumns: [String!]) {{
  {COMPLEXITY}
  items(ids: $ids) {{
    id name board {{ id }}
    column_values(ids: $columns) {{ id text value }}
    subitems {{ id name board {{ id }} column_values(ids: $subcolumns) {{ id text value }} }}
  }}
}}"
    )
}

fn create_item_query() -> String {
    format!(
        "mutation CreatePo($board: ID!, $group: String!, $name: String!, $values: JSON!, $labels: Boolean) {{
  {COMPLEXITY}
  create_item(board_id: $board, group_id: $group, item_name: $name, column_values: $values, create_labels_if_missing: $labels) {{ id }}
}}"
    )
}

fn create_subitem_query() -> String {
    format!(
        "mutation CreateLine($parent: ID!, $name: String!, $values: JSON!, $labels: Boolean) {{
  {COMPLEXITY}
  create_subitem(parent_item_id: $parent, item_name: $name, column_values: $values, create_labels_if_missing: $labels) {{ id }}
}}"
    )
}

fn change_query() -> String {
    format!(
        "mutation ChangeValues($board: ID!, $item: ID!, $values: JSON!, $labels: Boolean) {{
  {COMPLEXITY}
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values, create_labels_if_missing: $labels) {{ id }}
}}"
    )
}

/// The values one item or subitem should show: its name and each column's value.
struct Wanted {
    name: String,
    values: Vec<(Target, Option<FieldValue>)>,
}

impl Wanted {
    /// Every non-empty value, encoded for `create_*`.
    fn all(&self) -> Map<String, Value> {
        self.values
            .iter()
            .filter_map(|(t, v)| {
                v.as_ref()
                    .map(|v| (t.column.id.clone(), encode(Some(v), &t.column.kind)))
            })
            .collect()
    }

    /// The values (and name) the board does not show yet.
    fn differences(&self, shown: &BoardItem) -> Map<String, Value> {
        let mut out = Map::new();
        if shown.name != self.name {
            out.insert("name".into(), json!(self.name));
        }
        for (t, v) in &self.values {
            if !shows(&shown.shown(&t.column.id), v.as_ref()) {
                out.insert(t.column.id.clone(), encode(v.as_ref(), &t.column.kind));
            }
        }
        out
    }
}

fn text(v: &Option<String>) -> Option<FieldValue> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| FieldValue::Text(s.to_string()))
}

fn link(l: &Option<Link>) -> Option<FieldValue> {
    let l = l.as_ref()?;
    let url = l.url.trim();
    if url.is_empty() {
        return None;
    }
    // A link without text would read back as "url - url"; say the url once, explicitly.
    let label = match l.text.trim() {
        "" => url,
        t => t,
    };
    Some(FieldValue::Link(Link::new(url, label)))
}

fn decimal(v: &Option<String>, what: &str) -> Result<Option<FieldValue>, String> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => normalize_decimal(s)
            .map(|n| Some(FieldValue::Number(n)))
            .ok_or_else(|| format!("{what} \"{s}\" is not a decimal number")),
    }
}

fn date(v: &Option<String>, what: &str) -> Result<Option<FieldValue>, String> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if is_iso_date(s) => Ok(Some(FieldValue::Date(s.to_string()))),
        Some(s) => Err(format!("{what} \"{s}\" is not a date (YYYY-MM-DD)")),
    }
}

/// Monday's limit on item names.
const MAX_NAME_CHARS: usize = 255;

fn item_name(name: &str, fallback: impl FnOnce() -> String) -> String {
    let n = name.trim();
    let n = if n.is_empty() {
        fallback()
    } else {
        n.to_string()
    };
    n.chars().take(MAX_NAME_CHARS).collect()
}

/// Which board subitem each line is (None: to be created). Per file number, the candidates
/// are the subitems showing it, and those the cache names for it (a person may have retyped
/// a file number on the board). A line takes first a candidate with its very name, then the
/// next free one in board order, so a line that failed earlier or a reworded line does not
/// shift the others onto the wrong subitems. Lines whose data is invalid take none.
fn assign_subitems(
    po: &PoItem,
    wanted: &[Result<Wanted, String>],
    board_subs: &[BoardItem],
    file_col: &str,
    known: &KnownIds,
) -> Vec<Option<String>> {
    let mut assigned: Vec<Option<String>> = vec![None; po.lines.len()];
    let mut claimed: HashSet<&str> = HashSet::new();
    let is_candidate = |s: &BoardItem, f: &str| {
        s.text(file_col).trim() == f
            || known
                .subitem_ids
                .get(f)
                .is_some_and(|ids| ids.contains(&s.id))
    };
    for by_name in [true, false] {
        for (i, line) in po.lines.iter().enumerate() {
            let Ok(w) = &wanted[i] else { continue };
            if assigned[i].is_some() {
                continue;
            }
            let f = line.file_number.trim();
            let found = board_subs.iter().find(|s| {
                !claimed.contains(s.id.as_str())
                    && is_candidate(s, f)
                    && (!by_name || s.name == w.name)
            });
            if let Some(s) = found {
                claimed.insert(&s.id);
                assigned[i] = Some(s.id.clone());
            }
        }
    }
    assigned
}

/// The line status of a subitem whose line the app no longer has.
pub const REMOVED: &str = "Removed";

/// Syncs POs to one board with one mapping; holds the board's schema (read once).
#[derive(Debug)]
pub struct BoardSync<'a> {
    client: &'a Client,
    schema: BoardSchema,
    board_id: String,
    subitems_board_id: String,
    item_targets: Vec<Target>,
    line_targets: Vec<Target>,
}

fn targets(fields: Vec<(Field, &str)>, board: &crate::schema::Board) -> Vec<Target> {
    fields
        .into_iter()
        .filter_map(|(field, id)| {
            board.column(id).map(|c| Target {
                field,
                column: c.clone(),
            })
        })
        .collect()
}

impl<'a> BoardSync<'a> {
    /// Reads the board's schema and checks `mapping` against it.
    pub fn connect(
        client: &'a Client,
        mapping: &ColumnMapping,
    ) -> Result<BoardSync<'a>, SetupError> {
        let schema = client.board_schema(&mapping.board_id)?;
        BoardSync::new(client, mapping, schema).map_err(SetupError::Mapping)
    }

    /// A sync over an already read schema; the mapping's problems if it does not fit.
    pub fn new(
        client: &'a Client,
        mapping: &ColumnMapping,
        schema: BoardSchema,
    ) -> Result<BoardSync<'a>, Vec<MappingProblem>> {
        let problems = validate(mapping, &schema);
        if !problems.is_empty() {
            return Err(problems);
        }
        let Some(sub) = &schema.subitems else {
            // validate reports this already; kept as an error rather than a panic.
            return Err(vec![MappingProblem {
                field: Some(Field::FileNumber),
                column_id: mapping.subitem.file_number.clone(),
                kind: crate::mapping::ProblemKind::NoSubitemsBoard,
            }]);
        };
        Ok(BoardSync {
            client,
            board_id: schema.board.id.clone(),
            subitems_board_id: sub.id.clone(),
            item_targets: targets(mapping.item_fields(), &schema.board),
            line_targets: targets(mapping.subitem_fields(), sub),
            schema,
        })
    }

    pub fn schema(&self) -> &BoardSchema {
        &self.schema
    }

    fn column_of(&self, field: Field) -> &str {
        self.item_targets
            .iter()
            .chain(&self.line_targets)
            .find(|t| t.field == field)
            .map_or("", |t| t.column.id.as_str())
    }

    fn item_wanted(&self, po: &PoItem) -> Wanted {
        let values = self
            .item_targets
            .iter()
            .map(|t| {
                let v = match t.field {
                    Field::Project => Some(FieldValue::Text(po.project.trim().to_string())),
                    Field::PoNumber => Some(FieldValue::Text(po.po_number.trim().to_string())),
                    Field::Description => text(&po.description),
                    Field::Status => Some(FieldValue::Status(po.status.label().to_string())),
                    Field::TaxFormLink => link(&po.tax_form_link),
                    Field::FolderLink => link(&po.folder_link),
                    Field::ContactLink => link(&po.contact_link),
                    _ => None,
                };
                (t.clone(), v)
            })
            .collect();
        Wanted {
            name: item_name(&po.vendor, || {
                format!("PO {}_{}", po.project.trim(), po.po_number.trim())
            }),
            values,
        }
    }

    fn line_wanted(&self, line: &LineSubitem) -> Result<Wanted, String> {
        let mut values = Vec::new();
        for t in &self.line_targets {
            let v = match t.field {
                Field::LineStatus => Some(FieldValue::Status(line.status.label().to_string())),
                Field::FileNumber => Some(FieldValue::Text(line.file_number.trim().to_string())),
                Field::LineDescription => text(&line.description),
                Field::Quantity => decimal(&line.quantity, "quantity")?,
                Field::Rate => decimal(&line.rate, "rate")?,
                Field::Date => date(&line.date, "date")?,
                Field::DueDate => date(&line.due_date, "due date")?,
                Field::AccountCode => text(&line.account_code),
                Field::FileLink => link(&line.file_link),
                _ => None,
            };
            values.push((t.clone(), v));
        }
        let name = line.description.clone().unwrap_or_default();
        Ok(Wanted {
            name: item_name(&name, || format!("File {}", line.file_number.trim())),
            values,
        })
    }

    /// Syncs one PO: its item and its lines. See the module doc for how it stays idempotent.
    pub fn sync_po(&mut self, po: &PoItem, known: &KnownIds) -> Result<SyncOutcome, SyncError> {
        let (project, po_number) = (po.project.trim(), po.po_number.trim());
        if project.is_empty() || po_number.is_empty() {
            return Err(SyncError::Input {
                project: project.into(),
                po_number: po_number.into(),
                reason: "a PO needs a project number and a PO number to be found on the board"
                    .into(),
            });
        }
        let span = tracing::info_span!("monday_sync_po", project, po = po_number);
        let _guard = span.enter();
        let fail = |item_id: Option<&str>| {
            let item_id = item_id.map(str::to_string);
            move |error| SyncError::Monday { item_id, error }
        };
        let wanted = self.item_wanted(po);
        let mut writes = 0;
        let found = self.find(project, po_number, known).map_err(fail(None))?;
        let (item, item_change, duplicates) = match found {
            Some((item, duplicates)) => {
                let diff = wanted.differences(&item);
                let change = if diff.is_empty() {
                    Change::Unchanged
                } else {
                    tracing::info!(item = %item.id, columns = diff.len(), "updating the PO item");
                    self.change(&self.board_id, &item.id, &diff)
                        .map_err(fail(Some(&item.id)))?;
                    writes += 1;
                    Change::Updated
                };
                (item, change, duplicates)
            }
            None => {
                let group = self.group_for(project)?;
                let item = self.create_item(project, po_number, &group, &wanted)?;
                writes += 1;
                (item, Change::Created, Vec::new())
            }
        };
        let (subitems, line_writes) = self.sync_lines(&item, po, known)?;
        Ok(SyncOutcome {
            item_id: item.id,
            item: item_change,
            subitems,
            duplicates_on_board: duplicates,
            writes: writes + line_writes,
        })
    }

    /// The group for `project`; reads the groups again once if none matches (a person may
    /// have just added it).
    fn group_for(&mut self, project: &str) -> Result<String, SyncError> {
        if let Some(g) = self.schema.group_for_project(project) {
            return Ok(g.id.clone());
        }
        let fresh =
            self.client
                .board_schema(&self.board_id)
                .map_err(|error| SyncError::Monday {
                    item_id: None,
                    error,
                })?;
        self.schema.board.groups = fresh.board.groups;
        self.schema
            .group_for_project(project)
            .map(|g| g.id.clone())
            .ok_or_else(|| SyncError::NoGroup {
                project: project.to_string(),
            })
    }

    /// The item of this project and PO: the cached id if it still fits, else a search; the
    /// oldest match when there are several (the others are returned as duplicates).
    ///
    /// The cached item fits when it is on this board and its project and PO number columns
    /// show this PO or are empty: a person who maps those fields to other (new, empty)
    /// columns of the same board keeps the items, and the update fills the new columns in.
    /// A search needs the values, so it only finds items that show them.
    fn find(
        &self,
        project: &str,
        po_number: &str,
        known: &KnownIds,
    ) -> Result<Option<(BoardItem, Vec<String>)>, MondayError> {
        let shows = |item: &BoardItem, field: Field, value: &str, empty_fits: bool| {
            let text = item.text(self.column_of(field));
            text.trim() == value || (empty_fits && text.trim().is_empty())
        };
        let fits = |item: &BoardItem, empty_fits: bool| {
            item.board_id == self.board_id
                && shows(item, Field::Project, project, empty_fits)
                && shows(item, Field::PoNumber, po_number, empty_fits)
        };
        if let Some(id) = &known.item_id {
            match self.fetch(std::slice::from_ref(id))?.into_iter().next() {
                Some(item) if fits(&item, true) => return Ok(Some((item, Vec::new()))),
                _ => tracing::info!(item = %id, "the cached item id no longer fits: searching"),
            }
        }
        let ids = self.search(project, po_number)?;
        if ids.is_empty() {
            return Ok(None);
        }
        let mut items: Vec<BoardItem> = self
            .fetch(&ids)?
            .into_iter()
            .filter(|i| fits(i, false))
            .collect();
        items.sort_by_key(|i| (i.id.parse::<u64>().unwrap_or(u64::MAX), i.id.clone()));
        let mut items = items.into_iter();
        let Some(first) = items.next() else {
            return Ok(None);
        };
        let duplicates: Vec<String> = items.map(|i| i.id).collect();
        if !duplicates.is_empty() {
            tracing::warn!(item = %first.id, ?duplicates, "several items for one PO: using the oldest");
        }
        Ok(Some((first, duplicates)))
    }

    /// Ids of the items whose project and PO number columns show these values, every page.
    fn search(&self, project: &str, po_number: &str) -> Result<Vec<String>, MondayError> {
        let columns = json!([
            {"column_id": self.column_of(Field::PoNumber), "column_values": [po_number]},
            {"column_id": self.column_of(Field::Project), "column_values": [project]},
        ]);
        let mut data = self.client.query(
            "find_po",
            &search_query(),
            json!({"board": self.board_id, "columns": columns, "limit": SEARCH_PAGE}),
        )?;
        let mut ids = Vec::new();
        loop {
            let page = &data["items_page_by_column_values"];
            let items = page.get("items").and_then(Value::as_array).ok_or_else(|| {
                MondayError::UnexpectedAnswer("items_page_by_column_values without items".into())
            })?;
            ids.extend(items.iter().filter_map(|i| i.get("id").and_then(id_of)));
            let Some(cursor) = page.get("cursor").and_then(Value::as_str) else {
                return Ok(ids);
            };
            data = self.client.query(
                "find_po_next_page",
                &search_next_query(),
                json!({"board": self.board_id, "cursor": cursor, "limit": SEARCH_PAGE}),
            )?;
        }
    }

    /// Items (with their mapped values and subitems) by id; unknown ids are skipped.
    fn fetch(&self, ids: &[String]) -> Result<Vec<BoardItem>, MondayError> {
        let columns: Vec<&str> = self
            .item_targets
            .iter()
            .map(|t| t.column.id.as_str())
            .collect();
        let subcolumns: Vec<&str> = self
            .line_targets
            .iter()
            .map(|t| t.column.id.as_str())
            .collect();
        let mut out = Vec::new();
        for chunk in ids.chunks(FETCH_CHUNK) {
            let data = self.client.query(
                "read_po_items",
                &fetch_query(),
                json!({"ids": chunk, "columns": columns, "subcolumns": subcolumns}),
            )?;
            out.extend(
                data.get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(BoardItem::from_json),
            );
        }
        Ok(out)
    }

    fn change(
        &self,
        board: &str,
        item: &str,
        values: &Map<String, Value>,
    ) -> Result<(), MondayError> {
        self.client.query(
            "change_column_values",
            &change_query(),
            json!({
                "board": board,
                "item": item,
                "values": Value::Object(values.clone()).to_string(),
                "labels": true,
            }),
        )?;
        Ok(())
    }

    fn backoff(&self) -> Backoff {
        let p = &self.client.config().retry;
        Backoff::new(p.base, p.cap, u64::from(std::process::id()))
    }

    /// Creates the item; when the answer is lost, looks it up before trying again.
    fn create_item(
        &self,
        project: &str,
        po_number: &str,
        group: &str,
        wanted: &Wanted,
    ) -> Result<BoardItem, SyncError> {
        let fail = |error| SyncError::Monday {
            item_id: None,
            error,
        };
        let attempts = self.client.config().retry.attempts;
        let mut backoff = self.backoff();
        let variables = json!({
            "board": self.board_id,
            "group": group,
            "name": wanted.name,
            "values": Value::Object(wanted.all()).to_string(),
            "labels": true,
        });
        let mut attempt = 1;
        loop {
            match self.client.run(
                "create_item",
                &create_item_query(),
                variables.clone(),
                Retry::LimitsOnly,
            ) {
                Ok(data) => {
                    let id = data["create_item"]
                        .get("id")
                        .and_then(id_of)
                        .ok_or_else(|| {
                            fail(MondayError::UnexpectedAnswer(
                                "create_item without an id".into(),
                            ))
                        })?;
                    tracing::info!(item = %id, group, "created the PO item");
                    let item = BoardItem {
                        id,
                        name: wanted.name.clone(),
                        board_id: self.board_id.clone(),
                        ..BoardItem::default()
                    };
                    return Ok(item);
                }
                Err(MondayError::Unavailable(why)) if attempt < attempts => {
                    tracing::warn!(reason = %why, "create_item's answer was lost: looking the item up before creating it again");
                    self.client.pause(backoff.next_delay());
                    if let Some((item, _)) = self
                        .find(project, po_number, &KnownIds::default())
                        .map_err(fail)?
                    {
                        tracing::info!(item = %item.id, "the item was created after all");
                        return Ok(item);
                    }
                    attempt += 1;
                }
                Err(e) => return Err(fail(e)),
            }
        }
    }

    /// Syncs the lines of `po` under `item`; the outcomes and the number of writes.
    fn sync_lines(
        &self,
        item: &BoardItem,
        po: &PoItem,
        known: &KnownIds,
    ) -> Result<(Vec<SubitemOutcome>, usize), SyncError> {
        let fatal = |error| SyncError::Monday {
            item_id: Some(item.id.clone()),
            error,
        };
        let file_col = self.column_of(Field::FileNumber).to_string();
        let mut board_subs: Vec<BoardItem> = item.subitems.clone();
        let mut claimed: HashSet<String> = HashSet::new();
        let wanted: Vec<Result<Wanted, String>> =
            po.lines.iter().map(|l| self.line_wanted(l)).collect();
        let assigned = assign_subitems(po, &wanted, &board_subs, &file_col, known);
        claimed.extend(assigned.iter().flatten().cloned());

        let mut outcomes = Vec::with_capacity(po.lines.len());
        let mut writes = 0;
        for (i, (line, wanted)) in po.lines.iter().zip(wanted).enumerate() {
            let file_number = line.file_number.trim().to_string();
            let wanted = match wanted {
                Ok(w) => w,
                Err(reason) => {
                    outcomes.push(SubitemOutcome {
                        file_number: file_number.clone(),
                        result: Err(LineError::Input {
                            file_number,
                            reason,
                        }),
                    });
                    continue;
                }
            };
            let result = match &assigned[i] {
                Some(id) => {
                    let shown = board_subs
                        .iter()
                        .find(|s| &s.id == id)
                        .cloned()
                        .unwrap_or_default();
                    let diff = wanted.differences(&shown);
                    if diff.is_empty() {
                        Ok((id.clone(), Change::Unchanged))
                    } else {
                        self.change(&self.subitems_board_id, id, &diff)
                            .map(|()| (id.clone(), Change::Updated))
                    }
                }
                None => self
                    .create_subitem(item, &wanted, &file_number, &mut board_subs, &mut claimed)
                    .map(|id| (id, Change::Created)),
            };
            match result {
                Ok(done) => {
                    if done.1 != Change::Unchanged {
                        writes += 1;
                    }
                    outcomes.push(SubitemOutcome {
                        file_number,
                        result: Ok(done),
                    })
                }
                Err(error @ MondayError::Rejected { .. }) => {
                    tracing::warn!(file = %file_number, %error, "a line was refused");
                    outcomes.push(SubitemOutcome {
                        file_number: file_number.clone(),
                        result: Err(LineError::Monday { file_number, error }),
                    });
                }
                Err(error) => return Err(fatal(error)),
            }
        }
        writes += self
            .mark_removed(po, &board_subs, &claimed, &outcomes, known)
            .map_err(fatal)?;
        Ok((outcomes, writes))
    }

    /// Gives the line status "Removed" to the subitems under the item that were this PO's
    /// lines and matched none this time (a document rejected, deleted or moved to another
    /// PO, a line deleted), so the board stops counting money the app no longer has. They
    /// are labelled, not deleted: monday.com's delete and archive are not in the emulator
    /// the sync is tested against, and a label is easy to undo by hand. A subitem is this
    /// PO's when its id was recorded for it or its file number is one of the PO's files; a
    /// file whose line failed this time is left alone, and one already "Removed" is not
    /// written again. Returns how many were marked.
    fn mark_removed(
        &self,
        po: &PoItem,
        board_subs: &[BoardItem],
        claimed: &HashSet<String>,
        outcomes: &[SubitemOutcome],
        known: &KnownIds,
    ) -> Result<usize, MondayError> {
        let file_col = self.column_of(Field::FileNumber);
        let status_col = self.column_of(Field::LineStatus);
        let failed: HashSet<&str> = outcomes
            .iter()
            .filter(|o| o.result.is_err())
            .map(|o| o.file_number.as_str())
            .collect();
        let files: HashSet<&str> = po.lines.iter().map(|l| l.file_number.trim()).collect();
        let recorded: HashSet<&String> = known.subitem_ids.values().flatten().collect();
        let mut marked = 0;
        for sub in board_subs {
            let file_text = sub.text(file_col);
            let file = file_text.trim();
            let ours = recorded.contains(&sub.id) || files.contains(file);
            if !ours
                || claimed.contains(&sub.id)
                || failed.contains(file)
                || sub.text(status_col).trim() == REMOVED
            {
                continue;
            }
            let mut values = Map::new();
            values.insert(status_col.to_string(), json!({ "label": REMOVED }));
            match self.change(&self.subitems_board_id, &sub.id, &values) {
                Ok(()) => {
                    tracing::info!(subitem = %sub.id, file, "a line the app no longer has is marked removed");
                    marked += 1;
                }
                Err(error @ MondayError::Rejected { .. }) => {
                    tracing::warn!(subitem = %sub.id, file, %error, "could not mark a line removed");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(marked)
    }

    /// Creates one subitem; when the answer is lost, reads the item's subitems again and
    /// takes a new, unclaimed one with the same file number before trying again.
    fn create_subitem(
        &self,
        item: &BoardItem,
        wanted: &Wanted,
        file_number: &str,
        board_subs: &mut Vec<BoardItem>,
        claimed: &mut HashSet<String>,
    ) -> Result<String, MondayError> {
        let file_col = self.column_of(Field::FileNumber).to_string();
        let attempts = self.client.config().retry.attempts;
        let mut backoff = self.backoff();
        let variables = json!({
            "parent": item.id,
            "name": wanted.name,
            "values": Value::Object(wanted.all()).to_string(),
            "labels": true,
        });
        let mut attempt = 1;
        loop {
            match self.client.run(
                "create_subitem",
                &create_subitem_query(),
                variables.clone(),
                Retry::LimitsOnly,
            ) {
                Ok(data) => {
                    let id = data["create_subitem"]
                        .get("id")
                        .and_then(id_of)
                        .ok_or_else(|| {
                            MondayError::UnexpectedAnswer("create_subitem without an id".into())
                        })?;
                    tracing::info!(subitem = %id, file = file_number, "created a line");
                    claimed.insert(id.clone());
                    return Ok(id);
                }
                Err(MondayError::Unavailable(why)) if attempt < attempts => {
                    tracing::warn!(reason = %why, file = file_number, "create_subitem's answer was lost: reading the subitems before creating it again");
                    self.client.pause(backoff.next_delay());
                    let fresh = self.fetch(std::slice::from_ref(&item.id))?;
                    if let Some(now) = fresh.into_iter().next() {
                        let known: HashSet<&str> =
                            board_subs.iter().map(|s| s.id.as_str()).collect();
                        let appeared = now.subitems.iter().find(|s| {
                            !known.contains(s.id.as_str())
                                && !claimed.contains(&s.id)
                                && s.text(&file_col).trim() == file_number
                        });
                        if let Some(s) = appeared {
                            let id = s.id.clone();
                            tracing::info!(subitem = %id, "the line was created after all");
                            claimed.insert(id.clone());
                            *board_subs = now.subitems;
                            return Ok(id);
                        }
                        *board_subs = now.subitems;
                    }
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
