//! The query engine of a node: a DataFusion session configured for Postgres (dialect, JSON
//! operators and types, the shard catalog), and the entry point that runs SQL text.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{
    CatalogProvider, CatalogProviderList, MemoryCatalogProvider, MemoryCatalogProviderList,
};
use datafusion::common::ParamValues;
use datafusion::execution::context::SessionContext;
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::execution::{SessionStateDefaults, TaskContext};
use datafusion::logical_expr::{DdlStatement, LogicalPlan};
use datafusion::optimizer::Analyzer;
use datafusion::prelude::SessionConfig;
use datafusion::scalar::ScalarValue;
use datafusion::sql::parser::{DFParser, Statement};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use docfusion_types::NodeConfig;

use crate::catalog::ShardSchemaProvider;
use crate::error::{SqlError, sqlstate};
use crate::json;
use crate::shards::ShardSet;

/// Name of the catalog (what `current_database()` would say).
pub const CATALOG: &str = "docfusion";
/// The schema holding the shard tables.
pub const SCHEMA: &str = "public";

/// The result of one statement.
#[derive(Debug, Clone)]
pub struct QueryOutput {
    /// Column names and types.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// Rows the shard scans read (after the shards' own filtering).
    pub rows_scanned: u64,
    /// CPU time the node's operators spent, in nanoseconds.
    pub cpu_nanos: u64,
    /// Bytes (as Arrow memory) the shard scans read.
    pub bytes_scanned: u64,
}

