//! JSON text lexer and recursive-descent parser mirroring PostgreSQL's `json.c`/`jsonapi.c`,
//! including which error is reported first and its DETAIL text.

use crate::error::{PgError, sqlstate};
use crate::jsonb::{Jsonb, JsonbObject};
use crate::numeric::Numeric;

/// Lexical tokens of JSON text.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    ObjectStart,
    ObjectEnd,
    ArrayStart,
    ArrayEnd,
    Comma,
    Colon,
    /// A string; the decoded text when de-escaping is on.
    String(Option<String>),
    Number,
    True,
    False,
    Null,
    End,
}

/// Why lexing or parsing failed, in PostgreSQL's `JsonParseErrorType` terms.
enum JsonErrorKind {
    InvalidToken,
    EscapingInvalid,
    EscapingRequired(u8),
    ExpectedEnd,
    ExpectedArrayNext,
    ExpectedColon,
    ExpectedJson,
    ExpectedMore,
    ExpectedObjectFirst,
    ExpectedObjectNext,
    ExpectedString,
    UnicodeEscapeFormat,
    UnicodeHighSurrogate,
    UnicodeLowSurrogate,
    UnicodeCodePointZero,
}

/// Where the parser was when an unexpected token showed up.
#[derive(Clone, Copy)]
enum ParseContext {
    Value,
    String,
    ArrayNext,
    ObjectStart,
    ObjectLabel,
    ObjectNext,
    End,
}

/// Maximum nesting depth accepted (54001 beyond it). PostgreSQL stops at its stack limit
/// instead (about 10k levels); 500 keeps recursion safe on 2 MiB threads in debug builds.
pub(crate) const MAX_DEPTH: usize = 500;

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    tok: Tok,
    tok_start: usize,
    tok_end: usize,
    de_escape: bool,
}

