//! INSERT, UPDATE and DELETE: what each statement becomes on the shards. Statements are
//! rendered back to Postgres SQL (Postgres evaluates `jsonb_set`, `||`, `-` itself), with
//! client parameters passed on as parameters, never spliced into the text.
//!
//! Routing: an inserted row goes to the shard owning its id; an UPDATE/DELETE whose WHERE
//! pins `id` (`id = 'x'`, `id = $1`, `id IN (…)`, ORs of those) goes to the owning shards,
//! any other to every shard. Writes to reference tables go to every shard.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{FieldRef, Schema, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::sqlparser::ast;
use docfusion_pgvalue::Jsonb;
use tokio_postgres::Row;

use crate::catalog::{ColumnReader, TableInfo, TableKind};
use crate::error::{SqlError, sqlstate};
use crate::scan::pushdown::quote_ident;
use crate::scan::rows::ColumnBuilder;
use crate::shard_map::ShardMap;
use crate::write::ddl::VERSION_COLUMN;
use crate::write::names::{column_ref, missing_param, normalize, placeholder, table_name};
use crate::write::txn::ShardStatement;

/// Which statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// INSERT.
    Insert,
    /// UPDATE.
    Update,
    /// DELETE.
    Delete,
}

impl Verb {
    /// The command tag for `n` rows.
    pub fn tag(self, n: u64) -> String {
        format!("{} {n}", self.tag_prefix())
    }

    /// The command tag without its row count.
    pub fn tag_prefix(self) -> &'static str {
        match self {
            Verb::Insert => "INSERT 0",
            Verb::Update => "UPDATE",
            Verb::Delete => "DELETE",
        }
    }
}

/// An id the node can see before the statement runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdRef {
    /// A literal.
    Literal(String),
    /// Parameter `$n`.
    Param(usize),
}

/// The RETURNING columns: names and how to decode them.
#[derive(Debug, Clone)]
pub struct Returning {
    columns: Vec<(String, ColumnReader)>,
    schema: SchemaRef,
}

impl Returning {
    /// From the columns a shard described.
    pub fn new(columns: Vec<(String, ColumnReader)>) -> Self {
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|(n, r)| r.field(n, true))
                .collect::<Vec<_>>(),
        ));
        Returning { columns, schema }
    }

    /// The result columns.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The statement, wrapped so that columns this node reads as text come as text.
    fn wrap(&self, sql: String) -> String {
        let plain = self.columns.iter().all(|(_, r)| r.select_sql("c") == "c");
        if plain {
            return sql;
        }
        let names: Vec<String> = (0..self.columns.len()).map(|i| format!("c{i}")).collect();
        let select: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, r))| r.select_sql(&format!("c{i}")))
            .collect();
        format!(
            "WITH _docfusion_dml ({}) AS ({sql}) SELECT {} FROM _docfusion_dml",
            names.join(", "),
            select.join(", ")
        )
    }

    /// The returned rows as one batch.
    pub fn batch(&self, rows: &[Row]) -> Result<RecordBatch, SqlError> {
        let mut builders: Vec<ColumnBuilder> = self
            .columns
            .iter()
            .map(|(_, r)| ColumnBuilder::new(*r, rows.len()))
            .collect();
        for row in rows {
            for (i, b) in builders.iter_mut().enumerate() {
                b.push(row, i)?;
            }
        }
        let columns = builders
            .into_iter()
            .zip(self.schema.fields())
            .map(|(b, f)| b.finish(f.data_type()))
            .collect();
        RecordBatch::try_new_with_options(
            self.schema.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows.len())),
        )
        .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))
    }
}