impl QueryOutput {
    /// Number of rows.
    pub fn row_count(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}

/// A node's query engine.
#[derive(Debug)]
pub struct Engine {
    state: SessionState,
    shards: ShardSet,
    catalog: Arc<ShardSchemaProvider>,
    config: NodeConfig,
    metering: Option<Arc<crate::metering::Metering>>,
    coordinator: Arc<crate::write::Coordinator>,
    replica: Option<Arc<crate::replica::Replica>>,
}

/// The session configuration every session starts from.
fn session_config(config: &NodeConfig) -> SessionConfig {
    let mut c = SessionConfig::new()
        .with_default_catalog_and_schema(CATALOG, SCHEMA)
        .with_information_schema(true)
        // Our own catalog is registered below; a default one would replace it.
        .with_create_default_catalog_and_schema(false)
        .with_batch_size(config.limits.batch_rows)
        .with_target_partitions(std::thread::available_parallelism().map_or(2, |n| n.get()));
    let opts = c.options_mut();
    opts.sql_parser.dialect = datafusion::config::Dialect::PostgreSQL;
    // Our JSON functions and shard scans produce Utf8; keep SQL strings in the same type.
    opts.sql_parser.map_string_types_to_utf8view = false;
    opts.execution.parquet.schema_force_view_types = false;
    // Sessions run in UTC, so that `timestamptz` is a zoned timestamp as in Postgres.
    opts.execution.time_zone = Some("+00:00".to_string());
    c
}

impl Engine {
    /// Connects to the shards of `config` (given as `dsns`) and discovers their tables.
    pub async fn start(config: NodeConfig, dsns: &[String]) -> Result<Arc<Engine>, SqlError> {
        let shards = ShardSet::from_config(&config, dsns)?;
        let replica = config
            .replica
            .enabled
            .then(|| crate::replica::Replica::start(&shards, config.replica.clone()));
        let catalog =
            Arc::new(ShardSchemaProvider::new(shards.clone()).with_replica(replica.clone()));
        catalog.refresh().await?;
        // Resolves what an earlier run of this node left in doubt before serving anything.
        let coordinator = crate::write::Coordinator::start(shards.clone()).await?;

        let catalogs = Arc::new(MemoryCatalogProviderList::new());
        let docfusion = Arc::new(MemoryCatalogProvider::new());
        docfusion
            .register_schema(SCHEMA, catalog.clone())
            .map_err(|e| SqlError::from_datafusion(&e))?;
        catalogs.register_catalog(CATALOG.to_string(), docfusion);

        let udfs = json::scalar_functions();
        let vector_udfs = crate::vector::scalar_functions();
        let mut planners: Vec<Arc<dyn datafusion::logical_expr::planner::ExprPlanner>> = vec![
            Arc::new(crate::vector::planner::VectorExprPlanner::new(
                vector_udfs.clone(),
            )),
            Arc::new(json::planner::JsonExprPlanner::new(udfs.clone())),
        ];
        planners.extend(SessionStateDefaults::default_expr_planners());
        let mut analyzer_rules: Vec<Arc<dyn datafusion::optimizer::AnalyzerRule + Send + Sync>> = vec![
            Arc::new(
                crate::vector::cast_rule::VectorCastRule::new(&vector_udfs)
                    .map_err(|e| SqlError::from_datafusion(&e))?,
            ),
            Arc::new(json::cast_rule::JsonCastRule::new(udfs.clone())),
        ];
        analyzer_rules.extend(Analyzer::new().rules);

        let mut scalar_functions = SessionStateDefaults::default_scalar_functions();
        scalar_functions.extend(udfs);
        scalar_functions.extend(vector_udfs);
        let mut aggregates = SessionStateDefaults::default_aggregate_functions();
        aggregates.extend(json::aggregate_functions());

        let state = SessionStateBuilder::new()
            .with_default_features()
            .with_config(session_config(&config))
            .with_catalog_list(catalogs)
            .with_scalar_functions(scalar_functions)
            .with_aggregate_functions(aggregates)
            .with_expr_planners(planners)
            .with_type_planner(Arc::new(json::planner::PgTypePlanner))
            .with_analyzer_rules(analyzer_rules)
            .with_optimizer_rule(Arc::new(crate::scan::path_pushdown::JsonPathPushdown::new()))
            // Before the shredded-path rewrite: it keeps the WHERE over the collection's columns.
            .with_optimizer_rule(Arc::new(crate::vector_index::plan::AnnRewrite::new()))
            .with_optimizer_rule(Arc::new(crate::replica::rewrite::ReplicaPathRewrite::new()))
            .with_optimizer_rule(Arc::new(
                crate::scan::aggregate_pushdown::AggregatePushdown::new(),
            ))
            .with_physical_optimizer_rule(Arc::new(
                crate::vector::sort_keys::DistanceSortKeys::new(),
            ))
            .build();
        let state = with_pg_catalog(state, catalog.clone())?;
        let metering = match &config.billing {
            Some(b) => {
                let node = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".to_string());
                Some(Arc::new(crate::metering::Metering::new(b, &node)?))
            }
            None => None,
        };
        Ok(Arc::new(Engine {
            state,
            shards,
            catalog,
            config,
            metering,
            coordinator,
            replica,
        }))
    }

    /// The shards.
    pub fn shards(&self) -> &ShardSet {
        &self.shards
    }

    /// The two-phase-commit coordinator of this node.
    pub fn coordinator(&self) -> &Arc<crate::write::Coordinator> {
        &self.coordinator
    }

    /// The columnar replica, when `replica.enabled`.
    pub fn replica(&self) -> Option<&Arc<crate::replica::Replica>> {
        self.replica.as_ref()
    }

    /// The shard catalog.
    pub fn catalog(&self) -> &Arc<ShardSchemaProvider> {
        &self.catalog
    }

    /// The node configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// A new session: its own settings, the node's shared catalog.
    pub fn session(&self) -> SessionContext {
        SessionContext::new_with_state(self.state.clone())
    }

    /// Runs every statement of `sql` in a new session and returns the last result.
    pub async fn query(&self, sql: &str) -> Result<QueryOutput, SqlError> {
        self.execute(&self.session(), sql, &[]).await
    }

