//! The slice of monday.com's GraphQL schema the emulator serves: object types with their
//! fields, arguments and argument defaults, the input objects, enums and scalars. Written as
//! tables of GraphQL type strings (`[ID!]`), parsed on use, so that validation reads like the
//! API reference. Arguments the real API has but the emulator ignores are listed too, so a
//! client using them is not refused.

use crate::graphql::{parse_type, Type};

/// One argument (or input-object field): name, GraphQL type, default as GraphQL source.
#[derive(Debug)]
pub struct ArgDef {
    pub name: &'static str,
    pub ty: &'static str,
    pub default: Option<&'static str>,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: &'static str,
    pub args: &'static [ArgDef],
}

impl FieldDef {
    pub fn ty(&self) -> Type {
        parse_type(self.ty).expect("schema types are valid")
    }
}

impl ArgDef {
    pub fn ty(&self) -> Type {
        parse_type(self.ty).expect("schema types are valid")
    }
}

const fn a(name: &'static str, ty: &'static str) -> ArgDef {
    ArgDef {
        name,
        ty,
        default: None,
    }
}

const fn ad(name: &'static str, ty: &'static str, default: &'static str) -> ArgDef {
    ArgDef {
        name,
        ty,
        default: Some(default),
    }
}

const fn f(name: &'static str, ty: &'static str) -> FieldDef {
    FieldDef {
        name,
        ty,
        args: &[],
    }
}

const fn fa(name: &'static str, ty: &'static str, args: &'static [ArgDef]) -> FieldDef {
    FieldDef { name, ty, args }
}

const ITEMS_PAGE_ARGS: &[ArgDef] = &[
    ad("limit", "Int!", "25"),
    a("cursor", "String"),
    a("query_params", "ItemsQuery"),
];

const QUERY: &[FieldDef] = &[
    fa(
        "boards",
        "[Board]",
        &[
            a("ids", "[ID!]"),
            a("limit", "Int"),
            a("page", "Int"),
            a("board_kind", "BoardKind"),
            a("state", "State"),
            a("workspace_ids", "[ID]"),
            a("order_by", "BoardsOrderBy"),
        ],
    ),
    fa(
        "items",
        "[Item]",
        &[
            a("ids", "[ID!]"),
            a("limit", "Int"),
            a("page", "Int"),
            a("newest_first", "Boolean"),
            a("exclude_nonactive", "Boolean"),
        ],
    ),
    fa(
        "items_page_by_column_values",
        "ItemsResponse!",
        &[
            a("board_id", "ID!"),
            a("columns", "[ItemsPageByColumnValuesQuery!]"),
            a("cursor", "String"),
            ad("limit", "Int!", "25"),
        ],
    ),
    fa(
        "next_items_page",
        "ItemsResponse!",
        &[a("cursor", "String!"), ad("limit", "Int!", "25")],
    ),
    f("complexity", "Complexity"),
    f("me", "User"),
    f("version", "Version!"),
];

const CREATE_LABELS: ArgDef = a("create_labels_if_missing", "Boolean");

const MUTATION: &[FieldDef] = &[
    fa(
        "create_item",
        "Item",
        &[
            a("board_id", "ID!"),
            a("item_name", "String!"),
            a("group_id", "String"),
            a("column_values", "JSON"),
            CREATE_LABELS,
            a("position_relative_method", "PositionRelative"),
            a("relative_to", "ID"),
        ],
    ),
    fa(
        "create_subitem",
        "Item",
        &[
            a("parent_item_id", "ID!"),
            a("item_name", "String!"),
            a("column_values", "JSON"),
            CREATE_LABELS,
        ],
    ),
    fa(
        "change_multiple_column_values",
        "Item",
        &[
            a("item_id", "ID"),
            a("board_id", "ID!"),
            a("column_values", "JSON!"),
            CREATE_LABELS,
        ],
    ),
    fa(
        "change_column_value",
        "Item",
        &[
            a("item_id", "ID"),
            a("board_id", "ID!"),
            a("column_id", "String!"),
            a("value", "JSON!"),
            CREATE_LABELS,
        ],
    ),
    fa(
        "change_simple_column_value",
        "Item",
        &[
            a("item_id", "ID"),
            a("board_id", "ID!"),
            a("column_id", "String!"),
            a("value", "String"),
            CREATE_LABELS,
        ],
    ),
    f("complexity", "Complexity"),
];

