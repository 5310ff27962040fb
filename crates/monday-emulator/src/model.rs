//! The account's data: boards (with columns, groups and their items in order), subitems
//! boards tied to their parent board's `subtasks` column, items with ids and stored column
//! values, the people known to people columns, and the append-only item log. Loaded from a
//! seed in the shape of monday's own `boards` answers. The operations here are the ones the
//! API and the control routes share: create an item, create a subitem, change values, search.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::out::Out;
use crate::values::{self, Column, Stored, User, ValueError, Write};

/// An error the API reports as a GraphQL error (`extensions.code`, `status_code`,
/// `error_data`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ApiError {
    pub code: String,
    pub message: String,
    pub status_code: u16,
    pub error_data: Out,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>, error_data: Out) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.into(),
            status_code: 200,
            error_data,
        }
    }

    pub fn status(mut self, status_code: u16) -> ApiError {
        self.status_code = status_code;
        self
    }
}

impl From<ValueError> for ApiError {
    fn from(e: ValueError) -> ApiError {
        ApiError::new(e.code, e.message, e.error_data)
    }
}

/// An id in `error_data` as monday prints it: a number when it is one.
pub(crate) fn id_data(id: &str) -> Out {
    id.parse::<i64>()
        .map_or_else(|_| Out::Str(id.to_string()), Out::Int)
}

pub(crate) fn board_not_found(id: &str) -> ApiError {
    ApiError::new(
        "InvalidBoardIdException",
        "The board does not exist. Please check your board ID and try again",
        Out::obj().with("board_id", id_data(id)),
    )
}

pub(crate) fn item_not_found(id: &str) -> ApiError {
    ApiError::new(
        "InvalidItemIdException",
        "Item not found",
        Out::obj().with("item_id", id_data(id)),
    )
}

fn column_not_found(column_id: &str) -> ApiError {
    ApiError::new(
        "InvalidColumnIdException",
        "This column ID doesn't exist for the board",
        Out::obj()
            .with("column_id", column_id)
            .with("board_id", Out::Null)
            .with(
                "error_reason",
                "store.monday.automation.error.missing_column",
            ),
    )
}

#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub id: String,
    pub title: String,
    pub color: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Board {
    pub id: String,
    pub name: String,
    /// `board` or `sub_items_board`.
    pub kind: String,
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
    /// Item ids in board order.
    pub items: Vec<String>,
}

impl Board {
    pub fn column(&self, id: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.id == id)
    }

    /// The subitems board named by this board's `subtasks` column, if any.
    pub fn subitems_board_id(&self) -> Option<String> {
        let col = self.columns.iter().find(|c| c.ty == "subtasks")?;
        let id = col.settings.get("boardIds")?.as_array()?.first()?;
        Some(match id {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub id: String,
    pub board_id: String,
    pub group_id: String,
    pub name: String,
    pub parent: Option<String>,
    pub subitems: Vec<String>,
    pub values: BTreeMap<String, Stored>,
    pub created_at: String,
    pub updated_at: String,
}

/// What happened to an item, in the item log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemEventKind {
    Created,
    SubitemCreated,
    ValuesChanged,
}

/// Who caused an item event: an API request, or a test through the control API or the
/// handle ("another user on the board").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Api,
    Control,
}

/// One entry of the item log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemEvent {
    pub seq: u64,
    pub kind: ItemEventKind,
    pub item_id: String,
    pub board_id: String,
    pub parent_item_id: Option<String>,
    pub name: String,
    /// The column values written, as the request gave them (parsed).
    pub column_values: Value,
    pub by: Actor,
}

/// A column's value as the API would read it (current API version).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnValueView {
    #[serde(rename = "type")]
    pub column_type: String,
    pub text: Option<String>,
    /// The stored value, parsed (None when the column is empty).
    pub value: Option<Value>,
}

/// An item as tests see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemView {
    pub id: String,
    pub board_id: String,
    pub group_id: String,
    pub name: String,
    pub parent_item_id: Option<String>,
    pub subitem_ids: Vec<String>,
    /// Every column of the board but `name`, set or not, by column id.
    pub values: BTreeMap<String, ColumnValueView>,
}

impl ItemView {
    /// The text of a column, if it has one.
    pub fn text(&self, column_id: &str) -> Option<&str> {
        self.values.get(column_id)?.text.as_deref()
    }
}

/// A board as tests see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BoardView {
    pub id: String,
    pub name: String,
    /// `board` or `sub_items_board`.
    pub kind: String,
    /// `(id, title, type, settings_str)` of each column, in order.
    pub columns: Vec<(String, String, String, String)>,
    /// `(id, title)` of each group, in order.
    pub groups: Vec<(String, String)>,
    pub item_ids: Vec<String>,
}

