//! Turning a request body's `query`, `operationName` and `variables` into an operation ready
//! to run: parsing, choosing the operation, GraphQL validation against [`crate::schema`]
//! (fields, arguments, literal types, variables defined, used and in allowed positions,
//! fragments, directives) and the coercion of variable values and arguments. Errors are
//! worded as graphql-js words them, which is what monday's 2025 versions answer with.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Number, Value as Json};

use crate::graphql::{
    self, Directive, Document, Field, Operation, OperationKind, Pos, Selection, Type, Value,
};
use crate::schema::{self, ArgDef};

/// A request-level error: message and where in the query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GqlError {
    pub message: String,
    pub locations: Vec<Pos>,
}

impl GqlError {
    fn new(message: impl Into<String>, pos: Option<Pos>) -> GqlError {
        GqlError {
            message: message.into(),
            locations: pos.into_iter().collect(),
        }
    }
}

/// A parsed, validated operation with its variables coerced.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub doc: Document,
    pub index: usize,
    pub vars: Map<String, Json>,
}

impl Prepared {
    pub fn op(&self) -> &Operation {
        &self.doc.operations[self.index]
    }

    pub fn root_type(&self) -> &'static str {
        match self.op().kind {
            OperationKind::Mutation => "Mutation",
            _ => "Query",
        }
    }

    /// Names of the root fields selected (fragments included), for fault matching and the
    /// request log.
    pub fn root_fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_names(&self.doc, &self.op().selection_set, &mut out, 0);
        out
    }
}

fn collect_names(doc: &Document, sels: &[Selection], out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    for s in sels {
        match s {
            Selection::Field(f) => {
                if !out.contains(&f.name) {
                    out.push(f.name.clone());
                }
            }
            Selection::FragmentSpread { name, .. } => {
                if let Some(fr) = doc.fragments.iter().find(|f| &f.name == name) {
                    collect_names(doc, &fr.selection_set, out, depth + 1);
                }
            }
            Selection::InlineFragment { selection_set, .. } => {
                collect_names(doc, selection_set, out, depth + 1)
            }
        }
    }
}

/// Parses and validates a query and coerces its variables.
pub(crate) fn prepare(
    query: &str,
    operation_name: Option<&str>,
    variables: &Map<String, Json>,
) -> Result<Prepared, Vec<GqlError>> {
    let doc = graphql::parse(query).map_err(|e| vec![GqlError::new(e.to_string(), Some(e.pos))])?;
    let index = choose_operation(&doc, operation_name).map_err(|e| vec![e])?;
    let mut v = Validator {
        doc: &doc,
        errors: Vec::new(),
        usages: Vec::new(),
        fragment_stack: Vec::new(),
        used_fragments: HashSet::new(),
    };
    v.operation(&doc.operations[index]);
    if !v.errors.is_empty() {
        return Err(v.errors);
    }
    let vars = coerce_variables(&doc.operations[index], variables)?;
    Ok(Prepared { doc, index, vars })
}

fn choose_operation(doc: &Document, name: Option<&str>) -> Result<usize, GqlError> {
    match name.filter(|n| !n.is_empty()) {
        Some(n) => doc
            .operations
            .iter()
            .position(|o| o.name.as_deref() == Some(n))
            .ok_or_else(|| GqlError::new(format!("Unknown operation named \"{n}\"."), None)),
        None => match doc.operations.len() {
            0 => Err(GqlError::new("Must provide an operation.", None)),
            1 => Ok(0),
            _ => Err(GqlError::new(
                "Must provide operation name if query contains multiple operations.",
                None,
            )),
        },
    }
}

/// A variable used in an argument: where, and the type expected there.
struct Usage {
    name: String,
    expected: Type,
    /// The position has a default value (a nullable variable may then feed a non-null type).
    has_default: bool,
    pos: Pos,
}

struct Validator<'d> {
    doc: &'d Document,
    errors: Vec<GqlError>,
    usages: Vec<Usage>,
    fragment_stack: Vec<String>,
    used_fragments: HashSet<String>,
}

impl<'d> Validator<'d> {
    fn err(&mut self, message: impl Into<String>, pos: Pos) {
        self.errors.push(GqlError::new(message, Some(pos)));
    }