const BOARD: &[FieldDef] = &[
    f("id", "ID!"),
    f("name", "String!"),
    f("type", "BoardObjectType"),
    f("board_kind", "BoardKind!"),
    f("state", "State!"),
    f("description", "String"),
    f("items_count", "Int"),
    f("workspace_id", "ID"),
    fa(
        "columns",
        "[Column]",
        &[a("ids", "[String]"), a("types", "[ColumnType!]")],
    ),
    fa("groups", "[Group]", &[a("ids", "[String]")]),
    fa("items_page", "ItemsResponse!", ITEMS_PAGE_ARGS),
];

const COLUMN: &[FieldDef] = &[
    f("id", "ID!"),
    f("title", "String!"),
    f("type", "ColumnType!"),
    f("settings_str", "String!"),
    f("archived", "Boolean!"),
    f("description", "String"),
    f("width", "Int"),
];

const GROUP: &[FieldDef] = &[
    f("id", "ID!"),
    f("title", "String!"),
    f("color", "String!"),
    f("position", "String!"),
    f("archived", "Boolean"),
    f("deleted", "Boolean"),
];

const ITEMS_RESPONSE: &[FieldDef] = &[f("cursor", "String"), f("items", "[Item!]!")];

const ITEM: &[FieldDef] = &[
    f("id", "ID!"),
    f("name", "String!"),
    f("created_at", "Date"),
    f("updated_at", "Date"),
    f("creator_id", "String!"),
    f("state", "State"),
    f("board", "Board"),
    f("group", "Group"),
    f("parent_item", "Item"),
    fa(
        "column_values",
        "[ColumnValue!]!",
        &[a("ids", "[String!]"), a("types", "[ColumnType!]")],
    ),
    f("subitems", "[Item]"),
];

/// Fields every column value has (the `ColumnValue` interface).
const COLUMN_VALUE: &[FieldDef] = &[
    f("id", "ID!"),
    f("text", "String"),
    f("value", "JSON"),
    f("type", "ColumnType!"),
    f("column", "Column!"),
];

const STATUS_VALUE: &[FieldDef] = &[
    f("label", "String"),
    f("index", "Int"),
    f("is_done", "Boolean"),
];
const DATE_VALUE: &[FieldDef] = &[f("date", "String"), f("time", "String")];
const NUMBERS_VALUE: &[FieldDef] = &[f("number", "Float")];
const LINK_VALUE: &[FieldDef] = &[f("url", "String"), f("url_text", "String")];
const EMAIL_VALUE: &[FieldDef] = &[f("email", "String"), f("label", "String")];
const PHONE_VALUE: &[FieldDef] = &[f("phone", "String"), f("country_short_name", "String")];
const RELATION_VALUE: &[FieldDef] = &[
    f("linked_item_ids", "[ID!]!"),
    f("display_value", "String!"),
];
const SUBTASKS_VALUE: &[FieldDef] = &[f("subitems_ids", "[ID!]!"), f("display_value", "String!")];
const CHECKBOX_VALUE: &[FieldDef] = &[f("checked", "Boolean")];
const NO_EXTRA: &[FieldDef] = &[];

const COMPLEXITY: &[FieldDef] = &[
    f("before", "Int!"),
    f("after", "Int!"),
    f("query", "Int!"),
    f("reset_in_x_seconds", "Int!"),
];

const USER: &[FieldDef] = &[f("id", "ID!"), f("name", "String!"), f("email", "String!")];

const VERSION: &[FieldDef] = &[
    f("kind", "VersionKind!"),
    f("value", "String!"),
    f("display_name", "String!"),
];