/// Why a seed could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad seed: {0}")]
pub struct SeedError(pub String);

/// Boards (and optionally items) to start from, in the shape of monday's `boards` answer:
/// `{"data": {"boards": [...]}}`, `{"boards": [...]}`, a list of boards, or one board. Each
/// board: `id`, `name`, optional `type` (`sub_items_board` for a subitems board), `columns`
/// (`id`, `title`, `type`, `settings_str`), `groups` (`id`, `title`; default one group
/// `topics`), and items under `items_page.items` or `items` (`id`, `name`, `group.id`,
/// `column_values` with `id` and `value` strings, `subitems` likewise). A subitems board is
/// tied to the board whose `subtasks` column names it in `settings_str.boardIds`.
#[derive(Clone, Debug, PartialEq)]
pub struct Seed {
    boards: Vec<Value>,
}

const DEFAULT_PO_BOARD: &str = include_str!("../fixtures/boards_po_board_columns_groups.json");
const DEFAULT_SUBITEMS_BOARD: &str = include_str!("../fixtures/boards_subitems_board.json");

impl Default for Seed {
    /// The purchase-order board of `shared/monday` (board 1234567890, "Purchase Orders") and
    /// its subitems board (1234567999), without items.
    fn default() -> Self {
        let mut seed = Seed::empty();
        for doc in [DEFAULT_PO_BOARD, DEFAULT_SUBITEMS_BOARD] {
            seed.add_json(doc).expect("the bundled seed is valid");
        }
        seed
    }
}

impl Seed {
    pub fn empty() -> Seed {
        Seed { boards: Vec::new() }
    }

    /// Adds the boards of one JSON document (see the type's doc for the shapes accepted).
    pub fn add_json(&mut self, text: &str) -> Result<&mut Seed, SeedError> {
        let v: Value = serde_json::from_str(text).map_err(|e| SeedError(e.to_string()))?;
        self.add_value(v)
    }

    pub fn add_value(&mut self, v: Value) -> Result<&mut Seed, SeedError> {
        let v = v.get("data").cloned().unwrap_or(v);
        let boards = match v {
            Value::Object(ref m) if m.contains_key("boards") => m["boards"].clone(),
            Value::Array(_) => v,
            Value::Object(ref m) if m.contains_key("id") => Value::Array(vec![v]),
            _ => return Err(SeedError("no boards found".into())),
        };
        let Value::Array(list) = boards else {
            return Err(SeedError("boards is not a list".into()));
        };
        self.boards.extend(list);
        Ok(self)
    }

    /// A seed from one JSON document.
    pub fn from_json(text: &str) -> Result<Seed, SeedError> {
        let mut seed = Seed::empty();
        seed.add_json(text)?;
        Ok(seed)
    }
}

fn id_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Default colors of new groups, in monday's order.
const GROUP_COLORS: &[&str] = &["#579bfc", "#a25ddc", "#00c875", "#fdab3d", "#e2445c"];

/// Everything stored.
#[derive(Debug)]
pub(crate) struct Model {
    pub boards: Vec<Board>,
    pub items: HashMap<String, Item>,
    /// Subitems board id -> parent board id.
    pub subitems_parent: HashMap<String, String>,
    pub users: Vec<User>,
    pub log: Vec<ItemEvent>,
    next_id: u64,
}