    /// Runs every statement of `sql` in `session`, binding `$1…` to `params`, and returns
    /// the result of the last one.
    pub async fn execute(
        &self,
        session: &SessionContext,
        sql: &str,
        params: &[ScalarValue],
    ) -> Result<QueryOutput, SqlError> {
        let statements = parse_sql(sql)?;
        let mut last = None;
        // Writes run through a session of their own, one statement at a time (autocommit).
        let mut writer: Option<crate::session::Session> = None;
        for statement in statements {
            if crate::write::is_write_statement(&statement) {
                let w =
                    writer.get_or_insert_with(|| crate::session::Session::new(self, "docfusion"));
                if let Some(plan) = self.prepare_write(w, &statement, &[]).await? {
                    last = Some(match self.run_write(w, &plan, params).await? {
                        crate::session::Outcome::Rows { output, .. } => output,
                        crate::session::Outcome::Command(_) => QueryOutput {
                            schema: Arc::new(datafusion::arrow::datatypes::Schema::empty()),
                            batches: Vec::new(),
                            rows_scanned: 0,
                            cpu_nanos: 0,
                            bytes_scanned: 0,
                        },
                    });
                    continue;
                }
            }
            let plan = self.plan_statement(session, statement).await?;
            last = Some(self.run_plan(session, plan, params).await?);
        }
        last.ok_or_else(|| SqlError::new(sqlstate::SYNTAX_ERROR, "empty query"))
    }

    /// Plans one statement in `session` (parameters stay placeholders).
    pub async fn plan_statement(
        &self,
        session: &SessionContext,
        mut statement: Statement,
    ) -> Result<LogicalPlan, SqlError> {
        rewrite_statement(&mut statement);
        let state = session.state();
        let plan = state
            .statement_to_plan(statement)
            .await
            .map_err(|e| SqlError::from_datafusion(&e))?;
        refuse_unsupported(&plan)?;
        Ok(plan)
    }

    /// Runs a prepared point read (see [`crate::scan::point_read`]) with parameter values,
    /// admitted and metered like any other statement.
    pub async fn run_point_read(
        &self,
        read: &crate::scan::point_read::PointRead,
        params: &[ScalarValue],
    ) -> Result<QueryOutput, SqlError> {
        if let Some(m) = &self.metering {
            m.admit().await?;
        }
        let out = read.run(params).await?;
        if let Some(m) = &self.metering {
            m.report(&uuid::Uuid::now_v7().to_string(), &out).await;
        }
        Ok(out)
    }

    /// Refuses a read that does not go through DataFusion (a document fetched by id over
    /// HTTP) when the tenant is over its quota (billing only).
    pub(crate) async fn admit_read(&self) -> Result<(), SqlError> {
        if let Some(m) = &self.metering {
            m.admit().await?;
        }
        Ok(())
    }

    /// Meters such a read: `rows` rows and `bytes` bytes returned (billing only).
    pub(crate) async fn report_read(&self, rows: u64, bytes: u64) {
        if let Some(m) = &self.metering {
            let out = QueryOutput {
                schema: Arc::new(datafusion::arrow::datatypes::Schema::empty()),
                batches: Vec::new(),
                rows_scanned: rows,
                cpu_nanos: 0,
                bytes_scanned: bytes,
            };
            m.report(&uuid::Uuid::now_v7().to_string(), &out).await;
        }
    }

    /// Refuses a write when the tenant is over a limit that forbids writing (billing only).
    pub(crate) async fn admit_write(&self) -> Result<(), SqlError> {
        if let Some(m) = &self.metering {
            m.admit_statement(true).await?;
        }
        Ok(())
    }

