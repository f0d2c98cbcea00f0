//! Reading JSON paths from the replica's shredded columns: in `SELECT doc->>'kind', count(*)
//! FROM events WHERE (doc->>'n')::bigint > 5 GROUP BY 1` over a replica-served collection,
//! `doc->>'kind'` and `(doc->>'n')::bigint` become reads of typed columns the replica scan
//! adds to its output, instead of parsing every document. The design follows the shard scan's
//! path pushdown ([`crate::scan::path_pushdown`]): a logical optimizer rule replaces each
//! such expression directly above the scan (through at most one `Filter`) by a computed
//! column of the scan, keeping output names unchanged.
//!
//! The scan cannot know at planning time what each shard's store will hold once it has
//! caught up (a write may turn a path mixed-type), so every rewrite keeps the original as
//! the fallback: `expr` becomes `CASE WHEN col IS NOT NULL THEN col ELSE expr END`. The scan
//! fills `col` only where the typed value gives exactly what `expr` gives
//! ([`served_column`]) and leaves it NULL elsewhere (a shard whose path is mixed-type, a
//! value out of the cast's range, a document lacking the path, a scan of the shards). A NULL
//! re-evaluates `expr` on that row only, after any filter below it, so results and errors
//! are the ones the document itself gives.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::compute::kernels::boolean::and;
use datafusion::arrow::compute::kernels::cmp::eq;
use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::TableProvider;
use datafusion::catalog::default_table_source::source_as_provider;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, Result, ScalarValue};
use datafusion::logical_expr::expr::Case;
use datafusion::logical_expr::utils::{conjunction, disjunction};
use datafusion::logical_expr::{Expr, LogicalPlan, TableScan, lit};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use docfusion_pgvalue::jsonb_scan::may_be_index;
use docfusion_pgvalue::{Jsonb, JsonbObject};

use crate::carry::{carry, rebuild, scan_of};
use crate::json::names;
use crate::replica::shred::{KindCounts, ShredType};
use crate::replica::store::{StoreError, TableStore};
use crate::replica::table::ReplicaTable;
use crate::scan::path_pushdown::rescan_adding;

/// Prefix of the scan's shredded-column names.
pub const SHREDDED_PREFIX: &str = "__docfusion_shredded_";

/// What a read takes from a shard's store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// `->>` of the path, or a cast of it: the typed column where it gives exactly what the
    /// expression gives ([`served_column`]).
    Text,
    /// The JSON value itself, compared with a constant of `@>`: only from a column of
    /// exactly this type (an `Int64` column rendered as text must not equal a JSON string).
    Value(ShredType),
    /// Whether the path's last key is there, as `?` asks ([`TableStore::presence`]).
    Presence,
    /// The expression's exact value on every row (`->>` of the path): from the typed
    /// column where the shard's column answers every row ([`complete_serves`]), NULL where
    /// the shard has never seen the path, and computed from the documents by
    /// [`ShreddedRead::fallback`] on a shard whose column does not answer (the path
    /// mixed-type there).
    Complete,
    /// The path's text (`->>`, a `Utf8` column) on the rows where the [`ReadKind::Text`]
    /// read of the same path, cast to this type's column type, has no value: NULL on a
    /// shard whose typed column answers every row (a NULL there is the document's NULL),
    /// the text computed from the documents elsewhere. The cast is then applied to it above
    /// the scan, so that a cast error stays on rows that reach the cast.
    Rest(ShredType),
    /// `doc @> <constant object>` on every row, every scalar leaf of the constant a
    /// [`ShreddedRead::leaves`] entry: from the typed columns where the shard's column of
    /// each leaf answers every row (or the shard never saw the leaf's path: then no row
    /// contains the constant), computed from the documents by [`ShreddedRead::fallback`]
    /// on any other shard.
    Contains,
}

/// A shredded path the replica scan outputs as a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShreddedRead {
    /// Column name in the scan's schema.
    pub name: String,
    /// Dotted path (see [`crate::replica::shred`]).
    pub path: String,
    /// The type of the expression it answers: `Utf8` for `->>`, the cast's type otherwise.
    pub data_type: DataType,
    /// What it reads.
    pub kind: ReadKind,
    /// For [`ReadKind::Complete`], [`ReadKind::Rest`] and [`ReadKind::Contains`]: the
    /// expression over the table's unqualified `doc` column that a shard without answering
    /// columns evaluates.
    pub fallback: Option<Expr>,
    /// For [`ReadKind::Contains`]: the constant's scalar leaves (dotted path, the type of
    /// column that compares it, its value).
    pub leaves: Vec<(String, ShredType, ScalarValue)>,
}

