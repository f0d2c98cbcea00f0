//! Text output of jsonb values: `jsonb_out` and `jsonb_pretty`, with PostgreSQL's string escaping.

use crate::jsonb::Jsonb;

/// Appends `s` as a quoted JSON string the way PostgreSQL's `escape_json` does: `\"`, `\\`,
/// `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx`, everything else raw.
pub fn escape_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_compact(out: &mut String, value: &Jsonb) {
    match value {
        Jsonb::Null => out.push_str("null"),
        Jsonb::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Jsonb::Number(n) => out.push_str(&n.to_string()),
        Jsonb::String(s) => escape_json_string(out, s),
        Jsonb::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Jsonb::Object(obj) => {
            out.push('{');
            for (i, (k, v)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                escape_json_string(out, k);
                out.push_str(": ");
                write_compact(out, v);
            }
            out.push('}');
        }
    }
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn write_pretty(out: &mut String, value: &Jsonb, level: usize) {
    match value {
        Jsonb::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                write_pretty(out, item, level + 1);
            }
            // PostgreSQL puts the closing bracket on its own line even for empty containers.
            indent(out, level);
            out.push(']');
        }
        Jsonb::Object(obj) => {
            out.push('{');
            for (i, (k, v)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                escape_json_string(out, k);
                out.push_str(": ");
                write_pretty(out, v, level + 1);
            }
            indent(out, level);
            out.push('}');
        }
        scalar => write_compact(out, scalar),
    }
}

impl Jsonb {
    /// `jsonb_out`: `{"a": 1, "b": [1, 2]}` with PostgreSQL's spacing and escaping.
    pub fn to_pg_text(&self) -> String {
        let mut out = String::new();
        write_compact(&mut out, self);
        out
    }

    /// `jsonb_pretty`: four-space indentation, one member per line.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        write_pretty(&mut out, self, 0);
        out
    }
}

impl std::fmt::Display for Jsonb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_pg_text())
    }
}

#[cfg(test)]
mod tests;