/// The concrete column-value types, by monday column type; unknown column types are served
/// as `<Type>Value` with only the interface fields.
const VALUE_TYPES: &[(&str, &str, &[FieldDef])] = &[
    ("text", "TextValue", NO_EXTRA),
    ("long_text", "LongTextValue", NO_EXTRA),
    ("numbers", "NumbersValue", NUMBERS_VALUE),
    ("status", "StatusValue", STATUS_VALUE),
    ("date", "DateValue", DATE_VALUE),
    ("link", "LinkValue", LINK_VALUE),
    ("dropdown", "DropdownValue", NO_EXTRA),
    ("email", "EmailValue", EMAIL_VALUE),
    ("phone", "PhoneValue", PHONE_VALUE),
    ("people", "PeopleValue", NO_EXTRA),
    ("board_relation", "BoardRelationValue", RELATION_VALUE),
    ("subtasks", "SubtasksValue", SUBTASKS_VALUE),
    ("checkbox", "CheckboxValue", CHECKBOX_VALUE),
];

/// The GraphQL type name of the value of a column of monday type `column_type`.
pub fn value_type_name(column_type: &str) -> String {
    if let Some((_, name, _)) = VALUE_TYPES.iter().find(|(t, _, _)| *t == column_type) {
        return (*name).to_string();
    }
    let mut out = String::new();
    for part in column_type.split(['_', '-']) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out.push_str("Value");
    out
}

pub fn is_value_type(name: &str) -> bool {
    name.ends_with("Value") && name != "ColumnValue"
}

/// Fields of an object or interface type; None for unknown types and non-objects.
pub fn object_fields(type_name: &str) -> Option<Vec<&'static FieldDef>> {
    let own: &'static [FieldDef] = match type_name {
        "Query" => QUERY,
        "Mutation" => MUTATION,
        "Board" => BOARD,
        "Column" => COLUMN,
        "Group" => GROUP,
        "ItemsResponse" => ITEMS_RESPONSE,
        "Item" => ITEM,
        "ColumnValue" => NO_EXTRA,
        "Complexity" => COMPLEXITY,
        "User" => USER,
        "Version" => VERSION,
        n if is_value_type(n) => VALUE_TYPES
            .iter()
            .find(|(_, name, _)| *name == n)
            .map_or(NO_EXTRA, |(_, _, extra)| *extra),
        _ => return None,
    };
    let mut out: Vec<&'static FieldDef> = own.iter().collect();
    if type_name == "ColumnValue" || is_value_type(type_name) {
        out.extend(COLUMN_VALUE.iter());
    }
    Some(out)
}

pub fn field(type_name: &str, field_name: &str) -> Option<&'static FieldDef> {
    object_fields(type_name)?
        .into_iter()
        .find(|f| f.name == field_name)
}

const ITEMS_BY_COLUMN_QUERY: &[ArgDef] =
    &[a("column_id", "String!"), a("column_values", "[String]!")];
const ITEMS_QUERY: &[ArgDef] = &[
    a("rules", "[ItemsQueryRule!]"),
    ad("operator", "ItemsQueryOperator", "and"),
    a("ids", "[ID!]"),
    a("order_by", "[ItemsQueryOrderBy!]"),
];
const ITEMS_QUERY_RULE: &[ArgDef] = &[
    a("column_id", "ID!"),
    a("compare_value", "CompareValue!"),
    ad("operator", "ItemsQueryRuleOperator", "any_of"),
    a("compare_attribute", "String"),
];
const ITEMS_QUERY_ORDER_BY: &[ArgDef] = &[
    a("column_id", "String!"),
    ad("direction", "SortDirection", "asc"),
];

pub fn input_fields(type_name: &str) -> Option<&'static [ArgDef]> {
    Some(match type_name {
        "ItemsPageByColumnValuesQuery" => ITEMS_BY_COLUMN_QUERY,
        "ItemsQuery" => ITEMS_QUERY,
        "ItemsQueryRule" => ITEMS_QUERY_RULE,
        "ItemsQueryOrderBy" => ITEMS_QUERY_ORDER_BY,
        _ => return None,
    })
}