    /// Runs a planned statement with parameter values, metered when billing is configured.
    pub async fn run_plan(
        &self,
        session: &SessionContext,
        mut plan: LogicalPlan,
        params: &[ScalarValue],
    ) -> Result<QueryOutput, SqlError> {
        // A tenant over its quota is refused before anything runs.
        if let Some(m) = &self.metering {
            m.admit().await?;
        }
        let arrived = std::time::Instant::now();
        let df_err = |e: datafusion::error::DataFusionError| SqlError::from_datafusion(&e);
        crate::replica::table::probe_ahead(&plan, session.state_ref().read().config(), arrived);
        if !params.is_empty() {
            plan = plan
                .replace_params_with_values(&ParamValues::from(params.to_vec()))
                .map_err(df_err)?;
            plan = crate::vector::udf::bind_vector_constants(plan).map_err(df_err)?;
        }
        let (state, physical) = crate::replica::plan_statement(arrived, async {
            let frame = session.execute_logical_plan(plan).await?;
            let (state, plan) = frame.into_parts();
            let physical = state.create_physical_plan(&plan).await?;
            Ok::<_, datafusion::error::DataFusionError>((state, physical))
        })
        .await
        .map_err(df_err)?;
        let task = Arc::new(execution_task_context(&state));
        // The executed plan's schema: after our analyzer rules (`jsonb::text` is text).
        let schema = crate::output_names::postgres_schema(physical.schema());
        // Operators run on the execution runtime, not on the task serving the client: a
        // statement that computes for long between yields (a nested-loop join) then neither
        // starves other connections nor delays its own cancellation, which answers at once;
        // dropping this future aborts the execution at its next yield.
        let handle =
            execution_runtime()?.spawn(datafusion::physical_plan::collect(physical.clone(), task));
        let _abort = AbortOnDrop(handle.abort_handle());
        let batches = handle
            .await
            .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, format!("execution failed: {e}")))?
            .map_err(df_err)?;
        let batches = crate::output_names::with_schema(&schema, batches)
            .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
        let usage = plan_usage(physical.as_ref());
        let out = QueryOutput {
            schema,
            batches,
            rows_scanned: usage.rows,
            cpu_nanos: usage.cpu_nanos,
            bytes_scanned: usage.bytes,
        };
        if let Some(m) = &self.metering {
            m.report(&uuid::Uuid::now_v7().to_string(), &out).await;
        }
        Ok(out)
    }
}

