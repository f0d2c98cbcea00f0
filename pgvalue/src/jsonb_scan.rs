//! Reading members of a jsonb value straight from its canonical text (what `jsonb_out`
//! prints, the form the node keeps jsonb in), without building the value: `->`, `->>`, `#>`
//! and `#>>` with object keys only skip over everything but the member they look for, and
//! return the member's own text, which in canonical text is exactly the member's canonical
//! text. Each function returns `None` when it cannot decide on its own (an array step that
//! may be an index, text that is not what `jsonb_out` prints); the caller then parses the
//! value as before, so answers and errors never depend on this shortcut.

/// A position in the text of one jsonb value.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Past the string starting here (at its `"`).
    fn skip_string(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    /// Past the value starting here.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => self.skip_string()?,
                        b'{' | b'[' => {
                            depth += 1;
                            self.at += 1;
                        }
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            self.at += 1;
                            if depth == 0 {
                                return Some(());
                            }
                        }
                        _ => self.at += 1,
                    }
                }
            }
            _ => {
                let start = self.at;
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                (self.at > start).then_some(())
            }
        }
    }
}

/// What a value is, by its first character.
enum Shape {
    Object,
    Array,
    Scalar,
}

fn shape(text: &str) -> Option<Shape> {
    match text.trim_start().as_bytes().first()? {
        b'{' => Some(Shape::Object),
        b'[' => Some(Shape::Array),
        _ => Some(Shape::Scalar),
    }
}

/// The text of member `key` of the object `text`: `Some(None)` when `text` is not an
/// object or has no such member (what `->` gives as NULL for a text key).
pub fn object_member<'a>(text: &'a str, key: &str) -> Option<Option<&'a str>> {
    let mut c = Cursor {
        text: text.as_bytes(),
        at: 0,
    };
    c.blanks();
    if c.peek()? != b'{' {
        return Some(None);
    }
    c.at += 1;
    c.blanks();
    if c.peek()? == b'}' {
        return Some(None);
    }
    loop {
        if c.peek()? != b'"' {
            return None;
        }
        let key_start = c.at + 1;
        c.skip_string()?;
        let raw_key = &text[key_start..c.at - 1];
        c.blanks();
        if c.peek()? != b':' {
            return None;
        }
        c.at += 1;
        c.blanks();
        let value_start = c.at;
        c.skip_value()?;
        // jsonb keeps one member per key, so the first match is the member.
        let matches = if raw_key.contains('\\') {
            unescape(raw_key)? == key
        } else {
            raw_key == key
        };
        if matches {
            return Some(Some(&text[value_start..c.at]));
        }
        c.blanks();
        match c.peek()? {
            b',' => {
                c.at += 1;
                c.blanks();
            }
            b'}' => return Some(None),
            _ => return None,
        }
    }
}

/// `#>` with the steps `path`: the text of the value reached, `Some(None)` where a step
/// is missing or reaches a scalar or (with a step that cannot be an index) an array;
/// `None` (decide by parsing) at an array with a step that may be an index.
pub fn extract_path<'a>(text: &'a str, path: &[&str]) -> Option<Option<&'a str>> {
    let mut current = text;
    for step in path {
        current = match shape(current)? {
            Shape::Object => match object_member(current, step)? {
                Some(member) => member,
                None => return Some(None),
            },
            Shape::Array if may_be_index(step) => return None,
            Shape::Array | Shape::Scalar => return Some(None),
        };
    }
    Some(Some(current))
}

/// True for a `#>` step Postgres may read as an array index (`strtol`'s syntax: optional
/// blanks, a sign, digits).
pub fn may_be_index(step: &str) -> bool {
    step.trim_start()
        .starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
}

/// `->>`'s text of a member's jsonb text: strings unescaped, JSON null as `None` (SQL
/// NULL), anything else its jsonb text. The outer `None`: not decidable here.
pub fn member_text(raw: &str) -> Option<Option<String>> {
    match raw.as_bytes().first()? {
        b'"' => Some(Some(unescape(raw.get(1..raw.len().checked_sub(1)?)?)?)),
        _ if raw == "null" => Some(None),
        _ => Some(Some(raw.to_string())),
    }
}

