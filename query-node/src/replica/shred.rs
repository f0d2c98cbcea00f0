//! Shredding: which JSON paths of a collection's documents get a typed column, and the
//! column values. A path is a dotted chain of object keys (`a.b.c`; keys holding a `.` are
//! not shredded, nor is anything below them). Per path the observed value kinds are counted
//! as documents come and go; a path whose values are all strings becomes `Utf8`, all
//! booleans `Boolean`, all integers `Int64`, all numbers `Float64`. JSON null and a missing
//! key are a NULL in the column, as `doc->>'path'` gives. A path that holds arrays, objects
//! or two different kinds (a string here, a number there) is not shredded: queries read it
//! from the document.
//!
//! The values are exactly what `doc->>'path'` means for the type: a `Utf8` value is the
//! string, an `Int64` value is a number whose Postgres text is an integer (`(doc->>'p')::int8`
//! gives the same), a `Float64` value is the number's text parsed as `float8`, as
//! `(doc->>'p')::float8` does.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
};
use datafusion::arrow::datatypes::DataType;
use docfusion_pgvalue::Jsonb;

/// The type of a shredded column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShredType {
    /// Strings.
    Utf8,
    /// Integer numbers that fit 64 bits.
    Int64,
    /// Numbers.
    Float64,
    /// Booleans.
    Boolean,
}

impl ShredType {
    /// The Arrow type of the column.
    pub fn data_type(self) -> DataType {
        match self {
            ShredType::Utf8 => DataType::Utf8,
            ShredType::Int64 => DataType::Int64,
            ShredType::Float64 => DataType::Float64,
            ShredType::Boolean => DataType::Boolean,
        }
    }
}

/// What one value at a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// JSON null.
    Null,
    /// A string.
    String,
    /// A number whose text is an integer fitting 64 bits.
    Int,
    /// Any other number.
    Float,
    /// true/false.
    Bool,
    /// An array (left in the document).
    Array,
    /// An object (its keys are paths of their own).
    Object,
}

/// The kind of a value.
pub fn kind_of(value: &Jsonb) -> ValueKind {
    match value {
        Jsonb::Null => ValueKind::Null,
        Jsonb::String(_) => ValueKind::String,
        Jsonb::Bool(_) => ValueKind::Bool,
        // An integer only when its Postgres text is exactly the integer's decimal form, so
        // that the column value rendered back as text is what `->>` gives.
        Jsonb::Number(_) => match value.to_text() {
            Some(t) if t.parse::<i64>().is_ok_and(|i| i.to_string() == t) => ValueKind::Int,
            _ => ValueKind::Float,
        },
        Jsonb::Array(_) => ValueKind::Array,
        Jsonb::Object(_) => ValueKind::Object,
    }
}

/// Calls `f(path, value)` for every object member at every depth of `doc`, depth first.
pub fn visit_paths(doc: &Jsonb, f: &mut impl FnMut(&str, &Jsonb)) {
    fn walk(obj: &Jsonb, prefix: &mut String, f: &mut impl FnMut(&str, &Jsonb)) {
        let Some(obj) = obj.as_object() else { return };
        for (key, value) in obj.iter() {
            if key.contains('.') {
                continue;
            }
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(key);
            f(prefix, value);
            walk(value, prefix, f);
            prefix.truncate(len);
        }
    }
    walk(doc, &mut String::new(), f);
}

/// The value at dotted `path` of `doc`, if every step is an object member.
pub fn value_at<'a>(doc: &'a Jsonb, path: &str) -> Option<&'a Jsonb> {
    path.split('.')
        .try_fold(doc, |v, key| v.as_object().and_then(|o| o.get(key)))
}

/// How many values of each kind a path holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    strings: u64,
    ints: u64,
    floats: u64,
    bools: u64,
    nested: u64,
}

impl KindCounts {
    fn slot(&mut self, kind: ValueKind) -> Option<&mut u64> {
        match kind {
            ValueKind::Null => None,
            ValueKind::String => Some(&mut self.strings),
            ValueKind::Int => Some(&mut self.ints),
            ValueKind::Float => Some(&mut self.floats),
            ValueKind::Bool => Some(&mut self.bools),
            ValueKind::Array | ValueKind::Object => Some(&mut self.nested),
        }
    }