/// How the statement reaches the shards.
#[derive(Debug, Clone)]
pub enum Body {
    /// One statement, run on the shards owning the pinned ids (collections with a pin) or
    /// on every shard.
    Whole {
        /// The statement (with the version bump added).
        statement: Box<ast::Statement>,
        /// Ids the WHERE clause pins, if it does.
        pinned: Option<Vec<IdRef>>,
    },
    /// INSERT … VALUES into a collection: each row to the shard owning its id.
    Values {
        /// The statement; its VALUES rows are replaced by each shard's.
        insert: Box<ast::Insert>,
        /// The rows.
        rows: Vec<Vec<ast::Expr>>,
        /// Where the id and the document are in a row (`None`: not given).
        id_col: Option<usize>,
        /// See `id_col`.
        doc_col: Option<usize>,
    },
    /// INSERT … SELECT: the SELECT runs on this node, its rows go to their shards.
    Select {
        /// The statement without its SELECT; rows are sent as VALUES of parameters.
        insert: Box<ast::Insert>,
        /// A `VALUES` query whose rows are replaced.
        values: Box<ast::Query>,
        /// The planned SELECT.
        plan: Box<LogicalPlan>,
        /// The target columns and their Postgres types.
        columns: Vec<(String, String)>,
        /// Where the id and the document are in a row (`None`: not given).
        id_col: Option<usize>,
        /// See `id_col`.
        doc_col: Option<usize>,
    },
}

/// A planned INSERT, UPDATE or DELETE.
#[derive(Debug, Clone)]
pub struct DmlPlan {
    /// The target table.
    pub table: Arc<TableInfo>,
    /// Which statement.
    pub verb: Verb,
    /// How it reaches the shards.
    pub body: Body,
    /// RETURNING columns, if any.
    pub returning: Option<Returning>,
    /// Parameter types.
    pub params: Vec<FieldRef>,
}

/// The target of an INSERT, UPDATE or DELETE, with the names it can be referred to by.
pub fn target_of(
    statement: &ast::Statement,
) -> Result<Option<(Verb, String, Vec<String>)>, SqlError> {
    use ast::Statement as S;
    let from_factor = |f: &ast::TableFactor| -> Result<(String, Vec<String>), SqlError> {
        match f {
            ast::TableFactor::Table { name, alias, .. } => {
                let table = table_name(name)?;
                let mut names = vec![table.clone()];
                if let Some(a) = alias {
                    names = vec![normalize(&a.name)];
                }
                Ok((table, names))
            }
            other => Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("cannot write to {other}"),
            )),
        }
    };
    Ok(Some(match statement {
        S::Insert(i) => {
            let ast::TableObject::TableName(name) = &i.table else {
                return Err(SqlError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "INSERT INTO a table function is not supported",
                ));
            };
            let table = table_name(name)?;
            let names = match &i.table_alias {
                Some(a) => vec![normalize(&a.alias)],
                None => vec![table.clone()],
            };
            (Verb::Insert, table, names)
        }
        S::Update(u) => {
            let (t, n) = from_factor(&u.table.relation)?;
            (Verb::Update, t, n)
        }
        S::Delete(d) => {
            let from = match &d.from {
                ast::FromTable::WithFromKeyword(f) | ast::FromTable::WithoutKeyword(f) => f,
            };
            let [only] = from.as_slice() else {
                return Err(SqlError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "DELETE from several tables is not supported: use USING",
                ));
            };
            let (t, n) = from_factor(&only.relation)?;
            (Verb::Delete, t, n)
        }
        _ => return Ok(None),
    }))
}

/// Every table a statement reads or writes.
pub fn relations(statement: &ast::Statement) -> Vec<String> {
    let mut names = Vec::new();
    let _ = ast::visit_relations(statement, |name| {
        if let Ok(n) = table_name(name) {
            names.push(n);
        }
        ControlFlow::<()>::Continue(())
    });
    names
}