impl ShreddedRead {
    /// How `EXPLAIN` names what is read.
    pub fn label(&self) -> String {
        match self.kind {
            ReadKind::Text => self.data_type.to_string(),
            ReadKind::Value(ty) => format!("json {}", ty.data_type()),
            ReadKind::Presence => "present".to_string(),
            ReadKind::Complete => format!("{} exact", self.data_type),
            ReadKind::Rest(target) => format!("text where no {}", target.data_type()),
            ReadKind::Contains => "contains".to_string(),
        }
    }

    /// The read's column from store `t`, one array per batch of [`TableStore::batches`]
    /// (whose row counts are `rows`), or `None` where this shard's store cannot answer it:
    /// the column is then NULL and every row reads its document, or for the reads with a
    /// [`ShreddedRead::fallback`] ([`ReadKind::Complete`], [`ReadKind::Rest`],
    /// [`ReadKind::Contains`]) the scan evaluates it on the shard's documents.
    pub fn column_from(
        &self,
        t: &TableStore,
        rows: &[usize],
    ) -> Result<Option<Vec<ArrayRef>>, StoreError> {
        let nulls = |ty: &DataType| rows.iter().map(|n| new_null_array(ty, *n)).collect();
        Ok(match self.kind {
            ReadKind::Complete => {
                match complete_answer(t.paths().counts(&self.path), &self.data_type) {
                    Answer::Absent => Some(nulls(&self.data_type)),
                    Answer::Column(_) => self.served_from(t)?,
                    Answer::Documents => None,
                }
            }
            ReadKind::Rest(target) => {
                match complete_answer(t.paths().counts(&self.path), &target.data_type()) {
                    Answer::Absent | Answer::Column(_) => Some(nulls(&DataType::Utf8)),
                    Answer::Documents => None,
                }
            }
            ReadKind::Contains => contains_column(t, &self.leaves, rows)?,
            ReadKind::Text => self.served_from(t)?,
            ReadKind::Value(want) => t
                .shredded(&self.path)?
                .filter(|(ty, _)| *ty == want)
                .map(|(_, arrays)| arrays),
            ReadKind::Presence => Some(t.presence(&self.path)?),
        })
    }

    /// The path's typed column in store `t` as this read's type ([`served_column`]), where
    /// its type [`serves`] it.
    fn served_from(&self, t: &TableStore) -> Result<Option<Vec<ArrayRef>>, StoreError> {
        Ok(t.shredded(&self.path)?
            .filter(|(ty, _)| serves(*ty, &self.data_type))
            .map(|(ty, arrays)| {
                arrays
                    .iter()
                    .map(|a| served_column(ty, &self.data_type, a))
                    .collect()
            }))
    }
}

/// True when a column of shredded type `ty` answers an expression of type `target` exactly
/// (values out of a narrower type's range aside, which [`served_column`] leaves NULL).
pub fn serves(ty: ShredType, target: &DataType) -> bool {
    matches!(
        (ty, target),
        (ShredType::Utf8, DataType::Utf8)
            // `->>` of an integer or boolean renders it as Postgres does (the store keeps
            // only integers whose jsonb text is their decimal form); not floats, whose
            // text keeps the document's digits (`1.50`).
            | (ShredType::Int64, DataType::Utf8)
            | (ShredType::Boolean, DataType::Utf8)
            | (ShredType::Int64, DataType::Int64)
            // float8 of an integer's text is the integer rounded to nearest, as `as f64`.
            | (ShredType::Int64 | ShredType::Float64, DataType::Float64)
            | (ShredType::Boolean, DataType::Boolean)
    )
}

/// How a shard whose documents show `counts` at a containment leaf's path answers the leaf
/// (typed `ty`) on every row: only from a column of exactly its type.
fn leaf_answer(counts: Option<KindCounts>, ty: ShredType) -> Answer {
    as_leaf(complete_answer(counts, &ty.data_type()), ty)
}

/// `answer` (of [`complete_answer`] for the leaf type's column type) for a containment
/// leaf typed `ty`: a column of another type (an integer rendered as text) does not
/// compare the leaf.
pub fn as_leaf(answer: Answer, ty: ShredType) -> Answer {
    match answer {
        Answer::Column(t) if t != ty => Answer::Documents,
        other => other,
    }
}