/// The text of a JSON string's inside (between its quotes); `None` for an escape JSON does
/// not have.
fn unescape(raw: &str) -> Option<String> {
    if !raw.contains('\\') {
        return Some(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let unit = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&unit) {
                    if chars.next()? != '\\' || chars.next()? != 'u' {
                        return None;
                    }
                    let low = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?
                } else {
                    char::from_u32(unit).filter(|c| *c != '\0')?
                }
            }
            _ => return None,
        });
    }
    Some(out)
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Jsonb;
    use crate::operators::{jsonb_extract_path, jsonb_object_field, jsonb_object_field_text};

    const DOCS: &[&str] = &[
        r#"{"a": 1, "b": "x", "c": null, "d": true, "e": [1, {"f": 2}], "g": {"h": {"i": "j"}}}"#,
        r#"{"k\"q": 1, "tab\tkey": "v\u0001w", "é": "ü", "emoji": "😀", "esc": "a\\b\"c\/d\n"}"#,
        r#"{"": 0, " ": [], "nested": {"": {}, "x": [[], [[]]], "y": "}]{["}, "n": -1.50e3}"#,
        r#"[1, 2, {"a": 3}]"#,
        r#""just a string""#,
        "42",
        "null",
        "{}",
        r#"{"a": {"b": [{"c": 1}], "c": {"d": null}}, "z": "\ud83d\ude00"}"#,
    ];

    const KEYS: &[&str] = &[
        "a", "b", "c", "d", "e", "g", "k\"q", "tab\tkey", "é", "emoji", "esc", "", " ", "nested",
        "n", "z", "missing", "0", "1",
    ];

    fn canonical(doc: &str) -> String {
        Jsonb::parse(doc).unwrap().to_pg_text()
    }

    #[test]
    fn members_read_from_the_text_are_the_parsed_values_members() {
        let mut checked = 0;
        for doc in DOCS {
            let text = canonical(doc);
            let value = Jsonb::parse(&text).unwrap();
            for key in KEYS {
                let want = jsonb_object_field(&value, key).map(Jsonb::to_pg_text);
                let got = object_member(&text, key).expect("decidable");
                assert_eq!(got.map(str::to_string), want, "{text} -> {key:?}");
                let want_text = jsonb_object_field_text(&value, key);
                let got_text = match got {
                    Some(raw) => member_text(raw).expect("decidable"),
                    None => None,
                };
                assert_eq!(got_text, want_text, "{text} ->> {key:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, DOCS.len() * KEYS.len());
    }

    #[test]
    fn paths_read_from_the_text_are_the_parsed_values_paths() {
        let paths: &[&[&str]] = &[
            &["g", "h", "i"],
            &["g", "h"],
            &["e", "x"],
            &["a", "b"],
            &["nested", "y"],
            &["nested", ""],
            &["a", "c", "d"],
            &["missing", "x"],
            &[],
        ];
        for doc in DOCS {
            let text = canonical(doc);
            let value = Jsonb::parse(&text).unwrap();
            for path in paths {
                let steps: Vec<Option<&str>> = path.iter().map(|s| Some(*s)).collect();
                let want = jsonb_extract_path(&value, &steps).map(Jsonb::to_pg_text);
                let got = extract_path(&text, path).expect("decidable");
                assert_eq!(got.map(str::to_string), want, "{text} #> {path:?}");
            }
        }
        // A step that may index an array is left to the parser.
        let text = canonical(r#"{"e": [10, 20]}"#);
        assert_eq!(extract_path(&text, &["e", "1"]), None);
        assert_eq!(extract_path(&text, &["e", " -1"]), None);
        assert_eq!(extract_path(&text, &["e", "x"]), Some(None));
    }

    #[test]
    fn text_that_is_not_jsonb_output_is_left_to_the_parser() {
        assert_eq!(object_member(r#"{"a": 1"#, "b"), None);
        assert_eq!(object_member(r#"{"a" 1}"#, "a"), None);
        assert_eq!(object_member("", "a"), None);
        assert_eq!(member_text(r#""\x""#), None);
        assert_eq!(member_text(r#""\ud800""#), None);
    }
}
