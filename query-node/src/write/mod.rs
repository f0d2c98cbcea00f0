//! The write path: DDL forwarded to every shard, INSERT/UPDATE/DELETE routed by document id
//! to the shards that own the rows and executed there as Postgres SQL, transactions over
//! the shards (opened lazily, two-phase commit across several), and recovery of in-doubt
//! transactions.
//!
//! - [`WriteTxn`]: a transaction over the shards, usable from a wire session, an HTTP
//!   handler or a bulk load (open a shard lazily, run SQL in it, commit, roll back).
//! - [`Coordinator`]: two-phase commit and in-doubt recovery (one per engine).
//! - [`ddl`], [`dml`]: what statements become on the shards (pure, unit-tested).
//! - [`Engine::prepare_write`] / [`Engine::run_write`]: the glue to sessions.

pub mod ddl;
pub mod dml;
pub mod names;
pub mod params;
pub mod twopc;
pub mod txn;

use std::sync::Arc;

use datafusion::arrow::datatypes::{FieldRef, Schema, SchemaRef};
use datafusion::catalog::SchemaProvider;
use datafusion::scalar::ScalarValue;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast;

pub use twopc::Coordinator;
pub use txn::{Isolation, ShardResult, ShardStatement, TxnConns, WriteTxn};

use crate::catalog::{TableInfo, TableKind};
use crate::engine::{Engine, QueryOutput};
use crate::error::{SqlError, sqlstate};
use crate::session::{Outcome, Session};
use crate::shards::shard_error;
use crate::write::ddl::{DdlPlan, VERSION_COLUMN};
use crate::write::dml::{Body, DmlPlan, Returning, Verb};
use crate::write::names::table_name;

/// True for the statements the write path plans (DDL, INSERT, UPDATE, DELETE).
pub fn is_write_statement(statement: &Statement) -> bool {
    use ast::Statement as S;
    matches!(statement, Statement::Statement(s) if matches!(s.as_ref(),
        S::Insert(_) | S::Update(_) | S::Delete(_) | S::CreateTable(_) | S::CreateIndex(_)
        | S::Drop { .. } | S::AlterTable(_) | S::Truncate(_)))
}

/// A planned write statement.
#[derive(Debug, Clone)]
pub enum WritePlan {
    /// DDL, run on every shard.
    Ddl(DdlPlan),
    /// INSERT, UPDATE or DELETE.
    Dml(Box<DmlPlan>),
}

impl WritePlan {
    /// Parameter types.
    pub fn params(&self) -> Vec<FieldRef> {
        match self {
            WritePlan::Ddl(_) => Vec::new(),
            WritePlan::Dml(d) => d.params.clone(),
        }
    }

    /// Result columns (empty without RETURNING).
    pub fn schema(&self) -> SchemaRef {
        match self {
            WritePlan::Dml(d) => match &d.returning {
                Some(r) => r.schema(),
                None => Arc::new(Schema::empty()),
            },
            WritePlan::Ddl(_) => Arc::new(Schema::empty()),
        }
    }
}

/// What a shard says a statement takes and returns.
struct Described {
    params: Vec<FieldRef>,
    returning: Option<Returning>,
}