    /// True when no live document holds a value (other than JSON null) at the path.
    pub fn is_empty(&self) -> bool {
        *self == KindCounts::default()
    }

    /// The column type these values allow, if any.
    pub fn shred_type(&self) -> Option<ShredType> {
        let KindCounts {
            strings,
            ints,
            floats,
            bools,
            nested,
        } = *self;
        let numbers = ints + floats;
        let kinds = [strings, numbers, bools, nested]
            .iter()
            .filter(|n| **n > 0)
            .count();
        if kinds != 1 {
            return None;
        }
        if strings > 0 {
            Some(ShredType::Utf8)
        } else if bools > 0 {
            Some(ShredType::Boolean)
        } else if floats > 0 {
            Some(ShredType::Float64)
        } else if ints > 0 {
            Some(ShredType::Int64)
        } else {
            None
        }
    }
}

/// The observed kinds of every path of a set of documents, kept current as documents are
/// added and removed.
#[derive(Debug, Clone, Default)]
pub struct PathStats {
    paths: BTreeMap<String, KindCounts>,
}

impl PathStats {
    /// Counts the paths of a document coming in.
    pub fn add(&mut self, doc: &Jsonb) {
        visit_paths(doc, &mut |path, value| {
            let kind = kind_of(value);
            let counts = match self.paths.get_mut(path) {
                Some(c) => c,
                None => self.paths.entry(path.to_string()).or_default(),
            };
            if let Some(n) = counts.slot(kind) {
                *n += 1;
            }
        });
    }

    /// Uncounts the paths of a document going away (one that was added before).
    pub fn remove(&mut self, doc: &Jsonb) {
        visit_paths(doc, &mut |path, value| {
            let kind = kind_of(value);
            if let Some(counts) = self.paths.get_mut(path) {
                if let Some(n) = counts.slot(kind) {
                    *n = n.saturating_sub(1);
                }
                if counts.is_empty() {
                    self.paths.remove(path);
                }
            }
        });
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.paths.clear();
    }

    /// The shreddable paths and their column types, by path.
    pub fn shredded(&self) -> BTreeMap<String, ShredType> {
        self.paths
            .iter()
            .filter_map(|(p, c)| c.shred_type().map(|t| (p.clone(), t)))
            .collect()
    }

    /// Every path seen, in order.
    pub fn path_names(&self) -> impl Iterator<Item = &str> {
        self.paths.keys().map(String::as_str)
    }

    /// The counts of one path.
    pub fn counts(&self, path: &str) -> Option<KindCounts> {
        self.paths.get(path).copied()
    }
}