/// The task context a physical plan executes with: the session's configuration (its
/// extensions carry the session's read snapshot, consistency and vector settings) and
/// runtime, without the function registries. A physical plan holds the functions it calls;
/// the registries (some 400 named entries) are for planning, and copying them into every
/// statement's task context cost more than planning a vector search's top-k.
fn execution_task_context(state: &SessionState) -> TaskContext {
    TaskContext::new(
        None,
        state.session_id().to_string(),
        state.config().clone(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        state.runtime_env().clone(),
    )
}

/// Adds `pg_catalog` (tables and functions client tools query) to a session state, keeping
/// our type planner in front of datafusion-pg-catalog's (which knows `regclass` & co.).
fn with_pg_catalog(
    state: SessionState,
    shards: Arc<ShardSchemaProvider>,
) -> Result<SessionState, SqlError> {
    let ctx = SessionContext::new_with_state(state);
    datafusion_pg_catalog::setup_pg_catalog(
        &ctx,
        CATALOG,
        datafusion_pg_catalog::pg_catalog::context::EmptyContextProvider,
    )
    .map_err(|e| SqlError::from_datafusion(&e))?;
    let catalog = ctx.catalog(CATALOG).ok_or_else(|| {
        SqlError::new(
            sqlstate::INTERNAL_ERROR,
            "catalog missing after pg_catalog setup",
        )
    })?;
    if let Some(pg) = catalog.schema("pg_catalog") {
        catalog
            .register_schema(
                "pg_catalog",
                Arc::new(crate::catalog::pg_catalog::PgCatalogSchema::new(pg, shards)),
            )
            .map_err(|e| SqlError::from_datafusion(&e))?;
    }
    ctx.register_udf(version_udf());
    ctx.register_udf(to_regtype_udf());
    ctx.register_udf(crate::catalog::pg_catalog::encoding_to_char_udf());
    ctx.register_udf(crate::catalog::pg_catalog::get_expr_udf());
    ctx.register_udf(crate::catalog::pg_catalog::get_partkeydef_udf());
    let state = SessionStateBuilder::new_from_existing(ctx.state())
        .with_type_planner(Arc::new(json::planner::PgTypePlanner))
        .build();
    Ok(state)
}

/// `version()`, as clients parse it: Postgres' format, naming DocFusionDB.
fn version_udf() -> datafusion::logical_expr::ScalarUDF {
    let text = format!(
        "PostgreSQL {} on {}-linux, DocFusionDB {} (Apache DataFusion)",
        crate::server::pg::SERVER_VERSION,
        std::env::consts::ARCH,
        env!("CARGO_PKG_VERSION")
    );
    datafusion::logical_expr::create_udf(
        "version",
        vec![],
        datafusion::arrow::datatypes::DataType::Utf8,
        datafusion::logical_expr::Volatility::Immutable,
        Arc::new(move |_args: &[datafusion::logical_expr::ColumnarValue]| {
            Ok(datafusion::logical_expr::ColumnarValue::Scalar(
                ScalarValue::Utf8(Some(text.clone())),
            ))
        }),
    )
}

/// `to_regtype(name)`: the type's name when this server has the type, else NULL (drivers probe
/// for extension types such as `hstore` this way).
fn to_regtype_udf() -> datafusion::logical_expr::ScalarUDF {
    use datafusion::arrow::array::{Array, AsArray, StringBuilder};
    use datafusion::arrow::datatypes::DataType;
    use datafusion::logical_expr::ColumnarValue;
    const KNOWN: &[&str] = &[
        "boolean",
        "bytea",
        "bigint",
        "smallint",
        "integer",
        "text",
        "oid",
        "json",
        "real",
        "double precision",
        "character varying",
        "date",
        "timestamp without time zone",
        "timestamp with time zone",
        "numeric",
        "uuid",
        "jsonb",
        "jsonpath",
    ];
    fn canonical(name: &str) -> Option<&'static str> {
        let n = name
            .trim()
            .trim_start_matches("pg_catalog.")
            .to_ascii_lowercase();
        let alias = match n.as_str() {
            "bool" => "boolean",
            "int8" => "bigint",
            "int2" => "smallint",
            "int" | "int4" => "integer",
            "float4" => "real",
            "float8" => "double precision",
            "varchar" => "character varying",
            "timestamp" => "timestamp without time zone",
            "timestamptz" => "timestamp with time zone",
            "decimal" => "numeric",
            other => other,
        };
        KNOWN.iter().find(|k| **k == alias).copied()
    }
    datafusion::logical_expr::create_udf(
        "to_regtype",
        vec![DataType::Utf8],
        DataType::Utf8,
        datafusion::logical_expr::Volatility::Stable,
        Arc::new(|args: &[ColumnarValue]| {
            let array = args[0].clone().into_array(1)?;
            let names = array.as_string::<i32>();
            let mut out = StringBuilder::new();
            for i in 0..names.len() {
                match (!names.is_null(i))
                    .then(|| canonical(names.value(i)))
                    .flatten()
                {
                    Some(n) => out.append_value(n),
                    None => out.append_null(),
                }
            }
            let out = Arc::new(out.finish()) as datafusion::arrow::array::ArrayRef;
            Ok(match &args[0] {
                ColumnarValue::Scalar(_) => {
                    ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?)
                }
                ColumnarValue::Array(_) => ColumnarValue::Array(out),
            })
        }),
    )
}

/// True when SQL text reads the catalog (client tools listing tables).
pub fn reads_catalog(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    lower.contains("pg_catalog") || lower.contains("information_schema")
}