/// True when an expression (or statement part) uses a parameter.
pub fn has_placeholders<V: ast::Visit>(v: &V) -> bool {
    ast::visit_expressions(v, |e| {
        if placeholder(e).is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_break()
}

/// The ids a WHERE clause pins for table names `names`, or `None` when it does not.
pub fn pinned_ids(expr: &ast::Expr, names: &[String]) -> Option<Vec<IdRef>> {
    use ast::{BinaryOperator as B, Expr as E};
    match expr {
        E::Nested(e) => pinned_ids(e, names),
        E::BinaryOp {
            left,
            op: B::And,
            right,
        } => pinned_ids(left, names).or_else(|| pinned_ids(right, names)),
        E::BinaryOp {
            left,
            op: B::Or,
            right,
        } => {
            let mut a = pinned_ids(left, names)?;
            a.extend(pinned_ids(right, names)?);
            Some(a)
        }
        E::BinaryOp {
            left,
            op: B::Eq,
            right,
        } => {
            let (col, value) = if column_ref(left, names).is_some() {
                (left, right)
            } else {
                (right, left)
            };
            (column_ref(col, names)? == "id").then_some(())?;
            Some(vec![id_ref(value)?])
        }
        E::InList {
            expr,
            list,
            negated: false,
        } => {
            (column_ref(expr, names)? == "id").then_some(())?;
            list.iter().map(id_ref).collect()
        }
        _ => None,
    }
}

fn id_ref(e: &ast::Expr) -> Option<IdRef> {
    match e {
        ast::Expr::Nested(e) => id_ref(e),
        ast::Expr::Cast { expr, .. } => id_ref(expr),
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) => Some(IdRef::Literal(s.clone())),
            ast::Value::Placeholder(_) => placeholder(e).map(IdRef::Param),
            _ => None,
        },
        _ => None,
    }
}

/// A value of a row the node knows before sending it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Known {
    Text(String),
    Null,
    Default,
    Unknown,
}

fn known(e: &ast::Expr, params: &[Option<String>]) -> Result<Known, SqlError> {
    Ok(match e {
        ast::Expr::Nested(e) => known(e, params)?,
        ast::Expr::Cast { expr, .. } => known(expr, params)?,
        ast::Expr::Identifier(i)
            if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") =>
        {
            Known::Default
        }
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => {
                Known::Text(s.clone())
            }
            ast::Value::Number(n, _) => Known::Text(n.to_string()),
            ast::Value::Null => Known::Null,
            ast::Value::Placeholder(_) => {
                let n = placeholder(e).ok_or_else(|| missing_param(0, params.len()))?;
                match params.get(n.wrapping_sub(1)) {
                    Some(Some(t)) => Known::Text(t.clone()),
                    Some(None) => Known::Null,
                    None => return Err(missing_param(n, params.len())),
                }
            }
            _ => Known::Unknown,
        },
        _ => Known::Unknown,
    })
}

/// Checks a document's text and settles the row's id: given (`id`), or the document's
/// `id` field, or a new UUIDv7 written into the document. Returns the id and the document
/// text to send instead when it changed.
fn settle_row(
    id: Known,
    doc: Option<Known>,
    row: usize,
    collection: &str,
) -> Result<(String, Option<String>), SqlError> {
    let at = |m: String| format!("{m} (row {row} of the INSERT into {collection})");
    let parsed = match doc {
        Some(Known::Text(text)) => {
            let value = Jsonb::parse(&text).map_err(|e| {
                let e = SqlError::from(e);
                SqlError {
                    message: at(e.message),
                    ..e
                }
            })?;
            match value {
                Jsonb::Object(o) => Some(o),
                other => {
                    return Err(SqlError::new(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        at(format!(
                            "a document must be a JSON object, not {}",
                            docfusion_pgvalue::functions::jsonb_typeof(&other)
                        )),
                    ));
                }
            }
        }
        _ => None,
    };
    match id {
        Known::Text(id) => Ok((id, None)),
        Known::Null => Err(SqlError::new(
            "23502",
            at(format!(
                "null value in column \"id\" of relation \"{collection}\" violates not-null constraint"
            )),
        )),
        Known::Unknown => Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            at("the id of an inserted document must be a literal or a parameter, so that it can be routed to its shard".into()),
        )),
        Known::Default => match parsed {
            Some(mut object) => {
                let before = object.get("id").cloned();
                let id = crate::load::document_id(&mut object, "id").map_err(|reason| {
                    SqlError::new(sqlstate::INVALID_PARAMETER_VALUE, at(reason))
                })?;
                let changed = object.get("id").cloned() != before;
                Ok((id, changed.then(|| Jsonb::Object(object).to_pg_text())))
            }
            None => Ok((uuid::Uuid::now_v7().to_string(), None)),
        },
    }
}