/// The answer of a containment whose scalar leaves are `leaves` on every row of store `t`
/// (one array per batch, `rows` long each), when the store's columns give it: a row
/// contains the constant exactly when every leaf's column holds the leaf's value (a NULL
/// there is the path absent, JSON null or under a non-object, none of which contains a
/// scalar). `None` where a leaf's column does not answer every row.
fn contains_column(
    t: &TableStore,
    leaves: &[(String, ShredType, ScalarValue)],
    rows: &[usize],
) -> Result<Option<Vec<ArrayRef>>, StoreError> {
    let constant = |value: bool| -> Vec<ArrayRef> {
        rows.iter()
            .map(|n| Arc::new(BooleanArray::from(vec![value; *n])) as ArrayRef)
            .collect()
    };
    for (path, ty, _) in leaves {
        match leaf_answer(t.paths().counts(path), *ty) {
            Answer::Absent => return Ok(Some(constant(false))),
            Answer::Column(_) => {}
            Answer::Documents => return Ok(None),
        }
    }
    let mut out = constant(true);
    for (path, _, value) in leaves {
        let Some((_, arrays)) = t.shredded(path)? else {
            return Ok(None);
        };
        let Ok(scalar) = value.to_scalar() else {
            return Ok(None);
        };
        for (acc, array) in out.iter_mut().zip(&arrays) {
            let Ok(equal) = eq(array, &scalar) else {
                return Ok(None);
            };
            // NULL (no value at the path) does not contain the leaf.
            let equal = match equal.nulls() {
                Some(nulls) => BooleanArray::new(equal.values() & nulls.inner(), None),
                None => equal,
            };
            let Ok(both) = and(acc.as_boolean(), &equal) else {
                return Ok(None);
            };
            *acc = Arc::new(both);
        }
    }
    Ok(Some(out))
}

/// True when a column of shredded type `ty` gives an expression of type `target` on every
/// row, so that a NULL in it is the document's own NULL (the path absent or JSON null):
/// text of strings, integers and booleans, integers as `bigint` or `float8`, booleans as
/// `bool`. Not floats (a value `float8in` rejects is kept NULL, and their text keeps the
/// document's digits).
pub fn complete_serves(ty: ShredType, target: &DataType) -> bool {
    matches!(
        (ty, target),
        (
            ShredType::Utf8 | ShredType::Int64 | ShredType::Boolean,
            DataType::Utf8
        ) | (ShredType::Int64, DataType::Int64 | DataType::Float64)
            | (ShredType::Boolean, DataType::Boolean)
    )
}

/// How a shard's store answers a read of a path for every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// No live document has the path: every row's value is NULL.
    Absent,
    /// The typed column answers every row ([`complete_serves`]).
    Column(ShredType),
    /// Only the documents do.
    Documents,
}

/// How a shard whose documents show `counts` at a path answers an expression of type
/// `target` on it.
pub fn complete_answer(counts: Option<KindCounts>, target: &DataType) -> Answer {
    match counts.filter(|c| !c.is_empty()) {
        None => Answer::Absent,
        Some(c) => match c.shred_type() {
            Some(ty) if complete_serves(ty, target) => Answer::Column(ty),
            _ => Answer::Documents,
        },
    }
}

/// The values of an expression of type `target` from a shredded column of type `ty`: NULL
/// where the typed value does not give the answer (the query then reads the document).
pub fn served_column(ty: ShredType, target: &DataType, array: &ArrayRef) -> ArrayRef {
    if !serves(ty, target) {
        return new_null_array(target, array.len());
    }
    if array.data_type() == target {
        return array.clone();
    }
    // Integer to text renders the decimal form, booleans `true`/`false`; narrowing integer
    // casts give NULL out of range (the document's cast then raises Postgres' error).
    cast(array.as_ref(), target).unwrap_or_else(|_| new_null_array(target, array.len()))
}

/// The optimizer rule.
#[derive(Debug, Default)]
pub struct ReplicaPathRewrite;

impl ReplicaPathRewrite {
    /// The rule.
    pub fn new() -> Self {
        Self
    }
}

fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Literal(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
            _,
        ) => Some(s),
        _ => None,
    }
}

/// The `doc` column `e` walks down from and the object keys it takes, for `doc->'a'->...`.
fn keys_from_doc(e: &Expr, out: &mut Vec<String>) -> Option<Column> {
    match e {
        Expr::Column(c) if c.name == "doc" => Some(c.clone()),
        Expr::ScalarFunction(f) if f.name() == names::FIELD && f.args.len() == 2 => {
            let key = string_literal(&f.args[1])?;
            let doc = keys_from_doc(&f.args[0], out)?;
            out.push(key.to_string());
            Some(doc)
        }
        _ => None,
    }
}

/// The `doc` column and dotted path of a text extraction from it (`doc->>'a'`,
/// `doc->'a'->>'b'`, `doc#>>'{a,b}'`), when every step is a non-empty object key without
/// a `.` (and, for `#>>`, not one that may be an array index).
fn text_path(e: &Expr) -> Option<(Column, String)> {
    let Expr::ScalarFunction(f) = e else {
        return None;
    };
    let mut keys = Vec::new();
    let doc = match f.name() {
        names::FIELD_TEXT if f.args.len() == 2 => {
            let doc = keys_from_doc(&f.args[0], &mut keys)?;
            keys.push(string_literal(&f.args[1])?.to_string());
            doc
        }
        names::EXTRACT_PATH_TEXT if f.args.len() >= 2 => {
            let doc = keys_from_doc(&f.args[0], &mut keys)?;
            for a in &f.args[1..] {
                let key = string_literal(a)?;
                if may_be_index(key) {
                    return None;
                }
                keys.push(key.to_string());
            }
            doc
        }
        _ => return None,
    };
    if keys.iter().any(|k| k.is_empty() || k.contains('.')) {
        return None;
    }
    Some((doc, keys.join(".")))
}