/// Words that mark a statement as a client tool's catalog query, which the Postgres
/// compatibility rewrites of `datafusion-pg-catalog` make answerable.
const CATALOG_MARKERS: &[&str] = &[
    "pg_catalog",
    "pg_class",
    "pg_namespace",
    "pg_type",
    "pg_attribute",
    "pg_database",
    "pg_proc",
    "pg_settings",
    "pg_roles",
    "pg_tables",
    "pg_index",
    "pg_description",
    "pg_am",
    "pg_constraint",
    "regclass",
    "regtype",
    "regproc",
    "information_schema",
    "operator(",
];

/// How tools read the session's schema search path.
const SEARCH_PATH_LOOKUP: &str = "current_setting('search_path')";

static COMPAT_PARSER: std::sync::LazyLock<datafusion_pg_catalog::sql::PostgresCompatibilityParser> =
    std::sync::LazyLock::new(datafusion_pg_catalog::sql::PostgresCompatibilityParser::new);

/// Parses SQL text into statements in the Postgres dialect. Catalog queries of client tools
/// (psql's `\d`, DBeaver, Metabase, Grafana) go through the Postgres compatibility parser.
pub fn parse_sql(sql: &str) -> Result<Vec<Statement>, SqlError> {
    let lower = sql.to_ascii_lowercase();
    let statements = if CATALOG_MARKERS.iter().any(|m| lower.contains(m)) {
        let parser = &*COMPAT_PARSER;
        // The compatibility parser first swaps fragments it cannot plan for stand-ins, one
        // of them Grafana's lookup of the `search_path` schemas (it lacks
        // `current_setting`, which sessions here have): that statement gets its AST
        // rewrites only, so that Grafana's table and column lists are not empty.
        let parsed = if lower.contains(SEARCH_PATH_LOOKUP) {
            datafusion::sql::sqlparser::parser::Parser::parse_sql(&PostgreSqlDialect {}, sql)
                .map(|s| s.into_iter().map(|s| parser.rewrite(s)).collect::<Vec<_>>())
        } else {
            parser.parse(sql)
        };
        match parsed {
            Ok(s) => s
                .into_iter()
                .map(|s| Statement::Statement(Box::new(s)))
                .collect(),
            Err(_) => DFParser::parse_sql_with_dialect(sql, &PostgreSqlDialect {})
                .map_err(|e| SqlError::new(sqlstate::SYNTAX_ERROR, e.to_string()))?
                .into_iter()
                .collect(),
        }
    } else {
        DFParser::parse_sql_with_dialect(sql, &PostgreSqlDialect {})
            .map_err(|e| SqlError::new(sqlstate::SYNTAX_ERROR, e.to_string()))?
            .into_iter()
            .collect::<Vec<_>>()
    };
    if statements.is_empty() {
        return Err(SqlError::new(sqlstate::SYNTAX_ERROR, "empty query"));
    }
    Ok(statements)
}

/// The runtime statements execute on (one worker per core; never shut down, so that a
/// statement still computing when the process exits does not hold the exit up).
fn execution_runtime() -> Result<&'static tokio::runtime::Runtime, SqlError> {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    static START: std::sync::Mutex<()> = std::sync::Mutex::new(());
    if let Some(r) = RUNTIME.get() {
        return Ok(r);
    }
    // One thread builds it (a runtime must not be dropped inside another one).
    let _start = START.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = RUNTIME.get() {
        return Ok(r);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()))
        .thread_name("docfusion-exec")
        .enable_all()
        .build()
        .map_err(|e| {
            SqlError::new(
                sqlstate::INTERNAL_ERROR,
                format!("cannot start the execution runtime: {e}"),
            )
        })?;
    Ok(RUNTIME.get_or_init(|| runtime))
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Default)]
struct PlanUsage {
    rows: u64,
    bytes: u64,
    cpu_nanos: u64,
}