    fn operation(&mut self, op: &'d Operation) {
        let root = match op.kind {
            OperationKind::Query => "Query",
            OperationKind::Mutation => "Mutation",
            OperationKind::Subscription => {
                self.err(
                    "Schema is not configured to execute subscription operation.",
                    op.pos,
                );
                return;
            }
        };
        let mut names = HashSet::new();
        for def in &op.variables {
            if !names.insert(def.name.as_str()) {
                self.err(
                    format!("There can be only one variable named \"${}\".", def.name),
                    def.pos,
                );
            }
            let base = def.ty.base();
            if !schema::type_exists(base) {
                self.err(format!("Unknown type \"{base}\"."), def.pos);
            } else if !schema::is_input_type(base) {
                self.err(
                    format!(
                        "Variable \"${}\" cannot be non-input type \"{}\".",
                        def.name, def.ty
                    ),
                    def.pos,
                );
            } else if let Some(default) = &def.default {
                if let Err(e) = coerce_literal(default, &def.ty, None) {
                    self.err(e, def.pos);
                }
            }
        }
        self.directives(&op.directives);
        self.selections(&op.selection_set, root);
        for frag in &self.doc.fragments {
            if !self.used_fragments.contains(&frag.name) {
                self.errors.push(GqlError::new(
                    format!("Fragment \"{}\" is never used.", frag.name),
                    Some(frag.pos),
                ));
            }
        }
        let mut seen_frags = HashSet::new();
        for frag in &self.doc.fragments {
            if !seen_frags.insert(frag.name.as_str()) {
                self.errors.push(GqlError::new(
                    format!("There can be only one fragment named \"{}\".", frag.name),
                    Some(frag.pos),
                ));
            }
        }
        let defined: HashMap<&str, &graphql::VariableDefinition> =
            op.variables.iter().map(|d| (d.name.as_str(), d)).collect();
        let usages = std::mem::take(&mut self.usages);
        for u in &usages {
            match defined.get(u.name.as_str()) {
                None => {
                    let msg = match &op.name {
                        Some(n) => format!(
                            "Variable \"${}\" is not defined by operation \"{n}\".",
                            u.name
                        ),
                        None => format!("Variable \"${}\" is not defined.", u.name),
                    };
                    self.err(msg, u.pos);
                }
                Some(def) => {
                    let var_type = match (&def.ty, &def.default) {
                        (t, _) if t.is_non_null() => t.clone(),
                        (t, Some(d)) if *d != Value::Null => Type::NonNull(Box::new(t.clone())),
                        (t, _) => t.clone(),
                    };
                    let expected = if u.has_default {
                        u.expected.nullable().clone()
                    } else {
                        u.expected.clone()
                    };
                    if !subtype(&var_type, &expected) {
                        self.err(
                            format!(
                                "Variable \"${}\" of type \"{}\" used in position expecting type \"{}\".",
                                u.name, def.ty, u.expected
                            ),
                            def.pos,
                        );
                    }
                }
            }
        }
        for def in &op.variables {
            if !usages.iter().any(|u| u.name == def.name) {
                let msg = match &op.name {
                    Some(n) => format!(
                        "Variable \"${}\" is never used in operation \"{n}\".",
                        def.name
                    ),
                    None => format!("Variable \"${}\" is never used.", def.name),
                };
                self.err(msg, def.pos);
            }
        }
    }

    fn directives(&mut self, directives: &[Directive]) {
        for d in directives {
            if d.name != "include" && d.name != "skip" {
                self.err(format!("Unknown directive \"@{}\".", d.name), d.pos);
                continue;
            }
            let arg_def = ArgDef {
                name: "if",
                ty: "Boolean!",
                default: None,
            };
            self.arguments(
                &d.arguments,
                std::slice::from_ref(&arg_def),
                &format!("@{}", d.name),
                d.pos,
                true,
            );
        }
    }