/// An expression a shredded column may answer.
struct Readable<'a> {
    /// The `doc` column it reads.
    doc: Column,
    /// Its dotted path.
    path: String,
    /// Its type: `Utf8` for `->>`, the cast's type otherwise.
    data_type: DataType,
    /// The text extraction itself (the whole expression, or the cast's operand).
    text: &'a Expr,
}

/// The read `e` is, if it is one: a text extraction from `doc`, or a cast of one.
fn readable(e: &Expr) -> Option<Readable<'_>> {
    let (text, data_type) = match e {
        Expr::Cast(c) => (c.expr.as_ref(), c.field.data_type().clone()),
        other => (other, DataType::Utf8),
    };
    let (doc, path) = text_path(text)?;
    Some(Readable {
        doc,
        path,
        data_type,
        text,
    })
}

/// `e` over the table's own (unqualified) columns, as a scan evaluates it.
fn unqualified(e: &Expr) -> Result<Expr> {
    e.clone()
        .transform(|e| match e {
            Expr::Column(c) => Ok(Transformed::yes(Expr::Column(Column::new_unqualified(
                c.name,
            )))),
            other => Ok(Transformed::no(other)),
        })
        .map(|t| t.data)
}

/// The shredded type that answers a cast to `data_type` on every row, when one does.
fn typed_target(data_type: &DataType) -> Option<ShredType> {
    match data_type {
        DataType::Int64 => Some(ShredType::Int64),
        DataType::Float64 => Some(ShredType::Float64),
        DataType::Boolean => Some(ShredType::Boolean),
        _ => None,
    }
}

/// True for a `CASE` this rule wrote (its fallback is not rewritten again).
fn is_our_case(e: &Expr) -> bool {
    let Expr::Case(c) = e else { return false };
    c.when_then_expr.iter().any(|(w, _)| {
        w.column_refs()
            .iter()
            .any(|col| col.name.starts_with(SHREDDED_PREFIX))
    })
}

/// The dotted path of `prefix` followed by `key`, when every key can be a path step.
fn dotted(prefix: &[String], key: &str) -> Option<String> {
    let steps = || prefix.iter().map(String::as_str).chain([key]);
    if steps().any(|k| k.is_empty() || k.contains('.')) {
        return None;
    }
    Some(steps().collect::<Vec<_>>().join("."))
}

/// The strings of a `text[]` literal (`?|`, `?&`), unless one is NULL.
fn string_list(e: &Expr) -> Option<Vec<String>> {
    let Expr::Literal(ScalarValue::List(list), _) = e else {
        return None;
    };
    if list.len() != 1 || list.is_null(0) {
        return None;
    }
    let items = list.value(0);
    let strings = items.as_string_opt::<i32>()?;
    strings.iter().map(|s| s.map(str::to_string)).collect()
}

/// The text of a constant jsonb operand: `'{...}'` or `'{...}'::jsonb`.
fn json_constant(e: &Expr) -> Option<&str> {
    match e {
        Expr::ScalarFunction(f) if f.name() == names::JSONB_IN && f.args.len() == 1 => {
            string_literal(&f.args[0])
        }
        other => string_literal(other),
    }
}

/// A scalar of a containment constant that a column of one type compares exactly, with the
/// value to compare (jsonb equality: strings bytewise, numbers by value, so `1.0` is the
/// integer 1; numbers that are not integers fitting 64 bits are not compared from columns,
/// since a `Float64` column is not numeric equality).
fn comparable(value: &Jsonb) -> Option<(ShredType, ScalarValue)> {
    match value {
        Jsonb::String(s) => Some((ShredType::Utf8, ScalarValue::Utf8(Some(s.clone())))),
        Jsonb::Bool(b) => Some((ShredType::Boolean, ScalarValue::Boolean(Some(*b)))),
        Jsonb::Number(n) if n.is_integral() => Some((
            ShredType::Int64,
            ScalarValue::Int64(Some(n.trunc_to_i64()?)),
        )),
        _ => None,
    }
}