/// Replaces `$n` by `$1…$k` in order of appearance; returns the parameters now used.
fn renumber<V: ast::VisitMut>(
    v: &mut V,
    params: &[Option<String>],
) -> Result<Vec<Option<String>>, SqlError> {
    let mut order: Vec<usize> = Vec::new();
    let _ = ast::visit_expressions_mut(v, |e| {
        if let Some(n) = placeholder(e) {
            let k = match order.iter().position(|o| *o == n) {
                Some(k) => k,
                None => {
                    order.push(n);
                    order.len() - 1
                }
            };
            *e = ast::Expr::value(ast::Value::Placeholder(format!("${}", k + 1)));
        }
        ControlFlow::<()>::Continue(())
    });
    order
        .into_iter()
        .map(|n| {
            params
                .get(n.wrapping_sub(1))
                .cloned()
                .ok_or_else(|| missing_param(n, params.len()))
        })
        .collect()
}

fn set_values_rows(query: &mut ast::Query, rows: Vec<Vec<ast::Expr>>) {
    *query.body = ast::SetExpr::Values(ast::Values {
        explicit_row: false,
        value_keyword: false,
        rows: rows.into_iter().map(ast::Parens::with_empty_span).collect(),
    });
}

fn literal(text: &str) -> ast::Expr {
    ast::Expr::value(ast::Value::SingleQuotedString(text.to_string()))
}

/// SQL written verbatim into a statement (trusted text only: casts and column names made
/// by this node).
fn raw(sql: String) -> ast::Expr {
    ast::Expr::Identifier(ast::Ident::new(sql))
}

/// Most rows per statement of INSERT … SELECT (Postgres takes at most 65535 parameters).
const MAX_PARAMS_PER_STATEMENT: usize = 30_000;