impl Model {
    pub fn new(seed: &Seed, users: Vec<User>, first_id: u64) -> Result<Model, SeedError> {
        let mut m = Model {
            boards: Vec::new(),
            items: HashMap::new(),
            subitems_parent: HashMap::new(),
            users,
            log: Vec::new(),
            next_id: first_id,
        };
        let mut pending_items: Vec<(String, Value)> = Vec::new();
        for b in &seed.boards {
            let id =
                id_string(b.get("id")).ok_or_else(|| SeedError("a board without id".into()))?;
            if m.board(&id).is_some() {
                return Err(SeedError(format!("board {id} is given twice")));
            }
            let mut columns = Vec::new();
            for c in b
                .get("columns")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let cid =
                    str_field(c, "id").ok_or_else(|| SeedError("a column without id".into()))?;
                let ty = str_field(c, "type")
                    .ok_or_else(|| SeedError(format!("column {cid} has no type")))?;
                let settings = match (c.get("settings_str"), c.get("settings")) {
                    (Some(Value::String(s)), _) => s.clone(),
                    (_, Some(v @ Value::Object(_))) => v.to_string(),
                    _ => "{}".to_string(),
                };
                columns.push(Column::new(
                    cid,
                    str_field(c, "title").unwrap_or(cid),
                    ty,
                    &settings,
                ));
            }
            if !columns.iter().any(|c| c.id == "name") {
                columns.insert(0, Column::new("name", "Name", "name", "{}"));
            }
            let mut groups: Vec<Group> = b
                .get("groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter_map(|(i, g)| {
                    Some(Group {
                        id: str_field(g, "id")?.to_string(),
                        title: str_field(g, "title").unwrap_or("Group Title").to_string(),
                        color: str_field(g, "color")
                            .unwrap_or(GROUP_COLORS[i % GROUP_COLORS.len()])
                            .to_string(),
                    })
                })
                .collect();
            let kind = str_field(b, "type").unwrap_or("board").to_string();
            if groups.is_empty() {
                let title = if kind == "sub_items_board" {
                    "Subitems"
                } else {
                    "Group Title"
                };
                groups.push(Group {
                    id: "topics".into(),
                    title: title.into(),
                    color: GROUP_COLORS[0].into(),
                });
            }
            m.boards.push(Board {
                id: id.clone(),
                name: str_field(b, "name").unwrap_or("Board").to_string(),
                kind,
                columns,
                groups,
                items: Vec::new(),
            });
            let items = b
                .get("items_page")
                .and_then(|p| p.get("items"))
                .or_else(|| b.get("items"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for it in items {
                pending_items.push((id.clone(), it));
            }
        }
        let links: Vec<(String, String)> = m
            .boards
            .iter()
            .filter_map(|b| Some((b.subitems_board_id()?, b.id.clone())))
            .collect();
        for (sub, parent) in links {
            if m.board(&sub).is_some() {
                m.subitems_parent.insert(sub, parent);
            }
        }
        for (board_id, it) in pending_items {
            m.seed_item(&board_id, &it, None)?;
        }
        let max_id = m
            .boards
            .iter()
            .map(|b| b.id.as_str())
            .chain(m.items.keys().map(String::as_str))
            .filter_map(|i| i.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        m.next_id = m.next_id.max(max_id + 1);
        Ok(m)
    }

    fn seed_item(
        &mut self,
        board_id: &str,
        it: &Value,
        parent: Option<&str>,
    ) -> Result<(), SeedError> {
        let id = id_string(it.get("id")).ok_or_else(|| SeedError("an item without id".into()))?;
        if self.items.contains_key(&id) {
            return Err(SeedError(format!("item {id} is given twice")));
        }
        let board_id = match parent {
            None => board_id.to_string(),
            Some(_) => match id_string(it.get("board").and_then(|b| b.get("id"))) {
                Some(b) => b,
                None => self.ensure_subitems_board(board_id),
            },
        };
        let board = self
            .board(&board_id)
            .ok_or_else(|| SeedError(format!("item {id}: no board {board_id}")))?;
        let group_id = id_string(it.get("group").and_then(|g| g.get("id")))
            .unwrap_or_else(|| board.groups[0].id.clone());
        let mut values = BTreeMap::new();
        for cv in it
            .get("column_values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(cid) = str_field(cv, "id") else {
                continue;
            };
            if board.column(cid).is_none() {
                return Err(SeedError(format!(
                    "item {id}: no column {cid} on board {board_id}"
                )));
            }
            if let Some(stored) = str_field(cv, "value").and_then(Stored::from_json_str) {
                values.insert(cid.to_string(), stored);
            }
        }
        let created = str_field(it, "created_at")
            .unwrap_or("2025-07-14T09:15:22Z")
            .to_string();
        self.items.insert(
            id.clone(),
            Item {
                id: id.clone(),
                board_id: board_id.clone(),
                group_id,
                name: str_field(it, "name").unwrap_or("").to_string(),
                parent: parent.map(str::to_string),
                subitems: Vec::new(),
                values,
                created_at: created.clone(),
                updated_at: str_field(it, "updated_at").unwrap_or(&created).to_string(),
            },
        );
        self.board_mut(&board_id)
            .expect("checked above")
            .items
            .push(id.clone());
        if let Some(p) = parent {
            if let Some(pi) = self.items.get_mut(p) {
                pi.subitems.push(id.clone());
            }
        }
        for sub in it
            .get("subitems")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let parent_board = self.items[&id].board_id.clone();
            self.seed_item(&parent_board, sub, Some(&id))?;
        }
        Ok(())
    }

    pub fn board(&self, id: &str) -> Option<&Board> {
        self.boards.iter().find(|b| b.id == id)
    }

    pub fn board_mut(&mut self, id: &str) -> Option<&mut Board> {
        self.boards.iter_mut().find(|b| b.id == id)
    }

    fn next_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }

    /// The subitems board of `parent_board`, created with a `subtasks` column on the parent
    /// (as monday does on the first subitem) when there is none.
    fn ensure_subitems_board(&mut self, parent_board: &str) -> String {
        if let Some(existing) = self
            .board(parent_board)
            .and_then(Board::subitems_board_id)
            .filter(|id| self.board(id).is_some())
        {
            return existing;
        }
        let id = self.next_id();
        let parent_name = self
            .board(parent_board)
            .map_or("", |b| b.name.as_str())
            .to_string();
        let status_settings = r##"{"done_colors":[1],"labels":{"0":"Working on it","1":"Done","2":"Stuck"},"labels_positions_v2":{"0":0,"1":2,"2":1,"5":3},"labels_colors":{"0":{"color":"#fdab3d","border":"#e99729","var_name":"orange"},"1":{"color":"#00c875","border":"#00b461","var_name":"green-shadow"},"2":{"color":"#df2f4a","border":"#ce3048","var_name":"red-shadow"}}}"##;
        self.boards.push(Board {
            id: id.clone(),
            name: format!("Subitems of {parent_name}"),
            kind: "sub_items_board".into(),
            columns: vec![
                Column::new("name", "Name", "name", "{}"),
                Column::new("person", "Owner", "people", "{}"),
                Column::new("status", "Status", "status", status_settings),
                Column::new("date0", "Date", "date", "{}"),
            ],
            groups: vec![Group {
                id: "topics".into(),
                title: "Subitems".into(),
                color: GROUP_COLORS[0].into(),
            }],
            items: Vec::new(),
        });
        let settings = json!({
            "allowMultipleItems": true,
            "itemTypeName": "column.subtasks.title",
            "displayType": "BOARD_INLINE",
            "boardIds": [id.parse::<u64>().map_or(json!(id), |n| json!(n))],
        })
        .to_string();
        // monday's generated ids look like `subitems_mkr5a1b2`; any unique suffix will do.
        let col_id = format!("subitems_mk{}", &id[id.len().saturating_sub(6)..]);
        if let Some(parent) = self.board_mut(parent_board) {
            parent.columns.retain(|c| c.ty != "subtasks");
            parent.columns.insert(
                1.min(parent.columns.len()),
                Column::new(&col_id, "Subitems", "subtasks", &settings),
            );
        }
        self.subitems_parent
            .insert(id.clone(), parent_board.to_string());
        id
    }

    /// Checks every value of `column_values` against `board_id`'s columns (on copies, so a
    /// refused write changes nothing); returns the new values, the new name if `name` was
    /// given, and the columns with any labels added.
    fn prepare(
        &self,
        board_id: &str,
        column_values: &Map<String, Value>,
        create_labels: bool,
        now: &str,
    ) -> Result<Checked, ApiError> {
        let board = self
            .board(board_id)
            .ok_or_else(|| board_not_found(board_id))?;
        let mut columns = board.columns.clone();
        let mut writes = Vec::new();
        let mut name = None;
        for (cid, raw) in column_values {
            if cid == "name" {
                let n = raw.as_str().ok_or_else(|| {
                    ApiError::new(
                        "ColumnValueException",
                        "invalid value - name must be a string",
                        Out::obj().with("column_type", "name"),
                    )
                })?;
                name = Some(n.to_string());
                continue;
            }
            let col = columns
                .iter_mut()
                .find(|c| c.id == *cid)
                .ok_or_else(|| column_not_found(cid))?;
            match values::write(col, raw, create_labels, &self.users, now)? {
                Write::Set(s) => writes.push((cid.clone(), Some(s))),
                Write::Clear => writes.push((cid.clone(), None)),
            }
        }
        Ok(Checked {
            writes,
            name,
            columns,
        })
    }

    fn apply(
        &mut self,
        item_id: &str,
        writes: Vec<(String, Option<Stored>)>,
        columns: Vec<Column>,
        now: &str,
    ) {
        let board_id = self.items[item_id].board_id.clone();
        if let Some(b) = self.board_mut(&board_id) {
            b.columns = columns;
        }
        let item = self.items.get_mut(item_id).expect("the item exists");
        for (cid, v) in writes {
            match v {
                Some(s) => item.values.insert(cid, s),
                None => item.values.remove(&cid),
            };
        }
        item.updated_at = now.to_string();
    }

    fn log(
        &mut self,
        kind: ItemEventKind,
        item_id: &str,
        column_values: &Map<String, Value>,
        by: Actor,
    ) {
        let item = &self.items[item_id];
        let event = ItemEvent {
            seq: self.log.len() as u64 + 1,
            kind,
            item_id: item.id.clone(),
            board_id: item.board_id.clone(),
            parent_item_id: item.parent.clone(),
            name: item.name.clone(),
            column_values: Value::Object(column_values.clone()),
            by,
        };
        self.log.push(event);
    }

    pub fn create_item(
        &mut self,
        board_id: &str,
        group_id: Option<&str>,
        name: &str,
        column_values: &Map<String, Value>,
        edit: &Edit,
    ) -> Result<String, ApiError> {
        let board = self
            .board(board_id)
            .ok_or_else(|| board_not_found(board_id))?;
        let group = match group_id {
            None => board.groups[0].id.clone(),
            Some(g) => board
                .groups
                .iter()
                .find(|x| x.id == g)
                .map(|x| x.id.clone())
                .ok_or_else(|| {
                    ApiError::new(
                        "ResourceNotFoundException",
                        "Group not found",
                        Out::obj()
                            .with("resource_type", "group")
                            .with("group_id", g)
                            .with("board_id", id_data(board_id))
                            .with(
                                "error_reason",
                                "store.monday.automation.error.missing_group",
                            ),
                    )
                    .status(404)
                })?,
        };
        let checked = self.prepare(
            board_id,
            column_values,
            edit.create_labels,
            &edit.now.millis,
        )?;
        let id = self.next_id();
        self.items.insert(
            id.clone(),
            Item {
                id: id.clone(),
                board_id: board_id.to_string(),
                group_id: group,
                name: checked.name.clone().unwrap_or_else(|| name.to_string()),
                parent: None,
                subitems: Vec::new(),
                values: BTreeMap::new(),
                created_at: edit.now.seconds.clone(),
                updated_at: edit.now.seconds.clone(),
            },
        );
        self.board_mut(board_id)
            .expect("checked")
            .items
            .push(id.clone());
        self.apply(&id, checked.writes, checked.columns, &edit.now.seconds);
        self.log(ItemEventKind::Created, &id, column_values, edit.by);
        Ok(id)
    }

    pub fn create_subitem(
        &mut self,
        parent_id: &str,
        name: &str,
        column_values: &Map<String, Value>,
        edit: &Edit,
    ) -> Result<String, ApiError> {
        let parent = self
            .items
            .get(parent_id)
            .ok_or_else(|| item_not_found(parent_id))?;
        if parent.parent.is_some() {
            return Err(ApiError::new(
                "InvalidArgumentException",
                "A subitem can't have subitems",
                Out::obj().with("item_id", id_data(parent_id)),
            ));
        }
        let parent_board = parent.board_id.clone();
        let sub_board = self.ensure_subitems_board(&parent_board);
        let checked = self.prepare(
            &sub_board,
            column_values,
            edit.create_labels,
            &edit.now.millis,
        )?;
        let id = self.next_id();
        let group = self.board(&sub_board).expect("ensured").groups[0]
            .id
            .clone();
        self.items.insert(
            id.clone(),
            Item {
                id: id.clone(),
                board_id: sub_board.clone(),
                group_id: group,
                name: checked.name.clone().unwrap_or_else(|| name.to_string()),
                parent: Some(parent_id.to_string()),
                subitems: Vec::new(),
                values: BTreeMap::new(),
                created_at: edit.now.seconds.clone(),
                updated_at: edit.now.seconds.clone(),
            },
        );
        self.board_mut(&sub_board)
            .expect("ensured")
            .items
            .push(id.clone());
        self.items
            .get_mut(parent_id)
            .expect("checked")
            .subitems
            .push(id.clone());
        self.apply(&id, checked.writes, checked.columns, &edit.now.seconds);
        self.log(ItemEventKind::SubitemCreated, &id, column_values, edit.by);
        Ok(id)
    }

    pub fn change_values(
        &mut self,
        board_id: &str,
        item_id: &str,
        column_values: &Map<String, Value>,
        edit: &Edit,
    ) -> Result<(), ApiError> {
        if self.board(board_id).is_none() {
            return Err(board_not_found(board_id));
        }
        match self.items.get(item_id) {
            Some(item) if item.board_id == board_id => {}
            _ => return Err(item_not_found(item_id)),
        }
        let checked = self.prepare(
            board_id,
            column_values,
            edit.create_labels,
            &edit.now.millis,
        )?;
        self.apply(item_id, checked.writes, checked.columns, &edit.now.seconds);
        if let Some(n) = checked.name {
            self.items.get_mut(item_id).expect("checked").name = n;
        }
        self.log(
            ItemEventKind::ValuesChanged,
            item_id,
            column_values,
            edit.by,
        );
        Ok(())
    }

    /// The `text` of a column of an item, as the API reads it in `version`.
    pub fn text_of(&self, item: &Item, col: &Column, version: &str) -> Option<String> {
        if hides_relation_values(&col.ty, version) {
            return None;
        }
        if col.ty == "subtasks" {
            return Some(
                item.subitems
                    .iter()
                    .filter_map(|s| self.items.get(s))
                    .map(|s| s.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        let names = |id: i64| self.items.get(&id.to_string()).map(|i| i.name.clone());
        values::text(col, item.values.get(&col.id), &self.users, &names)
    }

    /// The `value` JSON string of a column of an item, as the API reads it in `version`.
    pub fn value_of(&self, item: &Item, col: &Column, version: &str) -> Option<String> {
        if hides_relation_values(&col.ty, version) {
            return None;
        }
        if col.ty == "subtasks" {
            if item.subitems.is_empty() {
                return None;
            }
            let linked: Vec<Out> = item
                .subitems
                .iter()
                .filter_map(|s| s.parse::<i64>().ok())
                .map(|n| Out::obj().with("linkedPulseId", n))
                .collect();
            return Some(
                Out::obj()
                    .with("linkedPulseIds", Out::List(linked))
                    .to_json_string(),
            );
        }
        item.values.get(&col.id).map(|s| s.json.clone())
    }

    /// The text a search compares for an item's column (`name` is the item's name).
    fn search_texts(&self, item: &Item, board: &Board, column_id: &str) -> Vec<String> {
        if column_id == "name" {
            return vec![item.name.clone()];
        }
        let Some(col) = board.column(column_id) else {
            return Vec::new();
        };
        let text = self.text_of(item, col, "9999-99").unwrap_or_default();
        if col.ty == "dropdown" {
            return text.split(", ").map(str::to_string).collect();
        }
        vec![text]
    }

    /// Ids of the items of `board_id` whose columns match, for items_page_by_column_values:
    /// within a column any value may match, every column must match.
    pub fn by_column_values(
        &self,
        board_id: &str,
        columns: &[(String, Vec<Option<String>>)],
    ) -> Result<Vec<String>, ApiError> {
        let board = self
            .board(board_id)
            .ok_or_else(|| board_not_found(board_id))?;
        for (cid, _) in columns {
            if cid == "name" {
                continue;
            }
            let col = board.column(cid).ok_or_else(|| column_not_found(cid))?;
            if !SEARCHABLE.contains(&col.ty.as_str()) {
                return Err(ApiError::new(
                    "InvalidColumnTypeException",
                    format!(
                        "Column type {} is not supported for items_page_by_column_values",
                        col.ty
                    ),
                    Out::obj()
                        .with("column_id", cid.as_str())
                        .with("column_type", col.ty.as_str()),
                ));
            }
        }
        Ok(board
            .items
            .iter()
            .filter_map(|id| self.items.get(id))
            .filter(|item| {
                columns.iter().all(|(cid, wanted)| {
                    let texts = self.search_texts(item, board, cid);
                    wanted.iter().any(|w| {
                        let w = w.as_deref().unwrap_or("");
                        if w.is_empty() {
                            texts.iter().all(String::is_empty)
                        } else {
                            texts.iter().any(|t| t == w)
                        }
                    })
                })
            })
            .map(|i| i.id.clone())
            .collect())
    }

    /// Ids of the items of `board_id` that pass `query_params` (items_page), in board order
    /// or the order asked.
    pub fn query_items(
        &self,
        board_id: &str,
        params: Option<&Value>,
    ) -> Result<Vec<String>, ApiError> {
        let board = self
            .board(board_id)
            .ok_or_else(|| board_not_found(board_id))?;
        let mut ids: Vec<String> = board.items.clone();
        let Some(params) = params.filter(|p| !p.is_null()) else {
            return Ok(ids);
        };
        if let Some(only) = params.get("ids").and_then(Value::as_array) {
            let only: Vec<String> = only.iter().filter_map(|v| id_string(Some(v))).collect();
            ids.retain(|i| only.contains(i));
        }
        let rules = params
            .get("rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let any = params.get("operator").and_then(Value::as_str) == Some("or");
        for rule in &rules {
            let cid = id_string(rule.get("column_id")).unwrap_or_default();
            if cid != "name" && board.column(&cid).is_none() {
                return Err(column_not_found(&cid));
            }
        }
        if !rules.is_empty() {
            let mut kept = Vec::new();
            for id in ids {
                let item = &self.items[&id];
                let mut results = Vec::new();
                for rule in &rules {
                    results.push(self.rule_matches(item, board, rule)?);
                }
                let pass = if any {
                    results.iter().any(|r| *r)
                } else {
                    results.iter().all(|r| *r)
                };
                if pass {
                    kept.push(id);
                }
            }
            ids = kept;
        }
        if let Some(order) = params
            .get("order_by")
            .and_then(Value::as_array)
            .and_then(|o| o.first())
        {
            let cid = str_field(order, "column_id").unwrap_or("name").to_string();
            let desc = str_field(order, "direction") == Some("desc");
            let key = |id: &String| self.search_texts(&self.items[id], board, &cid).join(", ");
            ids.sort_by_key(key);
            if desc {
                ids.reverse();
            }
        }
        Ok(ids)
    }

    fn rule_matches(&self, item: &Item, board: &Board, rule: &Value) -> Result<bool, ApiError> {
        let cid = id_string(rule.get("column_id")).unwrap_or_default();
        let op = str_field(rule, "operator").unwrap_or("any_of");
        let compare: Vec<Value> = match rule.get("compare_value") {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(v) => vec![v.clone()],
        };
        let texts = self.search_texts(item, board, &cid);
        let text = texts.join(", ");
        let col = board.column(&cid);
        // Status and dropdown rules compare label ids when given numbers.
        let index_match = |v: &Value| -> bool {
            let Some(n) = v.as_i64() else { return false };
            match col.map(|c| c.ty.as_str()) {
                Some("status") => {
                    item.values
                        .get(&cid)
                        .and_then(|s| s.parsed.get("index")?.as_i64())
                        == Some(n)
                }
                Some("dropdown") => item
                    .values
                    .get(&cid)
                    .and_then(|s| s.parsed.get("ids")?.as_array().cloned())
                    .is_some_and(|ids| ids.iter().any(|i| i.as_i64() == Some(n))),
                _ => text == n.to_string(),
            }
        };
        let equals = |v: &Value| match v {
            Value::String(s) => texts.iter().any(|t| t == s),
            Value::Number(_) => index_match(v),
            _ => false,
        };
        let strings: Vec<String> = compare
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let number = text.parse::<f64>().ok();
        let first_num = compare
            .first()
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()));
        let lower = text.to_lowercase();
        Ok(match op {
            "any_of" => compare.iter().any(equals),
            "not_any_of" => !compare.iter().any(equals),
            "is_empty" => text.is_empty(),
            "is_not_empty" => !text.is_empty(),
            "contains_text" => strings.iter().any(|s| lower.contains(&s.to_lowercase())),
            "not_contains_text" => !strings.iter().any(|s| lower.contains(&s.to_lowercase())),
            "starts_with" => strings.iter().any(|s| lower.starts_with(&s.to_lowercase())),
            "ends_with" => strings.iter().any(|s| lower.ends_with(&s.to_lowercase())),
            "greater_than" => matches!((number, first_num), (Some(a), Some(b)) if a > b),
            "greater_than_or_equals" => matches!((number, first_num), (Some(a), Some(b)) if a >= b),
            "lower_than" => matches!((number, first_num), (Some(a), Some(b)) if a < b),
            "lower_than_or_equal" => matches!((number, first_num), (Some(a), Some(b)) if a <= b),
            "between" => {
                let bounds: Vec<f64> = compare
                    .iter()
                    .filter_map(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()))
                    .collect();
                matches!((number, bounds.as_slice()), (Some(a), [lo, hi]) if a >= *lo && a <= *hi)
            }
            other => {
                return Err(ApiError::new(
                    "InvalidArgumentException",
                    format!("The operator {other} is not supported by the emulator"),
                    Out::obj().with("operator", other),
                ))
            }
        })
    }

    pub fn item_view(&self, id: &str, version: &str) -> Option<ItemView> {
        let item = self.items.get(id)?;
        let board = self.board(&item.board_id)?;
        let values = board
            .columns
            .iter()
            .filter(|c| c.id != "name")
            .map(|c| {
                let value = self
                    .value_of(item, c, version)
                    .and_then(|s| serde_json::from_str(&s).ok());
                (
                    c.id.clone(),
                    ColumnValueView {
                        column_type: c.ty.clone(),
                        text: self.text_of(item, c, version),
                        value,
                    },
                )
            })
            .collect();
        Some(ItemView {
            id: item.id.clone(),
            board_id: item.board_id.clone(),
            group_id: item.group_id.clone(),
            name: item.name.clone(),
            parent_item_id: item.parent.clone(),
            subitem_ids: item.subitems.clone(),
            values,
        })
    }

    pub fn board_view(&self, b: &Board) -> BoardView {
        BoardView {
            id: b.id.clone(),
            name: b.name.clone(),
            kind: b.kind.clone(),
            columns: b
                .columns
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        c.title.clone(),
                        c.ty.clone(),
                        c.settings_str.clone(),
                    )
                })
                .collect(),
            groups: b
                .groups
                .iter()
                .map(|g| (g.id.clone(), g.title.clone()))
                .collect(),
            item_ids: b.items.clone(),
        }
    }
}

