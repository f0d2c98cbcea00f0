//! One collection's current rows on one shard, kept as Arrow: immutable segments (a
//! `RecordBatch` of up to `freeze_rows` rows, a live-row mask, and the typed columns of the
//! JSON paths shredded when the segment was frozen) plus a small tail of recent rows as
//! text. An id index says where each row lives; a change marks the old row dead and adds
//! the new one to the tail. A scan shares the segments' arrays (filtering only segments
//! with dead rows) and the tail's Arrow form, which the first scan after the tail changed
//! builds and later scans reuse. Segments more than half dead are compacted.
//!
//! Rows arrive as the text output of each column's type (what `pgoutput` and the text
//! protocol send); documents are kept as their canonical jsonb text, which is what the
//! node's JSON functions read (see "jsonb inside DataFusion" in `docs/design.md`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBuilder, Float32Builder, Float64Builder,
    Int16Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use datafusion::arrow::compute::{filter, filter_record_batch};
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use docfusion_pgvalue::Jsonb;

use crate::catalog::ColumnReader;
use crate::catalog::discovery::INTERNAL_PREFIX;
use crate::feed::{Datum, Relation};
use crate::replica::shred::{
    PathStats, ShredType, absent_like, parent_of, presence_column, shredded_column,
};
use crate::vector_index::{IndexParams, TableVectors};

/// Rows the tail holds before it becomes a segment.
pub const FREEZE_ROWS: usize = 8192;

/// How changes are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyMode {
    /// Replaying the feed over a snapshot that may already hold some of its changes:
    /// a row never goes back to a lower `version`, and an update of a row the replica does
    /// not hold is skipped (a later change of the feed rewrites or removes it).
    Catchup,
    /// Past the snapshot: every change is applied as it comes.
    Live,
}

/// A change the store cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A row without an id.
    #[error("a row of {table} has no id")]
    NullId {
        /// Collection.
        table: String,
    },
    /// A value that does not read as its column's type.
    #[error("{table}.{column}: cannot read {value:?} as {expected}")]
    BadValue {
        /// Collection.
        table: String,
        /// Column.
        column: String,
        /// The text.
        value: String,
        /// What it should have been.
        expected: String,
    },
    /// An update that kept a TOASTed value of a row the replica does not hold.
    #[error("an update of {table} id {id:?} keeps a value of a row the replica does not hold")]
    MissingRow {
        /// Collection.
        table: String,
        /// Row id.
        id: String,
    },
    /// Building Arrow arrays failed.
    #[error("{table}: {message}")]
    Arrow {
        /// Collection.
        table: String,
        /// Arrow's message.
        message: String,
    },
}

/// How a column of type `oid` (with type modifier `typmod`) is kept: as the shard scan
/// would read it where the replica can reproduce that exactly from text, else as text
/// ([`ColumnReader::AsText`]), which the serving side treats as "not served by the replica"
/// when the shard scan reads it otherwise.
pub fn reader_for_type(oid: u32, typmod: i32) -> ColumnReader {
    match oid {
        25 | 1043 | 1042 | 19 => ColumnReader::Text,
        3802 => ColumnReader::Jsonb,
        114 => ColumnReader::Json,
        21 => ColumnReader::Int16,
        23 => ColumnReader::Int32,
        20 => ColumnReader::Int64,
        700 => ColumnReader::Float32,
        701 => ColumnReader::Float64,
        1700 if typmod == -1 => ColumnReader::Float64,
        16 => ColumnReader::Bool,
        1021 => ColumnReader::Float32Array,
        _ => ColumnReader::AsText,
    }
}

/// True for a relation of the collection shape (`id text` key, `doc jsonb`) in `public`.
pub fn is_collection(relation: &Relation) -> bool {
    let has = |name: &str, oid: u32| {
        relation
            .columns
            .iter()
            .any(|c| c.name == name && c.type_oid == oid)
    };
    relation.namespace == "public"
        && !relation.name.starts_with(INTERNAL_PREFIX)
        && has("id", 25)
        && has("doc", 3802)
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "t" | "true" => Some(true),
        "f" | "false" => Some(false),
        _ => None,
    }
}