/// The leaves of containment constant `obj` under `prefix`: `Some((path, type, value))`
/// for a scalar a column compares exactly, `None` for any other (JSON null, arrays, empty
/// objects, numbers that are not integers, keys that cannot be path steps).
fn containment_leaves(
    obj: &JsonbObject,
    prefix: &mut Vec<String>,
    out: &mut Vec<Option<(String, ShredType, ScalarValue)>>,
) {
    for (key, value) in obj.iter() {
        match (value, dotted(prefix, key)) {
            (Jsonb::Object(inner), Some(_)) if !inner.is_empty() => {
                prefix.push(key.clone());
                containment_leaves(inner, prefix, out);
                prefix.pop();
            }
            (scalar, Some(path)) => {
                out.push(comparable(scalar).map(|(ty, v)| (path, ty, v)));
            }
            (_, None) => out.push(None),
        }
    }
}

/// Rewrites the expressions of one plan node, adding the columns they read to the replica
/// scans below it.
struct Rewriter {
    /// The node's inputs, with the columns asked for so far.
    inputs: Vec<LogicalPlan>,
    changed: bool,
}

impl Rewriter {
    /// The input that `doc` comes from and the replica table under it.
    fn source(&self, doc: &Column) -> Option<(usize, Arc<dyn TableProvider>)> {
        self.inputs
            .iter()
            .enumerate()
            .find_map(|(i, p)| source(p, doc).map(|t| (i, t)))
    }

    /// The column of read `want` (its name is chosen by the scan) of the table under input
    /// `input`, carried up to this node; `None` where a node between cannot carry it.
    fn read(&mut self, input: usize, doc: &Column, want: ShreddedRead) -> Result<Option<Expr>> {
        let Some((plan, column)) = request(&self.inputs[input], doc, &want)? else {
            return Ok(None);
        };
        self.inputs[input] = plan;
        self.changed = true;
        Ok(Some(Expr::Column(column)))
    }

