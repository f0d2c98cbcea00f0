//! Lexer and recursive-descent parser for jsonpath text, with PostgreSQL's syntax-error wording.

use super::ast::{Accessor, ArithOp, CmpOp, Expr, Method, Mode};
use crate::error::{PgError, sqlstate};
use crate::numeric::Numeric;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Dollar,
    At,
    Var(String),
    Ident(String),
    Str(String),
    Num(String),
    Punct(&'static str),
    End,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

const PUNCTS: [&str; 26] = [
    "**", "==", "!=", "<>", "<=", ">=", "&&", "||", ".", "*", "[", "]", "(", ")", "?", ",", "<",
    ">", "!", "+", "-", "/", "%", "{", "}", "@",
];

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || !c.is_ascii()
}

fn syntax_error(near: Option<&str>) -> PgError {
    match near {
        None => PgError::new(
            sqlstate::SYNTAX_ERROR,
            "syntax error at end of jsonpath input",
        ),
        Some(t) => PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("syntax error at or near \"{t}\" of jsonpath input"),
        ),
    }
}

impl Lexer<'_> {
    fn next_token(&mut self) -> Result<(Tok, String), PgError> {
        let rest = &self.src[self.pos..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
        self.pos += rest.len() - trimmed.len();
        let start = self.pos;
        let mut chars = trimmed.chars();
        let Some(c) = chars.next() else {
            return Ok((Tok::End, String::new()));
        };
        if c == '"' {
            let s = self.lex_string()?;
            return Ok((Tok::Str(s), self.src[start..self.pos].to_string()));
        }
        if c == '$' {
            self.pos += 1;
            let after = &self.src[self.pos..];
            if after.starts_with('"') {
                let s = self.lex_string()?;
                return Ok((Tok::Var(s), self.src[start..self.pos].to_string()));
            }
            let len: usize = after
                .chars()
                .take_while(|c| is_ident_char(*c))
                .map(char::len_utf8)
                .sum();
            self.pos += len;
            let text = self.src[start..self.pos].to_string();
            return Ok(if len == 0 {
                (Tok::Dollar, text)
            } else {
                (Tok::Var(after[..len].to_string()), text)
            });
        }
        if c.is_ascii_digit() || (c == '.' && chars.next().is_some_and(|d| d.is_ascii_digit())) {
            return self.lex_number(start);
        }
        if is_ident_char(c) {
            let len: usize = trimmed
                .chars()
                .take_while(|c| is_ident_char(*c))
                .map(char::len_utf8)
                .sum();
            self.pos += len;
            let text = trimmed[..len].to_string();
            return Ok((Tok::Ident(text.clone()), text));
        }
        for p in PUNCTS {
            if trimmed.starts_with(p) {
                self.pos += p.len();
                if p == "@" {
                    return Ok((Tok::At, p.to_string()));
                }
                return Ok((Tok::Punct(p), p.to_string()));
            }
        }
        Err(syntax_error(Some(&c.to_string())))
    }

    fn lex_number(&mut self, start: usize) -> Result<(Tok, String), PgError> {
        let b = self.src.as_bytes();
        let mut i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i < b.len() && b[i] == b'.' && (i + 1 >= b.len() || b[i + 1] != b'.') {
            // `1.a` is member access on 1 only when a letter follows; digits continue the number.
            if i + 1 < b.len() && b[i + 1].is_ascii_digit() || i == start {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            } else if i + 1 >= b.len() || !is_ident_char(b[i + 1] as char) {
                i += 1;
            }
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut k = i + 1;
            if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
                k += 1;
            }
            if k < b.len() && b[k].is_ascii_digit() {
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                i = k;
            }
        }
        if i < b.len() && is_ident_char(b[i] as char) {
            let end = i + self.src[i..]
                .chars()
                .take_while(|c| is_ident_char(*c))
                .map(char::len_utf8)
                .sum::<usize>();
            let near = &self.src[start..end];
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!(
                    "trailing junk after numeric literal at or near \"{near}\" of jsonpath input"
                ),
            ));
        }
        self.pos = i;
        let text = self.src[start..i].to_string();
        Ok((Tok::Num(text.clone()), text))
    }

    fn lex_string(&mut self) -> Result<String, PgError> {
        let mut out = String::new();
        let mut chars = self.src[self.pos + 1..].char_indices();
        let base = self.pos + 1;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = base + i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'v' => out.push('\u{b}'),
                        'x' => {
                            let hex: String = chars.clone().take(2).map(|(_, c)| c).collect();
                            let v = u32::from_str_radix(&hex, 16).map_err(|_| invalid_escape())?;
                            chars.nth(1);
                            push_code_point(&mut out, v)?;
                        }
                        'u' => {
                            let v = lex_unicode(&mut chars)?;
                            push_code_point(&mut out, v)?;
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "unterminated quoted string in jsonpath input",
        ))
    }
}