fn is_json_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl<'a> Lexer<'a> {
    fn new(input: &'a str, de_escape: bool) -> Self {
        Lexer {
            input,
            pos: 0,
            tok: Tok::End,
            tok_start: 0,
            tok_end: 0,
            de_escape,
        }
    }

    fn token_text(&self) -> String {
        let end = self.tok_end.min(self.input.len());
        String::from_utf8_lossy(&self.input.as_bytes()[self.tok_start.min(end)..end]).into_owned()
    }

    fn error(&self, kind: JsonErrorKind) -> PgError {
        let detail = match kind {
            JsonErrorKind::InvalidToken => format!("Token \"{}\" is invalid.", self.token_text()),
            JsonErrorKind::EscapingInvalid => {
                format!("Escape sequence \"\\{}\" is invalid.", self.token_text())
            }
            JsonErrorKind::EscapingRequired(c) => {
                format!("Character with value 0x{c:02x} must be escaped.")
            }
            JsonErrorKind::ExpectedEnd => {
                format!(
                    "Expected end of input, but found \"{}\".",
                    self.token_text()
                )
            }
            JsonErrorKind::ExpectedArrayNext => {
                format!(
                    "Expected \",\" or \"]\", but found \"{}\".",
                    self.token_text()
                )
            }
            JsonErrorKind::ExpectedColon => {
                format!("Expected \":\", but found \"{}\".", self.token_text())
            }
            JsonErrorKind::ExpectedJson => {
                format!("Expected JSON value, but found \"{}\".", self.token_text())
            }
            JsonErrorKind::ExpectedMore => "The input string ended unexpectedly.".to_string(),
            JsonErrorKind::ExpectedObjectFirst => {
                format!(
                    "Expected string or \"}}\", but found \"{}\".",
                    self.token_text()
                )
            }
            JsonErrorKind::ExpectedObjectNext => {
                format!(
                    "Expected \",\" or \"}}\", but found \"{}\".",
                    self.token_text()
                )
            }
            JsonErrorKind::ExpectedString => {
                format!("Expected string, but found \"{}\".", self.token_text())
            }
            JsonErrorKind::UnicodeEscapeFormat => {
                "\"\\u\" must be followed by four hexadecimal digits.".to_string()
            }
            JsonErrorKind::UnicodeHighSurrogate => {
                "Unicode high surrogate must not follow a high surrogate.".to_string()
            }
            JsonErrorKind::UnicodeLowSurrogate => {
                "Unicode low surrogate must follow a high surrogate.".to_string()
            }
            JsonErrorKind::UnicodeCodePointZero => {
                return PgError::new(
                    sqlstate::UNTRANSLATABLE_CHARACTER,
                    "unsupported Unicode escape sequence",
                )
                .with_detail("\\u0000 cannot be converted to text.");
            }
        };
        PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type json",
        )
        .with_detail(detail)
    }

    fn parse_error(&self, ctx: ParseContext) -> PgError {
        if self.tok == Tok::End {
            return self.error(JsonErrorKind::ExpectedMore);
        }
        self.error(match ctx {
            ParseContext::Value => JsonErrorKind::ExpectedJson,
            ParseContext::String => JsonErrorKind::ExpectedString,
            ParseContext::ArrayNext => JsonErrorKind::ExpectedArrayNext,
            ParseContext::ObjectStart => JsonErrorKind::ExpectedObjectFirst,
            ParseContext::ObjectLabel => JsonErrorKind::ExpectedColon,
            ParseContext::ObjectNext => JsonErrorKind::ExpectedObjectNext,
            ParseContext::End => JsonErrorKind::ExpectedEnd,
        })
    }

    /// Advances to the next token.
    fn lex(&mut self) -> Result<(), PgError> {
        let b = self.input.as_bytes();
        let mut s = self.pos;
        while s < b.len() && matches!(b[s], b' ' | b'\t' | b'\n' | b'\r') {
            s += 1;
        }
        self.tok_start = s;
        if s >= b.len() {
            self.tok = Tok::End;
            self.tok_end = s;
            self.pos = s;
            return Ok(());
        }
        let single = |t: Tok| (t, s + 1);
        let (tok, end) = match b[s] {
            b'{' => single(Tok::ObjectStart),
            b'}' => single(Tok::ObjectEnd),
            b'[' => single(Tok::ArrayStart),
            b']' => single(Tok::ArrayEnd),
            b',' => single(Tok::Comma),
            b':' => single(Tok::Colon),
            b'"' => self.lex_string(s)?,
            b'-' => (Tok::Number, self.lex_number(s + 1)?),
            b'0'..=b'9' => (Tok::Number, self.lex_number(s)?),
            _ => {
                let mut p = s;
                while p < b.len() && is_json_alnum(b[p]) {
                    p += 1;
                }
                if p == s {
                    self.tok_end = s + 1;
                    return Err(self.error(JsonErrorKind::InvalidToken));
                }
                self.tok_end = p;
                match &b[s..p] {
                    b"true" => (Tok::True, p),
                    b"false" => (Tok::False, p),
                    b"null" => (Tok::Null, p),
                    _ => return Err(self.error(JsonErrorKind::InvalidToken)),
                }
            }
        };
        self.tok = tok;
        self.tok_end = end;
        self.pos = end;
        Ok(())
    }

    /// Scans a number starting at `s` (after any minus sign); returns its end.
    fn lex_number(&mut self, mut s: usize) -> Result<usize, PgError> {
        let b = self.input.as_bytes();
        let n = b.len();
        let mut error = false;
        if s < n && b[s] == b'0' {
            s += 1;
        } else if s < n && b[s].is_ascii_digit() {
            while s < n && b[s].is_ascii_digit() {
                s += 1;
            }
        } else {
            error = true;
        }
        if s < n && b[s] == b'.' {
            s += 1;
            if s == n || !b[s].is_ascii_digit() {
                error = true;
            } else {
                while s < n && b[s].is_ascii_digit() {
                    s += 1;
                }
            }
        }
        if s < n && (b[s] == b'e' || b[s] == b'E') {
            s += 1;
            if s < n && (b[s] == b'+' || b[s] == b'-') {
                s += 1;
            }
            if s == n || !b[s].is_ascii_digit() {
                error = true;
            } else {
                while s < n && b[s].is_ascii_digit() {
                    s += 1;
                }
            }
        }
        while s < n && is_json_alnum(b[s]) {
            s += 1;
            error = true;
        }
        self.tok_end = s;
        if error {
            return Err(self.error(JsonErrorKind::InvalidToken));
        }
        Ok(s)
    }

    /// Scans a string starting at the opening quote `start`; returns the token and its end.
    fn lex_string(&mut self, start: usize) -> Result<(Tok, usize), PgError> {
        let input = self.input;
        let b = input.as_bytes();
        let n = b.len();
        let mut out = self.de_escape.then(String::new);
        let mut hi_surrogate: Option<u32> = None;
        let mut s = start;
        let mut run_start = start + 1;
        loop {
            s += 1;
            if s >= n {
                self.tok_end = s;
                return Err(self.error(JsonErrorKind::InvalidToken));
            }
            let c = b[s];
            if c == b'"' {
                break;
            }
            if c < 0x20 {
                self.tok_end = s;
                return Err(self.error(JsonErrorKind::EscapingRequired(c)));
            }
            if c != b'\\' {
                if out.is_some() && hi_surrogate.is_some() {
                    return Err(self.error(JsonErrorKind::UnicodeLowSurrogate));
                }
                continue;
            }
            // Flush the unescaped run before the backslash.
            if let Some(o) = out.as_mut() {
                o.push_str(&input[run_start..s]);
            }
            s += 1;
            if s >= n {
                self.tok_end = s;
                return Err(self.error(JsonErrorKind::InvalidToken));
            }
            if b[s] == b'u' {
                let mut ch: u32 = 0;
                for _ in 0..4 {
                    s += 1;
                    if s >= n {
                        self.tok_end = s;
                        return Err(self.error(JsonErrorKind::InvalidToken));
                    }
                    match (b[s] as char).to_digit(16) {
                        Some(d) => ch = ch * 16 + d,
                        None => {
                            self.tok_end = s + 1;
                            return Err(self.error(JsonErrorKind::UnicodeEscapeFormat));
                        }
                    }
                }
                if let Some(o) = out.as_mut() {
                    if (0xD800..=0xDBFF).contains(&ch) {
                        if hi_surrogate.is_some() {
                            return Err(self.error(JsonErrorKind::UnicodeHighSurrogate));
                        }
                        hi_surrogate = Some(ch);
                        run_start = s + 1;
                        continue;
                    } else if (0xDC00..=0xDFFF).contains(&ch) {
                        match hi_surrogate.take() {
                            None => return Err(self.error(JsonErrorKind::UnicodeLowSurrogate)),
                            Some(hi) => ch = 0x10000 + ((hi - 0xD800) << 10) + (ch - 0xDC00),
                        }
                    }
                    if hi_surrogate.is_some() {
                        return Err(self.error(JsonErrorKind::UnicodeLowSurrogate));
                    }
                    if ch == 0 {
                        return Err(self.error(JsonErrorKind::UnicodeCodePointZero));
                    }
                    o.push(char::from_u32(ch).unwrap_or('\u{FFFD}'));
                }
            } else {
                if out.is_some() && hi_surrogate.is_some() {
                    return Err(self.error(JsonErrorKind::UnicodeLowSurrogate));
                }
                let decoded = match b[s] {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => {
                        self.tok_start = s;
                        let width = input[s..].chars().next().map_or(1, char::len_utf8);
                        self.tok_end = s + width;
                        return Err(self.error(JsonErrorKind::EscapingInvalid));
                    }
                };
                if let Some(o) = out.as_mut() {
                    o.push(decoded);
                }
            }
            run_start = s + 1;
        }
        if out.is_some() && hi_surrogate.is_some() {
            return Err(self.error(JsonErrorKind::UnicodeLowSurrogate));
        }
        if let Some(o) = out.as_mut() {
            o.push_str(&input[run_start..s]);
        }
        Ok((Tok::String(out), s + 1))
    }

    fn expect(&mut self, ctx: ParseContext, tok: &Tok) -> Result<(), PgError> {
        if &self.tok == tok {
            self.lex()
        } else {
            Err(self.parse_error(ctx))
        }
    }
}