/// Rows and bytes read by the shard scans and CPU time of all operators of an executed plan.
fn plan_usage(plan: &dyn datafusion::physical_plan::ExecutionPlan) -> PlanUsage {
    let mut usage = PlanUsage::default();
    if let Some(metrics) = plan.metrics() {
        if plan.downcast_ref::<crate::scan::ShardScanExec>().is_some() {
            usage.rows += metrics.output_rows().unwrap_or(0) as u64;
            usage.bytes += metrics
                .sum_by_name(crate::scan::exec::BYTES_SCANNED)
                .map_or(0, |v| v.as_usize() as u64);
        }
        usage.cpu_nanos += metrics.elapsed_compute().unwrap_or(0) as u64;
    }
    for child in plan.children() {
        let c = plan_usage(child.as_ref());
        usage.rows += c.rows;
        usage.bytes += c.bytes;
        usage.cpu_nanos += c.cpu_nanos;
    }
    usage
}

fn rewrite_statement(statement: &mut Statement) {
    match statement {
        Statement::Statement(s) => {
            crate::sql_compat::rewrite(s);
            crate::catalog::driver_queries::rewrite(s);
            crate::output_names::name_select_items(s);
            if let datafusion::sql::sqlparser::ast::Statement::Query(q) = s.as_mut() {
                int4_literals(q);
            }
            json::set_returning::rewrite_set_returning(s)
        }
        Statement::Explain(e) => rewrite_statement(&mut e.statement),
        _ => {}
    }
}

/// Postgres types an integer literal that fits 32 bits as `integer`, DataFusion as `bigint`;
/// drivers notice (`SELECT 1` is an `int` in JDBC, a number, not a string, in node-postgres).
/// Output columns that are bare integer literals become `integer`, named `?column?` as in
/// Postgres.
fn int4_literals(query: &mut datafusion::sql::sqlparser::ast::Query) {
    use datafusion::sql::sqlparser::ast::{
        CastKind, DataType, Expr, Ident, SelectItem, SetExpr, UnaryOperator, Value,
    };
    fn fits_int4(e: &Expr) -> bool {
        match e {
            Expr::Value(v) => matches!(&v.value, Value::Number(n, _) if n.parse::<i32>().is_ok()),
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => {
                matches!(expr.as_ref(), Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if format!("-{n}").parse::<i32>().is_ok()))
            }
            _ => false,
        }
    }
    fn as_int4(e: Expr) -> Expr {
        Expr::Cast {
            kind: CastKind::DoubleColon,
            expr: Box::new(e),
            data_type: DataType::Int(None),
            array: false,
            format: None,
        }
    }
    fn walk(body: &mut SetExpr) {
        match body {
            SetExpr::Select(select) => {
                for item in select.projection.iter_mut() {
                    match item {
                        SelectItem::UnnamedExpr(e) if fits_int4(e) => {
                            let e = std::mem::replace(e, Expr::value(Value::Null));
                            *item = SelectItem::ExprWithAlias {
                                expr: as_int4(e),
                                alias: Ident::with_quote('"', "?column?"),
                            };
                        }
                        SelectItem::ExprWithAlias { expr, .. } if fits_int4(expr) => {
                            let e = std::mem::replace(expr, Expr::value(Value::Null));
                            *expr = as_int4(e);
                        }
                        _ => {}
                    }
                }
            }
            SetExpr::Query(q) => walk(&mut q.body),
            SetExpr::SetOperation { left, right, .. } => {
                walk(left);
                walk(right);
            }
            _ => {}
        }
    }
    walk(&mut query.body);
}

/// Statements DataFusion would accept but that would not do what a user of this database
/// expects (an in-memory table instead of one on the shards).
fn refuse_unsupported(plan: &LogicalPlan) -> Result<(), SqlError> {
    match plan {
        LogicalPlan::Ddl(DdlStatement::CreateMemoryTable(t)) => Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "CREATE TABLE {} AS … is not supported: create the table, then INSERT … SELECT",
                t.name
            ),
        )),
        LogicalPlan::Dml(d) => Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "{} on {} is not supported: only tables on the shards can be written",
                d.op, d.table_name
            ),
        )),
        _ => Ok(()),
    }
}