/// The elements of Postgres' text of a `real[]` (`{1,2.5,NULL,NaN}`; a multi-dimensional
/// array is read in storage order), or `None` when the text is not one.
fn parse_float4_array(text: &str) -> Option<Vec<Option<f32>>> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let flat: String = inner.chars().filter(|c| *c != '{' && *c != '}').collect();
    if flat.trim().is_empty() {
        return Some(Vec::new());
    }
    flat.split(',')
        .map(|item| match item.trim() {
            "NULL" => Some(None),
            // Parsed as f32 directly: through f64 a decimal could round twice.
            "NaN" => Some(Some(f32::NAN)),
            "Infinity" => Some(Some(f32::INFINITY)),
            "-Infinity" => Some(Some(f32::NEG_INFINITY)),
            t => t.parse::<f32>().ok().map(Some),
        })
        .collect()
}

/// Whether `text` reads as a value of a column read by `reader`.
fn value_is_valid(reader: ColumnReader, text: &str) -> bool {
    match reader {
        ColumnReader::Int16 => text.parse::<i16>().is_ok(),
        ColumnReader::Int32 => text.parse::<i32>().is_ok(),
        ColumnReader::Int64 => text.parse::<i64>().is_ok(),
        ColumnReader::Float32 | ColumnReader::Float64 => parse_float(text).is_some(),
        ColumnReader::Bool => parse_bool(text).is_some(),
        ColumnReader::Float32Array => parse_float4_array(text).is_some(),
        _ => true,
    }
}

/// The Arrow column of `values` (checked by [`value_is_valid`] before).
fn build_column<'a>(
    reader: ColumnReader,
    values: impl Iterator<Item = Option<&'a str>>,
    rows: usize,
) -> ArrayRef {
    macro_rules! numeric {
        ($builder:ty, $parse:expr) => {{
            let mut b = <$builder>::with_capacity(rows);
            for v in values {
                b.append_option(v.and_then($parse));
            }
            Arc::new(b.finish()) as ArrayRef
        }};
    }
    match reader {
        ColumnReader::Int16 => numeric!(Int16Builder, |t: &str| t.parse().ok()),
        ColumnReader::Int32 => numeric!(Int32Builder, |t: &str| t.parse().ok()),
        ColumnReader::Int64 => numeric!(Int64Builder, |t: &str| t.parse().ok()),
        ColumnReader::Float32 => {
            numeric!(Float32Builder, |t: &str| parse_float(t).map(|f| f as f32))
        }
        ColumnReader::Float64 => numeric!(Float64Builder, parse_float),
        ColumnReader::Bool => numeric!(BooleanBuilder, parse_bool),
        ColumnReader::Float32Array => {
            let mut b = ListBuilder::with_capacity(Float32Builder::new(), rows);
            for v in values {
                match v.and_then(parse_float4_array) {
                    Some(items) => {
                        for x in items {
                            b.values().append_option(x);
                        }
                        b.append(true);
                    }
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        _ => {
            let mut b = StringBuilder::with_capacity(rows, rows * 32);
            for v in values {
                b.append_option(v);
            }
            Arc::new(b.finish())
        }
    }
}

/// A value of an Arrow column as text that [`build_column`] reads back to the same value.
fn cell_text(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    use datafusion::arrow::datatypes::{Float32Type, Float64Type, Int16Type, Int32Type, Int64Type};
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Float32 => format!("{:?}", array.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => format!("{:?}", array.as_primitive::<Float64Type>().value(row)),
        DataType::Boolean => {
            if array.as_boolean().value(row) {
                "t".into()
            } else {
                "f".into()
            }
        }
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            let items = items.as_primitive::<Float32Type>();
            let texts: Vec<String> = (0..items.len())
                .map(|i| {
                    if items.is_null(i) {
                        "NULL".to_string()
                    } else {
                        format!("{:?}", items.value(i))
                    }
                })
                .collect();
            format!("{{{}}}", texts.join(","))
        }
        _ => return None,
    })
}

type TextRow = Vec<Option<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Segment(u64, usize),
    Tail(usize),
}

#[derive(Debug)]
struct Segment {
    batch: RecordBatch,
    live: Vec<bool>,
    live_rows: usize,
    shredded: BTreeMap<String, (ShredType, ArrayRef)>,
    /// The presence column ([`presence_column`]) of every path some row of the segment has.
    present: BTreeMap<String, ArrayRef>,
}