/// Column types items_page_by_column_values can search (the docs name connect boards,
/// mirror, formula, files, tags, subitems and the like as unsupported).
const SEARCHABLE: &[&str] = &[
    "text",
    "long_text",
    "numbers",
    "status",
    "date",
    "dropdown",
    "email",
    "link",
    "phone",
    "people",
    "checkbox",
    "country",
    "hour",
    "timeline",
    "world_clock",
    "rating",
    "week",
    "location",
];

/// From 2025-04 the `value` and `text` of connect-boards, dependency, subtasks and mirror
/// columns read as null.
fn hides_relation_values(ty: &str, version: &str) -> bool {
    matches!(ty, "board_relation" | "dependency" | "subtasks" | "mirror") && version >= "2025-04"
}

/// Who makes an edit, when, and whether missing status/dropdown labels are created.
pub(crate) struct Edit<'a> {
    pub create_labels: bool,
    pub now: &'a Now,
    pub by: Actor,
}

/// Values checked for a write: the new values (None clears), the new item name if `name`
/// was given, and the board's columns with any labels added.
struct Checked {
    writes: Vec<(String, Option<Stored>)>,
    name: Option<String>,
    columns: Vec<Column>,
}

/// Timestamps for one operation: `changed_at` (milliseconds) and `created_at` (seconds).
pub(crate) struct Now {
    pub millis: String,
    pub seconds: String,
}