impl DmlPlan {
    /// The statements to run for parameter values `params` (as text); `select_rows` are
    /// the rows of an INSERT … SELECT, as Postgres text.
    pub fn statements(
        &self,
        params: &[Option<String>],
        map: &ShardMap,
        shard_count: usize,
        select_rows: Option<Vec<Vec<Option<String>>>>,
    ) -> Result<Vec<ShardStatement>, SqlError> {
        let finish = |sql: String| match &self.returning {
            Some(r) => r.wrap(sql),
            None => sql,
        };
        match &self.body {
            Body::Whole { statement, pinned } => {
                let shards: Vec<usize> = match (self.table.kind, pinned) {
                    (TableKind::Collection, Some(ids)) => {
                        let mut texts = Vec::with_capacity(ids.len());
                        for id in ids {
                            match id {
                                IdRef::Literal(s) => texts.push(s.clone()),
                                IdRef::Param(n) => match params.get(n.wrapping_sub(1)) {
                                    Some(Some(s)) => texts.push(s.clone()),
                                    Some(None) => {} // id = NULL matches nothing
                                    None => return Err(missing_param(*n, params.len())),
                                },
                            }
                        }
                        map.shards_for(texts.iter().map(String::as_str))
                    }
                    _ => (0..shard_count).collect(),
                };
                let sql = finish(statement.to_string());
                Ok(shards
                    .into_iter()
                    .map(|shard| ShardStatement {
                        shard,
                        sql: sql.clone(),
                        params: params.to_vec(),
                    })
                    .collect())
            }
            Body::Values {
                insert,
                rows,
                id_col,
                doc_col,
            } => {
                let mut per_shard: BTreeMap<usize, Vec<Vec<ast::Expr>>> = BTreeMap::new();
                for (r, row) in rows.iter().enumerate() {
                    let mut row = row.clone();
                    let id = match id_col {
                        Some(c) => known(&row[*c], params)?,
                        None => Known::Default,
                    };
                    let doc = doc_col.map(|c| known(&row[c], params)).transpose()?;
                    let (id_text, new_doc) = settle_row(id, doc, r + 1, &self.table.name)?;
                    if let (Some(c), Some(d)) = (doc_col, &new_doc) {
                        row[*c] = literal(d);
                    }
                    match id_col {
                        Some(c) => row[*c] = literal(&id_text),
                        None => row.push(literal(&id_text)),
                    }
                    per_shard
                        .entry(map.shard_for(&id_text))
                        .or_default()
                        .push(row);
                }
                let mut out = Vec::with_capacity(per_shard.len());
                for (shard, rows) in per_shard {
                    let mut insert = insert.clone();
                    if id_col.is_none() {
                        insert
                            .columns
                            .push(ast::ObjectName::from(vec![ast::Ident::new("id")]));
                    }
                    if let Some(source) = insert.source.as_mut() {
                        set_values_rows(source, rows);
                    }
                    let mut statement = ast::Statement::Insert(*insert);
                    let used = renumber(&mut statement, params)?;
                    out.push(ShardStatement {
                        shard,
                        sql: finish(statement.to_string()),
                        params: used,
                    });
                }
                Ok(out)
            }
            Body::Select {
                insert,
                values,
                columns,
                id_col,
                doc_col,
                ..
            } => {
                let rows = select_rows.unwrap_or_default();
                let width = columns.len() + usize::from(id_col.is_none());
                let mut per_shard: BTreeMap<usize, Vec<Vec<Option<String>>>> = BTreeMap::new();
                for (r, mut row) in rows.into_iter().enumerate() {
                    if row.len() != columns.len() {
                        return Err(SqlError::new(
                            sqlstate::SYNTAX_ERROR,
                            format!(
                                "INSERT has {} target columns but the SELECT returns {}",
                                columns.len(),
                                row.len()
                            ),
                        ));
                    }
                    let as_known = |v: &Option<String>| match v {
                        Some(t) => Known::Text(t.clone()),
                        None => Known::Null,
                    };
                    let id = match id_col {
                        Some(c) => as_known(&row[*c]),
                        None => Known::Default,
                    };
                    let doc = doc_col.map(|c| as_known(&row[c]));
                    let (id_text, new_doc) = settle_row(id, doc, r + 1, &self.table.name)?;
                    if let (Some(c), Some(d)) = (doc_col, new_doc) {
                        row[*c] = Some(d);
                    }
                    match id_col {
                        Some(c) => row[*c] = Some(id_text.clone()),
                        None => row.push(Some(id_text.clone())),
                    }
                    per_shard
                        .entry(map.shard_for(&id_text))
                        .or_default()
                        .push(row);
                }
                let mut types: Vec<&str> = columns.iter().map(|(_, t)| t.as_str()).collect();
                let mut names: Vec<ast::ObjectName> = columns
                    .iter()
                    .map(|(n, _)| ast::ObjectName::from(vec![ast::Ident::with_quote('"', n)]))
                    .collect();
                if id_col.is_none() {
                    types.push("text");
                    names.push(ast::ObjectName::from(vec![ast::Ident::new("id")]));
                }
                let per_statement = (MAX_PARAMS_PER_STATEMENT / width.max(1)).max(1);
                let mut out = Vec::new();
                for (shard, rows) in per_shard {
                    for chunk in rows.chunks(per_statement) {
                        let mut params = Vec::with_capacity(chunk.len() * width);
                        let mut exprs = Vec::with_capacity(chunk.len());
                        for row in chunk {
                            let mut e = Vec::with_capacity(width);
                            for (v, ty) in row.iter().zip(&types) {
                                params.push(v.clone());
                                e.push(raw(format!("CAST(${} AS {ty})", params.len())));
                            }
                            exprs.push(e);
                        }
                        let mut insert = insert.clone();
                        insert.columns = names.clone();
                        let mut query = values.clone();
                        set_values_rows(&mut query, exprs);
                        insert.source = Some(query);
                        out.push(ShardStatement {
                            shard,
                            sql: finish(ast::Statement::Insert(*insert).to_string()),
                            params,
                        });
                    }
                }
                Ok(out)
            }
        }
    }
}