/// A scalar token handed to a [`Sink`].
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    /// Number token text.
    Number(&'a str),
    /// String: decoded text (when de-escaping).
    String(Option<String>),
}

/// Receives parsed values; lets one parser build jsonb values or span trees for `json`.
pub(crate) trait Sink {
    type Value;
    fn scalar(&mut self, scalar: Scalar<'_>, span: (usize, usize)) -> Result<Self::Value, PgError>;
    fn array(&mut self, items: Vec<Self::Value>, span: (usize, usize)) -> Self::Value;
    fn object(&mut self, fields: Vec<(String, Self::Value)>, span: (usize, usize)) -> Self::Value;
}

struct Parser<'a, S: Sink> {
    lex: Lexer<'a>,
    sink: S,
    depth: usize,
}

impl<'a, S: Sink> Parser<'a, S> {
    fn parse_value(&mut self) -> Result<S::Value, PgError> {
        match self.lex.tok {
            Tok::ObjectStart => self.parse_object(),
            Tok::ArrayStart => self.parse_array(),
            _ => self.parse_scalar(),
        }
    }

    fn enter(&mut self) -> Result<(), PgError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(PgError::new("54001", "stack depth limit exceeded"));
        }
        Ok(())
    }

    fn parse_scalar(&mut self) -> Result<S::Value, PgError> {
        let span = (self.lex.tok_start, self.lex.tok_end);
        let tok = std::mem::replace(&mut self.lex.tok, Tok::End);
        let scalar_tok = match tok {
            Tok::Null | Tok::True | Tok::False | Tok::Number | Tok::String(_) => tok,
            other => {
                self.lex.tok = other;
                return Err(self.lex.parse_error(ParseContext::Value));
            }
        };
        // PostgreSQL lexes the following token before handing the scalar to its callback.
        self.lex.lex()?;
        let input = self.lex.input;
        let text = &input[span.0..span.1];
        let scalar = match scalar_tok {
            Tok::Null => Scalar::Null,
            Tok::True => Scalar::Bool(true),
            Tok::False => Scalar::Bool(false),
            Tok::Number => Scalar::Number(text),
            Tok::String(decoded) => Scalar::String(decoded),
            _ => Scalar::Null,
        };
        self.sink.scalar(scalar, span)
    }

    fn parse_array(&mut self) -> Result<S::Value, PgError> {
        self.enter()?;
        let start = self.lex.tok_start;
        self.lex.lex()?;
        let mut items = Vec::new();
        if self.lex.tok != Tok::ArrayEnd {
            items.push(self.parse_value()?);
            while self.lex.tok == Tok::Comma {
                self.lex.lex()?;
                items.push(self.parse_value()?);
            }
        }
        let end = self.lex.tok_end;
        self.lex.expect(ParseContext::ArrayNext, &Tok::ArrayEnd)?;
        self.depth -= 1;
        Ok(self.sink.array(items, (start, end)))
    }

    fn parse_object(&mut self) -> Result<S::Value, PgError> {
        self.enter()?;
        let start = self.lex.tok_start;
        self.lex.lex()?;
        let mut fields = Vec::new();
        match self.lex.tok {
            Tok::String(_) => {
                fields.push(self.parse_field()?);
                while self.lex.tok == Tok::Comma {
                    self.lex.lex()?;
                    fields.push(self.parse_field()?);
                }
            }
            Tok::ObjectEnd => {}
            _ => return Err(self.lex.parse_error(ParseContext::ObjectStart)),
        }
        let end = self.lex.tok_end;
        self.lex.expect(ParseContext::ObjectNext, &Tok::ObjectEnd)?;
        self.depth -= 1;
        Ok(self.sink.object(fields, (start, end)))
    }

    fn parse_field(&mut self) -> Result<(String, S::Value), PgError> {
        let name = match &self.lex.tok {
            Tok::String(decoded) => decoded.clone().unwrap_or_default(),
            _ => return Err(self.lex.parse_error(ParseContext::String)),
        };
        self.lex.lex()?;
        self.lex.expect(ParseContext::ObjectLabel, &Tok::Colon)?;
        let value = self.parse_value()?;
        Ok((name, value))
    }
}