/// The column of path `path` typed `ty` over `docs` (parsed documents; `None` = no
/// document). A value of another kind than `ty` allows becomes NULL — callers only ask for
/// a type the documents' statistics allow.
pub fn shredded_column(docs: &[Option<Jsonb>], path: &str, ty: ShredType) -> ArrayRef {
    let values = docs
        .iter()
        .map(|d| d.as_ref().and_then(|d| value_at(d, path)));
    match ty {
        ShredType::Utf8 => {
            let mut b = StringBuilder::with_capacity(docs.len(), docs.len() * 8);
            for v in values {
                b.append_option(match v {
                    Some(Jsonb::String(s)) => Some(s.as_str()),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        ShredType::Boolean => {
            let mut b = BooleanBuilder::with_capacity(docs.len());
            for v in values {
                b.append_option(match v {
                    Some(Jsonb::Bool(x)) => Some(*x),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        ShredType::Int64 => {
            let mut b = Int64Builder::with_capacity(docs.len());
            for v in values {
                b.append_option(match v {
                    Some(n @ Jsonb::Number(_)) => n.to_text().and_then(|t| t.parse().ok()),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        ShredType::Float64 => {
            let mut b = Float64Builder::with_capacity(docs.len());
            for v in values {
                b.append_option(match v {
                    Some(n @ Jsonb::Number(_)) => n.to_text().and_then(|t| float8_of(&t)),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
    }
}

/// Whether each document has dotted `path`, as `?` asks of the path's parent: `true` where
/// the parent (the document itself for a top-level key) is an object holding the last key
/// (whatever its value, JSON null included), `false` where the parent is an object without
/// it, NULL where there is no parent object (no document, the parent missing or not an
/// object) — there `?` has other rules (an array's string elements, a string scalar) or no
/// answer, and a query reads the document.
pub fn presence_column(docs: &[Option<Jsonb>], path: &str) -> ArrayRef {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (Some(parent), key),
        None => (None, path),
    };
    let mut b = BooleanBuilder::with_capacity(docs.len());
    for d in docs {
        let parent = d.as_ref().and_then(|d| match parent {
            Some(p) => value_at(d, p),
            None => Some(d),
        });
        b.append_option(
            parent
                .and_then(Jsonb::as_object)
                .map(|o| o.contains_key(key)),
        );
    }
    Arc::new(b.finish())
}

/// The column of `path`'s presence over rows none of which has the path, from the presence
/// column of a sibling path (same parent): every object parent lacks the key, so the values
/// are `false` where the sibling's are not NULL.
pub fn absent_like(sibling: &ArrayRef) -> ArrayRef {
    let mut b = BooleanBuilder::with_capacity(sibling.len());
    for i in 0..sibling.len() {
        b.append_option(sibling.is_valid(i).then_some(false));
    }
    Arc::new(b.finish())
}

/// The parent of dotted `path` (`""` for a top-level key).
pub fn parent_of(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

/// The `float8` Postgres reads from number text `text`, or `None` where Postgres' `float8in`
/// rejects it as out of range (overflow to infinity, or a nonzero number that underflows to
/// zero): such a value is left NULL in the column, so that a query falls back to the
/// document and fails as Postgres does.
fn float8_of(text: &str) -> Option<f64> {
    let value: f64 = text.parse().ok()?;
    let nonzero_digits = text
        .split(['e', 'E'])
        .next()
        .is_some_and(|m| m.bytes().any(|b| (b'1'..=b'9').contains(&b)));
    (value.is_finite() && (value != 0.0 || !nonzero_digits)).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::{Float64Type, Int64Type};

    fn doc(text: &str) -> Jsonb {
        Jsonb::parse(text).unwrap()
    }

    fn stats(docs: &[&str]) -> PathStats {
        let mut s = PathStats::default();
        for d in docs {
            s.add(&doc(d));
        }
        s
    }

    #[test]
    fn kinds_follow_postgres_text() {
        assert_eq!(kind_of(&doc("1")), ValueKind::Int);
        assert_eq!(kind_of(&doc("-42")), ValueKind::Int);
        // 1e2 is stored as 100: an integer.
        assert_eq!(kind_of(&doc("1e2")), ValueKind::Int);
        // 1.0 keeps its scale: `(doc->>'a')::int` fails on "1.0", so it is not an integer.
        assert_eq!(kind_of(&doc("1.0")), ValueKind::Float);
        assert_eq!(kind_of(&doc("12345678901234567890")), ValueKind::Float);
        assert_eq!(kind_of(&doc("\"1\"")), ValueKind::String);
        assert_eq!(kind_of(&doc("null")), ValueKind::Null);
        assert_eq!(kind_of(&doc("[1]")), ValueKind::Array);
        assert_eq!(kind_of(&doc("{}")), ValueKind::Object);
    }

    #[test]
    fn paths_are_dotted_object_keys() {
        let mut seen = Vec::new();
        visit_paths(
            &doc(r#"{"a":1,"o":{"b":{"c":true},"arr":[{"x":1}]},"k.dot":{"y":1}}"#),
            &mut |p, v| seen.push(format!("{p}:{}", v.type_name())),
        );
        seen.sort();
        assert_eq!(
            seen,
            vec![
                "a:number",
                "o.arr:array",
                "o.b.c:boolean",
                "o.b:object",
                "o:object"
            ]
        );
        let d = doc(r#"{"o":{"b":{"c":7}}}"#);
        assert_eq!(value_at(&d, "o.b.c"), Some(&doc("7")));
        assert_eq!(value_at(&d, "o.x"), None);
        assert_eq!(value_at(&d, "o.b.c.d"), None);
    }

    #[test]
    fn inference_types_uniform_paths_and_refuses_mixed_ones() {
        let s = stats(&[
            r#"{"s":"x","i":1,"f":1.5,"n":1,"b":true,"m":"1","arr":[1],"o":{"k":"v"},"z":null}"#,
            r#"{"s":"y","i":-2,"f":2,"n":null,"b":false,"m":1,"arr":[],"o":{"k":"w"}}"#,
            r#"{"i":3,"o":5}"#,
        ]);
        let shredded = stats_types(&s);
        assert_eq!(
            shredded,
            [
                ("b", ShredType::Boolean),
                ("f", ShredType::Float64),
                ("i", ShredType::Int64),
                ("n", ShredType::Int64),
                ("o.k", ShredType::Utf8),
                ("s", ShredType::Utf8),
            ]
            .map(|(p, t)| (p.to_string(), t))
        );
        // m (string and number), arr (arrays), o (object and number), z (only null): none.
    }

    fn stats_types(s: &PathStats) -> Vec<(String, ShredType)> {
        s.shredded().into_iter().collect()
    }

    #[test]
    fn removing_the_odd_documents_makes_a_path_shreddable_again() {
        let odd = doc(r#"{"p":"text"}"#);
        let mut s = stats(&[r#"{"p":1}"#, r#"{"p":2}"#]);
        s.add(&odd);
        assert_eq!(s.shredded().get("p"), None);
        s.remove(&odd);
        assert_eq!(s.shredded().get("p"), Some(&ShredType::Int64));
        s.remove(&doc(r#"{"p":1}"#));
        s.remove(&doc(r#"{"p":2}"#));
        assert_eq!(s.counts("p"), None, "empty paths are forgotten");
        s.add(&doc(r#"{"q":1}"#));
        s.clear();
        assert!(s.shredded().is_empty());
    }

    #[test]
    fn columns_hold_what_the_arrow_operators_would_give() {
        let docs: Vec<Option<Jsonb>> = vec![
            Some(doc(r#"{"i":7,"f":1.50,"s":"é","b":true,"o":{"k":"v"}}"#)),
            Some(doc(r#"{"i":null,"f":2,"s":"","b":false}"#)),
            None,
            Some(doc(r#"{}"#)),
        ];
        let i = shredded_column(&docs, "i", ShredType::Int64);
        let i = i.as_primitive::<Int64Type>();
        assert_eq!(i.value(0), 7);
        assert!(i.is_null(1) && i.is_null(2) && i.is_null(3));
        let f = shredded_column(&docs, "f", ShredType::Float64);
        let f = f.as_primitive::<Float64Type>();
        assert_eq!((f.value(0), f.value(1)), (1.5, 2.0));
        let s = shredded_column(&docs, "s", ShredType::Utf8);
        let s = s.as_string::<i32>();
        assert_eq!((s.value(0), s.value(1)), ("é", ""));
        assert!(s.is_null(3));
        // Postgres rejects these as float8: NULL, so queries read the document.
        assert_eq!((float8_of("1e400"), float8_of("1e-400")), (None, None));
        assert_eq!(
            (float8_of("0.000"), float8_of("1.50")),
            (Some(0.0), Some(1.5))
        );
        let b = shredded_column(&docs, "b", ShredType::Boolean);
        let b = b.as_boolean();
        assert!(b.value(0) && !b.value(1));
        let k = shredded_column(&docs, "o.k", ShredType::Utf8);
        assert_eq!(k.as_string::<i32>().value(0), "v");
        assert_eq!(k.null_count(), 3);
    }

    #[test]
    fn presence_asks_the_parent_object() {
        let docs: Vec<Option<Jsonb>> = vec![
            Some(doc(r#"{"a":null,"o":{"k":[]}}"#)),
            Some(doc(r#"{"o":"s"}"#)),
            Some(doc(r#"["a"]"#)),
            None,
        ];
        let values = |path: &str| {
            let column = presence_column(&docs, path);
            let b = column.as_boolean();
            (0..b.len())
                .map(|i| b.is_valid(i).then(|| b.value(i)))
                .collect::<Vec<_>>()
        };
        assert_eq!(values("a"), vec![Some(true), Some(false), None, None]);
        assert_eq!(values("o.k"), vec![Some(true), None, None, None]);
        assert_eq!(values("o.z"), vec![Some(false), None, None, None]);
        let absent = absent_like(&presence_column(&docs, "o.k"));
        assert_eq!(
            absent.as_boolean().iter().collect::<Vec<_>>(),
            vec![Some(false), None, None, None]
        );
        assert_eq!((parent_of("a.b.c"), parent_of("a")), ("a.b", ""));
    }
}
