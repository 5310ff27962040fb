//! A parser for GraphQL executable documents (operations and fragments), enough for what
//! clients send to monday.com: named or anonymous operations with variable definitions and
//! defaults, nested selections, aliases, arguments with literals or `$variables`, fragment
//! spreads, inline fragments and directives. Positions are kept (1-based line and column) for
//! the `locations` of errors. Type-system definitions are not accepted (the API only executes).

use std::fmt;

/// A 1-based position in the query text, as GraphQL's `locations` report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A literal or a variable in argument position.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Variable(String),
    Int(i64),
    Float(f64),
    String(String),
    Boolean(bool),
    Null,
    Enum(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl fmt::Display for Value {
    /// GraphQL source form (what graphql-js prints in "found ..." messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Variable(v) => write!(f, "${v}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Null => write!(f, "null"),
            Value::Enum(e) => write!(f, "{e}"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Object(fields) => {
                write!(f, "{{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// A type reference: `ID`, `[ID!]`, `String!`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    Named(String),
    List(Box<Type>),
    NonNull(Box<Type>),
}

impl Type {
    /// The named type under the list and non-null wrappers.
    pub fn base(&self) -> &str {
        match self {
            Type::Named(n) => n,
            Type::List(t) | Type::NonNull(t) => t.base(),
        }
    }

    pub fn is_non_null(&self) -> bool {
        matches!(self, Type::NonNull(_))
    }

    /// The type without its outer non-null wrapper.
    pub fn nullable(&self) -> &Type {
        match self {
            Type::NonNull(t) => t,
            t => t,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Named(n) => write!(f, "{n}"),
            Type::List(t) => write!(f, "[{t}]"),
            Type::NonNull(t) => write!(f, "{t}!"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub name: String,
    pub value: Value,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub name: String,
    pub arguments: Vec<Argument>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub alias: Option<String>,
    pub name: String,
    pub arguments: Vec<Argument>,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    pub pos: Pos,
}

impl Field {
    /// The key this field has in the response: its alias, else its name.
    pub fn response_key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    Field(Field),
    FragmentSpread {
        name: String,
        directives: Vec<Directive>,
        pos: Pos,
    },
    InlineFragment {
        type_condition: Option<String>,
        directives: Vec<Directive>,
        selection_set: Vec<Selection>,
        pos: Pos,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariableDefinition {
    pub name: String,
    pub ty: Type,
    pub default: Option<Value>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub kind: OperationKind,
    pub name: Option<String>,
    pub variables: Vec<VariableDefinition>,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fragment {
    pub name: String,
    pub type_condition: String,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Document {
    pub operations: Vec<Operation>,
    pub fragments: Vec<Fragment>,
}

/// A syntax error, worded as graphql-js words them (`Syntax Error: Expected Name, found
/// "}".`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Syntax Error: {message}")]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Punct(char),
    Spread,
    Name(String),
    Int(String),
    Float(String),
    Str(String),
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Punct(c) => write!(f, "\"{c}\""),
            Tok::Spread => write!(f, "\"...\""),
            Tok::Name(n) => write!(f, "Name \"{n}\""),
            Tok::Int(i) => write!(f, "Int \"{i}\""),
            Tok::Float(x) => write!(f, "Float \"{x}\""),
            Tok::Str(s) => write!(f, "String {}", serde_json::Value::String(s.clone())),
            Tok::Eof => write!(f, "<EOF>"),
        }
    }
}

struct Lexer<'a> {
    chars: Vec<char>,
    i: usize,
    line: usize,
    line_start: usize,
    _src: &'a str,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer {
            chars: src.chars().collect(),
            i: 0,
            line: 1,
            line_start: 0,
            _src: src,
        }
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.i - self.line_start + 1,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.i;
    }

    fn err(&self, message: impl Into<String>, pos: Pos) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            pos,
        }
    }

    /// Skips whitespace, commas, comments and a byte-order mark.
    fn skip_ignored(&mut self) {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | ',' | '\u{feff}' => self.i += 1,
                '\n' => {
                    self.i += 1;
                    self.newline();
                }
                '\r' => {
                    self.i += 1;
                    if self.peek(0) == Some('\n') {
                        self.i += 1;
                    }
                    self.newline();
                }
                '#' => {
                    while let Some(c) = self.peek(0) {
                        if c == '\n' || c == '\r' {
                            break;
                        }
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn next(&mut self) -> Result<(Tok, Pos), SyntaxError> {
        self.skip_ignored();
        let pos = self.pos();
        let Some(c) = self.peek(0) else {
            return Ok((Tok::Eof, pos));
        };
        match c {
            '!' | '$' | '&' | '(' | ')' | ':' | '=' | '@' | '[' | ']' | '{' | '|' | '}' => {
                self.i += 1;
                Ok((Tok::Punct(c), pos))
            }
            '.' => {
                if self.peek(1) == Some('.') && self.peek(2) == Some('.') {
                    self.i += 3;
                    Ok((Tok::Spread, pos))
                } else {
                    Err(self.err("Unexpected \".\".", pos))
                }
            }
            '"' => self.string(pos),
            c if c == '_' || c.is_ascii_alphabetic() => {
                let start = self.i;
                while self
                    .peek(0)
                    .is_some_and(|c| c == '_' || c.is_ascii_alphanumeric())
                {
                    self.i += 1;
                }
                Ok((Tok::Name(self.chars[start..self.i].iter().collect()), pos))
            }
            c if c == '-' || c.is_ascii_digit() => self.number(pos),
            c => Err(self.err(format!("Unexpected character: \"{c}\"."), pos)),
        }
    }

    fn digits(&mut self, pos: Pos) -> Result<(), SyntaxError> {
        if !self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            let found = self
                .peek(0)
                .map_or("<EOF>".to_string(), |c| format!("\"{c}\""));
            return Err(self.err(
                format!("Invalid number, expected digit but got: {found}."),
                pos,
            ));
        }
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        Ok(())
    }

    fn number(&mut self, pos: Pos) -> Result<(Tok, Pos), SyntaxError> {
        let start = self.i;
        let mut float = false;
        if self.peek(0) == Some('-') {
            self.i += 1;
        }
        if self.peek(0) == Some('0') {
            self.i += 1;
            if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.err(
                    format!(
                        "Invalid number, unexpected digit after 0: \"{}\".",
                        self.peek(0).unwrap_or('0')
                    ),
                    pos,
                ));
            }
        } else {
            self.digits(pos)?;
        }
        if self.peek(0) == Some('.') {
            float = true;
            self.i += 1;
            self.digits(pos)?;
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(0), Some('+' | '-')) {
                self.i += 1;
            }
            self.digits(pos)?;
        }
        if self
            .peek(0)
            .is_some_and(|c| c == '_' || c == '.' || c.is_ascii_alphabetic())
        {
            return Err(self.err(
                format!(
                    "Invalid number, expected digit but got: \"{}\".",
                    self.peek(0).unwrap_or('?')
                ),
                pos,
            ));
        }
        let text: String = self.chars[start..self.i].iter().collect();
        Ok((
            if float {
                Tok::Float(text)
            } else {
                Tok::Int(text)
            },
            pos,
        ))
    }

    fn string(&mut self, pos: Pos) -> Result<(Tok, Pos), SyntaxError> {
        if self.peek(1) == Some('"') && self.peek(2) == Some('"') {
            return self.block_string(pos);
        }
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.err("Unterminated string.", self.pos()));
            };
            match c {
                '"' => {
                    self.i += 1;
                    return Ok((Tok::Str(out), pos));
                }
                '\n' | '\r' => return Err(self.err("Unterminated string.", self.pos())),
                '\\' => {
                    let esc_pos = self.pos();
                    let e = self.peek(1);
                    self.i += 2;
                    match e {
                        Some('"') => out.push('"'),
                        Some('\\') => out.push('\\'),
                        Some('/') => out.push('/'),
                        Some('b') => out.push('\u{8}'),
                        Some('f') => out.push('\u{c}'),
                        Some('n') => out.push('\n'),
                        Some('r') => out.push('\r'),
                        Some('t') => out.push('\t'),
                        Some('u') => {
                            let code = self.unicode_escape(esc_pos)?;
                            // A surrogate pair arrives as two escapes.
                            if (0xD800..0xDC00).contains(&code)
                                && self.peek(0) == Some('\\')
                                && self.peek(1) == Some('u')
                            {
                                self.i += 2;
                                let low = self.unicode_escape(esc_pos)?;
                                let combined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                out.push(char::from_u32(combined).ok_or_else(|| {
                                    self.err("Invalid Unicode escape sequence.", esc_pos)
                                })?);
                            } else {
                                out.push(char::from_u32(code).ok_or_else(|| {
                                    self.err("Invalid Unicode escape sequence.", esc_pos)
                                })?);
                            }
                        }
                        Some(other) => {
                            return Err(self.err(
                                format!("Invalid character escape sequence: \"\\{other}\"."),
                                esc_pos,
                            ))
                        }
                        None => return Err(self.err("Unterminated string.", esc_pos)),
                    }
                }
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn unicode_escape(&mut self, pos: Pos) -> Result<u32, SyntaxError> {
        let hex: String = (0..4).filter_map(|k| self.peek(k)).collect();
        if hex.len() != 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(self.err("Invalid Unicode escape sequence.", pos));
        }
        self.i += 4;
        u32::from_str_radix(&hex, 16).map_err(|_| self.err("Invalid Unicode escape sequence.", pos))
    }

    fn block_string(&mut self, pos: Pos) -> Result<(Tok, Pos), SyntaxError> {
        self.i += 3;
        let mut raw = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.err("Unterminated string.", self.pos()));
            };
            if c == '"' && self.peek(1) == Some('"') && self.peek(2) == Some('"') {
                self.i += 3;
                return Ok((Tok::Str(block_string_value(&raw)), pos));
            }
            if c == '\\'
                && self.peek(1) == Some('"')
                && self.peek(2) == Some('"')
                && self.peek(3) == Some('"')
            {
                raw.push_str("\"\"\"");
                self.i += 4;
                continue;
            }
            raw.push(c);
            self.i += 1;
            if c == '\n' {
                self.newline();
            } else if c == '\r' {
                if self.peek(0) == Some('\n') {
                    raw.push('\n');
                    self.i += 1;
                }
                self.newline();
            }
        }
    }
}

