//! The vector indexes of one collection on one shard: one [`VectorIndex`] per vector
//! column, kept by the replica's store as rows come and go (an upsert replaces the row's
//! vector, a delete removes it). While a snapshot loads, vectors are only collected; the
//! graph is then built in one parallel pass ([`TableVectors::build_pending`]).

use std::collections::{HashMap, HashSet};

use super::graph::{IndexParams, VectorIndex};
use crate::feed::pgoutput::RelationColumn;

/// `real[]` (`float4[]`).
const FLOAT4_ARRAY_OID: u32 = 1021;

/// True for a column type the replica indexes: `real[]`.
pub fn is_vector_type(type_oid: u32) -> bool {
    type_oid == FLOAT4_ARRAY_OID
}

/// A vector from its text form: `{1,2,3}` (a `real[]`) or `[1,2,3]` (pgvector). `None`
/// for anything else (a nested or empty array, a NULL element, a word).
pub fn parse_vector(text: &str) -> Option<Vec<f32>> {
    let t = text.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')))?;
    if inner.trim().is_empty() {
        return None;
    }
    inner
        .split(',')
        .map(|x| match x.trim() {
            "NaN" => Some(f32::NAN),
            "Infinity" => Some(f32::INFINITY),
            "-Infinity" => Some(f32::NEG_INFINITY),
            v => v.parse::<f32>().ok(),
        })
        .collect()
}

#[derive(Debug)]
enum State {
    /// Collecting a snapshot's vectors.
    Pending(HashMap<String, Vec<f32>>),
    /// Kept current row by row (`None` until the first vector gives the dimensions).
    Built(Option<Box<VectorIndex>>),
}

/// The index of one vector column.
#[derive(Debug)]
pub struct ColumnIndex {
    column: String,
    position: usize,
    params: IndexParams,
    state: State,
    /// Live rows whose value is not an indexable vector (other dimensions, NaN, not a
    /// vector): while there are any, the index does not answer queries.
    unindexed: HashSet<String>,
}

impl ColumnIndex {
    /// Column name.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The index, or why it cannot answer queries now.
    pub fn index(&self) -> Result<Option<&VectorIndex>, String> {
        if let Some(example) = self.unindexed.iter().next() {
            return Err(format!(
                "{} rows (id {example:?} among them) have a {} that is not a finite vector of the column's dimensions",
                self.unindexed.len(),
                self.column
            ));
        }
        match &self.state {
            State::Pending(_) => Err(format!("the index of {} is being built", self.column)),
            State::Built(index) => Ok(index.as_deref()),
        }
    }

    fn dims(&self) -> Option<usize> {
        match &self.state {
            State::Pending(rows) => rows.values().next().map(Vec::len),
            State::Built(index) => index.as_ref().map(|i| i.dims()),
        }
    }

    fn upsert(&mut self, row_id: &str, text: Option<&str>) {
        self.delete(row_id);
        let Some(text) = text else {
            // NULL: not in the index, and never a nearest row.
            return;
        };
        let vector = parse_vector(text)
            .filter(|v| v.iter().all(|x| x.is_finite()))
            .filter(|v| self.dims().is_none_or(|d| d == v.len()));
        let Some(vector) = vector else {
            self.unindexed.insert(row_id.to_string());
            return;
        };
        match &mut self.state {
            State::Pending(rows) => {
                rows.insert(row_id.to_string(), vector);
            }
            State::Built(index) => {
                let index = index
                    .get_or_insert_with(|| Box::new(VectorIndex::new(vector.len(), self.params)));
                index.insert(row_id, &vector);
            }
        }
    }

    fn delete(&mut self, row_id: &str) {
        self.unindexed.remove(row_id);
        match &mut self.state {
            State::Pending(rows) => {
                rows.remove(row_id);
            }
            State::Built(Some(index)) => index.delete(row_id),
            State::Built(None) => {}
        }
    }

    fn clear(&mut self) {
        self.unindexed.clear();
        self.state = match self.state {
            State::Pending(_) => State::Pending(HashMap::new()),
            State::Built(_) => State::Built(None),
        };
    }

    fn build_pending(&mut self) {
        if let State::Pending(rows) = &mut self.state {
            let rows: Vec<(String, Vec<f32>)> = std::mem::take(rows).into_iter().collect();
            let index = rows
                .first()
                .map(|(_, v)| v.len())
                .map(|dims| Box::new(VectorIndex::build(dims, self.params, rows)));
            self.state = State::Built(index);
        }
    }

    fn memory_bytes(&self) -> usize {
        let pending = match &self.state {
            State::Pending(rows) => rows.iter().map(|(k, v)| k.len() + v.len() * 4 + 64).sum(),
            State::Built(Some(index)) => index.memory_bytes(),
            State::Built(None) => 0,
        };
        pending + self.unindexed.iter().map(|k| k.len() + 32).sum::<usize>()
    }
}

/// The vector indexes of one collection's rows on one shard.
#[derive(Debug, Default)]
pub struct TableVectors {
    columns: Vec<ColumnIndex>,
}

impl TableVectors {
    /// An index per vector column of `columns`; collecting for a later
    /// [`TableVectors::build_pending`] when `loading` (a snapshot), else kept row by row.
    pub fn for_columns(columns: &[RelationColumn], params: IndexParams, loading: bool) -> Self {
        TableVectors {
            columns: columns
                .iter()
                .enumerate()
                .filter(|(_, c)| is_vector_type(c.type_oid))
                .map(|(position, c)| ColumnIndex {
                    column: c.name.clone(),
                    position,
                    params,
                    state: if loading {
                        State::Pending(HashMap::new())
                    } else {
                        State::Built(None)
                    },
                    unindexed: HashSet::new(),
                })
                .collect(),
        }
    }

    /// The index of column `name`, if it is a vector column.
    pub fn column(&self, name: &str) -> Option<&ColumnIndex> {
        self.columns.iter().find(|c| c.column == name)
    }

    /// True when the collection has a vector column.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// A row's new image: `value(i)` is column i's text.
    pub fn upsert<'a>(&mut self, row_id: &str, value: impl Fn(usize) -> Option<&'a str>) {
        for c in &mut self.columns {
            c.upsert(row_id, value(c.position));
        }
    }

    /// A row removed.
    pub fn delete(&mut self, row_id: &str) {
        for c in &mut self.columns {
            c.delete(row_id);
        }
    }

    /// Every row removed.
    pub fn clear(&mut self) {
        for c in &mut self.columns {
            c.clear();
        }
    }

    /// Builds the graphs of vectors collected while loading (nothing when built).
    pub fn build_pending(&mut self) {
        for c in &mut self.columns {
            c.build_pending();
        }
    }

    /// Approximate memory held, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.columns.iter().map(ColumnIndex::memory_bytes).sum()
    }
}