pub fn enum_values(type_name: &str) -> Option<&'static [&'static str]> {
    Some(match type_name {
        "ItemsQueryOperator" => &["and", "or"],
        "ItemsQueryRuleOperator" => &[
            "any_of",
            "not_any_of",
            "is_empty",
            "is_not_empty",
            "greater_than",
            "greater_than_or_equals",
            "lower_than",
            "lower_than_or_equal",
            "between",
            "not_contains_text",
            "contains_text",
            "contains_terms",
            "starts_with",
            "ends_with",
            "within_the_next",
            "within_the_last",
        ],
        "SortDirection" => &["asc", "desc"],
        "State" => &["active", "all", "archived", "deleted"],
        "BoardKind" => &["public", "private", "share"],
        "BoardsOrderBy" => &["created_at", "used_at"],
        "PositionRelative" => &["before_at", "after_at"],
        "BoardObjectType" => &["board", "sub_items_board", "document", "custom_object"],
        "VersionKind" => &[
            "current",
            "release_candidate",
            "maintenance",
            "old_current",
            "old_previous_maintenance",
            "previous_maintenance",
            "deprecated",
            "dev",
        ],
        "ColumnType" => &[
            "auto_number",
            "board_relation",
            "button",
            "checkbox",
            "color_picker",
            "country",
            "creation_log",
            "date",
            "dependency",
            "doc",
            "dropdown",
            "email",
            "file",
            "formula",
            "group",
            "hour",
            "integration",
            "item_assignees",
            "item_id",
            "last_updated",
            "link",
            "location",
            "long_text",
            "mirror",
            "name",
            "numbers",
            "people",
            "person",
            "phone",
            "progress",
            "rating",
            "status",
            "subtasks",
            "tags",
            "team",
            "text",
            "time_tracking",
            "timeline",
            "unsupported",
            "vote",
            "week",
            "world_clock",
        ],
        _ => return None,
    })
}

/// Scalars: how input literals and variables are coerced is in `exec`.
pub fn is_scalar(name: &str) -> bool {
    matches!(
        name,
        "ID" | "String" | "Int" | "Float" | "Boolean" | "JSON" | "CompareValue" | "Date"
    )
}

pub fn is_input_type(name: &str) -> bool {
    is_scalar(name) || enum_values(name).is_some() || input_fields(name).is_some()
}

pub fn is_leaf(name: &str) -> bool {
    is_scalar(name) || enum_values(name).is_some()
}

pub fn type_exists(name: &str) -> bool {
    is_input_type(name) || object_fields(name).is_some()
}

/// Whether an object of concrete type `concrete` can be of type `condition`.
pub fn type_applies(condition: &str, concrete: &str) -> bool {
    condition == concrete || (condition == "ColumnValue" && is_value_type(concrete))
}

/// Whether a fragment on `condition` can ever apply inside a selection on `parent`.
pub fn types_overlap(condition: &str, parent: &str) -> bool {
    condition == parent
        || (parent == "ColumnValue" && is_value_type(condition))
        || (condition == "ColumnValue" && is_value_type(parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_string_parses_and_names_a_known_type() {
        let objects = [
            "Query",
            "Mutation",
            "Board",
            "Column",
            "Group",
            "ItemsResponse",
            "Item",
            "ColumnValue",
            "StatusValue",
            "Complexity",
            "User",
            "Version",
        ];
        for o in objects {
            for field in object_fields(o).expect("object") {
                assert!(type_exists(field.ty().base()), "{o}.{}", field.name);
                for arg in field.args {
                    assert!(
                        is_input_type(arg.ty().base()),
                        "{o}.{}({})",
                        field.name,
                        arg.name
                    );
                }
            }
        }
        for i in [
            "ItemsPageByColumnValuesQuery",
            "ItemsQuery",
            "ItemsQueryRule",
            "ItemsQueryOrderBy",
        ] {
            for arg in input_fields(i).expect("input") {
                assert!(is_input_type(arg.ty().base()), "{i}.{}", arg.name);
            }
        }
    }

    #[test]
    fn value_types_follow_monday_names() {
        assert_eq!(value_type_name("status"), "StatusValue");
        assert_eq!(value_type_name("board_relation"), "BoardRelationValue");
        assert_eq!(value_type_name("world_clock"), "WorldClockValue");
        assert!(field("StatusValue", "label").is_some());
        assert!(field("TimelineValue", "text").is_some());
        assert!(field("TextValue", "label").is_none());
        assert!(type_applies("ColumnValue", "StatusValue"));
        assert!(!type_applies("StatusValue", "TextValue"));
    }
}
