//! jsonb comparison with Postgres' btree semantics: `=` compares numbers by value (`1.0` =
//! `1`), and ordering is Object > Array > Boolean > Number > String > Null, with larger
//! containers first greater, then element by element (pairs in storage order, keys compared
//! as strings).

use std::cmp::Ordering;

use docfusion_pgvalue::Jsonb;

fn rank(v: &Jsonb) -> u8 {
    match v {
        Jsonb::Null => 0,
        Jsonb::String(_) => 1,
        Jsonb::Number(_) => 2,
        Jsonb::Bool(_) => 3,
        Jsonb::Array(_) => 4,
        Jsonb::Object(_) => 5,
    }
}

/// Postgres' ordering of two jsonb values (`top` marks top-level values, where an empty
/// array sorts below everything, as Postgres' raw-scalar layout makes it).
fn compare_at(a: &Jsonb, b: &Jsonb, top: bool) -> Ordering {
    if top {
        let empty = |v: &Jsonb| matches!(v, Jsonb::Array(items) if items.is_empty());
        match (empty(a), empty(b)) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
    }
    match (a, b) {
        (Jsonb::Null, Jsonb::Null) => Ordering::Equal,
        // Strings compare bytewise: the "C" collation the shards are created with.
        (Jsonb::String(x), Jsonb::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Jsonb::Number(x), Jsonb::Number(y)) => x.cmp(y),
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x.cmp(y),
        (Jsonb::Array(x), Jsonb::Array(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|(p, q)| compare_at(p, q, false))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        }),
        (Jsonb::Object(x), Jsonb::Object(y)) => x.len().cmp(&y.len()).then_with(|| {
            for ((kx, vx), (ky, vy)) in x.iter().zip(y.iter()) {
                let o = kx.as_bytes().cmp(ky.as_bytes());
                if o != Ordering::Equal {
                    return o;
                }
                let o = compare_at(vx, vy, false);
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Compares two jsonb values as Postgres' `jsonb_cmp` does.
pub fn jsonb_cmp(a: &Jsonb, b: &Jsonb) -> Ordering {
    compare_at(a, b, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        jsonb_cmp(&Jsonb::parse(a).unwrap(), &Jsonb::parse(b).unwrap())
    }

    #[test]
    fn type_order_and_numeric_equality() {
        assert_eq!(cmp("1.0", "1"), Ordering::Equal);
        assert_eq!(cmp("10", "9"), Ordering::Greater);
        assert_eq!(cmp("\"a\"", "1"), Ordering::Less);
        assert_eq!(cmp("true", "1"), Ordering::Greater);
        assert_eq!(cmp("[1]", "true"), Ordering::Greater);
        assert_eq!(cmp("{}", "[1, 2]"), Ordering::Greater);
        assert_eq!(cmp("null", "\"\""), Ordering::Less);
        assert_eq!(cmp("[]", "null"), Ordering::Less);
        assert_eq!(cmp("[1, 2]", "[3]"), Ordering::Greater);
        // Checked against Postgres 15: keys compare as strings, not by storage order.
        assert_eq!(cmp("{\"b\": 1}", "{\"aa\": 1}"), Ordering::Greater);
    }
}

/// A byte string whose bytewise order is [`jsonb_cmp`]'s order, so that `ORDER BY` a jsonb
/// value sorts as Postgres sorts it.
pub fn jsonb_sort_key(value: &Jsonb) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    if matches!(value, Jsonb::Array(items) if items.is_empty()) {
        // A top-level empty array sorts below everything in Postgres.
        out.push(0x00);
        return out;
    }
    write_key(value, &mut out);
    out
}

fn write_key(value: &Jsonb, out: &mut Vec<u8>) {
    match value {
        Jsonb::Null => out.push(0x10),
        Jsonb::String(s) => {
            out.push(0x20);
            write_string(s, out);
        }
        Jsonb::Number(n) => {
            out.push(0x30);
            write_number(&n.to_string(), out);
        }
        Jsonb::Bool(b) => {
            out.push(0x40);
            out.push(u8::from(*b));
        }
        Jsonb::Array(items) => {
            out.push(0x50);
            out.extend_from_slice(&(items.len() as u32).to_be_bytes());
            for item in items {
                write_key(item, out);
            }
        }
        Jsonb::Object(object) => {
            out.push(0x60);
            out.extend_from_slice(&(object.len() as u32).to_be_bytes());
            for (k, v) in object.iter() {
                write_string(k, out);
                write_key(v, out);
            }
        }
    }
}

/// UTF-8 bytes then a 0 terminator (jsonb strings cannot hold NUL), so a prefix sorts first.
fn write_string(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(s.as_bytes());
    out.push(0x00);
}

/// Sign, decimal exponent and significant digits, arranged so bytes order like values.
fn write_number(text: &str, out: &mut Vec<u8>) {
    let (negative, abs) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = abs.split_once('.').unwrap_or((abs, ""));
    let all: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).collect();
    let Some(first) = all.iter().position(|b| *b != b'0') else {
        out.push(0x80); // zero
        return;
    };
    let exponent = int_part.len() as i64 - first as i64 - 1;
    let mut digits = &all[first..];
    while let [rest @ .., b'0'] = digits {
        digits = rest;
    }
    let biased = (exponent.clamp(i32::MIN as i64, i32::MAX as i64) as i32 as u32) ^ 0x8000_0000;
    if negative {
        out.push(0x7f);
        out.extend_from_slice(&(!biased).to_be_bytes());
        out.extend(digits.iter().map(|d| 0xff - d));
        out.push(0xff);
    } else {
        out.push(0x81);
        out.extend_from_slice(&biased.to_be_bytes());
        out.extend_from_slice(digits);
        out.push(0x00);
    }
}

#[cfg(test)]
mod sort_key_tests {
    use super::*;

    #[test]
    fn sort_key_orders_like_jsonb_cmp() {
        let texts = [
            "null",
            "[]",
            "\"\"",
            "\"a\"",
            "\"ab\"",
            "\"b\"",
            "-1000",
            "-10.5",
            "-10",
            "-9.99",
            "-0.001",
            "0",
            "0.0",
            "1e-10",
            "0.5",
            "1",
            "1.0",
            "1.01",
            "9",
            "10",
            "100.5",
            "123456789012345678901234567890",
            "false",
            "true",
            "[1]",
            "[2]",
            "[1, 2]",
            "[[]]",
            "[null]",
            "{}",
            "{\"a\": 1}",
            "{\"a\": 2}",
            "{\"b\": 1}",
            "{\"aa\": 1}",
            "{\"a\": 1, \"b\": 2}",
            "[\"a\", {\"x\": [1, 2]}]",
            "[1, \"a\"]",
            "[\"a\", 1]",
        ];
        let values: Vec<Jsonb> = texts.iter().map(|t| Jsonb::parse(t).unwrap()).collect();
        for a in &values {
            for b in &values {
                assert_eq!(
                    jsonb_sort_key(a).cmp(&jsonb_sort_key(b)),
                    jsonb_cmp(a, b),
                    "{} vs {}",
                    a.to_pg_text(),
                    b.to_pg_text()
                );
            }
        }
    }
}