    /// `doc ? 'k'`, `doc->'a' ?| '{k,l}'`, `?&`: from presence columns. Presence is NULL
    /// where the key's parent is not an object (an array's or a string's `?` has other
    /// rules), and those rows evaluate the original.
    fn existence(&mut self, e: &Expr) -> Result<Option<Expr>> {
        let Expr::ScalarFunction(f) = e else {
            return Ok(None);
        };
        let [left, right] = f.args.as_slice() else {
            return Ok(None);
        };
        let keys = match f.name() {
            names::EXISTS => match string_literal(right) {
                Some(k) => vec![k.to_string()],
                None => return Ok(None),
            },
            names::EXISTS_ANY | names::EXISTS_ALL => match string_list(right) {
                Some(keys) => keys,
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let mut prefix = Vec::new();
        let Some(doc) = keys_from_doc(left, &mut prefix) else {
            return Ok(None);
        };
        let Some(paths) = keys
            .iter()
            .map(|k| dotted(&prefix, k))
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(None);
        };
        let Some((input, provider)) = self.source(&doc) else {
            return Ok(None);
        };
        let Some(table) = as_replica(&provider) else {
            return Ok(None);
        };
        if paths.is_empty()
            || !paths
                .iter()
                .all(|p| table.may_serve(p, ReadKind::Presence, &DataType::Boolean))
        {
            return Ok(None);
        }
        let mut columns = Vec::with_capacity(paths.len());
        for path in paths {
            let want = ShreddedRead::new(path, ReadKind::Presence, DataType::Boolean);
            match self.read(input, &doc, want)? {
                Some(c) => columns.push(c),
                None => return Ok(None),
            }
        }
        let (Some(known), Some(answer)) = (
            conjunction(columns.iter().map(|c| c.clone().is_not_null())),
            if f.name() == names::EXISTS_ANY {
                disjunction(columns)
            } else {
                conjunction(columns)
            },
        ) else {
            return Ok(None);
        };
        Ok(Some(Expr::Case(Case::new(
            None,
            vec![(Box::new(known), Box::new(answer))],
            Some(Box::new(e.clone())),
        ))))
    }

    /// `doc @> '{"k":"v","o":{"n":1}}'` (also under `doc->'a'`): each scalar leaf a column
    /// of exactly its type compares ([`comparable`]) decides `false` where the column holds
    /// another value, and when every leaf is such, `true` where every column holds a value
    /// (they are equal then); any other row evaluates the original.
    fn containment(&mut self, e: &Expr) -> Result<Option<Expr>> {
        let Expr::ScalarFunction(f) = e else {
            return Ok(None);
        };
        let [left, right] = f.args.as_slice() else {
            return Ok(None);
        };
        if f.name() != names::CONTAINS {
            return Ok(None);
        }
        let mut prefix = Vec::new();
        let Some(doc) = keys_from_doc(left, &mut prefix) else {
            return Ok(None);
        };
        let Some(constant) = json_constant(right).and_then(|c| Jsonb::parse(c).ok()) else {
            return Ok(None);
        };
        let Some(obj) = constant.as_object() else {
            return Ok(None);
        };
        let Some((input, provider)) = self.source(&doc) else {
            return Ok(None);
        };
        let Some(table) = as_replica(&provider) else {
            return Ok(None);
        };
        let mut leaves = Vec::new();
        containment_leaves(obj, &mut prefix, &mut leaves);
        // Every leaf compared from a column that answers every row on every shard: the
        // whole answer as one column, without the document. Only for `doc` itself (never
        // NULL in a collection): `doc->'a' @> …` is NULL where `a` is absent, which the
        // leaves' columns cannot tell from false.
        let doc_not_null = table
            .schema()
            .field_with_name("doc")
            .is_ok_and(|f| !f.is_nullable());
        if prefix.is_empty()
            && doc_not_null
            && !leaves.is_empty()
            && let Some(complete) = leaves.iter().cloned().collect::<Option<Vec<_>>>()
            && table.contains_completely(&complete)
        {
            let path = complete
                .iter()
                .map(|(p, _, _)| p.as_str())
                .collect::<Vec<_>>()
                .join("+");
            let want = ShreddedRead {
                fallback: Some(unqualified(e)?),
                leaves: complete,
                ..ShreddedRead::new(path, ReadKind::Contains, DataType::Boolean)
            };
            return self.read(input, &doc, want);
        }
        let mut compared = Vec::new();
        let mut all_compared = true;
        for leaf in leaves {
            match leaf {
                Some((path, ty, value))
                    if table.may_serve(&path, ReadKind::Value(ty), &ty.data_type()) =>
                {
                    let want = ShreddedRead::new(path, ReadKind::Value(ty), ty.data_type());
                    match self.read(input, &doc, want)? {
                        Some(c) => compared.push((c, value)),
                        None => return Ok(None),
                    }
                }
                _ => all_compared = false,
            }
        }
        let Some(differs) = disjunction(compared.iter().map(|(c, v)| {
            c.clone()
                .is_not_null()
                .and(c.clone().not_eq(lit(v.clone())))
        })) else {
            return Ok(None);
        };
        let mut when_then = vec![(Box::new(differs), Box::new(lit(false)))];
        if all_compared
            && let Some(all_known) =
                conjunction(compared.iter().map(|(c, _)| c.clone().is_not_null()))
        {
            when_then.push((Box::new(all_known), Box::new(lit(true))));
        }
        Ok(Some(Expr::Case(Case::new(
            None,
            when_then,
            Some(Box::new(e.clone())),
        ))))
    }

    /// `doc->>'a'`, `doc->'a'->>'b'`, `doc#>>'{a,b}'` and casts of them, read from columns:
    /// - where every shard's column gives the text on every row ([`Answer`]), a
    ///   [`ReadKind::Complete`] column, which replaces the expression;
    /// - a cast to `bigint`, `float8` or `bool` that every shard's typed column answers:
    ///   `CASE WHEN typed IS NOT NULL THEN typed ELSE cast(rest) END` with `rest` a
    ///   [`ReadKind::Rest`] column (NULL on those shards), so that a cast error stays on the
    ///   rows that reach the cast; another cast is applied to the complete text column;
    /// - otherwise, where some shard's column may answer: `CASE WHEN col IS NOT NULL THEN
    ///   col ELSE <original> END` ([`ReadKind::Text`]), the document read where `col` is NULL.
    ///
    /// The first two no longer read the document, so it need not travel up to this node.
    fn path_read(&mut self, e: &Expr) -> Result<Option<Expr>> {
        let Some(r) = readable(e) else {
            return Ok(None);
        };
        let Some((input, provider)) = self.source(&r.doc) else {
            return Ok(None);
        };
        let Some(table) = as_replica(&provider) else {
            return Ok(None);
        };
        let text_complete = table.answers_completely(&r.path, &DataType::Utf8);
        let typed_complete =
            typed_target(&r.data_type).filter(|_| table.answers_completely(&r.path, &r.data_type));
        let may_serve = table.may_serve(&r.path, ReadKind::Text, &r.data_type);
        let fallback = Some(unqualified(r.text)?);
        let replace_operand = |operand: Expr| match e {
            Expr::Cast(c) => {
                let mut cast = c.clone();
                cast.expr = Box::new(operand);
                Expr::Cast(cast)
            }
            _ => operand,
        };
        if let Some(target) = typed_complete {
            let typed = ShreddedRead::new(r.path.clone(), ReadKind::Text, r.data_type.clone());
            let rest = ShreddedRead {
                fallback,
                ..ShreddedRead::new(r.path.clone(), ReadKind::Rest(target), DataType::Utf8)
            };
            let (Some(typed), Some(rest)) = (
                self.read(input, &r.doc, typed)?,
                self.read(input, &r.doc, rest)?,
            ) else {
                return Ok(None);
            };
            return Ok(Some(Expr::Case(Case::new(
                None,
                vec![(Box::new(typed.clone().is_not_null()), Box::new(typed))],
                Some(Box::new(replace_operand(rest))),
            ))));
        }
        if text_complete {
            let want = ShreddedRead {
                fallback,
                ..ShreddedRead::new(r.path.clone(), ReadKind::Complete, DataType::Utf8)
            };
            return Ok(self.read(input, &r.doc, want)?.map(replace_operand));
        }
        if !may_serve {
            return Ok(None);
        }
        let want = ShreddedRead::new(r.path.clone(), ReadKind::Text, r.data_type.clone());
        Ok(self.read(input, &r.doc, want)?.map(|column| {
            Expr::Case(Case::new(
                None,
                vec![(Box::new(column.clone().is_not_null()), Box::new(column))],
                Some(Box::new(e.clone())),
            ))
        }))
    }

    fn rewrite(&mut self, expr: Expr) -> Result<Expr> {
        let t = expr.transform_down(|e| {
            if is_our_case(&e) {
                return Ok(Transformed::new(e, false, TreeNodeRecursion::Jump));
            }
            let new = match self.existence(&e)? {
                Some(new) => Some(new),
                None => match self.containment(&e)? {
                    Some(new) => Some(new),
                    None => self.path_read(&e)?,
                },
            };
            Ok(match new {
                Some(new) => Transformed::new(new, true, TreeNodeRecursion::Jump),
                // A path read no column answers reads the document (its parts are not
                // read from columns either, which would only add work).
                None if readable(&e).is_some() => {
                    Transformed::new(e, false, TreeNodeRecursion::Jump)
                }
                None => Transformed::no(e),
            })
        })?;
        Ok(t.data)
    }
}

impl ShreddedRead {
    /// A read to ask a scan for (the scan names it).
    fn new(path: String, kind: ReadKind, data_type: DataType) -> Self {
        Self {
            name: String::new(),
            path,
            data_type,
            kind,
            fallback: None,
            leaves: Vec::new(),
        }
    }