/// The value of a block string: common indentation and blank first/last lines removed.
fn block_string_value(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .split(['\n'])
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| l.chars().any(|c| c != ' ' && c != '\t'))
        .map(|l| l.chars().take_while(|c| *c == ' ' || *c == '\t').count())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                l.chars().skip(indent).collect()
            }
        })
        .collect();
    let blank = |l: &String| l.chars().all(|c| c == ' ' || c == '\t');
    while out.first().is_some_and(blank) {
        out.remove(0);
    }
    while out.last().is_some_and(blank) {
        out.pop();
    }
    out.join("\n")
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Tok,
    pos: Pos,
}

type PResult<T> = Result<T, SyntaxError>;

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> PResult<Self> {
        let mut lexer = Lexer::new(src);
        let (tok, pos) = lexer.next()?;
        Ok(Parser { lexer, tok, pos })
    }

    fn advance(&mut self) -> PResult<(Tok, Pos)> {
        let (tok, pos) = self.lexer.next()?;
        let prev_tok = std::mem::replace(&mut self.tok, tok);
        let prev_pos = std::mem::replace(&mut self.pos, pos);
        Ok((prev_tok, prev_pos))
    }

    fn unexpected<T>(&self, expected: &str) -> PResult<T> {
        Err(SyntaxError {
            message: format!("Expected {expected}, found {}.", self.tok),
            pos: self.pos,
        })
    }

    fn is_punct(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }

    fn expect_punct(&mut self, c: char) -> PResult<Pos> {
        if self.is_punct(c) {
            Ok(self.advance()?.1)
        } else {
            self.unexpected(&format!("\"{c}\""))
        }
    }

    fn name(&mut self) -> PResult<(String, Pos)> {
        match &self.tok {
            Tok::Name(_) => match self.advance()? {
                (Tok::Name(n), p) => Ok((n, p)),
                _ => unreachable!("the token was a name"),
            },
            _ => self.unexpected("Name"),
        }
    }

    fn keyword(&mut self, word: &str) -> PResult<()> {
        match &self.tok {
            Tok::Name(n) if n == word => {
                self.advance()?;
                Ok(())
            }
            _ => self.unexpected(&format!("\"{word}\"")),
        }
    }

    fn document(&mut self) -> PResult<Document> {
        let mut doc = Document::default();
        if self.tok == Tok::Eof {
            return self.unexpected("a definition");
        }
        while self.tok != Tok::Eof {
            match &self.tok {
                Tok::Punct('{') => {
                    let pos = self.pos;
                    let selection_set = self.selection_set()?;
                    doc.operations.push(Operation {
                        kind: OperationKind::Query,
                        name: None,
                        variables: Vec::new(),
                        directives: Vec::new(),
                        selection_set,
                        pos,
                    });
                }
                Tok::Name(n) if n == "query" || n == "mutation" || n == "subscription" => {
                    doc.operations.push(self.operation()?);
                }
                Tok::Name(n) if n == "fragment" => doc.fragments.push(self.fragment()?),
                Tok::Name(n) => {
                    return Err(SyntaxError {
                        message: format!("Unexpected Name \"{n}\"."),
                        pos: self.pos,
                    })
                }
                _ => return self.unexpected("a definition"),
            }
        }
        Ok(doc)
    }

    fn operation(&mut self) -> PResult<Operation> {
        let (word, pos) = self.name()?;
        let kind = match word.as_str() {
            "query" => OperationKind::Query,
            "mutation" => OperationKind::Mutation,
            _ => OperationKind::Subscription,
        };
        let name = match &self.tok {
            Tok::Name(_) => Some(self.name()?.0),
            _ => None,
        };
        let variables = if self.is_punct('(') {
            self.variable_definitions()?
        } else {
            Vec::new()
        };
        let directives = self.directives(false)?;
        let selection_set = self.selection_set()?;
        Ok(Operation {
            kind,
            name,
            variables,
            directives,
            selection_set,
            pos,
        })
    }

    fn variable_definitions(&mut self) -> PResult<Vec<VariableDefinition>> {
        self.expect_punct('(')?;
        let mut defs = Vec::new();
        loop {
            let pos = self.expect_punct('$')?;
            let (name, _) = self.name()?;
            self.expect_punct(':')?;
            let ty = self.type_ref()?;
            let default = if self.is_punct('=') {
                self.advance()?;
                Some(self.value(true)?)
            } else {
                None
            };
            // Directives on variable definitions are legal syntax; nothing here uses them.
            self.directives(true)?;
            defs.push(VariableDefinition {
                name,
                ty,
                default,
                pos,
            });
            if self.is_punct(')') {
                self.advance()?;
                return Ok(defs);
            }
        }
    }

    fn type_ref(&mut self) -> PResult<Type> {
        let base = if self.is_punct('[') {
            self.advance()?;
            let inner = self.type_ref()?;
            self.expect_punct(']')?;
            Type::List(Box::new(inner))
        } else {
            Type::Named(self.name()?.0)
        };
        if self.is_punct('!') {
            self.advance()?;
            Ok(Type::NonNull(Box::new(base)))
        } else {
            Ok(base)
        }
    }

    fn fragment(&mut self) -> PResult<Fragment> {
        let pos = self.pos;
        self.keyword("fragment")?;
        let (name, name_pos) = self.name()?;
        if name == "on" {
            return Err(SyntaxError {
                message: "Unexpected Name \"on\".".into(),
                pos: name_pos,
            });
        }
        self.keyword("on")?;
        let (type_condition, _) = self.name()?;
        let directives = self.directives(false)?;
        let selection_set = self.selection_set()?;
        Ok(Fragment {
            name,
            type_condition,
            directives,
            selection_set,
            pos,
        })
    }

    fn selection_set(&mut self) -> PResult<Vec<Selection>> {
        self.expect_punct('{')?;
        let mut out = Vec::new();
        loop {
            out.push(self.selection()?);
            if self.is_punct('}') {
                self.advance()?;
                return Ok(out);
            }
        }
    }

    fn selection(&mut self) -> PResult<Selection> {
        if self.tok == Tok::Spread {
            let (_, pos) = self.advance()?;
            return match &self.tok {
                Tok::Name(n) if n != "on" => {
                    let (name, _) = self.name()?;
                    let directives = self.directives(false)?;
                    Ok(Selection::FragmentSpread {
                        name,
                        directives,
                        pos,
                    })
                }
                _ => {
                    let type_condition = match &self.tok {
                        Tok::Name(n) if n == "on" => {
                            self.advance()?;
                            Some(self.name()?.0)
                        }
                        _ => None,
                    };
                    let directives = self.directives(false)?;
                    let selection_set = self.selection_set()?;
                    Ok(Selection::InlineFragment {
                        type_condition,
                        directives,
                        selection_set,
                        pos,
                    })
                }
            };
        }
        let (first, pos) = self.name()?;
        let (alias, name) = if self.is_punct(':') {
            self.advance()?;
            (Some(first), self.name()?.0)
        } else {
            (None, first)
        };
        let arguments = if self.is_punct('(') {
            self.arguments(false)?
        } else {
            Vec::new()
        };
        let directives = self.directives(false)?;
        let selection_set = if self.is_punct('{') {
            self.selection_set()?
        } else {
            Vec::new()
        };
        Ok(Selection::Field(Field {
            alias,
            name,
            arguments,
            directives,
            selection_set,
            pos,
        }))
    }

    fn arguments(&mut self, constant: bool) -> PResult<Vec<Argument>> {
        self.expect_punct('(')?;
        let mut out = Vec::new();
        loop {
            let (name, pos) = self.name()?;
            self.expect_punct(':')?;
            let value = self.value(constant)?;
            out.push(Argument { name, value, pos });
            if self.is_punct(')') {
                self.advance()?;
                return Ok(out);
            }
        }
    }

    fn directives(&mut self, constant: bool) -> PResult<Vec<Directive>> {
        let mut out = Vec::new();
        while self.is_punct('@') {
            let (_, pos) = self.advance()?;
            let (name, _) = self.name()?;
            let arguments = if self.is_punct('(') {
                self.arguments(constant)?
            } else {
                Vec::new()
            };
            out.push(Directive {
                name,
                arguments,
                pos,
            });
        }
        Ok(out)
    }

    fn value(&mut self, constant: bool) -> PResult<Value> {
        match self.tok.clone() {
            Tok::Punct('$') if !constant => {
                self.advance()?;
                Ok(Value::Variable(self.name()?.0))
            }
            Tok::Punct('[') => {
                self.advance()?;
                let mut items = Vec::new();
                while !self.is_punct(']') {
                    items.push(self.value(constant)?);
                }
                self.advance()?;
                Ok(Value::List(items))
            }
            Tok::Punct('{') => {
                self.advance()?;
                let mut fields = Vec::new();
                while !self.is_punct('}') {
                    let (name, _) = self.name()?;
                    self.expect_punct(':')?;
                    fields.push((name, self.value(constant)?));
                }
                self.advance()?;
                Ok(Value::Object(fields))
            }
            Tok::Int(text) => {
                let pos = self.pos;
                self.advance()?;
                text.parse::<i64>()
                    .map(Value::Int)
                    .map_err(|_| SyntaxError {
                        message: format!(
                            "Int cannot represent non 64-bit signed integer value: {text}"
                        ),
                        pos,
                    })
            }
            Tok::Float(text) => {
                let pos = self.pos;
                self.advance()?;
                text.parse::<f64>()
                    .map(Value::Float)
                    .map_err(|_| SyntaxError {
                        message: format!("Invalid number: {text}."),
                        pos,
                    })
            }
            Tok::Str(s) => {
                self.advance()?;
                Ok(Value::String(s))
            }
            Tok::Name(n) => {
                self.advance()?;
                Ok(match n.as_str() {
                    "true" => Value::Boolean(true),
                    "false" => Value::Boolean(false),
                    "null" => Value::Null,
                    _ => Value::Enum(n),
                })
            }
            Tok::Punct('$') => Err(SyntaxError {
                message: "Unexpected \"$\".".into(),
                pos: self.pos,
            }),
            _ => Err(SyntaxError {
                message: format!("Unexpected {}.", self.tok),
                pos: self.pos,
            }),
        }
    }
}