impl Segment {
    fn live_mask(&self) -> BooleanArray {
        BooleanArray::from(self.live.clone())
    }
}

/// One collection's rows on one shard.
#[derive(Debug)]
pub struct TableStore {
    name: String,
    oid: u32,
    columns: Vec<(String, ColumnReader)>,
    schema: SchemaRef,
    id_col: usize,
    doc_col: usize,
    version_col: Option<usize>,
    segments: BTreeMap<u64, Segment>,
    next_segment: u64,
    tail: Vec<Option<TextRow>>,
    tail_live: usize,
    index: HashMap<String, Location>,
    paths: PathStats,
    freeze_rows: usize,
    vectors: TableVectors,
    /// The tail's Arrow form, valid until the tail changes.
    tail_cache: Mutex<TailCache>,
}

/// What scans computed from the tail since it last changed: the batch and the columns of
/// the paths asked for. Every change of the tail empties it ([`TableStore::tail_changed`]).
#[derive(Debug, Default)]
struct TailCache {
    batch: Option<RecordBatch>,
    shredded: HashMap<String, (ShredType, ArrayRef)>,
    presence: HashMap<String, ArrayRef>,
    /// Bytes the tail's text rows hold (summed once per change of the tail: planning asks
    /// for the replica's size on every statement).
    tail_bytes: Option<usize>,
    /// For each slot of the tail, its row's position in the tail's batch (live rows only).
    positions: Option<Arc<Vec<usize>>>,
}

impl TailCache {
    fn memory_bytes(&self) -> usize {
        self.batch
            .as_ref()
            .map_or(0, RecordBatch::get_array_memory_size)
            + self
                .shredded
                .values()
                .map(|(_, a)| a.get_array_memory_size())
                .sum::<usize>()
            + self
                .presence
                .values()
                .map(|a| a.get_array_memory_size())
                .sum::<usize>()
    }
}

