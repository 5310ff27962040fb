//! Running a validated operation against the model: field collection (fragments,
//! `@skip`/`@include`, merged response keys), the resolvers of every field in
//! [`crate::schema`], null propagation for errors, page cursors, and the complexity a query
//! is charged before it runs.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value as Json};

use crate::graphql::{Field, Pos, Selection};
use crate::model::{board_not_found, item_not_found, Actor, ApiError, Edit, Model, Now};
use crate::out::Out;
use crate::schema;
use crate::state::{CostModel, CursorPage, State};
use crate::validate::{self, Prepared};
use crate::values::{Column, User};

/// An error raised while executing one field.
#[derive(Clone, Debug)]
pub(crate) struct FieldError {
    pub error: ApiError,
    pub pos: Pos,
    pub path: Vec<Out>,
}

/// What the `complexity` field reports for this query.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ComplexityInfo {
    pub before: u64,
    pub query: u64,
    pub after: u64,
    pub reset_in: u64,
}

pub(crate) struct Ctx<'a> {
    pub st: &'a mut State,
    pub prepared: &'a Prepared,
    pub version: String,
    pub complexity: ComplexityInfo,
    pub me: User,
    pub now: Now,
    pub cursor_lifetime: std::time::Duration,
    pub errors: Vec<FieldError>,
}

/// A resolved object.
#[derive(Clone, Debug)]
enum Node {
    Root,
    Board(String),
    Column(String, String),
    Group(String, String),
    Page {
        cursor: Option<String>,
        items: Vec<String>,
    },
    Item(String),
    Value(String, String),
    Complexity,
    User,
    Version,
}

enum Resolved {
    Leaf(Out),
    Object(Node),
    List(Vec<Node>),
    Null,
}

/// Fields grouped by response key, in first-seen order.
type Collected<'p> = Vec<(String, Vec<&'p Field>)>;

fn collect<'p>(
    prepared: &'p Prepared,
    sels: impl IntoIterator<Item = &'p Selection>,
    concrete: &str,
    out: &mut Collected<'p>,
) {
    let vars = &prepared.vars;
    for s in sels {
        match s {
            Selection::Field(f) => {
                if !validate::included(&f.directives, vars) {
                    continue;
                }
                let key = f.response_key().to_string();
                match out.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, fields)) => fields.push(f),
                    None => out.push((key, vec![f])),
                }
            }
            Selection::FragmentSpread {
                name, directives, ..
            } => {
                if !validate::included(directives, vars) {
                    continue;
                }
                if let Some(frag) = prepared.doc.fragments.iter().find(|fr| &fr.name == name) {
                    if schema::type_applies(&frag.type_condition, concrete)
                        && validate::included(&frag.directives, vars)
                    {
                        collect(prepared, &frag.selection_set, concrete, out);
                    }
                }
            }
            Selection::InlineFragment {
                type_condition,
                directives,
                selection_set,
                ..
            } => {
                if !validate::included(directives, vars) {
                    continue;
                }
                if type_condition
                    .as_deref()
                    .is_none_or(|c| schema::type_applies(c, concrete))
                {
                    collect(prepared, selection_set, concrete, out);
                }
            }
        }
    }
}

/// Runs the operation; returns `data` (None when an error nulled it entirely).
pub(crate) fn execute<'p>(ctx: &mut Ctx<'p>) -> Option<Out> {
    let prepared = ctx.prepared;
    let root = prepared.root_type();
    let mut fields = Vec::new();
    collect(prepared, &prepared.op().selection_set, root, &mut fields);
    let mut data = Out::obj();
    for (key, group) in fields {
        let path = vec![Out::Str(key.clone())];
        match field(ctx, &Node::Root, root, &group, path) {
            Ok(v) => data.set(&key, v),
            Err(()) => return None,
        }
    }
    Some(data)
}

