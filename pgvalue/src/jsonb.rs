//! The jsonb value model: scalars, arrays and objects whose keys are unique and ordered as
//! PostgreSQL stores them.

use std::cmp::Ordering;

use crate::error::PgError;
use crate::numeric::Numeric;

/// A jsonb value, equal to what PostgreSQL stores for the same input.
///
/// Equality follows jsonb's `=`: numbers compare by value (`1.0 = 1`), objects by their
/// (already normalized) key/value pairs, arrays element by element in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Jsonb {
    /// JSON `null` (not SQL NULL; functions return `Option` for that).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, kept as numeric with its display scale (`1.50` stays `1.50`).
    Number(Numeric),
    /// A string, already unescaped.
    String(String),
    /// An array, in input order.
    Array(Vec<Jsonb>),
    /// An object with unique keys in jsonb key order.
    Object(JsonbObject),
}

/// The order in which jsonb stores object keys: shorter keys first, then bytewise.
pub fn jsonb_key_order(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

/// Object members with unique keys, kept sorted by [`jsonb_key_order`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct JsonbObject {
    entries: Vec<(String, Jsonb)>,
}

impl JsonbObject {
    /// An empty object.
    pub fn new() -> Self {
        JsonbObject::default()
    }

    /// Builds an object from pairs in input order; of duplicate keys the last one wins.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, Jsonb)>) -> Self {
        let mut entries: Vec<(usize, String, Jsonb)> = pairs
            .into_iter()
            .enumerate()
            .map(|(i, (k, v))| (i, k, v))
            .collect();
        // Sort by key, later inputs last, then keep the last of each run of equal keys.
        entries.sort_by(|a, b| jsonb_key_order(&a.1, &b.1).then(a.0.cmp(&b.0)));
        let mut out: Vec<(String, Jsonb)> = Vec::with_capacity(entries.len());
        for (_, k, v) in entries {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        JsonbObject { entries: out }
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(k, _)| jsonb_key_order(k, key))
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&Jsonb> {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    /// Mutable access to the value stored under `key`.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Jsonb> {
        match self.position(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key` to `value`, replacing any previous value.
    pub fn insert(&mut self, key: String, value: Jsonb) {
        match self.position(&key) {
            Ok(i) => self.entries[i].1 = value,
            Err(i) => self.entries.insert(i, (key, value)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Jsonb> {
        match self.position(key) {
            Ok(i) => Some(self.entries.remove(i).1),
            Err(_) => None,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no members.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Members in jsonb key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Jsonb)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Keys in jsonb key order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Consumes the object, yielding members in jsonb key order.
    pub fn into_entries(self) -> Vec<(String, Jsonb)> {
        self.entries
    }
}

impl Jsonb {
    /// Parses text with `jsonb_in` semantics (errors `22P02`/`22P05`/`22003` as PostgreSQL).
    pub fn parse(text: &str) -> Result<Jsonb, PgError> {
        crate::parser::parse_jsonb(text)
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Jsonb {
        Jsonb::String(s.into())
    }

    /// A number from an `i64`.
    pub fn from_i64(v: i64) -> Jsonb {
        Jsonb::Number(Numeric::from_i64(v))
    }

    /// The name `jsonb_typeof` returns: `object`, `array`, `string`, `number`, `boolean`, `null`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Jsonb::Null => "null",
            Jsonb::Bool(_) => "boolean",
            Jsonb::Number(_) => "number",
            Jsonb::String(_) => "string",
            Jsonb::Array(_) => "array",
            Jsonb::Object(_) => "object",
        }
    }

    /// True for null, booleans, numbers and strings.
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Jsonb::Array(_) | Jsonb::Object(_))
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&JsonbObject> {
        match self {
            Jsonb::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Jsonb]> {
        match self {
            Jsonb::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The text `->>` and friends give: strings unquoted, JSON null as SQL NULL (`None`),
    /// everything else as its jsonb text.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Jsonb::Null => None,
            Jsonb::String(s) => Some(s.clone()),
            other => Some(other.to_pg_text()),
        }
    }
}

#[cfg(test)]
mod tests;