/// Adds `version = <table>.version + 1` to an UPDATE's (or ON CONFLICT DO UPDATE's)
/// assignments, unless the statement sets the version itself.
pub fn bump_version(assignments: &mut Vec<ast::Assignment>, qualifier: &str) {
    let sets_version = assignments.iter().any(|a| match &a.target {
        ast::AssignmentTarget::ColumnName(n) => table_name(n).is_ok_and(|c| c == VERSION_COLUMN),
        ast::AssignmentTarget::Tuple(cols) => cols
            .iter()
            .any(|n| table_name(n).is_ok_and(|c| c == VERSION_COLUMN)),
    });
    if !sets_version {
        assignments.push(ast::Assignment {
            target: ast::AssignmentTarget::ColumnName(ast::ObjectName::from(vec![
                ast::Ident::new(VERSION_COLUMN),
            ])),
            value: raw(format!(
                "{}.{} + 1",
                quote_ident(qualifier),
                quote_ident(VERSION_COLUMN)
            )),
        });
    }
}

/// Refuses assignments that would change a document's id (which decides its shard).
pub fn refuse_id_change(assignments: &[ast::Assignment], collection: &str) -> Result<(), SqlError> {
    let targets_id = |n: &ast::ObjectName| {
        n.0.last()
            .and_then(|p| p.as_ident())
            .is_some_and(|i| normalize(i) == "id")
    };
    let changes = assignments.iter().any(|a| match &a.target {
        ast::AssignmentTarget::ColumnName(n) => targets_id(n),
        ast::AssignmentTarget::Tuple(cols) => cols.iter().any(targets_id),
    });
    if changes {
        return Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "the id of a document in {collection} cannot be changed (it decides the document's shard): insert a copy under the new id and delete the old one"
            ),
        ));
    }
    Ok(())
}

