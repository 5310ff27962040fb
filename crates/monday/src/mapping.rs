//! The column mapping: which board, and which column holds each logical field of a PO item
//! and of a line subitem. Board and column ids differ per company, so they are
//! configuration (serde, stored by the app), never constants. [`validate`] checks a mapping
//! against the board's real schema and says, in words a user can act on, what is wrong.
//!
//! Accepted column types: text fields (project, PO number, descriptions, file number,
//! account code) a Text or Long Text column; quantity and rate a Numbers column; dates a
//! Date column; statuses a Status column (`status`, or `color` on old boards); links a Link
//! column.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::schema::{Board, BoardSchema};
use crate::values::FieldKind;

/// Columns of the PO item (its name is the vendor).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemColumns {
    pub project: String,
    pub po_number: String,
    pub description: String,
    pub status: String,
    pub tax_form_link: String,
    pub folder_link: String,
    /// The vendor's contact record; boards without such a column leave it out.
    #[serde(default)]
    pub contact_link: Option<String>,
}

/// Columns of a line subitem (on the subitems board).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubitemColumns {
    pub status: String,
    pub file_number: String,
    pub description: String,
    pub quantity: String,
    pub rate: String,
    pub date: String,
    pub due_date: String,
    pub account_code: String,
    pub file_link: String,
}

/// Where each logical field lives on a company's board.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub board_id: String,
    pub item: ItemColumns,
    pub subitem: SubitemColumns,
}

/// A logical field of the sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Project,
    PoNumber,
    Description,
    Status,
    TaxFormLink,
    FolderLink,
    ContactLink,
    LineStatus,
    FileNumber,
    LineDescription,
    Quantity,
    Rate,
    Date,
    DueDate,
    AccountCode,
    FileLink,
}

impl Field {
    /// The field's name as the settings page shows it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Project => "Project",
            Field::PoNumber => "PO number",
            Field::Description => "Description",
            Field::Status => "PO status",
            Field::TaxFormLink => "Tax form link",
            Field::FolderLink => "Folder link",
            Field::ContactLink => "Contact link",
            Field::LineStatus => "Line status",
            Field::FileNumber => "File number",
            Field::LineDescription => "Line description",
            Field::Quantity => "Quantity",
            Field::Rate => "Rate",
            Field::Date => "Date",
            Field::DueDate => "Due date",
            Field::AccountCode => "Account code",
            Field::FileLink => "File link",
        }
    }

    pub fn kind(self) -> FieldKind {
        match self {
            Field::Project
            | Field::PoNumber
            | Field::Description
            | Field::FileNumber
            | Field::LineDescription
            | Field::AccountCode => FieldKind::Text,
            Field::Status | Field::LineStatus => FieldKind::Status,
            Field::TaxFormLink | Field::FolderLink | Field::ContactLink | Field::FileLink => {
                FieldKind::Link
            }
            Field::Quantity | Field::Rate => FieldKind::Number,
            Field::Date | Field::DueDate => FieldKind::Date,
        }
    }

    /// Whether the field is a column of the subitems board.
    pub fn on_subitem(self) -> bool {
        !matches!(
            self,
            Field::Project
                | Field::PoNumber
                | Field::Description
                | Field::Status
                | Field::TaxFormLink
                | Field::FolderLink
                | Field::ContactLink
        )
    }
}

impl ColumnMapping {
    /// The PO item's mapped fields and their column ids.
    pub fn item_fields(&self) -> Vec<(Field, &str)> {
        let i = &self.item;
        let mut out = vec![
            (Field::Project, i.project.as_str()),
            (Field::PoNumber, i.po_number.as_str()),
            (Field::Description, i.description.as_str()),
            (Field::Status, i.status.as_str()),
            (Field::TaxFormLink, i.tax_form_link.as_str()),
            (Field::FolderLink, i.folder_link.as_str()),
        ];
        if let Some(c) = &i.contact_link {
            out.push((Field::ContactLink, c.as_str()));
        }
        out
    }