fn invalid_escape() -> PgError {
    PgError::new(
        sqlstate::SYNTAX_ERROR,
        "invalid Unicode escape sequence in jsonpath input",
    )
}

fn lex_unicode(chars: &mut std::str::CharIndices<'_>) -> Result<u32, PgError> {
    let rest: String = chars.clone().map(|(_, c)| c).take(8).collect();
    if let Some(inner) = rest.strip_prefix('{') {
        let hex: String = inner.chars().take_while(char::is_ascii_hexdigit).collect();
        if hex.is_empty() || !inner[hex.len()..].starts_with('}') {
            return Err(invalid_escape());
        }
        chars.nth(hex.len() + 1);
        return u32::from_str_radix(&hex, 16).map_err(|_| invalid_escape());
    }
    let hex: String = rest.chars().take(4).collect();
    if hex.len() != 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid_escape());
    }
    chars.nth(3);
    let hi = u32::from_str_radix(&hex, 16).map_err(|_| invalid_escape())?;
    if (0xD800..0xDC00).contains(&hi) {
        let next: String = chars.clone().map(|(_, c)| c).take(6).collect();
        if let Some(lo_hex) = next.strip_prefix("\\u")
            && let Ok(lo) = u32::from_str_radix(lo_hex, 16)
            && (0xDC00..0xE000).contains(&lo)
        {
            chars.nth(5);
            return Ok(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
        }
        return Err(invalid_escape());
    }
    Ok(hi)
}

fn push_code_point(out: &mut String, v: u32) -> Result<(), PgError> {
    if v == 0 {
        return Err(PgError::new(
            sqlstate::UNTRANSLATABLE_CHARACTER,
            "unsupported Unicode escape sequence",
        )
        .with_detail("\\u0000 cannot be converted to text."));
    }
    out.push(char::from_u32(v).ok_or_else(invalid_escape)?);
    Ok(())
}

/// A parsed jsonpath: mode plus expression.
#[derive(Clone, Debug)]
pub struct JsonPath {
    pub(crate) mode: Mode,
    pub(crate) expr: Expr,
}