    fn selections(&mut self, sels: &'d [Selection], parent: &str) {
        for s in sels {
            match s {
                Selection::Field(f) => self.field(f, parent),
                Selection::FragmentSpread {
                    name,
                    directives,
                    pos,
                } => {
                    self.directives(directives);
                    let Some(frag) = self.doc.fragments.iter().find(|f| &f.name == name) else {
                        self.err(format!("Unknown fragment \"{name}\"."), *pos);
                        continue;
                    };
                    self.used_fragments.insert(name.clone());
                    if self.fragment_stack.contains(name) {
                        self.err(
                            format!("Cannot spread fragment \"{name}\" within itself."),
                            *pos,
                        );
                        continue;
                    }
                    let cond = frag.type_condition.as_str();
                    if schema::object_fields(cond).is_none() {
                        self.err(format!("Unknown type \"{cond}\"."), frag.pos);
                        continue;
                    }
                    if !schema::types_overlap(cond, parent) {
                        self.err(
                            format!(
                                "Fragment \"{name}\" cannot be spread here as objects of type \"{parent}\" can never be of type \"{cond}\"."
                            ),
                            *pos,
                        );
                        continue;
                    }
                    self.directives(&frag.directives);
                    self.fragment_stack.push(name.clone());
                    self.selections(&frag.selection_set, cond);
                    self.fragment_stack.pop();
                }
                Selection::InlineFragment {
                    type_condition,
                    directives,
                    selection_set,
                    pos,
                } => {
                    self.directives(directives);
                    let cond = type_condition.as_deref().unwrap_or(parent).to_string();
                    if schema::object_fields(&cond).is_none() {
                        self.err(format!("Unknown type \"{cond}\"."), *pos);
                        continue;
                    }
                    if !schema::types_overlap(&cond, parent) {
                        self.err(
                            format!(
                                "Fragment cannot be spread here as objects of type \"{parent}\" can never be of type \"{cond}\"."
                            ),
                            *pos,
                        );
                        continue;
                    }
                    self.selections(selection_set, &cond);
                }
            }
        }
    }

    fn field(&mut self, f: &'d Field, parent: &str) {
        self.directives(&f.directives);
        if f.name == "__typename" {
            if !f.arguments.is_empty() {
                self.err(
                    format!(
                        "Unknown argument \"{}\" on field \"{parent}.__typename\".",
                        f.arguments[0].name
                    ),
                    f.arguments[0].pos,
                );
            }
            if !f.selection_set.is_empty() {
                self.err(
                    "Field \"__typename\" must not have a selection since type \"String!\" has no subfields.",
                    f.pos,
                );
            }
            return;
        }
        let Some(def) = schema::field(parent, &f.name) else {
            self.err(
                format!("Cannot query field \"{}\" on type \"{parent}\".", f.name),
                f.pos,
            );
            return;
        };
        self.arguments(
            &f.arguments,
            def.args,
            &format!("{parent}.{}", f.name),
            f.pos,
            false,
        );
        let ty = def.ty();
        let base = ty.base();
        if schema::is_leaf(base) {
            if !f.selection_set.is_empty() {
                self.err(
                    format!(
                        "Field \"{}\" must not have a selection since type \"{ty}\" has no subfields.",
                        f.name
                    ),
                    f.pos,
                );
            }
        } else if f.selection_set.is_empty() {
            self.err(
                format!(
                    "Field \"{}\" of type \"{ty}\" must have a selection of subfields. Did you mean \"{} {{ ... }}\"?",
                    f.name, f.name
                ),
                f.pos,
            );
        } else {
            self.selections(&f.selection_set, base);
        }
    }

    fn arguments(
        &mut self,
        args: &[graphql::Argument],
        defs: &[ArgDef],
        owner: &str,
        owner_pos: Pos,
        directive: bool,
    ) {
        let mut seen = HashSet::new();
        for arg in args {
            if !seen.insert(arg.name.as_str()) {
                self.err(
                    format!("There can be only one argument named \"{}\".", arg.name),
                    arg.pos,
                );
            }
            let Some(def) = defs.iter().find(|d| d.name == arg.name) else {
                let msg = if directive {
                    format!(
                        "Unknown argument \"{}\" on directive \"{owner}\".",
                        arg.name
                    )
                } else {
                    format!("Unknown argument \"{}\" on field \"{owner}\".", arg.name)
                };
                self.err(msg, arg.pos);
                continue;
            };
            let ty = def.ty();
            if let Err(e) = coerce_literal(&arg.value, &ty, None) {
                self.err(e, arg.pos);
            }
            self.collect_usages(&arg.value, &ty, def.default.is_some(), arg.pos);
        }
        for def in defs {
            let ty = def.ty();
            if ty.is_non_null() && def.default.is_none() && !args.iter().any(|a| a.name == def.name)
            {
                let (kind, name) = if directive {
                    ("Directive", owner.to_string())
                } else {
                    (
                        "Field",
                        owner.rsplit('.').next().unwrap_or(owner).to_string(),
                    )
                };
                self.err(
                    format!(
                        "{kind} \"{name}\" argument \"{}\" of type \"{ty}\" is required, but it was not provided.",
                        def.name
                    ),
                    owner_pos,
                );
            }
        }
    }