/// A shard's error for a write, with the document-is-an-object check explained.
pub fn explain_write_error(e: SqlError, collection: &str) -> SqlError {
    if e.code == "23514" && e.message.contains(crate::write::ddl::DOC_OBJECT_CHECK) {
        return SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("a document in {collection} must be a JSON object"),
        );
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> ast::Statement {
        datafusion::sql::sqlparser::parser::Parser::parse_sql(
            &datafusion::sql::sqlparser::dialect::PostgreSqlDialect {},
            sql,
        )
        .unwrap()
        .remove(0)
    }

    fn where_of(sql: &str) -> ast::Expr {
        match parse(sql) {
            ast::Statement::Update(u) => u.selection.unwrap(),
            ast::Statement::Delete(d) => d.selection.unwrap(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn where_clauses_that_pin_ids() {
        let names = vec!["c".to_string()];
        let lit = |s: &str| IdRef::Literal(s.into());
        assert_eq!(
            pinned_ids(&where_of("DELETE FROM c WHERE id = 'a'"), &names),
            Some(vec![lit("a")])
        );
        assert_eq!(
            pinned_ids(
                &where_of("DELETE FROM c WHERE c.id = $2 AND doc->>'x' = 'y'"),
                &names
            ),
            Some(vec![IdRef::Param(2)])
        );
        assert_eq!(
            pinned_ids(
                &where_of("DELETE FROM c WHERE id IN ('a', $1) OR id = 'b'"),
                &names
            ),
            Some(vec![lit("a"), IdRef::Param(1), lit("b")])
        );
        assert_eq!(
            pinned_ids(&where_of("DELETE FROM c WHERE 'q'::text = id"), &names),
            Some(vec![lit("q")])
        );
        // Not pins: another column, a negation, an OR with an unpinned side, another table.
        for sql in [
            "DELETE FROM c WHERE doc->>'id' = 'a'",
            "DELETE FROM c WHERE id NOT IN ('a')",
            "DELETE FROM c WHERE id = 'a' OR doc ? 'x'",
            "DELETE FROM c WHERE other.id = 'a'",
            "DELETE FROM c WHERE id > 'a'",
        ] {
            assert_eq!(pinned_ids(&where_of(sql), &names), None, "{sql}");
        }
    }

    #[test]
    fn rows_get_an_id_and_must_be_objects() {
        let t = |s: &str| Known::Text(s.into());
        // Given id: kept, document untouched.
        assert_eq!(
            settle_row(t("a"), Some(t(r#"{"x": 1}"#)), 1, "c").unwrap(),
            ("a".into(), None)
        );
        // No id: the document's, else a new UUIDv7 written into the document.
        assert_eq!(
            settle_row(Known::Default, Some(t(r#"{"id": "k", "x": 1}"#)), 1, "c").unwrap(),
            ("k".into(), None)
        );
        let (id, doc) = settle_row(Known::Default, Some(t(r#"{"x": 1}"#)), 1, "c").unwrap();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);
        assert_eq!(doc.unwrap(), format!(r#"{{"x": 1, "id": "{id}"}}"#));
        // Errors name the row.
        let e = settle_row(t("a"), Some(t("[1]")), 3, "c").unwrap_err();
        assert_eq!(e.code, "22023");
        assert!(
            e.message.contains("not array (row 3 of the INSERT into c)"),
            "{}",
            e.message
        );
        let e = settle_row(t("a"), Some(t("{\"a\": ")), 2, "c").unwrap_err();
        assert_eq!(e.code, "22P02");
        assert!(e.message.contains("row 2"), "{}", e.message);
        assert_eq!(
            settle_row(Known::Null, None, 1, "c").unwrap_err().code,
            "23502"
        );
        assert_eq!(
            settle_row(Known::Unknown, None, 1, "c").unwrap_err().code,
            "0A000"
        );
    }

    #[test]
    fn parameters_are_renumbered_per_shard_statement() {
        let mut s = parse("INSERT INTO c (id, doc) VALUES ($3, $1::jsonb) RETURNING $3");
        let params = vec![Some("d".into()), Some("x".into()), Some("id".into())];
        let used = renumber(&mut s, &params).unwrap();
        assert_eq!(
            s.to_string(),
            "INSERT INTO c (id, doc) VALUES ($1, $2::JSONB) RETURNING $1"
        );
        assert_eq!(used, vec![Some("id".into()), Some("d".into())]);
        let mut s = parse("DELETE FROM c WHERE id = $4");
        assert_eq!(renumber(&mut s, &params).unwrap_err().code, "08P01");
    }

    #[test]
    fn version_bump_and_id_changes() {
        let ast::Statement::Update(mut u) = parse("UPDATE c AS x SET doc = doc || '{}'") else {
            panic!()
        };
        bump_version(&mut u.assignments, "x");
        assert_eq!(
            ast::Statement::Update(u.clone()).to_string(),
            "UPDATE c AS x SET doc = doc || '{}', version = \"x\".\"version\" + 1"
        );
        assert!(refuse_id_change(&u.assignments, "c").is_ok());
        let ast::Statement::Update(u) = parse("UPDATE c SET id = 'b'") else {
            panic!()
        };
        assert_eq!(
            refuse_id_change(&u.assignments, "c").unwrap_err().code,
            "0A000"
        );
    }
}