impl JsonPath {
    /// The evaluation mode (`lax` unless the text starts with `strict`).
    pub fn mode(&self) -> Mode {
        self.mode
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    tok: Tok,
    text: String,
    /// Nesting depth of filters (where `@` is allowed).
    filter_depth: usize,
    /// Nesting depth of array subscripts (where `last` is allowed).
    subscript_depth: usize,
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<(), PgError> {
        let (t, text) = self.lex.next_token()?;
        self.tok = t;
        self.text = text;
        Ok(())
    }

    fn error_here(&self) -> PgError {
        if self.tok == Tok::End {
            syntax_error(None)
        } else {
            syntax_error(Some(&self.text))
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(&self.tok, Tok::Punct(q) if *q == p)
    }

    fn is_ident(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Ident(w) if w == word)
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), PgError> {
        if self.is_punct(p) {
            self.advance()
        } else {
            Err(self.error_here())
        }
    }

    fn parse_or(&mut self) -> Result<Expr, PgError> {
        let mut left = self.parse_and()?;
        while self.is_punct("||") {
            self.advance()?;
            let right = self.parse_and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Expr, PgError> {
        let mut left = self.parse_not()?;
        while self.is_punct("&&") {
            self.advance()?;
            let right = self.parse_not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_not(&mut self) -> Result<Expr, PgError> {
        if self.is_punct("!") {
            self.advance()?;
            if !self.is_punct("(") && !self.is_ident("exists") {
                return Err(self.error_here());
            }
            let inner = self.parse_not()?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.parse_comparison()
    }

    fn parse_comparison(&mut self) -> Result<Expr, PgError> {
        let left = self.parse_additive()?;
        let op = match &self.tok {
            Tok::Punct("==") => Some(CmpOp::Eq),
            Tok::Punct("!=") | Tok::Punct("<>") => Some(CmpOp::Ne),
            Tok::Punct("<") => Some(CmpOp::Lt),
            Tok::Punct("<=") => Some(CmpOp::Le),
            Tok::Punct(">") => Some(CmpOp::Gt),
            Tok::Punct(">=") => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.advance()?;
            let right = self.parse_additive()?;
            return Ok(Expr::Compare(op, Box::new(left), Box::new(right)));
        }
        if self.is_ident("starts") {
            self.advance()?;
            if !self.is_ident("with") {
                return Err(self.error_here());
            }
            self.advance()?;
            let right = match &self.tok {
                Tok::Str(s) => Expr::String(s.clone()),
                Tok::Var(v) => Expr::Variable(v.clone()),
                _ => return Err(self.error_here()),
            };
            self.advance()?;
            return Ok(Expr::StartsWith(Box::new(left), Box::new(right)));
        }
        if self.is_ident("like_regex") {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "like_regex is not supported by this implementation",
            ));
        }
        Ok(left)
    }

    fn parse_additive(&mut self) -> Result<Expr, PgError> {
        let mut left = self.parse_multiplicative()?;
        loop {
            let op = match &self.tok {
                Tok::Punct("+") => ArithOp::Add,
                Tok::Punct("-") => ArithOp::Sub,
                _ => return Ok(left),
            };
            self.advance()?;
            let right = self.parse_multiplicative()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn parse_multiplicative(&mut self) -> Result<Expr, PgError> {
        let mut left = self.parse_unary()?;
        loop {
            let op = match &self.tok {
                Tok::Punct("*") => ArithOp::Mul,
                Tok::Punct("/") => ArithOp::Div,
                Tok::Punct("%") => ArithOp::Mod,
                _ => return Ok(left),
            };
            self.advance()?;
            let right = self.parse_unary()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn parse_unary(&mut self) -> Result<Expr, PgError> {
        if self.is_punct("-") {
            self.advance()?;
            let inner = self.parse_unary()?;
            return Ok(Expr::Negate(Box::new(inner)));
        }
        if self.is_punct("+") {
            self.advance()?;
            let inner = self.parse_unary()?;
            return Ok(Expr::Plus(Box::new(inner)));
        }
        self.parse_accessor_expr()
    }

    fn parse_primary(&mut self) -> Result<Expr, PgError> {
        let tok = self.tok.clone();
        let expr = match tok {
            Tok::Dollar => Expr::Root,
            Tok::At => {
                if self.filter_depth == 0 {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "@ is not allowed in root expressions",
                    ));
                }
                Expr::Current
            }
            Tok::Var(v) => Expr::Variable(v),
            Tok::Str(s) => Expr::String(s),
            Tok::Num(n) => Expr::Number(Numeric::parse_json_number(&normalize_number(&n))?),
            Tok::Ident(w) => match w.as_str() {
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                "null" => Expr::Null,
                "last" => {
                    if self.subscript_depth == 0 {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "LAST is allowed only in array subscripts",
                        ));
                    }
                    Expr::Last
                }
                "exists" => {
                    self.advance()?;
                    self.expect_punct("(")?;
                    let inner = self.parse_or()?;
                    if !self.is_punct(")") {
                        return Err(self.error_here());
                    }
                    Expr::Exists(Box::new(inner))
                }
                _ => return Err(self.error_here()),
            },
            Tok::Punct("(") => {
                self.advance()?;
                let inner = self.parse_or()?;
                if !self.is_punct(")") {
                    return Err(self.error_here());
                }
                self.advance()?;
                if self.is_ident("is") {
                    self.advance()?;
                    if !self.is_ident("unknown") || !inner.is_predicate() {
                        return Err(self.error_here());
                    }
                    self.advance()?;
                    return Ok(Expr::IsUnknown(Box::new(inner)));
                }
                return Ok(inner);
            }
            _ => return Err(self.error_here()),
        };
        self.advance()?;
        Ok(expr)
    }

    fn parse_accessor_expr(&mut self) -> Result<Expr, PgError> {
        let base = self.parse_primary()?;
        let mut accessors = Vec::new();
        loop {
            if self.is_punct(".") {
                self.advance()?;
                accessors.push(self.parse_dot_accessor()?);
            } else if self.is_punct("[") {
                self.advance()?;
                accessors.push(self.parse_subscripts()?);
            } else if self.is_punct("?") {
                self.advance()?;
                self.expect_punct("(")?;
                self.filter_depth += 1;
                let pred = self.parse_or()?;
                self.filter_depth -= 1;
                if !pred.is_predicate() {
                    return Err(self.error_here());
                }
                self.expect_punct(")")?;
                accessors.push(Accessor::Filter(Box::new(pred)));
            } else {
                break;
            }
        }
        if accessors.is_empty() {
            Ok(base)
        } else {
            Ok(Expr::Chain(Box::new(base), accessors))
        }
    }

    fn parse_dot_accessor(&mut self) -> Result<Accessor, PgError> {
        match self.tok.clone() {
            Tok::Punct("*") => {
                self.advance()?;
                Ok(Accessor::AnyKey)
            }
            Tok::Punct("**") => {
                self.advance()?;
                if !self.is_punct("{") {
                    return Ok(Accessor::AnyPath(0, None));
                }
                self.advance()?;
                let first = self.parse_level()?;
                let last = if self.is_ident("to") {
                    self.advance()?;
                    self.parse_level()?
                } else {
                    first
                };
                self.expect_punct("}")?;
                Ok(Accessor::AnyPath(first.unwrap_or(u32::MAX), last))
            }
            Tok::Str(s) => {
                self.advance()?;
                Ok(Accessor::Key(s))
            }
            Tok::Ident(name) => {
                self.advance()?;
                if self.is_punct("(") {
                    let method = match name.as_str() {
                        "type" => Method::Type,
                        "size" => Method::Size,
                        "double" => Method::Double,
                        "abs" => Method::Abs,
                        "floor" => Method::Floor,
                        "ceiling" => Method::Ceiling,
                        _ => {
                            return Err(PgError::new(
                                sqlstate::SYNTAX_ERROR,
                                format!(
                                    "jsonpath item method .{name}() is not supported by this implementation"
                                ),
                            ));
                        }
                    };
                    self.advance()?;
                    self.expect_punct(")")?;
                    return Ok(Accessor::Method(method));
                }
                Ok(Accessor::Key(name))
            }
            Tok::Var(v) => {
                // `$.$x` is not valid; keep PostgreSQL's generic syntax error.
                Err(syntax_error(Some(&format!("${v}"))))
            }
            _ => Err(self.error_here()),
        }
    }

    /// A `.**{...}` level: a number, or `last` (unbounded, `None`).
    fn parse_level(&mut self) -> Result<Option<u32>, PgError> {
        match self.tok.clone() {
            Tok::Num(n) => {
                let v = n.parse::<u32>().map_err(|_| self.error_here())?;
                self.advance()?;
                Ok(Some(v))
            }
            Tok::Ident(w) if w == "last" => {
                self.advance()?;
                Ok(None)
            }
            _ => Err(self.error_here()),
        }
    }

    fn parse_subscripts(&mut self) -> Result<Accessor, PgError> {
        if self.is_punct("*") {
            self.advance()?;
            self.expect_punct("]")?;
            return Ok(Accessor::AnyIndex);
        }
        self.subscript_depth += 1;
        let mut subs = Vec::new();
        loop {
            let from = self.parse_additive()?;
            let to = if self.is_ident("to") {
                self.advance()?;
                Some(self.parse_additive()?)
            } else {
                None
            };
            subs.push((from, to));
            if self.is_punct(",") {
                self.advance()?;
                continue;
            }
            break;
        }
        self.subscript_depth -= 1;
        self.expect_punct("]")?;
        Ok(Accessor::Index(subs))
    }
}

/// jsonpath numeric literals may be written `.5` or `5.`; numeric input wants digits around.
fn normalize_number(text: &str) -> String {
    let mut t = text.to_string();
    if t.starts_with('.') {
        t.insert(0, '0');
    }
    if let Some(i) = t.find('.')
        && !t[i + 1..].starts_with(|c: char| c.is_ascii_digit())
    {
        t.remove(i);
    }
    t
}

/// Parses jsonpath text (`jsonpath_in`).
pub fn parse_jsonpath(text: &str) -> Result<JsonPath, PgError> {
    let mut p = Parser {
        lex: Lexer { src: text, pos: 0 },
        tok: Tok::End,
        text: String::new(),
        filter_depth: 0,
        subscript_depth: 0,
    };
    p.advance()?;
    let mut mode = Mode::Lax;
    if p.is_ident("strict") || p.is_ident("lax") {
        // A bare `strict`/`lax` key is not possible at the start, so this is the mode word.
        mode = if p.is_ident("strict") {
            Mode::Strict
        } else {
            Mode::Lax
        };
        p.advance()?;
    }
    let expr = p.parse_or()?;
    if p.tok != Tok::End {
        return Err(p.error_here());
    }
    Ok(JsonPath { mode, expr })
}
