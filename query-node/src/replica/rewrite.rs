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

use std::collections::BTreeSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::default_table_source::{provider_as_source, source_as_provider};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, Result, ScalarValue, TableReference};
use datafusion::logical_expr::expr::Case;
use datafusion::logical_expr::utils::{conjunction, disjunction};
use datafusion::logical_expr::{
    Expr, ExprSchemable, Filter, LogicalPlan, Projection, TableScan, TableScanBuilder, lit,
};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use docfusion_pgvalue::{Jsonb, JsonbObject};

use crate::json::names;
use crate::replica::shred::ShredType;
use crate::replica::store::{StoreError, TableStore};
use crate::replica::table::ReplicaTable;

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
}

impl ShreddedRead {
    /// How `EXPLAIN` names what is read.
    pub fn label(&self) -> String {
        match self.kind {
            ReadKind::Text => self.data_type.to_string(),
            ReadKind::Value(ty) => format!("json {}", ty.data_type()),
            ReadKind::Presence => "present".to_string(),
        }
    }

    /// The read's column from store `t`, one array per batch of [`TableStore::batches`],
    /// or `None` where this shard's store cannot answer it (the column is then NULL and
    /// every row reads its document).
    pub fn column_from(&self, t: &TableStore) -> Result<Option<Vec<ArrayRef>>, StoreError> {
        Ok(match self.kind {
            ReadKind::Text => t
                .shredded(&self.path)?
                .filter(|(ty, _)| serves(*ty, &self.data_type))
                .map(|(ty, arrays)| {
                    arrays
                        .iter()
                        .map(|a| served_column(ty, &self.data_type, a))
                        .collect()
                }),
            ReadKind::Value(want) => t
                .shredded(&self.path)?
                .filter(|(ty, _)| *ty == want)
                .map(|(_, arrays)| arrays),
            ReadKind::Presence => Some(t.presence(&self.path)?),
        })
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

/// The object keys `e` walks down from the `doc` column, for `doc->'a'->...`.
fn keys_from_doc(e: &Expr, out: &mut Vec<String>) -> bool {
    match e {
        Expr::Column(c) => c.name == "doc",
        Expr::ScalarFunction(f) if f.name() == names::FIELD && f.args.len() == 2 => {
            let Some(key) = string_literal(&f.args[1]) else {
                return false;
            };
            keys_from_doc(&f.args[0], out) && {
                out.push(key.to_string());
                true
            }
        }
        _ => false,
    }
}

/// The dotted path of a text extraction from `doc` (`doc->>'a'`, `doc->'a'->>'b'`,
/// `doc#>>'{a,b}'`), when every step is a non-empty object key without a `.`.
fn text_path(e: &Expr) -> Option<String> {
    let Expr::ScalarFunction(f) = e else {
        return None;
    };
    let mut keys = Vec::new();
    match f.name() {
        names::FIELD_TEXT if f.args.len() == 2 => {
            if !keys_from_doc(&f.args[0], &mut keys) {
                return None;
            }
            keys.push(string_literal(&f.args[1])?.to_string());
        }
        names::EXTRACT_PATH_TEXT if f.args.len() >= 2 => {
            if !keys_from_doc(&f.args[0], &mut keys) {
                return None;
            }
            for a in &f.args[1..] {
                keys.push(string_literal(a)?.to_string());
            }
        }
        _ => return None,
    }
    if keys.iter().any(|k| k.is_empty() || k.contains('.')) {
        return None;
    }
    Some(keys.join("."))
}

/// The path and result type of an expression a shredded column may answer.
fn readable(e: &Expr, schema: &DFSchema) -> Option<(String, DataType)> {
    match e {
        Expr::Cast(c) => {
            let path = text_path(&c.expr)?;
            Some((path, c.field.data_type().clone()))
        }
        other => {
            let path = text_path(other)?;
            Some((path, other.get_type(schema).ok()?))
        }
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

struct Rewriter<'a> {
    table: &'a ReplicaTable,
    schema: &'a DFSchema,
    qualifier: TableReference,
    reads: Vec<ShreddedRead>,
    changed: bool,
}

impl Rewriter<'_> {
    /// The scan's column for `path` read as `kind` (added to the reads when new).
    fn read(&mut self, path: String, kind: ReadKind, data_type: DataType) -> Expr {
        let name = match self
            .reads
            .iter()
            .find(|r| r.path == path && r.data_type == data_type && r.kind == kind)
        {
            Some(r) => r.name.clone(),
            None => {
                let name = format!("{SHREDDED_PREFIX}{}", self.reads.len());
                self.reads.push(ShreddedRead {
                    name: name.clone(),
                    path,
                    data_type,
                    kind,
                });
                name
            }
        };
        self.changed = true;
        Expr::Column(Column::new(Some(self.qualifier.clone()), name))
    }

    /// `doc ? 'k'`, `doc->'a' ?| '{k,l}'`, `?&`: from presence columns. Presence is NULL
    /// where the key's parent is not an object (an array's or a string's `?` has other
    /// rules), and those rows evaluate the original.
    fn existence(&mut self, e: &Expr) -> Option<Expr> {
        let Expr::ScalarFunction(f) = e else {
            return None;
        };
        let [left, right] = f.args.as_slice() else {
            return None;
        };
        let keys = match f.name() {
            names::EXISTS => vec![string_literal(right)?.to_string()],
            names::EXISTS_ANY | names::EXISTS_ALL => string_list(right)?,
            _ => return None,
        };
        let mut prefix = Vec::new();
        if keys.is_empty() || !keys_from_doc(left, &mut prefix) {
            return None;
        }
        let paths = keys
            .iter()
            .map(|k| dotted(&prefix, k))
            .collect::<Option<Vec<_>>>()?;
        if !paths.iter().all(|p| {
            self.table
                .may_serve(p, ReadKind::Presence, &DataType::Boolean)
        }) {
            return None;
        }
        let columns: Vec<Expr> = paths
            .into_iter()
            .map(|p| self.read(p, ReadKind::Presence, DataType::Boolean))
            .collect();
        let known = conjunction(columns.iter().map(|c| c.clone().is_not_null()))?;
        let answer = if f.name() == names::EXISTS_ANY {
            disjunction(columns)?
        } else {
            conjunction(columns)?
        };
        Some(Expr::Case(Case::new(
            None,
            vec![(Box::new(known), Box::new(answer))],
            Some(Box::new(e.clone())),
        )))
    }

    /// `doc @> '{"k":"v","o":{"n":1}}'` (also under `doc->'a'`): each scalar leaf a column
    /// of exactly its type compares ([`comparable`]) decides `false` where the column holds
    /// another value, and when every leaf is such, `true` where every column holds a value
    /// (they are equal then); any other row evaluates the original.
    fn containment(&mut self, e: &Expr) -> Option<Expr> {
        let Expr::ScalarFunction(f) = e else {
            return None;
        };
        let [left, right] = f.args.as_slice() else {
            return None;
        };
        if f.name() != names::CONTAINS {
            return None;
        }
        let mut prefix = Vec::new();
        if !keys_from_doc(left, &mut prefix) {
            return None;
        }
        let constant = Jsonb::parse(json_constant(right)?).ok()?;
        let obj = constant.as_object()?;
        let mut leaves = Vec::new();
        containment_leaves(obj, &mut prefix, &mut leaves);
        let mut compared = Vec::new();
        let mut all_compared = true;
        for leaf in leaves {
            match leaf {
                Some((path, ty, value))
                    if self
                        .table
                        .may_serve(&path, ReadKind::Value(ty), &ty.data_type()) =>
                {
                    compared.push((self.read(path, ReadKind::Value(ty), ty.data_type()), value));
                }
                _ => all_compared = false,
            }
        }
        let differs = disjunction(compared.iter().map(|(c, v)| {
            c.clone()
                .is_not_null()
                .and(c.clone().not_eq(lit(v.clone())))
        }))?;
        let mut when_then = vec![(Box::new(differs), Box::new(lit(false)))];
        if all_compared {
            let all_known = conjunction(compared.iter().map(|(c, _)| c.clone().is_not_null()))?;
            when_then.push((Box::new(all_known), Box::new(lit(true))));
        }
        Some(Expr::Case(Case::new(
            None,
            when_then,
            Some(Box::new(e.clone())),
        )))
    }

    fn rewrite(&mut self, expr: Expr) -> Result<Expr> {
        let t = expr.transform_down(|e| {
            if is_our_case(&e) {
                return Ok(Transformed::new(e, false, TreeNodeRecursion::Jump));
            }
            if let Some(new) = self.existence(&e).or_else(|| self.containment(&e)) {
                return Ok(Transformed::new(new, true, TreeNodeRecursion::Jump));
            }
            let Some((path, data_type)) = readable(&e, self.schema) else {
                return Ok(Transformed::no(e));
            };
            if !self.table.may_serve(&path, ReadKind::Text, &data_type) {
                // A cast no column answers reads the document (not its text from a column,
                // which would only add work).
                return Ok(Transformed::new(e, false, TreeNodeRecursion::Jump));
            }
            let column = self.read(path, ReadKind::Text, data_type);
            let case = Expr::Case(Case::new(
                None,
                vec![(Box::new(column.clone().is_not_null()), Box::new(column))],
                Some(Box::new(e)),
            ));
            Ok(Transformed::new(case, true, TreeNodeRecursion::Jump))
        })?;
        Ok(t.data)
    }
}

/// The replica table under `scan`, if it is one.
fn replica_table(scan: &TableScan) -> Option<Arc<dyn datafusion::catalog::TableProvider>> {
    let provider = source_as_provider(&scan.source).ok()?;
    provider
        .as_ref()
        .downcast_ref::<ReplicaTable>()
        .is_some()
        .then_some(provider)
}

impl OptimizerRule for ReplicaPathRewrite {
    fn name(&self) -> &str {
        "docfusion_replica_path_rewrite"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        // The node whose expressions are rewritten, an optional filter below it, the scan.
        let (filter, scan) = {
            let top_input = match &plan {
                LogicalPlan::Projection(_) | LogicalPlan::Aggregate(_) => {
                    let inputs = plan.inputs();
                    match inputs.as_slice() {
                        [one] => *one,
                        _ => return Ok(Transformed::no(plan)),
                    }
                }
                LogicalPlan::Filter(_) => &plan,
                _ => return Ok(Transformed::no(plan)),
            };
            match top_input {
                LogicalPlan::TableScan(scan) => (None, scan),
                LogicalPlan::Filter(f) => match f.input.as_ref() {
                    LogicalPlan::TableScan(scan) => (Some(f), scan),
                    _ => return Ok(Transformed::no(plan)),
                },
                _ => return Ok(Transformed::no(plan)),
            }
        };
        let Some(provider) = replica_table(scan) else {
            return Ok(Transformed::no(plan));
        };
        let Some(table) = provider.as_ref().downcast_ref::<ReplicaTable>() else {
            return Ok(Transformed::no(plan));
        };
        let mut rewriter = Rewriter {
            table,
            schema: scan.projected_schema.as_ref(),
            qualifier: scan.table_name.clone(),
            reads: table.shredded_reads().to_vec(),
            changed: false,
        };
        // A projection over a filter is left alone (the filter is rewritten on its own):
        // DataFusion moves a narrowing projection below a filter when the filter's columns
        // survive it, which would evaluate the fallback (and its errors) on rows the filter
        // drops. A rewritten filter reads a shredded column the projection does not keep,
        // which also stops that move. An aggregate evaluates in place.
        if matches!(plan, LogicalPlan::Projection(_)) && filter.is_some() {
            return Ok(Transformed::no(plan));
        }
        let filter_only = matches!(plan, LogicalPlan::Filter(_));
        let predicate = match filter {
            Some(f) => Some(rewriter.rewrite(f.predicate.clone())?),
            None => None,
        };
        let mut top_exprs = Vec::new();
        if !filter_only {
            for e in plan.expressions() {
                let original_name = e.schema_name().to_string();
                let before = rewriter.changed;
                rewriter.changed = false;
                let new = rewriter.rewrite(e)?;
                top_exprs.push(if rewriter.changed {
                    new.alias_if_changed(original_name)?
                } else {
                    new
                });
                rewriter.changed |= before;
            }
        }
        if !rewriter.changed {
            return Ok(Transformed::no(plan));
        }
        let reads = rewriter.reads;
        let new_table = table.with_shredded_reads(reads);
        let new_schema = datafusion::catalog::TableProvider::schema(&new_table);

        // The columns the rewritten expressions use (with a filter only: also every column
        // the scan gave before, which the nodes above read).
        let mut used = BTreeSet::new();
        let mut note = |e: &Expr| {
            for c in e.column_refs() {
                if let Ok(i) = new_schema.index_of(&c.name) {
                    used.insert(i);
                }
            }
        };
        top_exprs.iter().for_each(&mut note);
        if let Some(p) = &predicate {
            note(p);
        }
        if filter_only {
            for f in scan.projected_schema.fields() {
                if let Ok(i) = new_schema.index_of(f.name()) {
                    used.insert(i);
                }
            }
        }
        let new_scan = LogicalPlan::TableScan(
            TableScanBuilder::new(
                scan.table_name.clone(),
                provider_as_source(Arc::new(new_table)),
            )
            .with_projection(Some(used.into_iter().collect()))
            .with_filters(scan.filters.clone())
            .with_fetch(scan.fetch)
            .build()?,
        );
        let below = match predicate {
            Some(p) => LogicalPlan::Filter(Filter::try_new(p, Arc::new(new_scan))?),
            None => new_scan,
        };
        let new_plan = if filter_only {
            // Keep the filter's output exactly the scan's columns as before.
            let columns = scan
                .projected_schema
                .columns()
                .into_iter()
                .map(Expr::Column)
                .collect();
            LogicalPlan::Projection(Projection::try_new(columns, Arc::new(below))?)
        } else {
            plan.with_new_exprs(top_exprs, vec![below])?
        };
        Ok(Transformed::yes(new_plan))
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