/// Parses `input` completely, feeding `sink`; `de_escape` decodes strings (and enables
/// PostgreSQL's surrogate and `\u0000` checks, which only apply when decoding).
pub(crate) fn parse_with<S: Sink>(
    input: &str,
    de_escape: bool,
    sink: S,
) -> Result<S::Value, PgError> {
    let mut parser = Parser {
        lex: Lexer::new(input, de_escape),
        sink,
        depth: 0,
    };
    parser.lex.lex()?;
    let value = parser.parse_value()?;
    if parser.lex.tok != Tok::End {
        return Err(parser.lex.parse_error(ParseContext::End));
    }
    Ok(value)
}

struct JsonbSink;

impl Sink for JsonbSink {
    type Value = Jsonb;

    fn scalar(&mut self, scalar: Scalar<'_>, _span: (usize, usize)) -> Result<Jsonb, PgError> {
        Ok(match scalar {
            Scalar::Null => Jsonb::Null,
            Scalar::Bool(b) => Jsonb::Bool(b),
            Scalar::Number(text) => Jsonb::Number(Numeric::parse_json_number(text)?),
            Scalar::String(decoded) => Jsonb::String(decoded.unwrap_or_default()),
        })
    }

    fn array(&mut self, items: Vec<Jsonb>, _span: (usize, usize)) -> Jsonb {
        Jsonb::Array(items)
    }

    fn object(&mut self, fields: Vec<(String, Jsonb)>, _span: (usize, usize)) -> Jsonb {
        Jsonb::Object(JsonbObject::from_pairs(fields))
    }
}

/// `jsonb_in`.
pub(crate) fn parse_jsonb(input: &str) -> Result<Jsonb, PgError> {
    parse_with(input, true, JsonbSink)
}

#[cfg(test)]
mod tests;