    /// True when this read gives what `want` asks for.
    fn answers(&self, want: &ShreddedRead) -> bool {
        self.path == want.path
            && self.kind == want.kind
            && self.data_type == want.data_type
            && self.leaves == want.leaves
    }
}

/// The replica table that `provider` is, if it is one.
fn as_replica(provider: &Arc<dyn TableProvider>) -> Option<&ReplicaTable> {
    provider.as_ref().downcast_ref::<ReplicaTable>()
}

/// The replica table under `scan`, if it is one.
fn replica_table(scan: &TableScan) -> Option<Arc<dyn TableProvider>> {
    let provider = source_as_provider(&scan.source).ok()?;
    provider
        .as_ref()
        .downcast_ref::<ReplicaTable>()
        .is_some()
        .then_some(provider)
}

/// The replica table whose `doc` column `plan` outputs as `col`, through the nodes that
/// pass a column up unchanged ([`carry`]).
fn source(plan: &LogicalPlan, col: &Column) -> Option<Arc<dyn TableProvider>> {
    let (scan, at_scan) = scan_of(plan, col)?;
    if at_scan.name != "doc" {
        return None;
    }
    replica_table(scan)
}

/// `plan` with read `want` of the replica table whose `doc` column it outputs as `col`
/// added to its output ([`carry`]), and the read's column there: the scan gains the read,
/// or reuses an equal one.
fn request(
    plan: &LogicalPlan,
    col: &Column,
    want: &ShreddedRead,
) -> Result<Option<(LogicalPlan, Column)>> {
    if source(plan, col).is_none() {
        return Ok(None);
    }
    carry(plan, col, &mut |scan, _doc| {
        let Some(provider) = replica_table(scan) else {
            return Ok(None);
        };
        let Some(table) = as_replica(&provider) else {
            return Ok(None);
        };
        let mut reads = table.shredded_reads().to_vec();
        let name = match reads.iter().find(|r| r.answers(want)) {
            Some(r) => r.name.clone(),
            None => {
                let name = format!("{SHREDDED_PREFIX}{}", reads.len());
                reads.push(ShreddedRead {
                    name: name.clone(),
                    ..want.clone()
                });
                name
            }
        };
        let width = table.schema().fields().len();
        let new_table = Arc::new(table.with_shredded_reads(reads));
        rescan_adding(scan, width, new_table, &name).map(Some)
    })
}

/// True when `e` reads a column named `doc` (only such expressions can be rewritten).
fn reads_doc(e: &Expr) -> bool {
    e.column_refs().iter().any(|c| c.name == "doc")
}

impl OptimizerRule for ReplicaPathRewrite {
    fn name(&self) -> &str {
        "docfusion_replica_path_rewrite"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    /// Rewrites the expressions of a projection, aggregate, filter, join or sort whose
    /// `doc` comes from a replica table through nodes that carry columns up ([`request`]).
    /// The node keeps its output: a projection's or aggregate's rewritten expressions keep
    /// their names, and the columns a filter, join or sort now carries are projected away
    /// above it.
    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let keeps_names = match &plan {
            LogicalPlan::Projection(_) | LogicalPlan::Aggregate(_) => true,
            LogicalPlan::Filter(_) | LogicalPlan::Join(_) | LogicalPlan::Sort(_) => false,
            _ => return Ok(Transformed::no(plan)),
        };
        let exprs = plan.expressions();
        if !exprs.iter().any(reads_doc) {
            return Ok(Transformed::no(plan));
        }
        let mut rewriter = Rewriter {
            inputs: plan.inputs().into_iter().cloned().collect(),
            changed: false,
        };
        let mut new_exprs = Vec::with_capacity(exprs.len());
        let mut any_changed = false;
        for e in exprs {
            let original_name = e.schema_name().to_string();
            rewriter.changed = false;
            let new = rewriter.rewrite(e)?;
            any_changed |= rewriter.changed;
            new_exprs.push(if rewriter.changed && keeps_names {
                new.alias_if_changed(original_name)?
            } else {
                new
            });
        }
        if !any_changed {
            return Ok(Transformed::no(plan));
        }
        Ok(Transformed::yes(rebuild(
            &plan,
            new_exprs,
            rewriter.inputs,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        Array, AsArray, BooleanArray, Float64Array, Int64Array, StringArray,
    };

    #[test]
    fn typed_values_answer_only_where_postgres_gives_the_same() {
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![
            Some(7),
            None,
            Some(-3_000_000_000),
            Some(i64::MAX),
        ]));
        let text = served_column(ShredType::Int64, &DataType::Utf8, &ints);
        let text = text.as_string::<i32>();
        assert_eq!(text.value(0), "7");
        assert_eq!(text.value(3), "9223372036854775807");
        assert!(text.is_null(1));
        // `::int` is not answered from the column (the document's cast gives Postgres' range
        // error where a row reaches it).
        assert!(!serves(ShredType::Int64, &DataType::Int32));
        assert_eq!(
            served_column(ShredType::Int64, &DataType::Int32, &ints).null_count(),
            4
        );
        let bools: ArrayRef = Arc::new(BooleanArray::from(vec![true, false]));
        let text = served_column(ShredType::Boolean, &DataType::Utf8, &bools);
        assert_eq!(
            text.as_string::<i32>(),
            &StringArray::from(vec!["true", "false"])
        );
        // Floats as text keep the document's digits: never from the column.
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![1.5]));
        assert!(!serves(ShredType::Float64, &DataType::Utf8));
        assert_eq!(
            served_column(ShredType::Float64, &DataType::Utf8, &floats).null_count(),
            1
        );
        assert!(serves(ShredType::Float64, &DataType::Float64));
        assert!(!serves(ShredType::Utf8, &DataType::Int64));
        assert!(!serves(ShredType::Int64, &DataType::Boolean));
    }