    /// The line subitem's fields and their column ids.
    pub fn subitem_fields(&self) -> Vec<(Field, &str)> {
        let s = &self.subitem;
        vec![
            (Field::LineStatus, s.status.as_str()),
            (Field::FileNumber, s.file_number.as_str()),
            (Field::LineDescription, s.description.as_str()),
            (Field::Quantity, s.quantity.as_str()),
            (Field::Rate, s.rate.as_str()),
            (Field::Date, s.date.as_str()),
            (Field::DueDate, s.due_date.as_str()),
            (Field::AccountCode, s.account_code.as_str()),
            (Field::FileLink, s.file_link.as_str()),
        ]
    }
}

/// What is wrong with one part of a mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The mapping names another board than the schema read.
    WrongBoard {
        schema_board: String,
    },
    /// The board has no subitems yet, so the line columns cannot exist.
    NoSubitemsBoard,
    NoColumnChosen,
    MissingColumn,
    WrongType {
        column_title: String,
        column_type: String,
    },
    /// Another field is mapped to the same column: the two would overwrite each other.
    SharedColumn {
        other: Field,
    },
}

/// One problem found by [`validate`]; `Display` is the sentence to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingProblem {
    /// None for problems of the whole mapping (board).
    pub field: Option<Field>,
    pub column_id: String,
    pub kind: ProblemKind,
}

impl fmt::Display for MappingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.field.map_or("Board", Field::label);
        let board = |f: &Field| {
            if f.on_subitem() {
                "subitems board"
            } else {
                "board"
            }
        };
        match &self.kind {
            ProblemKind::WrongBoard { schema_board } => write!(
                f,
                "Board: the mapping is for board {} but the columns were read from board {schema_board}",
                self.column_id
            ),
            ProblemKind::NoSubitemsBoard => write!(
                f,
                "{label}: the board has no subitems yet; add one subitem to any item on the board so monday.com creates the subitems board, then choose the line columns"
            ),
            ProblemKind::NoColumnChosen => write!(f, "{label}: no column chosen"),
            ProblemKind::MissingColumn => write!(
                f,
                "{label}: there is no column with id \"{}\" on the {}",
                self.column_id,
                self.field.as_ref().map_or("board", board)
            ),
            ProblemKind::WrongType {
                column_title,
                column_type,
            } => write!(
                f,
                "{label}: column \"{column_title}\" ({}) is of type {column_type}; it needs {}",
                self.column_id,
                self.field.map_or("a column", |x| x.kind().describe())
            ),
            ProblemKind::SharedColumn { other } => write!(
                f,
                "{label}: column \"{}\" is also chosen for {}; each field needs its own column",
                self.column_id,
                other.label()
            ),
        }
    }
}

fn check_fields(fields: &[(Field, &str)], board: &Board, out: &mut Vec<MappingProblem>) {
    let mut seen: HashMap<&str, Field> = HashMap::new();
    for &(field, column_id) in fields {
        let problem = |kind| MappingProblem {
            field: Some(field),
            column_id: column_id.to_string(),
            kind,
        };
        if column_id.trim().is_empty() {
            out.push(problem(ProblemKind::NoColumnChosen));
            continue;
        }
        if let Some(&other) = seen.get(column_id) {
            out.push(problem(ProblemKind::SharedColumn { other }));
            continue;
        }
        seen.insert(column_id, field);
        match board.column(column_id) {
            None => out.push(problem(ProblemKind::MissingColumn)),
            Some(c) if !field.kind().accepts(&c.kind) => {
                out.push(problem(ProblemKind::WrongType {
                    column_title: c.title.clone(),
                    column_type: c.kind.clone(),
                }))
            }
            Some(_) => {}
        }
    }
}

/// Every problem of `mapping` against `schema`, in the order of the fields; empty when the
/// mapping can be used.
pub fn validate(mapping: &ColumnMapping, schema: &BoardSchema) -> Vec<MappingProblem> {
    let mut out = Vec::new();
    if mapping.board_id.trim() != schema.board.id {
        out.push(MappingProblem {
            field: None,
            column_id: mapping.board_id.clone(),
            kind: ProblemKind::WrongBoard {
                schema_board: schema.board.id.clone(),
            },
        });
        return out;
    }
    check_fields(&mapping.item_fields(), &schema.board, &mut out);
    match &schema.subitems {
        Some(sub) => check_fields(&mapping.subitem_fields(), sub, &mut out),
        None => out.push(MappingProblem {
            field: Some(Field::FileNumber),
            column_id: mapping.subitem.file_number.clone(),
            kind: ProblemKind::NoSubitemsBoard,
        }),
    }
    out
}