/// Parses an executable document.
pub fn parse(src: &str) -> Result<Document, SyntaxError> {
    Parser::new(src)?.document()
}

/// Parses a type reference such as `[ID!]!` (used for the schema's own tables).
pub fn parse_type(src: &str) -> Result<Type, SyntaxError> {
    let mut p = Parser::new(src)?;
    let t = p.type_ref()?;
    if p.tok != Tok::Eof {
        return p.unexpected("<EOF>");
    }
    Ok(t)
}

/// Parses a constant value such as `25` or `and` (the schema's default values).
pub fn parse_const_value(src: &str) -> Result<Value, SyntaxError> {
    let mut p = Parser::new(src)?;
    p.value(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_operation_with_variables_aliases_and_fragments() {
        let doc = parse(
            r#"# a comment
            query Find($board: ID!, $po: String! = "x", $limit: Int = 25) {
              found: items_page_by_column_values(board_id: $board, limit: $limit,
                  columns: [{column_id: "text_1", column_values: [$po]}]) {
                cursor
                items { ...ItemFields ... on Item @include(if: true) { name } }
              }
            }
            fragment ItemFields on Item { id }"#,
        )
        .expect("parses");
        assert_eq!(doc.operations.len(), 1);
        assert_eq!(doc.fragments.len(), 1);
        let op = &doc.operations[0];
        assert_eq!(op.name.as_deref(), Some("Find"));
        assert_eq!(op.variables.len(), 3);
        assert_eq!(op.variables[0].ty.to_string(), "ID!");
        assert_eq!(op.variables[1].default, Some(Value::String("x".into())));
        let Selection::Field(f) = &op.selection_set[0] else {
            panic!("a field")
        };
        assert_eq!(f.response_key(), "found");
        assert_eq!(f.name, "items_page_by_column_values");
        assert_eq!(
            f.pos,
            Pos {
                line: 3,
                column: 15
            }
        );
        let columns = &f
            .arguments
            .iter()
            .find(|a| a.name == "columns")
            .expect("columns")
            .value;
        assert_eq!(
            columns.to_string(),
            "[{column_id: \"text_1\", column_values: [$po]}]"
        );
    }

    #[test]
    fn strings_unescape_and_block_strings_dedent() {
        let doc = parse("{ a(x: \"q\\\"\\u00e9\\n\", y: \"\"\"\n    one\n      two\n  \"\"\") }")
            .expect("parses");
        let Selection::Field(f) = &doc.operations[0].selection_set[0] else {
            panic!("a field")
        };
        assert_eq!(f.arguments[0].value, Value::String("q\"é\n".into()));
        assert_eq!(f.arguments[1].value, Value::String("one\n  two".into()));
    }

    #[test]
    fn syntax_errors_say_what_was_found_and_where() {
        let e = parse("query {\n  boards(ids: ) { id }\n}").unwrap_err();
        assert_eq!(e.to_string(), "Syntax Error: Unexpected \")\".");
        assert_eq!(
            e.pos,
            Pos {
                line: 2,
                column: 15
            }
        );
        let e = parse("{ boards { id }").unwrap_err();
        assert_eq!(e.to_string(), "Syntax Error: Expected Name, found <EOF>.");
        let e = parse("mutation ($x: ) { a }").unwrap_err();
        assert_eq!(e.to_string(), "Syntax Error: Expected Name, found \")\".");
        assert!(parse("").is_err());
        assert!(parse("{ a(x: 01) }").is_err());
    }

    #[test]
    fn type_references_round_trip() {
        for t in ["ID", "[ID!]", "[ID!]!", "[[String]]"] {
            assert_eq!(parse_type(t).expect("type").to_string(), t);
        }
        assert_eq!(parse_type("[ID!]!").expect("type").base(), "ID");
    }
}