impl Engine {
    /// Plans a write statement in `session`; `None` when `statement` is not one (DataFusion
    /// plans it). `hints` are the parameter types a client declared.
    pub async fn prepare_write(
        &self,
        session: &Session,
        statement: &Statement,
        hints: &[Option<FieldRef>],
    ) -> Result<Option<WritePlan>, SqlError> {
        let Statement::Statement(s) = statement else {
            return Ok(None);
        };
        if !is_write_statement(statement) {
            return Ok(None);
        }
        let s = s.as_ref();
        if let ast::Statement::Drop {
            object_type: ast::ObjectType::Table,
            names,
            ..
        } = s
            && names.iter().all(|n| {
                table_name(n).is_ok_and(|t| {
                    self.catalog().table_info(&t).is_none() && self.catalog().table_exist(&t)
                })
            })
        {
            // Tables registered on this node (external files) are DataFusion's.
            return Ok(None);
        }
        if let Some(ddl) = ddl::plan_ddl(s)? {
            return Ok(Some(WritePlan::Ddl(ddl)));
        }
        let Some((verb, table, names)) = dml::target_of(s)? else {
            return Ok(None);
        };
        let info = self.table_for_write(&table).await?;
        // A statement runs on each shard against that shard's rows only: it may not read
        // another collection (except through INSERT … SELECT, whose SELECT runs here).
        let select_source = matches!(s, ast::Statement::Insert(i)
            if i.source.as_ref().is_some_and(|q| !matches!(q.body.as_ref(), ast::SetExpr::Values(_))));
        if !select_source {
            for other in dml::relations(s) {
                if other != table
                    && self
                        .catalog()
                        .table_info(&other)
                        .is_some_and(|t| t.kind == TableKind::Collection)
                {
                    return Err(SqlError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!(
                            "a write to {table} cannot read collection {other}: its documents live on other shards; use INSERT INTO {table} SELECT … FROM {other}"
                        ),
                    ));
                }
            }
        }
        let collection = info.kind == TableKind::Collection;
        let versioned = collection && info.column_index(VERSION_COLUMN).is_some();
        let qualifier = names.first().cloned().unwrap_or_else(|| table.clone());
        let plan = match s {
            ast::Statement::Update(u) => {
                let mut u = u.clone();
                if collection {
                    dml::refuse_id_change(&u.assignments, &table)?;
                }
                if versioned {
                    dml::bump_version(&mut u.assignments, &qualifier);
                }
                let pinned = collection
                    .then(|| {
                        u.selection
                            .as_ref()
                            .and_then(|w| dml::pinned_ids(w, &names))
                    })
                    .flatten();
                let returns = u.returning.is_some();
                let statement = ast::Statement::Update(u);
                self.whole_plan(info, verb, statement, pinned, returns)
                    .await?
            }
            ast::Statement::Delete(d) => {
                let pinned = collection
                    .then(|| {
                        d.selection
                            .as_ref()
                            .and_then(|w| dml::pinned_ids(w, &names))
                    })
                    .flatten();
                let returns = d.returning.is_some();
                self.whole_plan(info, verb, s.clone(), pinned, returns)
                    .await?
            }
            ast::Statement::Insert(i) => {
                let mut i = i.clone();
                match &mut i.on {
                    Some(ast::OnInsert::OnConflict(oc)) => {
                        if let ast::OnConflictAction::DoUpdate(du) = &mut oc.action {
                            if collection {
                                dml::refuse_id_change(&du.assignments, &table)?;
                            }
                            if versioned {
                                dml::bump_version(&mut du.assignments, &qualifier);
                            }
                        }
                    }
                    Some(_) => {
                        return Err(SqlError::new(
                            sqlstate::FEATURE_NOT_SUPPORTED,
                            "ON DUPLICATE KEY UPDATE is MySQL: use ON CONFLICT (id) DO UPDATE",
                        ));
                    }
                    None => {}
                }
                if collection {
                    self.insert_plan(session, info, i, hints).await?
                } else {
                    let returns = i.returning.is_some();
                    self.whole_plan(info, verb, ast::Statement::Insert(i), None, returns)
                        .await?
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(WritePlan::Dml(Box::new(plan))))
    }

    /// The table a statement writes to, re-discovered once when not known yet.
    pub(crate) async fn table_for_write(&self, table: &str) -> Result<Arc<TableInfo>, SqlError> {
        if let Some(t) = self.catalog().table_info(table) {
            return Ok(t);
        }
        self.catalog().refresh().await?;
        if let Some(t) = self.catalog().table_info(table) {
            return Ok(t);
        }
        if self.catalog().table_exist(table) {
            return Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!(
                    "cannot write to {table}: it is a file registered on this node, not a table on the shards"
                ),
            ));
        }
        Err(SqlError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        ))
    }

    /// Asks shard 0 what `sql` takes and returns (only when the client can ask: the
    /// statement has parameters or RETURNING).
    async fn describe(&self, sql: &str, returns: bool) -> Result<Described, SqlError> {
        let shard = self.shards().shard(0);
        let conn = shard.connect().await?;
        let statement = conn
            .prepare(sql)
            .await
            .map_err(|e| shard_error(&shard.name, &e))?;
        let params = statement
            .params()
            .iter()
            .enumerate()
            .map(|(i, t)| params::param_field(i + 1, t))
            .collect();
        let returning = returns.then(|| {
            Returning::new(
                statement
                    .columns()
                    .iter()
                    .map(|c| (c.name().to_string(), params::reader_for(c.type_())))
                    .collect(),
            )
        });
        Ok(Described { params, returning })
    }

    async fn describe_if_needed(
        &self,
        statement: &ast::Statement,
        returns: bool,
    ) -> Result<Described, SqlError> {
        if returns || dml::has_placeholders(statement) {
            self.describe(&statement.to_string(), returns).await
        } else {
            Ok(Described {
                params: Vec::new(),
                returning: None,
            })
        }
    }

    async fn whole_plan(
        &self,
        table: Arc<TableInfo>,
        verb: Verb,
        statement: ast::Statement,
        pinned: Option<Vec<dml::IdRef>>,
        returns: bool,
    ) -> Result<DmlPlan, SqlError> {
        let described = self.describe_if_needed(&statement, returns).await?;
        Ok(DmlPlan {
            table,
            verb,
            body: Body::Whole {
                statement: Box::new(statement),
                pinned,
            },
            returning: described.returning,
            params: described.params,
        })
    }

    async fn insert_plan(
        &self,
        session: &Session,
        table: Arc<TableInfo>,
        mut insert: ast::Insert,
        hints: &[Option<FieldRef>],
    ) -> Result<DmlPlan, SqlError> {
        let returns = insert.returning.is_some();
        let Some(source) = insert.source.clone() else {
            return Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!(
                    "INSERT INTO {} DEFAULT VALUES is not supported: a document needs a doc",
                    table.name
                ),
            ));
        };
        let table_columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        let explicit: Vec<String> = insert
            .columns
            .iter()
            .filter_map(|n| n.0.last().and_then(|p| p.as_ident()).map(names::normalize))
            .collect();
        let position = |cols: &[String], name: &str| cols.iter().position(|c| c == name);
        let plain_values = match source.body.as_ref() {
            ast::SetExpr::Values(v)
                if source.with.is_none()
                    && source.order_by.is_none()
                    && source.limit_clause.is_none() =>
            {
                Some(v)
            }
            _ => None,
        };
        if let Some(values) = plain_values {
            let rows: Vec<Vec<ast::Expr>> = values.rows.iter().map(|r| r.content.clone()).collect();
            let width = rows.iter().map(Vec::len).max().unwrap_or(0);
            let columns = if explicit.is_empty() {
                if width > table_columns.len() {
                    return Err(too_many_values());
                }
                insert.columns = table_columns[..width]
                    .iter()
                    .map(|c| ast::ObjectName::from(vec![ast::Ident::with_quote('"', c)]))
                    .collect();
                table_columns[..width].to_vec()
            } else {
                if width > explicit.len() {
                    return Err(too_many_values());
                }
                explicit
            };
            let statement = ast::Statement::Insert(insert.clone());
            let described = self.describe_if_needed(&statement, returns).await?;
            return Ok(DmlPlan {
                verb: Verb::Insert,
                body: Body::Values {
                    insert: Box::new(insert),
                    rows,
                    id_col: position(&columns, "id"),
                    doc_col: position(&columns, "doc"),
                },
                table,
                returning: described.returning,
                params: described.params,
            });
        }
        // INSERT … SELECT: the SELECT is planned (and later run) here.
        insert.source = None;
        if dml::has_placeholders(&ast::Statement::Insert(insert.clone())) {
            return Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "in INSERT … SELECT, parameters may only appear in the SELECT",
            ));
        }
        let query = Statement::Statement(Box::new(ast::Statement::Query(source)));
        let (plan, params) = self.plan_with_params(session, query, hints).await?;
        let width = plan.schema().fields().len();
        let columns = if explicit.is_empty() {
            if width > table_columns.len() {
                return Err(too_many_values());
            }
            table_columns[..width].to_vec()
        } else {
            explicit
        };
        if columns.len() != width {
            return Err(SqlError::new(
                sqlstate::SYNTAX_ERROR,
                format!(
                    "INSERT has {} target columns but the SELECT returns {width}",
                    columns.len()
                ),
            ));
        }
        let typed: Vec<(String, String)> = columns
            .iter()
            .map(|c| match table.columns.iter().find(|t| &t.name == c) {
                Some(t) => Ok((c.clone(), t.formatted_type.clone())),
                None => Err(SqlError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!(
                        "column \"{c}\" of relation \"{}\" does not exist",
                        table.name
                    ),
                )),
            })
            .collect::<Result<_, _>>()?;
        let values = values_template()?;
        let mut dml = DmlPlan {
            verb: Verb::Insert,
            body: Body::Select {
                insert: Box::new(insert),
                values: Box::new(values),
                plan: Box::new(plan),
                id_col: position(&columns, "id"),
                doc_col: position(&columns, "doc"),
                columns: typed,
            },
            table,
            returning: None,
            params,
        };
        if returns {
            // What the shards will run for one row says what comes back.
            let mut row: Vec<Option<String>> = vec![None; width];
            if let Body::Select {
                id_col, doc_col, ..
            } = &dml.body
            {
                if let Some(c) = id_col {
                    row[*c] = Some("describe".into());
                }
                if let Some(c) = doc_col {
                    row[*c] = Some("{}".into());
                }
            }
            let one = crate::shard_map::ShardMap::uniform(1);
            let sql = dml
                .statements(&[], &one, 1, Some(vec![row]))?
                .into_iter()
                .next()
                .map(|s| s.sql)
                .unwrap_or_default();
            dml.returning = self.describe(&sql, true).await?.returning;
        }
        Ok(dml)
    }

    /// Runs a planned write in `session`.
    pub async fn run_write(
        &self,
        session: &mut Session,
        plan: &WritePlan,
        params: &[ScalarValue],
    ) -> Result<Outcome, SqlError> {
        self.admit_write().await?;
        match plan {
            WritePlan::Ddl(d) => {
                if session.in_block() {
                    return Err(SqlError::new(
                        sqlstate::ACTIVE_TRANSACTION,
                        format!("{} cannot run inside a transaction block", d.tag),
                    ));
                }
                self.run_ddl_everywhere(&d.sql).await?;
                Ok(Outcome::Command(d.tag.to_string()))
            }
            WritePlan::Dml(d) => self.run_dml(session, d, params).await,
        }
    }

    /// Runs DDL on every shard in one transaction across them (two-phase commit over
    /// several: all shards or none), then re-reads the catalog.
    pub async fn run_ddl_everywhere(&self, sql: &str) -> Result<(), SqlError> {
        let mut txn = self.write_txn(Isolation::ReadCommitted);
        let all: Vec<usize> = (0..self.shards().len()).collect();
        match txn.batch_on(&all, sql).await {
            Ok(()) => txn.commit().await?,
            Err(e) => {
                txn.rollback().await;
                return Err(e);
            }
        }
        self.catalog().refresh().await
    }

    /// A new transaction over this engine's shards.
    pub fn write_txn(&self, isolation: Isolation) -> WriteTxn {
        WriteTxn::new(self.shards().clone(), self.coordinator().clone(), isolation)
    }

    async fn run_dml(
        &self,
        session: &mut Session,
        plan: &DmlPlan,
        params: &[ScalarValue],
    ) -> Result<Outcome, SqlError> {
        let texts = params::params_text(params, &plan.params)?;
        let select_rows = match &plan.body {
            Body::Select { plan: query, .. } => {
                self.ensure_snapshot(session).await?;
                let out = self
                    .run_plan(session.context(), (**query).clone(), params)
                    .await?;
                Some(crate::render::batches_to_pg_text(&out.batches))
            }
            _ => None,
        };
        let work = plan.statements(
            &texts,
            self.shards().map(),
            self.shards().len(),
            select_rows,
        )?;
        let results = self
            .execute_writes(session, work)
            .await
            .map_err(|e| dml::explain_write_error(e, &plan.table.name))?;
        // A reference table answers from shard 0 (every shard did the same).
        let results: Vec<ShardResult> = if plan.table.kind == TableKind::Relational {
            results.into_iter().filter(|r| r.shard == 0).collect()
        } else {
            results
        };
        let count: u64 = results.iter().map(|r| r.affected).sum();
        match &plan.returning {
            Some(ret) => {
                let rows: Vec<tokio_postgres::Row> =
                    results.into_iter().flat_map(|r| r.rows).collect();
                let batch = ret.batch(&rows)?;
                Ok(Outcome::Rows {
                    output: QueryOutput {
                        schema: ret.schema(),
                        batches: vec![batch],
                        rows_scanned: 0,
                        cpu_nanos: 0,
                        bytes_scanned: 0,
                    },
                    verb: plan.verb.tag_prefix().to_string(),
                })
            }
            None => Ok(Outcome::Command(plan.verb.tag(count))),
        }
    }

    /// Runs statements: inside the session's transaction block, or as one atomic unit
    /// (one statement on one shard: directly; else in a transaction, 2PC over several).
    async fn execute_writes(
        &self,
        session: &mut Session,
        work: Vec<ShardStatement>,
    ) -> Result<Vec<ShardResult>, SqlError> {
        if work.is_empty() {
            return Ok(Vec::new());
        }
        if session.in_block() {
            return session.block_write_txn(self).query_many(work).await;
        }
        if let [single] = work.as_slice() {
            let shard = self.shards().shard(single.shard);
            let conn = shard.connect().await?;
            let (rows, affected) =
                txn::run_statement(&conn, &shard.name, &single.sql, &single.params).await?;
            return Ok(vec![ShardResult {
                shard: single.shard,
                rows,
                affected,
            }]);
        }
        let mut txn = self.write_txn(Isolation::ReadCommitted);
        match txn.query_many(work).await {
            Ok(results) => {
                txn.commit().await?;
                Ok(results)
            }
            Err(e) => {
                txn.rollback().await;
                Err(e)
            }
        }
    }
}

fn too_many_values() -> SqlError {
    SqlError::new(
        sqlstate::SYNTAX_ERROR,
        "INSERT has more expressions than target columns",
    )
}

/// A `VALUES` query whose rows get replaced.
fn values_template() -> Result<ast::Query, SqlError> {
    let parsed = datafusion::sql::sqlparser::parser::Parser::parse_sql(
        &datafusion::sql::sqlparser::dialect::PostgreSqlDialect {},
        "VALUES (1)",
    )
    .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
    match parsed.into_iter().next() {
        Some(ast::Statement::Query(q)) => Ok(*q),
        _ => Err(SqlError::new(
            sqlstate::INTERNAL_ERROR,
            "VALUES did not parse as a query",
        )),
    }
}
