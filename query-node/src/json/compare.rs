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