impl TableStore {
    /// An empty store for `relation`, or `None` when it is not a collection.
    pub fn new(relation: &Relation) -> Option<TableStore> {
        if !is_collection(relation) {
            return None;
        }
        let columns: Vec<(String, ColumnReader)> = relation
            .columns
            .iter()
            .map(|c| (c.name.clone(), reader_for_type(c.type_oid, c.type_modifier)))
            .collect();
        let position = |n: &str| columns.iter().position(|(c, _)| c == n);
        let id_col = position("id")?;
        let doc_col = position("doc")?;
        let version_col = position("version").filter(|i| columns[*i].1 == ColumnReader::Int64);
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|(n, r)| r.field(n, true))
                .collect::<Vec<_>>(),
        ));
        Some(TableStore {
            name: relation.name.clone(),
            oid: relation.oid,
            columns,
            schema,
            id_col,
            doc_col,
            version_col,
            segments: BTreeMap::new(),
            next_segment: 0,
            tail: Vec::new(),
            tail_live: 0,
            index: HashMap::new(),
            paths: PathStats::default(),
            freeze_rows: FREEZE_ROWS,
            vectors: TableVectors::for_columns(&relation.columns, IndexParams::default(), false),
            tail_cache: Mutex::default(),
        })
    }

    /// The same store freezing its tail every `rows` rows (tests use small segments).
    pub fn with_freeze_rows(mut self, rows: usize) -> Self {
        self.freeze_rows = rows.max(1);
        self
    }

    /// From now on, collects the rows' vectors for one parallel index build
    /// ([`TableStore::build_vector_indexes`]): a snapshot is being loaded.
    pub fn collect_vectors(&mut self, relation: &Relation) {
        self.vectors = TableVectors::for_columns(&relation.columns, IndexParams::default(), true);
    }

    /// The indexes of the vector columns.
    pub fn vectors(&self) -> &TableVectors {
        &self.vectors
    }

    /// Builds the vector indexes of rows collected while loading.
    pub fn build_vector_indexes(&mut self) {
        self.vectors.build_pending();
    }

    /// Collection name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Table oid on the shard.
    pub fn oid(&self) -> u32 {
        self.oid
    }

    /// Column names and how they are kept.
    pub fn columns(&self) -> &[(String, ColumnReader)] {
        &self.columns
    }

    /// The schema of [`TableStore::batches`] (every field nullable).
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// True when `relation` has the columns this store keeps.
    pub fn has_shape_of(&self, relation: &Relation) -> bool {
        relation.columns.len() == self.columns.len()
            && relation
                .columns
                .iter()
                .zip(&self.columns)
                .all(|(c, (n, r))| {
                    c.name == *n && reader_for_type(c.type_oid, c.type_modifier) == *r
                })
    }

    /// Live rows.
    pub fn row_count(&self) -> usize {
        self.index.len()
    }

    /// The observed kinds of the documents' paths.
    pub fn paths(&self) -> &PathStats {
        &self.paths
    }

    /// Segments (frozen batches) held.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Approximate memory held, in bytes.
    pub fn memory_bytes(&self) -> usize {
        let segments: usize = self
            .segments
            .values()
            .map(|s| {
                s.batch.get_array_memory_size()
                    + s.live.len()
                    + s.shredded
                        .values()
                        .map(|(_, a)| a.get_array_memory_size())
                        .sum::<usize>()
                    + s.present
                        .values()
                        .map(|a| a.get_array_memory_size())
                        .sum::<usize>()
            })
            .sum();
        let mut cache = self.cache();
        let tail = *cache.tail_bytes.get_or_insert_with(|| {
            self.tail
                .iter()
                .flatten()
                .map(|r| r.iter().flatten().map(|v| v.len() + 24).sum::<usize>())
                .sum()
        });
        segments + tail + cache.memory_bytes() + self.index.len() * 48 + self.vectors.memory_bytes()
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, TailCache> {
        self.tail_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets what was computed from the tail: called by every change of the tail.
    fn tail_changed(&mut self) {
        *self
            .tail_cache
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = TailCache::default();
    }

    fn arrow_error(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::Arrow {
            table: self.name.clone(),
            message: e.to_string(),
        }
    }

    fn row_text(&self, location: Location) -> TextRow {
        match location {
            Location::Tail(i) => self.tail.get(i).cloned().flatten().unwrap_or_default(),
            Location::Segment(s, r) => self
                .segments
                .get(&s)
                .map(|seg| {
                    seg.batch
                        .columns()
                        .iter()
                        .map(|c| cell_text(c.as_ref(), r))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn doc_of(&self, row: &TextRow) -> Option<Jsonb> {
        row.get(self.doc_col)
            .cloned()
            .flatten()
            .and_then(|d| Jsonb::parse(&d).ok())
    }

    /// Applies a new row image (insert or update). `old_id` is the row's previous id when
    /// the update changed it.
    pub fn upsert(
        &mut self,
        new: Vec<Datum>,
        old_id: Option<&str>,
        mode: ApplyMode,
    ) -> Result<(), StoreError> {
        let id = new
            .get(self.id_col)
            .and_then(Datum::as_text)
            .ok_or_else(|| StoreError::NullId {
                table: self.name.clone(),
            })?
            .to_string();
        let previous_id = old_id.unwrap_or(&id).to_string();
        let existing = self.index.get(&previous_id).copied();
        let old = existing.map(|l| self.row_text(l));
        let keeps_old_values = new.contains(&Datum::UnchangedToast);
        if keeps_old_values && old.is_none() {
            return match mode {
                ApplyMode::Catchup => Ok(()),
                ApplyMode::Live => Err(StoreError::MissingRow {
                    table: self.name.clone(),
                    id: previous_id,
                }),
            };
        }
        let values: TextRow = new
            .into_iter()
            .enumerate()
            .map(|(i, d)| match d {
                Datum::Null => None,
                Datum::Text(t) => Some(t),
                Datum::UnchangedToast => old.as_ref().and_then(|o| o.get(i).cloned().flatten()),
            })
            .collect();
        if mode == ApplyMode::Catchup
            && let (Some(v), Some(old)) = (self.version_col, &old)
        {
            let version = |row: &TextRow| row.get(v).cloned().flatten()?.parse::<i64>().ok();
            if let (Some(have), Some(incoming)) = (version(old), version(&values))
                && incoming < have
            {
                return Ok(());
            }
        }
        for ((name, reader), value) in self.columns.iter().zip(&values) {
            if let Some(text) = value
                && !value_is_valid(*reader, text)
            {
                return Err(StoreError::BadValue {
                    table: self.name.clone(),
                    column: name.clone(),
                    value: text.clone(),
                    expected: format!("{reader:?}"),
                });
            }
        }
        let doc = self.doc_of(&values);
        if let Some(location) = existing {
            self.remove_at(&previous_id, location)?;
        }
        if previous_id != id
            && let Some(location) = self.index.get(&id).copied()
        {
            self.remove_at(&id, location)?;
        }
        if let Some(doc) = &doc {
            self.paths.add(doc);
        }
        self.vectors
            .upsert(&id, |i| values.get(i).and_then(|v| v.as_deref()));
        self.tail.push(Some(values));
        self.tail_live += 1;
        self.tail_changed();
        self.index.insert(id, Location::Tail(self.tail.len() - 1));
        if self.tail.len() >= self.freeze_rows {
            self.freeze()?;
        }
        Ok(())
    }

    /// Removes the row with `id` (nothing when there is none).
    pub fn delete(&mut self, id: &str) -> Result<(), StoreError> {
        match self.index.get(id).copied() {
            Some(location) => self.remove_at(id, location),
            None => Ok(()),
        }
    }

    /// Removes every row.
    pub fn truncate(&mut self) {
        self.segments.clear();
        self.tail.clear();
        self.tail_live = 0;
        self.tail_changed();
        self.index.clear();
        self.paths.clear();
        self.vectors.clear();
    }

    fn remove_at(&mut self, id: &str, location: Location) -> Result<(), StoreError> {
        let old = self.row_text(location);
        if let Some(doc) = self.doc_of(&old) {
            self.paths.remove(&doc);
        }
        self.index.remove(id);
        self.vectors.delete(id);
        match location {
            Location::Tail(i) => {
                if let Some(slot) = self.tail.get_mut(i)
                    && slot.take().is_some()
                {
                    self.tail_live -= 1;
                    self.tail_changed();
                }
            }
            Location::Segment(s, r) => {
                let Some(seg) = self.segments.get_mut(&s) else {
                    return Ok(());
                };
                if std::mem::replace(&mut seg.live[r], false) {
                    seg.live_rows -= 1;
                }
                if seg.live_rows == 0 {
                    self.segments.remove(&s);
                } else if seg.live_rows * 2 < seg.live.len() {
                    self.compact(s)?;
                }
            }
        }
        Ok(())
    }

    /// Rewrites segment `s` without its dead rows.
    fn compact(&mut self, s: u64) -> Result<(), StoreError> {
        let Some(seg) = self.segments.get(&s) else {
            return Ok(());
        };
        let mask = seg.live_mask();
        let batch = filter_record_batch(&seg.batch, &mask).map_err(|e| self.arrow_error(e))?;
        let mut shredded = BTreeMap::new();
        for (path, (ty, array)) in &seg.shredded {
            let kept = filter(array.as_ref(), &mask).map_err(|e| self.arrow_error(e))?;
            shredded.insert(path.clone(), (*ty, kept));
        }
        let mut present = BTreeMap::new();
        for (path, array) in &seg.present {
            let kept = filter(array.as_ref(), &mask).map_err(|e| self.arrow_error(e))?;
            present.insert(path.clone(), kept);
        }
        let ids = batch.column(self.id_col).as_string::<i32>().clone();
        for (row, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                self.index.insert(id.to_string(), Location::Segment(s, row));
            }
        }
        let rows = batch.num_rows();
        self.segments.insert(
            s,
            Segment {
                batch,
                live: vec![true; rows],
                live_rows: rows,
                shredded,
                present,
            },
        );
        Ok(())
    }

    /// Turns the tail's live rows into a segment.
    pub fn freeze(&mut self) -> Result<(), StoreError> {
        let rows: Vec<TextRow> = std::mem::take(&mut self.tail)
            .into_iter()
            .flatten()
            .collect();
        self.tail_live = 0;
        self.tail_changed();
        if rows.is_empty() {
            return Ok(());
        }
        let batch = self.text_batch(&rows)?;
        let docs: Vec<Option<Jsonb>> = rows.iter().map(|r| self.doc_of(r)).collect();
        let mut local = PathStats::default();
        for d in docs.iter().flatten() {
            local.add(d);
        }
        let shredded = local
            .shredded()
            .into_iter()
            .map(|(path, ty)| {
                let column = shredded_column(&docs, &path, ty);
                (path, (ty, column))
            })
            .collect();
        let present = local
            .path_names()
            .map(|path| (path.to_string(), presence_column(&docs, path)))
            .collect();
        let s = self.next_segment;
        self.next_segment += 1;
        for (row, values) in rows.iter().enumerate() {
            if let Some(Some(id)) = values.get(self.id_col) {
                self.index.insert(id.clone(), Location::Segment(s, row));
            }
        }
        self.segments.insert(
            s,
            Segment {
                batch,
                live: vec![true; rows.len()],
                live_rows: rows.len(),
                shredded,
                present,
            },
        );
        Ok(())
    }

    fn text_batch(&self, rows: &[TextRow]) -> Result<RecordBatch, StoreError> {
        let columns: Vec<ArrayRef> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, reader))| {
                build_column(
                    *reader,
                    rows.iter().map(|r| r.get(i).and_then(|v| v.as_deref())),
                    rows.len(),
                )
            })
            .collect();
        RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| self.arrow_error(e))
    }

    fn live_tail(&self) -> Vec<TextRow> {
        self.tail.iter().flatten().cloned().collect()
    }

    /// The live rows as batches of [`TableStore::schema`]: segments share their arrays.
    pub fn batches(&self) -> Result<Vec<RecordBatch>, StoreError> {
        let mut out = Vec::with_capacity(self.segments.len() + 1);
        for seg in self.segments.values() {
            if seg.live_rows == seg.live.len() {
                out.push(seg.batch.clone());
            } else {
                out.push(
                    filter_record_batch(&seg.batch, &seg.live_mask())
                        .map_err(|e| self.arrow_error(e))?,
                );
            }
        }
        if self.tail_live > 0 {
            out.push(self.tail_batch()?);
        }
        Ok(out)
    }

    /// The tail's live rows as a batch, built once per change of the tail.
    fn tail_batch(&self) -> Result<RecordBatch, StoreError> {
        if let Some(batch) = &self.cache().batch {
            return Ok(batch.clone());
        }
        // Built outside the lock; two scans racing here build the same batch.
        let batch = self.text_batch(&self.live_tail())?;
        self.cache().batch = Some(batch.clone());
        Ok(batch)
    }

    /// The documents of the tail's live rows, in [`TableStore::batches`]' order.
    fn tail_docs(&self) -> Vec<Option<Jsonb>> {
        self.live_tail().iter().map(|r| self.doc_of(r)).collect()
    }

    /// The rows with `ids` (those the store holds), in that order, as one batch of
    /// [`TableStore::schema`]: taken from the segments' batches and the tail's cached batch
    /// (no text is parsed again; a vector search fetches its candidate rows this way).
    pub fn rows_by_id(&self, ids: &[&str]) -> Result<RecordBatch, StoreError> {
        let mut sources: Vec<RecordBatch> = Vec::new();
        let mut segment_source: HashMap<u64, usize> = HashMap::new();
        let mut tail: Option<(usize, Arc<Vec<usize>>)> = None;
        let mut indices = Vec::with_capacity(ids.len());
        for location in ids.iter().filter_map(|id| self.index.get(*id)) {
            match *location {
                Location::Segment(key, row) => {
                    let Some(seg) = self.segments.get(&key) else {
                        continue;
                    };
                    let source = *segment_source.entry(key).or_insert_with(|| {
                        sources.push(seg.batch.clone());
                        sources.len() - 1
                    });
                    indices.push((source, row));
                }
                Location::Tail(slot) => {
                    if tail.is_none() {
                        sources.push(self.tail_batch()?);
                        tail = Some((sources.len() - 1, self.tail_positions()));
                    }
                    if let Some((source, positions)) = &tail
                        && let Some(&position) = positions.get(slot)
                    {
                        indices.push((*source, position));
                    }
                }
            }
        }
        if indices.is_empty() {
            return Ok(RecordBatch::new_empty(self.schema.clone()));
        }
        let sources: Vec<&RecordBatch> = sources.iter().collect();
        datafusion::arrow::compute::interleave_record_batch(&sources, &indices)
            .map_err(|e| self.arrow_error(e))
    }

    /// For each slot of the tail, the position of its row in the tail's batch (a dead slot
    /// gets the next row's position and is never looked up).
    fn tail_positions(&self) -> Arc<Vec<usize>> {
        if let Some(p) = &self.cache().positions {
            return p.clone();
        }
        let mut next = 0;
        let positions: Arc<Vec<usize>> = Arc::new(
            self.tail
                .iter()
                .map(|row| {
                    let p = next;
                    next += usize::from(row.is_some());
                    p
                })
                .collect(),
        );
        self.cache().positions = Some(positions.clone());
        positions
    }

    /// [`TableStore::rows_by_id`] from the rows' text (what it did before; the reference of
    /// its tests).
    #[cfg(test)]
    pub fn rows_by_id_from_text(&self, ids: &[&str]) -> Result<RecordBatch, StoreError> {
        let rows: Vec<TextRow> = ids
            .iter()
            .filter_map(|id| self.index.get(*id))
            .map(|l| self.row_text(*l))
            .collect();
        self.text_batch(&rows)
    }

    /// The shredded column of `path`, one array per batch of [`TableStore::batches`] (same
    /// order and rows), when the collection's documents allow a typed column for it.
    /// Segments frozen while the path had another type compute it from their documents.
    pub fn shredded(&self, path: &str) -> Result<Option<(ShredType, Vec<ArrayRef>)>, StoreError> {
        let Some(ty) = self.paths.counts(path).and_then(|c| c.shred_type()) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.segments.len() + 1);
        for seg in self.segments.values() {
            let mask = seg.live_mask();
            let array = match seg.shredded.get(path) {
                Some((t, a)) if *t == ty => a.clone(),
                _ => shredded_column(&self.segment_docs(seg), path, ty),
            };
            out.push(if seg.live_rows == seg.live.len() {
                array
            } else {
                filter(array.as_ref(), &mask).map_err(|e| self.arrow_error(e))?
            });
        }
        if self.tail_live > 0 {
            let cached = match self.cache().shredded.get(path) {
                Some((t, a)) if *t == ty => Some(a.clone()),
                _ => None,
            };
            let array = match cached {
                Some(a) => a,
                None => {
                    let a = shredded_column(&self.tail_docs(), path, ty);
                    self.cache()
                        .shredded
                        .insert(path.to_string(), (ty, a.clone()));
                    a
                }
            };
            out.push(array);
        }
        Ok(Some((ty, out)))
    }

    fn segment_docs(&self, seg: &Segment) -> Vec<Option<Jsonb>> {
        seg.batch
            .column(self.doc_col)
            .as_string::<i32>()
            .iter()
            .map(|d| d.and_then(|d| Jsonb::parse(d).ok()))
            .collect()
    }

    /// The presence column of `path` ([`presence_column`]), one array per batch of
    /// [`TableStore::batches`]; whatever the types of its values. A segment none of whose
    /// rows has the path takes its object parents from a sibling path's column (its
    /// non-NULL rows are the rows whose parent is an object); only without a sibling are
    /// the documents read.
    pub fn presence(&self, path: &str) -> Result<Vec<ArrayRef>, StoreError> {
        let parent = parent_of(path);
        let mut out = Vec::with_capacity(self.segments.len() + 1);
        for seg in self.segments.values() {
            let array = match seg.present.get(path) {
                Some(a) => a.clone(),
                None => match seg.present.iter().find(|(p, _)| parent_of(p) == parent) {
                    Some((_, sibling)) => absent_like(sibling),
                    None => presence_column(&self.segment_docs(seg), path),
                },
            };
            out.push(if seg.live_rows == seg.live.len() {
                array
            } else {
                filter(array.as_ref(), &seg.live_mask()).map_err(|e| self.arrow_error(e))?
            });
        }
        if self.tail_live > 0 {
            let cached = self.cache().presence.get(path).cloned();
            let array = match cached {
                Some(a) => a,
                None => {
                    let a = presence_column(&self.tail_docs(), path);
                    self.cache().presence.insert(path.to_string(), a.clone());
                    a
                }
            };
            out.push(array);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