/// Resolves and completes one (merged) field; `Err` means null must propagate upward.
fn field<'p>(
    ctx: &mut Ctx<'p>,
    node: &Node,
    parent_type: &str,
    group: &[&'p Field],
    path: Vec<Out>,
) -> Result<Out, ()> {
    let f = group[0];
    if f.name == "__typename" {
        return Ok(Out::Str(type_name(ctx, node, parent_type)));
    }
    let def = schema::field(parent_type, &f.name).expect("validated");
    let ty = def.ty();
    let resolved = validate::arguments(&f.arguments, def.args, &ctx.prepared.vars)
        .map_err(|m| ApiError::new("InvalidArgumentException", m, Out::obj()))
        .and_then(|args| resolve(ctx, node, &f.name, &args));
    let resolved = match resolved {
        Ok(r) => r,
        Err(error) => {
            ctx.errors.push(FieldError {
                error,
                pos: f.pos,
                path,
            });
            return if ty.is_non_null() {
                Err(())
            } else {
                Ok(Out::Null)
            };
        }
    };
    let base = ty.base().to_string();
    let sub: Vec<&'p Selection> = group.iter().flat_map(|g| g.selection_set.iter()).collect();
    let value = match resolved {
        Resolved::Leaf(v) => Ok(v),
        Resolved::Null => Ok(Out::Null),
        Resolved::Object(n) => object(ctx, &n, &base, &sub, path.clone()),
        Resolved::List(nodes) => {
            let mut items = Vec::new();
            let mut failed = false;
            for (i, n) in nodes.iter().enumerate() {
                let mut p = path.clone();
                p.push(Out::Int(i as i64));
                match object(ctx, n, &base, &sub, p) {
                    Ok(v) => items.push(v),
                    Err(()) => {
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                Err(())
            } else {
                Ok(Out::List(items))
            }
        }
    };
    match value {
        Ok(Out::Null) if ty.is_non_null() => Err(()),
        Ok(v) => Ok(v),
        Err(()) if ty.is_non_null() => Err(()),
        Err(()) => Ok(Out::Null),
    }
}

fn object<'p>(
    ctx: &mut Ctx<'p>,
    node: &Node,
    declared: &str,
    sels: &[&'p Selection],
    path: Vec<Out>,
) -> Result<Out, ()> {
    let concrete = type_name(ctx, node, declared);
    let mut fields = Vec::new();
    collect(ctx.prepared, sels.iter().copied(), &concrete, &mut fields);
    let mut out = Out::obj();
    for (key, group) in fields {
        let mut p = path.clone();
        p.push(Out::Str(key.clone()));
        let v = field(ctx, node, &concrete, &group, p)?;
        out.set(&key, v);
    }
    Ok(out)
}

fn type_name(ctx: &Ctx, node: &Node, declared: &str) -> String {
    match node {
        Node::Value(item, col) => ctx
            .st
            .model
            .items
            .get(item)
            .and_then(|i| ctx.st.model.board(&i.board_id))
            .and_then(|b| b.column(col))
            .map_or_else(|| declared.to_string(), |c| schema::value_type_name(&c.ty)),
        Node::Root => declared.to_string(),
        Node::Board(_) => "Board".into(),
        Node::Column(..) => "Column".into(),
        Node::Group(..) => "Group".into(),
        Node::Page { .. } => "ItemsResponse".into(),
        Node::Item(_) => "Item".into(),
        Node::Complexity => "Complexity".into(),
        Node::User => "User".into(),
        Node::Version => "Version".into(),
    }
}

fn arg_str(args: &Map<String, Json>, name: &str) -> Option<String> {
    args.get(name).and_then(Json::as_str).map(str::to_string)
}

fn arg_list(args: &Map<String, Json>, name: &str) -> Option<Vec<String>> {
    args.get(name).and_then(Json::as_array).map(|a| {
        a.iter()
            .filter_map(|v| match v {
                Json::String(s) => Some(s.clone()),
                Json::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect()
    })
}

fn arg_i64(args: &Map<String, Json>, name: &str) -> Option<i64> {
    args.get(name).and_then(Json::as_i64)
}

/// `column_values` as given: a JSON-encoded string (as the docs send it) or an object.
fn column_values_arg(v: Option<&Json>) -> Result<Map<String, Json>, ApiError> {
    let parse_error = |why: String| {
        ApiError::new(
            "JsonParseException",
            format!("Failed to parse column values: {why}"),
            Out::obj(),
        )
    };
    let parsed = match v {
        None | Some(Json::Null) => return Ok(Map::new()),
        Some(Json::String(s)) if s.trim().is_empty() => return Ok(Map::new()),
        Some(Json::String(s)) => {
            serde_json::from_str::<Json>(s).map_err(|e| parse_error(e.to_string()))?
        }
        Some(other) => other.clone(),
    };
    match parsed {
        Json::Object(m) => Ok(m),
        Json::Null => Ok(Map::new()),
        other => Err(parse_error(format!("expected an object, got {other}"))),
    }
}

fn page_limit(args: &Map<String, Json>, default: i64) -> usize {
    arg_i64(args, "limit").unwrap_or(default).clamp(1, 500) as usize
}

fn cursor_error(cursor: &str) -> ApiError {
    ApiError::new(
        "CursorException",
        "The cursor is invalid or has expired",
        Out::obj().with("cursor", cursor),
    )
}

impl Ctx<'_> {
    fn model(&self) -> &Model {
        &self.st.model
    }

    /// The first page of `ids` and a cursor for the rest (None on the last page).
    fn first_page(&mut self, ids: Vec<String>, limit: usize) -> Node {
        self.page_from(Arc::new(ids), 0, limit)
    }

    fn page_from(&mut self, ids: Arc<Vec<String>>, offset: usize, limit: usize) -> Node {
        let end = (offset + limit).min(ids.len());
        let items = ids[offset.min(end)..end].to_vec();
        let cursor = if end < ids.len() {
            let token = format!(
                "1,{},{:016x},{},{}",
                ids.len(),
                self.st.random(),
                end,
                limit
            );
            let cursor = base64_url(token.as_bytes());
            self.st.cursors.insert(
                cursor.clone(),
                CursorPage {
                    ids,
                    offset: end,
                    created: Instant::now(),
                },
            );
            Some(cursor)
        } else {
            None
        };
        Node::Page { cursor, items }
    }

    fn next_page(&mut self, cursor: &str, limit: usize) -> Result<Node, ApiError> {
        let lifetime = self.cursor_lifetime;
        self.st
            .cursors
            .retain(|_, c| c.created.elapsed() < lifetime);
        let page = self
            .st
            .cursors
            .get(cursor)
            .cloned()
            .ok_or_else(|| cursor_error(cursor))?;
        // Items deleted since the first page are skipped.
        Ok(self.page_from(page.ids, page.offset, limit))
    }
}

/// URL-safe base64 without padding (cursor tokens).
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn resolve(
    ctx: &mut Ctx,
    node: &Node,
    name: &str,
    args: &Map<String, Json>,
) -> Result<Resolved, ApiError> {
    match node {
        Node::Root => root(ctx, name, args),
        Node::Board(id) => board_field(ctx, id, name, args),
        Node::Column(board, col) => {
            let c = ctx
                .model()
                .board(board)
                .and_then(|b| b.column(col))
                .ok_or_else(|| board_not_found(board))?;
            Ok(Resolved::Leaf(match name {
                "id" => c.id.as_str().into(),
                "title" => c.title.as_str().into(),
                "type" => c.ty.as_str().into(),
                "settings_str" => c.settings_str.as_str().into(),
                "archived" => false.into(),
                _ => Out::Null,
            }))
        }
        Node::Group(board, group) => {
            let b = ctx
                .model()
                .board(board)
                .ok_or_else(|| board_not_found(board))?;
            let (pos, g) = b
                .groups
                .iter()
                .enumerate()
                .find(|(_, g)| g.id == *group)
                .ok_or_else(|| board_not_found(board))?;
            Ok(Resolved::Leaf(match name {
                "id" => g.id.as_str().into(),
                "title" => g.title.as_str().into(),
                "color" => g.color.as_str().into(),
                "position" => format!("{}", (pos as u64 + 1) * 65536).into(),
                "archived" | "deleted" => false.into(),
                _ => Out::Null,
            }))
        }
        Node::Page { cursor, items } => Ok(match name {
            "cursor" => Resolved::Leaf(cursor.clone().into()),
            _ => Resolved::List(
                items
                    .iter()
                    .filter(|i| ctx.model().items.contains_key(*i))
                    .map(|i| Node::Item(i.clone()))
                    .collect(),
            ),
        }),
        Node::Item(id) => item_field(ctx, id, name, args),
        Node::Value(item, col) => value_field(ctx, item, col, name),
        Node::Complexity => {
            let c = ctx.complexity;
            Ok(Resolved::Leaf(Out::from(match name {
                "before" => c.before,
                "after" => c.after,
                "query" => c.query,
                _ => c.reset_in,
            })))
        }
        Node::User => Ok(Resolved::Leaf(match name {
            "id" => ctx.me.id.to_string().into(),
            "name" => ctx.me.name.as_str().into(),
            _ => ctx.me.email.as_str().into(),
        })),
        Node::Version => Ok(Resolved::Leaf(match name {
            "kind" => "current".into(),
            "value" => ctx.version.as_str().into(),
            _ => "Current".into(),
        })),
    }
}

fn root(ctx: &mut Ctx, name: &str, args: &Map<String, Json>) -> Result<Resolved, ApiError> {
    let create_labels = args
        .get("create_labels_if_missing")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    match name {
        "boards" => {
            let ids = arg_list(args, "ids");
            let mut boards: Vec<String> = ctx
                .model()
                .boards
                .iter()
                .filter(|b| ids.as_ref().is_none_or(|ids| ids.contains(&b.id)))
                .map(|b| b.id.clone())
                .collect();
            let limit = arg_i64(args, "limit").unwrap_or(25).max(1) as usize;
            let page = arg_i64(args, "page").unwrap_or(1).max(1) as usize;
            boards = boards
                .into_iter()
                .skip((page - 1) * limit)
                .take(limit)
                .collect();
            Ok(Resolved::List(
                boards.into_iter().map(Node::Board).collect(),
            ))
        }
        "items" => {
            let ids = arg_list(args, "ids").unwrap_or_default();
            let limit = arg_i64(args, "limit").unwrap_or(25).clamp(1, 100) as usize;
            Ok(Resolved::List(
                ids.into_iter()
                    .filter(|i| ctx.model().items.contains_key(i))
                    .take(limit)
                    .map(Node::Item)
                    .collect(),
            ))
        }
        "items_page_by_column_values" => {
            let limit = page_limit(args, 25);
            if let Some(cursor) = arg_str(args, "cursor") {
                return ctx.next_page(&cursor, limit).map(Resolved::Object);
            }
            let board = arg_str(args, "board_id").unwrap_or_default();
            let columns: Vec<(String, Vec<Option<String>>)> = args
                .get("columns")
                .and_then(Json::as_array)
                .map(|cols| {
                    cols.iter()
                        .map(|c| {
                            (
                                c["column_id"].as_str().unwrap_or("").to_string(),
                                c["column_values"]
                                    .as_array()
                                    .map(|vs| {
                                        vs.iter().map(|v| v.as_str().map(str::to_string)).collect()
                                    })
                                    .unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            if ctx.model().board(&board).is_none() {
                return Err(board_not_found(&board));
            }
            if columns.is_empty() {
                return Err(ApiError::new(
                    "InvalidArgumentException",
                    "Either columns or cursor must be provided",
                    Out::obj(),
                ));
            }
            let ids = ctx.model().by_column_values(&board, &columns)?;
            Ok(Resolved::Object(ctx.first_page(ids, limit)))
        }
        "next_items_page" => {
            let cursor = arg_str(args, "cursor").unwrap_or_default();
            ctx.next_page(&cursor, page_limit(args, 25))
                .map(Resolved::Object)
        }
        "complexity" => Ok(Resolved::Object(Node::Complexity)),
        "me" => Ok(Resolved::Object(Node::User)),
        "version" => Ok(Resolved::Object(Node::Version)),
        "create_item" => {
            let board = arg_str(args, "board_id").unwrap_or_default();
            let name = arg_str(args, "item_name").unwrap_or_default();
            check_name(&name)?;
            let values = column_values_arg(args.get("column_values"))?;
            let group = arg_str(args, "group_id");
            let id = ctx.st.model.create_item(
                &board,
                group.as_deref(),
                &name,
                &values,
                &Edit {
                    create_labels,
                    now: &ctx.now,
                    by: Actor::Api,
                },
            )?;
            Ok(Resolved::Object(Node::Item(id)))
        }
        "create_subitem" => {
            let parent = arg_str(args, "parent_item_id").unwrap_or_default();
            let name = arg_str(args, "item_name").unwrap_or_default();
            check_name(&name)?;
            let values = column_values_arg(args.get("column_values"))?;
            let id = ctx.st.model.create_subitem(
                &parent,
                &name,
                &values,
                &Edit {
                    create_labels,
                    now: &ctx.now,
                    by: Actor::Api,
                },
            )?;
            Ok(Resolved::Object(Node::Item(id)))
        }
        "change_multiple_column_values" | "change_column_value" | "change_simple_column_value" => {
            let board = arg_str(args, "board_id").unwrap_or_default();
            let item = arg_str(args, "item_id");
            let values = match name {
                "change_multiple_column_values" => column_values_arg(args.get("column_values"))?,
                "change_column_value" => {
                    let col = arg_str(args, "column_id").unwrap_or_default();
                    // `value` is JSON: usually a JSON-encoded string of the column's value.
                    let raw = match args.get("value") {
                        Some(Json::String(s)) => serde_json::from_str::<Json>(s)
                            .unwrap_or_else(|_| Json::String(s.clone())),
                        Some(v) => v.clone(),
                        None => Json::Null,
                    };
                    let mut m = Map::new();
                    m.insert(col, raw);
                    m
                }
                _ => {
                    let col = arg_str(args, "column_id").unwrap_or_default();
                    let mut m = Map::new();
                    m.insert(col, args.get("value").cloned().unwrap_or(Json::Null));
                    m
                }
            };
            let Some(item) = item else {
                return Err(ApiError::new(
                    "InvalidItemIdException",
                    "Item not found",
                    Out::obj().with("item_id", Out::Null),
                ));
            };
            ctx.st.model.change_values(
                &board,
                &item,
                &values,
                &Edit {
                    create_labels,
                    now: &ctx.now,
                    by: Actor::Api,
                },
            )?;
            Ok(Resolved::Object(Node::Item(item)))
        }
        other => Err(ApiError::new(
            "InvalidArgumentException",
            format!("{other} is not served by the emulator"),
            Out::obj(),
        )),
    }
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.chars().count() > 255 {
        return Err(ApiError::new(
            "ItemNameTooLongException",
            "Item name is too long. Maximum length is 255 characters",
            Out::obj().with("item_name_length", name.chars().count() as u64),
        ));
    }
    Ok(())
}

fn board_field(
    ctx: &mut Ctx,
    id: &str,
    name: &str,
    args: &Map<String, Json>,
) -> Result<Resolved, ApiError> {
    let b = ctx.model().board(id).ok_or_else(|| board_not_found(id))?;
    Ok(match name {
        "id" => Resolved::Leaf(b.id.as_str().into()),
        "name" => Resolved::Leaf(b.name.as_str().into()),
        "type" => Resolved::Leaf(b.kind.as_str().into()),
        "board_kind" => Resolved::Leaf("public".into()),
        "state" => Resolved::Leaf("active".into()),
        "description" | "workspace_id" => Resolved::Null,
        "items_count" => Resolved::Leaf(Out::Int(b.items.len() as i64)),
        "columns" => {
            let ids = arg_list(args, "ids");
            let types = arg_list(args, "types");
            Resolved::List(
                b.columns
                    .iter()
                    .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id)))
                    .filter(|c| types.as_ref().is_none_or(|t| t.contains(&c.ty)))
                    .map(|c| Node::Column(b.id.clone(), c.id.clone()))
                    .collect(),
            )
        }
        "groups" => {
            let ids = arg_list(args, "ids");
            Resolved::List(
                b.groups
                    .iter()
                    .filter(|g| ids.as_ref().is_none_or(|ids| ids.contains(&g.id)))
                    .map(|g| Node::Group(b.id.clone(), g.id.clone()))
                    .collect(),
            )
        }
        "items_page" => {
            let limit = page_limit(args, 25);
            if let Some(cursor) = arg_str(args, "cursor") {
                return ctx.next_page(&cursor, limit).map(Resolved::Object);
            }
            let ids = ctx.model().query_items(id, args.get("query_params"))?;
            Resolved::Object(ctx.first_page(ids, limit))
        }
        _ => Resolved::Null,
    })
}

fn item_field(
    ctx: &mut Ctx,
    id: &str,
    name: &str,
    args: &Map<String, Json>,
) -> Result<Resolved, ApiError> {
    let item = ctx
        .model()
        .items
        .get(id)
        .ok_or_else(|| item_not_found(id))?;
    Ok(match name {
        "id" => Resolved::Leaf(item.id.as_str().into()),
        "name" => Resolved::Leaf(item.name.as_str().into()),
        "created_at" => Resolved::Leaf(item.created_at.as_str().into()),
        "updated_at" => Resolved::Leaf(item.updated_at.as_str().into()),
        "creator_id" => Resolved::Leaf(ctx.me.id.to_string().into()),
        "state" => Resolved::Leaf("active".into()),
        "board" => Resolved::Object(Node::Board(item.board_id.clone())),
        "group" => Resolved::Object(Node::Group(item.board_id.clone(), item.group_id.clone())),
        "parent_item" => match &item.parent {
            Some(p) => Resolved::Object(Node::Item(p.clone())),
            None => Resolved::Null,
        },
        "subitems" => Resolved::List(item.subitems.iter().cloned().map(Node::Item).collect()),
        "column_values" => {
            let board = ctx
                .model()
                .board(&item.board_id)
                .ok_or_else(|| board_not_found(&item.board_id))?;
            let ids = arg_list(args, "ids");
            let types = arg_list(args, "types");
            Resolved::List(
                board
                    .columns
                    .iter()
                    .filter(|c| c.id != "name")
                    .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id)))
                    .filter(|c| types.as_ref().is_none_or(|t| t.contains(&c.ty)))
                    .map(|c| Node::Value(item.id.clone(), c.id.clone()))
                    .collect(),
            )
        }
        _ => Resolved::Null,
    })
}

fn value_field(
    ctx: &mut Ctx,
    item_id: &str,
    col_id: &str,
    name: &str,
) -> Result<Resolved, ApiError> {
    let model = ctx.model();
    let item = model
        .items
        .get(item_id)
        .ok_or_else(|| item_not_found(item_id))?;
    let board = model
        .board(&item.board_id)
        .ok_or_else(|| board_not_found(&item.board_id))?;
    let col: &Column = board
        .column(col_id)
        .ok_or_else(|| board_not_found(&item.board_id))?;
    let stored = item.values.get(col_id).map(|s| &s.parsed);
    let s = |k: &str| -> Out {
        stored
            .and_then(|v| v.get(k))
            .and_then(Json::as_str)
            .map(str::to_string)
            .into()
    };
    let version = ctx.version.as_str();
    Ok(Resolved::Leaf(match name {
        "id" => col.id.as_str().into(),
        "type" => col.ty.as_str().into(),
        "text" => model.text_of(item, col, version).into(),
        "value" => model.value_of(item, col, version).into(),
        "column" => {
            return Ok(Resolved::Object(Node::Column(
                board.id.clone(),
                col.id.clone(),
            )))
        }
        "label" if col.ty == "status" => model.text_of(item, col, version).into(),
        "label" => s("text"),
        "index" => stored
            .and_then(|v| v.get("index"))
            .and_then(Json::as_i64)
            .into(),
        "is_done" => {
            let index = stored.and_then(|v| v.get("index")).and_then(Json::as_i64);
            Out::Bool(index.is_some_and(|i| col.done_ids().contains(&i)))
        }
        "date" => s("date"),
        "time" => s("time"),
        "number" => stored
            .and_then(Json::as_str)
            .and_then(|t| t.parse::<f64>().ok())
            .map_or(Out::Null, Out::Float),
        "url" => s("url"),
        "url_text" => s("text"),
        "email" => s("email"),
        "phone" => s("phone"),
        "country_short_name" => s("countryShortName"),
        "checked" => Out::Bool(
            stored
                .and_then(|v| v.get("checked"))
                .and_then(Json::as_bool)
                == Some(true),
        ),
        "linked_item_ids" | "subitems_ids" => {
            let ids: Vec<i64> = if col.ty == "subtasks" {
                item.subitems
                    .iter()
                    .filter_map(|s| s.parse().ok())
                    .collect()
            } else {
                stored.map(crate::values::linked_ids).unwrap_or_default()
            };
            Out::List(ids.into_iter().map(|i| Out::Str(i.to_string())).collect())
        }
        "display_value" => {
            let names: Vec<String> = if col.ty == "subtasks" {
                item.subitems
                    .iter()
                    .filter_map(|s| model.items.get(s))
                    .map(|s| s.name.clone())
                    .collect()
            } else {
                stored
                    .map(crate::values::linked_ids)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|i| model.items.get(&i.to_string()))
                    .map(|i| i.name.clone())
                    .collect()
            };
            names.join(", ").into()
        }
        _ => Out::Null,
    }))
}

/// What the query will cost, before it runs (see the crate doc, "Complexity").
pub(crate) fn cost(prepared: &Prepared, model: &CostModel) -> u64 {
    let root = prepared.root_type();
    let mutation = root == "Mutation";
    selection_cost(
        prepared,
        &prepared.op().selection_set,
        root,
        model,
        mutation,
        0,
    )
}

fn selection_cost(
    prepared: &Prepared,
    sels: &[Selection],
    parent: &str,
    model: &CostModel,
    root_mutation: bool,
    depth: usize,
) -> u64 {
    if depth > 16 {
        return 0;
    }
    let mut total: u64 = 0;
    for s in sels {
        let add = match s {
            Selection::Field(f) => field_cost(prepared, f, parent, model, root_mutation, depth),
            Selection::FragmentSpread { name, .. } => prepared
                .doc
                .fragments
                .iter()
                .find(|fr| &fr.name == name)
                .map_or(0, |fr| {
                    selection_cost(
                        prepared,
                        &fr.selection_set,
                        &fr.type_condition,
                        model,
                        root_mutation,
                        depth + 1,
                    )
                }),
            Selection::InlineFragment {
                type_condition,
                selection_set,
                ..
            } => selection_cost(
                prepared,
                selection_set,
                type_condition.as_deref().unwrap_or(parent),
                model,
                root_mutation,
                depth + 1,
            ),
        };
        total = total.saturating_add(add);
    }
    total
}

fn field_cost(
    prepared: &Prepared,
    f: &Field,
    parent: &str,
    model: &CostModel,
    root_mutation: bool,
    depth: usize,
) -> u64 {
    if f.name == "__typename" || f.name == "complexity" {
        return 0;
    }
    let Some(def) = schema::field(parent, &f.name) else {
        return 0;
    };
    let base = def.ty();
    let base = base.base();
    let mutation_cost = if root_mutation && parent == "Mutation" {
        model.mutation
    } else {
        0
    };
    if schema::is_leaf(base) {
        return model.field + mutation_cost;
    }
    let args = validate::arguments(&f.arguments, def.args, &prepared.vars).unwrap_or_default();
    let ids_len = args
        .get("ids")
        .and_then(Json::as_array)
        .map(|a| a.len() as u64);
    let limit = args.get("limit").and_then(Json::as_u64);
    let multiplier = match f.name.as_str() {
        "boards" => ids_len.or(limit).unwrap_or(model.unbounded_list),
        "items" if parent == "Query" => ids_len.or(limit).unwrap_or(25),
        "items_page" | "items_page_by_column_values" | "next_items_page" => {
            limit.unwrap_or(25).clamp(1, 500)
        }
        "columns" | "groups" | "column_values" | "subitems" => ids_len.unwrap_or(model.nested_list),
        _ => 1,
    };
    let inner = selection_cost(prepared, &f.selection_set, base, model, false, depth + 1);
    model
        .object
        .saturating_add(multiplier.saturating_mul(inner))
        .saturating_add(mutation_cost)
}