    #[test]
    fn containment_compares_only_leaves_a_typed_column_decides_exactly() {
        let constant = Jsonb::parse(
            r#"{"s":"x","i":7.0,"f":1.5,"b":false,"n":null,"arr":[1],"e":{},"o":{"k":"v","x.y":1},"":1,"big":1e30}"#,
        )
        .unwrap();
        let mut leaves = Vec::new();
        containment_leaves(
            constant.as_object().unwrap(),
            &mut vec!["top".into()],
            &mut leaves,
        );
        let mut decided: Vec<(String, ShredType, ScalarValue)> =
            leaves.iter().flatten().cloned().collect();
        decided.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            decided,
            vec![
                (
                    "top.b".into(),
                    ShredType::Boolean,
                    ScalarValue::Boolean(Some(false))
                ),
                // jsonb containment compares numbers by value: 7.0 is the integer 7.
                (
                    "top.i".into(),
                    ShredType::Int64,
                    ScalarValue::Int64(Some(7))
                ),
                (
                    "top.o.k".into(),
                    ShredType::Utf8,
                    ScalarValue::Utf8(Some("v".into()))
                ),
                (
                    "top.s".into(),
                    ShredType::Utf8,
                    ScalarValue::Utf8(Some("x".into()))
                ),
            ]
        );
        // f (not an integer), n (JSON null), arr, e (empty object), o's dotted key, the
        // empty key and big (beyond 64 bits) are left to the document.
        assert_eq!(leaves.iter().filter(|l| l.is_none()).count(), 7);
        assert_eq!(dotted(&["a".into()], "b"), Some("a.b".into()));
        assert_eq!(dotted(&["a.b".into()], "c"), None);
    }
}