    /// Records where variables are used and the type expected there.
    fn collect_usages(&mut self, value: &Value, ty: &Type, has_default: bool, pos: Pos) {
        match value {
            Value::Variable(name) => self.usages.push(Usage {
                name: name.clone(),
                expected: ty.clone(),
                has_default,
                pos,
            }),
            Value::List(items) => {
                let inner = match ty.nullable() {
                    Type::List(t) => (**t).clone(),
                    other => other.clone(),
                };
                for i in items {
                    self.collect_usages(i, &inner, false, pos);
                }
            }
            Value::Object(fields) => {
                let Some(defs) = schema::input_fields(ty.base()) else {
                    return;
                };
                for (k, v) in fields {
                    if let Some(d) = defs.iter().find(|d| d.name == k) {
                        self.collect_usages(v, &d.ty(), d.default.is_some(), pos);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether a variable of type `var` may be used where `loc` is expected.
fn subtype(var: &Type, loc: &Type) -> bool {
    match (var, loc) {
        (Type::NonNull(v), Type::NonNull(l)) => subtype(v, l),
        (Type::NonNull(v), l) => subtype(v, l),
        (_, Type::NonNull(_)) => false,
        (Type::List(v), Type::List(l)) => subtype(v, l),
        (Type::List(_), _) | (_, Type::List(_)) => false,
        (Type::Named(a), Type::Named(b)) => a == b,
    }
}

fn expected(ty: &Type, found: &Value) -> String {
    format!("Expected value of type \"{ty}\", found {found}.")
}

/// Coerces a literal to a JSON value of `ty`. With `vars` None (validation) a variable
/// stands for any value; with `vars` its (already coerced) value is used, and a variable
/// absent from `vars` is null.
pub(crate) fn coerce_literal(
    value: &Value,
    ty: &Type,
    vars: Option<&Map<String, Json>>,
) -> Result<Json, String> {
    if let Value::Variable(name) = value {
        return Ok(vars
            .and_then(|v| v.get(name))
            .cloned()
            .unwrap_or(Json::Null));
    }
    match ty {
        Type::NonNull(inner) => {
            if *value == Value::Null {
                return Err(expected(ty, value));
            }
            coerce_literal(value, inner, vars).map_err(|e| {
                if e.starts_with("Expected value of type") {
                    expected(ty, value)
                } else {
                    e
                }
            })
        }
        _ if *value == Value::Null => Ok(Json::Null),
        Type::List(inner) => match value {
            Value::List(items) => items
                .iter()
                .map(|i| coerce_literal(i, inner, vars))
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array),
            single => Ok(Json::Array(vec![coerce_literal(single, inner, vars)?])),
        },
        Type::Named(name) => coerce_named_literal(value, name, ty, vars),
    }
}

fn coerce_named_literal(
    value: &Value,
    name: &str,
    ty: &Type,
    vars: Option<&Map<String, Json>>,
) -> Result<Json, String> {
    if let Some(values) = schema::enum_values(name) {
        return match value {
            Value::Enum(e) if values.contains(&e.as_str()) => Ok(Json::String(e.clone())),
            Value::Enum(e) => Err(format!("Value \"{e}\" does not exist in \"{name}\" enum.")),
            other => Err(format!(
                "Enum \"{name}\" cannot represent non-enum value: {other}."
            )),
        };
    }
    if let Some(fields) = schema::input_fields(name) {
        let Value::Object(given) = value else {
            return Err(expected(ty, value));
        };
        let mut out = Map::new();
        for (k, v) in given {
            let Some(def) = fields.iter().find(|d| d.name == k) else {
                return Err(format!("Field \"{k}\" is not defined by type \"{name}\"."));
            };
            out.insert(k.clone(), coerce_literal(v, &def.ty(), vars)?);
        }
        for def in fields {
            if out.contains_key(def.name) {
                continue;
            }
            if let Some(d) = def.default {
                let lit = graphql::parse_const_value(d).expect("schema defaults parse");
                out.insert(def.name.to_string(), coerce_literal(&lit, &def.ty(), None)?);
            } else if def.ty().is_non_null() {
                return Err(format!(
                    "Field \"{name}.{}\" of required type \"{}\" was not provided.",
                    def.name,
                    def.ty()
                ));
            }
        }
        return Ok(Json::Object(out));
    }
    let bad = || Err(expected(ty, value));
    match name {
        "ID" => match value {
            Value::String(s) => Ok(Json::String(s.clone())),
            Value::Int(i) => Ok(Json::String(i.to_string())),
            _ => bad(),
        },
        "String" | "Date" => match value {
            Value::String(s) => Ok(Json::String(s.clone())),
            _ => bad(),
        },
        "Int" => match value {
            Value::Int(i) if i32::try_from(*i).is_ok() => Ok(Json::from(*i)),
            Value::Int(i) => Err(format!(
                "Int cannot represent non 32-bit signed integer value: {i}"
            )),
            _ => bad(),
        },
        "Float" => match value {
            Value::Int(i) => Ok(Json::from(*i)),
            Value::Float(x) => Ok(Number::from_f64(*x).map_or(Json::Null, Json::Number)),
            _ => bad(),
        },
        "Boolean" => match value {
            Value::Boolean(b) => Ok(Json::Bool(*b)),
            _ => bad(),
        },
        // JSON and CompareValue take any literal.
        _ => literal_to_json(value, vars),
    }
}

fn literal_to_json(value: &Value, vars: Option<&Map<String, Json>>) -> Result<Json, String> {
    Ok(match value {
        Value::Variable(n) => vars.and_then(|v| v.get(n)).cloned().unwrap_or(Json::Null),
        Value::Int(i) => Json::from(*i),
        Value::Float(x) => Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::String(s) | Value::Enum(s) => Json::String(s.clone()),
        Value::Boolean(b) => Json::Bool(*b),
        Value::Null => Json::Null,
        Value::List(items) => Json::Array(
            items
                .iter()
                .map(|i| literal_to_json(i, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), literal_to_json(v, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn coerce_variables(
    op: &Operation,
    given: &Map<String, Json>,
) -> Result<Map<String, Json>, Vec<GqlError>> {
    let mut out = Map::new();
    let mut errors = Vec::new();
    for def in &op.variables {
        let name = &def.name;
        match given.get(name) {
            None => {
                if let Some(d) = &def.default {
                    if let Ok(v) = coerce_literal(d, &def.ty, None) {
                        out.insert(name.clone(), v);
                    }
                } else if def.ty.is_non_null() {
                    errors.push(GqlError::new(
                        format!(
                            "Variable \"${name}\" of required type \"{}\" was not provided.",
                            def.ty
                        ),
                        Some(def.pos),
                    ));
                }
            }
            Some(Json::Null) if def.ty.is_non_null() => errors.push(GqlError::new(
                format!(
                    "Variable \"${name}\" of non-null type \"{}\" must not be null.",
                    def.ty
                ),
                Some(def.pos),
            )),
            Some(v) => match coerce_json(v, &def.ty, name) {
                Ok(c) => {
                    out.insert(name.clone(), c);
                }
                Err((path, why)) => {
                    let at = if path == *name {
                        String::new()
                    } else {
                        format!(" at \"{path}\"")
                    };
                    errors.push(GqlError::new(
                        format!("Variable \"${name}\" got invalid value {v}{at}; {why}"),
                        Some(def.pos),
                    ))
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Coerces a variable's JSON value to `ty`; errors carry the path within the value.
fn coerce_json(v: &Json, ty: &Type, path: &str) -> Result<Json, (String, String)> {
    match ty {
        Type::NonNull(inner) => {
            if v.is_null() {
                return Err((
                    path.to_string(),
                    format!("Expected non-nullable type \"{ty}\" not to be null."),
                ));
            }
            coerce_json(v, inner, path)
        }
        _ if v.is_null() => Ok(Json::Null),
        Type::List(inner) => match v {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| coerce_json(x, inner, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array),
            single => Ok(Json::Array(vec![coerce_json(single, inner, path)?])),
        },
        Type::Named(name) => coerce_named_json(v, name, path),
    }
}

fn coerce_named_json(v: &Json, name: &str, path: &str) -> Result<Json, (String, String)> {
    let fail = |why: String| Err((path.to_string(), why));
    if let Some(values) = schema::enum_values(name) {
        return match v.as_str() {
            Some(s) if values.contains(&s) => Ok(v.clone()),
            _ => fail(format!("Value {v} does not exist in \"{name}\" enum.")),
        };
    }
    if let Some(fields) = schema::input_fields(name) {
        let Json::Object(given) = v else {
            return fail(format!("Expected type \"{name}\" to be an object."));
        };
        let mut out = Map::new();
        for (k, x) in given {
            let Some(def) = fields.iter().find(|d| d.name == k) else {
                return fail(format!("Field \"{k}\" is not defined by type \"{name}\"."));
            };
            out.insert(
                k.clone(),
                coerce_json(x, &def.ty(), &format!("{path}.{k}"))?,
            );
        }
        for def in fields {
            if out.contains_key(def.name) {
                continue;
            }
            if let Some(d) = def.default {
                let lit = graphql::parse_const_value(d).expect("schema defaults parse");
                if let Ok(c) = coerce_literal(&lit, &def.ty(), None) {
                    out.insert(def.name.to_string(), c);
                }
            } else if def.ty().is_non_null() {
                return fail(format!(
                    "Field \"{}\" of required type \"{}\" was not provided.",
                    def.name,
                    def.ty()
                ));
            }
        }
        return Ok(Json::Object(out));
    }
    match name {
        "ID" => match v {
            Json::String(_) => Ok(v.clone()),
            Json::Number(n) if n.is_i64() || n.is_u64() => Ok(Json::String(n.to_string())),
            _ => fail(format!("ID cannot represent value: {v}")),
        },
        "String" | "Date" => match v {
            Json::String(_) => Ok(v.clone()),
            _ => fail(format!("String cannot represent a non string value: {v}")),
        },
        "Int" => match v.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => Ok(v.clone()),
            Some(_) => fail(format!(
                "Int cannot represent non 32-bit signed integer value: {v}"
            )),
            None => fail(format!("Int cannot represent non-integer value: {v}")),
        },
        "Float" => match v {
            Json::Number(_) => Ok(v.clone()),
            _ => fail(format!("Float cannot represent non numeric value: {v}")),
        },
        "Boolean" => match v {
            Json::Bool(_) => Ok(v.clone()),
            _ => fail(format!("Boolean cannot represent a non boolean value: {v}")),
        },
        _ => Ok(v.clone()),
    }
}

/// Arguments of a field (or directive) with their defaults, coerced for execution.
pub(crate) fn arguments(
    given: &[graphql::Argument],
    defs: &[ArgDef],
    vars: &Map<String, Json>,
) -> Result<Map<String, Json>, String> {
    let mut out = Map::new();
    for def in defs {
        let ty = def.ty();
        let provided = given
            .iter()
            .find(|a| a.name == def.name)
            .filter(|a| match &a.value {
                Value::Variable(v) => vars.contains_key(v),
                _ => true,
            });
        match provided {
            Some(a) => {
                let v = coerce_literal(&a.value, &ty, Some(vars))?;
                if v.is_null() && ty.is_non_null() {
                    return Err(format!(
                        "Argument \"{}\" of non-null type \"{ty}\" must not be null.",
                        def.name
                    ));
                }
                out.insert(def.name.to_string(), v);
            }
            None => {
                if let Some(d) = def.default {
                    let lit = graphql::parse_const_value(d).expect("schema defaults parse");
                    out.insert(def.name.to_string(), coerce_literal(&lit, &ty, None)?);
                }
            }
        }
    }
    Ok(out)
}

/// Whether `@skip`/`@include` leave a selection in.
pub(crate) fn included(directives: &[Directive], vars: &Map<String, Json>) -> bool {
    for d in directives {
        let value = d
            .arguments
            .iter()
            .find(|a| a.name == "if")
            .and_then(|a| coerce_literal(&a.value, &Type::Named("Boolean".into()), Some(vars)).ok())
            .and_then(|v| v.as_bool());
        match (d.name.as_str(), value) {
            ("skip", Some(true)) | ("include", Some(false)) => return false,
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(q: &str, vars: Json) -> Vec<String> {
        match prepare(q, None, vars.as_object().expect("object")) {
            Ok(_) => Vec::new(),
            Err(es) => es.into_iter().map(|e| e.message).collect(),
        }
    }

    #[test]
    fn a_valid_query_with_variables_prepares() {
        let p = prepare(
            "query ($b: [ID!], $l: Int) { boards(ids: $b) { id items_page(limit: $l) { cursor items { id } } } }",
            None,
            json!({"b": [1234567890], "l": 5}).as_object().unwrap(),
        )
        .expect("valid");
        assert_eq!(p.vars["b"], json!(["1234567890"]), "IDs become strings");
        assert_eq!(p.root_fields(), ["boards"]);
    }

    #[test]
    fn unknown_fields_and_arguments_are_refused() {
        assert_eq!(
            errors("{ boards { invalid_field } }", json!({})),
            ["Cannot query field \"invalid_field\" on type \"Board\"."]
        );
        assert_eq!(
            errors("{ boards(idz: 1) { id } }", json!({})),
            ["Unknown argument \"idz\" on field \"Query.boards\"."]
        );
        assert_eq!(
            errors("mutation { create_item(board_id: 1) { id } }", json!({})),
            ["Field \"create_item\" argument \"item_name\" of type \"String!\" is required, but it was not provided."]
        );
        assert_eq!(
            errors("{ boards }", json!({})),
            ["Field \"boards\" of type \"[Board]\" must have a selection of subfields. Did you mean \"boards { ... }\"?"]
        );
    }

    #[test]
    fn variables_are_checked_against_their_use() {
        assert_eq!(
            errors("query ($b: String) { boards(ids: [$b]) { id } }", json!({})),
            ["Variable \"$b\" of type \"String\" used in position expecting type \"ID!\"."]
        );
        assert_eq!(
            errors("query ($b: ID!) { boards { id } }", json!({"b": "1"})),
            ["Variable \"$b\" is never used."]
        );
        assert_eq!(
            errors("{ boards(ids: [$b]) { id } }", json!({})),
            ["Variable \"$b\" is not defined."]
        );
        assert_eq!(
            errors("query ($b: ID!) { boards(ids: [$b]) { id } }", json!({})),
            ["Variable \"$b\" of required type \"ID!\" was not provided."]
        );
        assert_eq!(
            errors(
                "query ($b: ID!) { boards(ids: [$b]) { id } }",
                json!({"b": 1.5})
            ),
            ["Variable \"$b\" got invalid value 1.5; ID cannot represent value: 1.5"]
        );
        assert_eq!(
            errors("{ boards(limit: \"x\") { id } }", json!({})),
            ["Expected value of type \"Int\", found \"x\"."]
        );
    }

    #[test]
    fn fragments_must_exist_fit_and_be_used() {
        assert_eq!(
            errors("{ boards { ...F } }", json!({})),
            ["Unknown fragment \"F\"."]
        );
        assert_eq!(
            errors("{ boards { ...F } } fragment F on Item { id }", json!({})),
            ["Fragment \"F\" cannot be spread here as objects of type \"Board\" can never be of type \"Item\"."]
        );
        assert_eq!(
            errors("{ boards { id } } fragment F on Board { id }", json!({})),
            ["Fragment \"F\" is never used."]
        );
        assert!(errors(
            "{ items { column_values { ... on StatusValue { label index } ...V } } } fragment V on ColumnValue { id text }",
            json!({})
        )
        .is_empty());
    }
}