impl Now {
    pub fn current() -> Now {
        let t = chrono::Utc::now();
        Now {
            millis: t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            seconds: t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        Model::new(
            &Seed::default(),
            vec![User {
                id: 4616627,
                name: "Dana Buyer".into(),
                email: "dana@example.com".into(),
            }],
            1,
        )
        .expect("default seed")
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("an object")
    }

    #[test]
    fn default_seed_ties_the_subitems_board_to_its_parent() {
        let m = model();
        assert_eq!(m.boards.len(), 2);
        let po = m.board("1234567890").expect("PO board");
        assert_eq!(po.subitems_board_id().as_deref(), Some("1234567999"));
        assert_eq!(
            m.subitems_parent.get("1234567999").map(String::as_str),
            Some("1234567890")
        );
        assert!(m.next_id > 1234567999);
    }

    #[test]
    fn a_refused_value_changes_nothing() {
        let mut m = model();
        let now = Now::current();
        let id = m
            .create_item(
                "1234567890",
                None,
                "PO-1",
                &obj(json!({"text_mkr5wya6": "PO-1"})),
                &Edit {
                    create_labels: false,
                    now: &now,
                    by: Actor::Api,
                },
            )
            .expect("created");
        let e = m
            .change_values(
                "1234567890",
                &id,
                &obj(json!({"text_mkr5wya6": "PO-2", "color_mkr5h7ta": {"label": "Lost"}})),
                &Edit {
                    create_labels: false,
                    now: &now,
                    by: Actor::Api,
                },
            )
            .unwrap_err();
        assert_eq!(e.code, "ColumnValueException");
        let v = m.item_view(&id, "2025-07").expect("item");
        assert_eq!(v.text("text_mkr5wya6"), Some("PO-1"));
        assert_eq!(m.log.len(), 1);
    }

    #[test]
    fn search_ands_columns_and_ors_values() {
        let mut m = model();
        let now = Now::current();
        for (name, po, supplier) in [
            ("a", "PO-1", "ACME"),
            ("b", "PO-2", "ACME"),
            ("c", "PO-1", "Other"),
        ] {
            m.create_item(
                "1234567890",
                None,
                name,
                &obj(json!({"text_mkr5wya6": po, "text_mkr5q1xz": supplier})),
                &Edit {
                    create_labels: false,
                    now: &now,
                    by: Actor::Api,
                },
            )
            .expect("created");
        }
        let names = |ids: Vec<String>| {
            ids.iter()
                .map(|i| m.items[i].name.clone())
                .collect::<Vec<_>>()
        };
        let found = m
            .by_column_values(
                "1234567890",
                &[
                    ("text_mkr5wya6".into(), vec![Some("PO-1".into())]),
                    (
                        "text_mkr5q1xz".into(),
                        vec![Some("ACME".into()), Some("Nobody".into())],
                    ),
                ],
            )
            .expect("search");
        assert_eq!(names(found), ["a"]);
        let e = m
            .by_column_values(
                "1234567890",
                &[("board_relation_mkr5m8gs".into(), vec![Some("x".into())])],
            )
            .unwrap_err();
        assert_eq!(e.code, "InvalidColumnTypeException");
    }
}
