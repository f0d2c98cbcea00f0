//! A client session: its own DataFusion context, its settings (`SET`/`SHOW`/`RESET`), its
//! transaction state and its cursors. One per Postgres connection, so that nothing one client
//! sets is seen by another.
//!
//! Statements that manage the session itself are answered here; everything else is planned
//! and run by the [`Engine`]. A statement can be *prepared* once (parsed, planned, its
//! parameter and result types known) and run many times with different parameters without
//! being planned again.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{Expr, LogicalPlan, expr::Cast, expr::Placeholder};
use datafusion::scalar::ScalarValue;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast;

use crate::engine::{Engine, QueryOutput};
use crate::error::{SqlError, sqlstate};
use crate::scan::point_read::PointRead;

/// What a statement produced.
#[derive(Debug)]
pub enum Outcome {
    /// Rows, with the command tag's verb (`SELECT`, `SHOW`, `FETCH`, `EXPLAIN`).
    Rows { output: QueryOutput, verb: String },
    /// A command without rows, with its complete command tag (`SET`, `BEGIN`, …).
    Command(String),
}

/// Transaction state, as a Postgres backend reports it in ReadyForQuery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnState {
    /// Not in a transaction block.
    Idle,
    /// In a transaction block.
    Open,
    /// In a transaction block that failed: everything but ROLLBACK is refused.
    Failed,
}

/// What kind of statement a parsed statement is.
#[derive(Debug, Clone)]
enum Kind {
    /// Planned and run by DataFusion.
    Query,
    /// Handled by the session.
    Session(SessionCommand),
    /// DDL or DML executed on the shards by the write path.
    Write(Arc<crate::write::WritePlan>),
}

#[derive(Debug, Clone)]
enum SessionCommand {
    Set {
        name: String,
        value: Option<String>,
    },
    Show(String),
    ShowAll,
    ResetAll,
    Begin,
    Commit,
    Rollback,
    Declare {
        name: String,
        query: Box<ast::Query>,
    },
    Fetch {
        name: String,
        count: Option<u64>,
    },
    Close(Option<String>),
    Discard,
    Savepoint(String),
    Release(String),
    RollbackTo(String),
    /// Accepted and ignored, with this tag (e.g. `SET TRANSACTION ISOLATION LEVEL …`).
    Noop(&'static str),
}

/// A parsed (and, for queries, planned) statement, ready to run with parameters.
#[derive(Debug, Clone)]
pub struct Prepared {
    statement: Statement,
    kind: Kind,
    plan: Option<LogicalPlan>,
    /// The fast path, when the statement is a point read by id.
    point_read: Option<Arc<PointRead>>,
    /// Parameter `$i` has type `params[i - 1]` (with its jsonb/json tag).
    pub params: Vec<FieldRef>,
    /// The result columns (empty for a command).
    pub schema: SchemaRef,
}

impl Prepared {
    /// True when the statement returns rows.
    pub fn returns_rows(&self) -> bool {
        !self.schema.fields().is_empty()
    }

    /// The point-read fast path this statement takes outside transaction blocks, if any.
    pub fn point_read(&self) -> Option<&PointRead> {
        self.point_read.as_deref()
    }
}

/// The settings a session starts with (name → default value), as `SHOW` prints them.
fn default_settings(engine: &Engine) -> BTreeMap<String, String> {
    let timeout = engine.config().limits.statement_timeout_ms;
    [
        ("application_name", String::new()),
        ("client_encoding", "UTF8".into()),
        ("datestyle", "ISO, MDY".into()),
        ("default_transaction_isolation", "repeatable read".into()),
        ("docfusion.consistency", "strong".into()),
        ("docfusion.max_staleness_ms", "1000".into()),
        ("docfusion.vector_search", "exact".into()),
        ("extra_float_digits", "1".into()),
        (
            "hnsw.ef_search",
            crate::vector_index::EfSearch::default().0.to_string(),
        ),
        ("integer_datetimes", "on".into()),
        ("intervalstyle", "postgres".into()),
        ("search_path", "\"$user\", public".into()),
        ("server_encoding", "UTF8".into()),
        ("server_version", crate::server::pg::SERVER_VERSION.into()),
        (
            "server_version_num",
            crate::server::pg::SERVER_VERSION_NUM.into(),
        ),
        ("standard_conforming_strings", "on".into()),
        ("statement_timeout", format_ms(timeout)),
        ("timezone", "UTC".into()),
        ("transaction_isolation", "repeatable read".into()),
        ("transaction_read_only", "off".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Settings whose values a client may not change.
const READ_ONLY_SETTINGS: &[&str] = &[
    "server_version",
    "server_version_num",
    "server_encoding",
    "integer_datetimes",
];

/// The column name of `SHOW name`: Postgres uses the setting's own spelling.
fn show_column(name: &str) -> String {
    let key = name.to_ascii_lowercase();
    match key.as_str() {
        "timezone" => "TimeZone".into(),
        "datestyle" => "DateStyle".into(),
        "intervalstyle" => "IntervalStyle".into(),
        _ => key,
    }
}

fn format_ms(ms: u64) -> String {
    if ms == 0 {
        "0".into()
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Parses a Postgres duration setting (`250ms`, `5s`, `1min`, `1000`) into milliseconds.
fn parse_duration_ms(value: &str) -> Option<u64> {
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: u64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1000,
        "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "us" => return Some(n / 1000),
        _ => return None,
    };
    n.checked_mul(factor)
}

/// An open cursor: the rest of its rows.
#[derive(Debug)]
struct Cursor {
    schema: SchemaRef,
    rows: VecDeque<RecordBatch>,
}

/// One client's session.
pub struct Session {
    ctx: SessionContext,
    defaults: BTreeMap<String, String>,
    settings: BTreeMap<String, String>,
    txn: TxnState,
    cursors: HashMap<String, Cursor>,
    savepoints: Vec<String>,
    snapshot: Option<Arc<crate::snapshot::ReadSnapshot>>,
    /// The block's shard transactions, once it wrote.
    write: Option<crate::write::WriteTxn>,
    user: String,
    /// What `current_setting()` reads: a copy of `settings`, kept in step.
    visible: Arc<std::sync::RwLock<BTreeMap<String, String>>>,
    /// Set by `set_config()`: the statement changed `visible`.
    set_by_function: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .field("txn", &self.txn)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new session of `user` on `engine`.
    pub fn new(engine: &Engine, user: &str) -> Session {
        let defaults = default_settings(engine);
        let visible = Arc::new(std::sync::RwLock::new(defaults.clone()));
        let ctx = engine.session();
        ctx.register_udf(current_setting_udf(visible.clone()));
        ctx.register_udf(session_user_udf(user));
        let set_by_function = Arc::new(std::sync::atomic::AtomicBool::new(false));
        ctx.register_udf(set_config_udf(visible.clone(), set_by_function.clone()));
        Session {
            ctx,
            settings: defaults.clone(),
            defaults,
            txn: TxnState::Idle,
            cursors: HashMap::new(),
            savepoints: Vec::new(),
            snapshot: None,
            write: None,
            user: user.to_string(),
            visible,
            set_by_function,
        }
    }

    /// Takes in what `set_config()` calls in the last statement changed (through the same
    /// checks as `SET`; an invalid value is dropped).
    fn adopt_set_config(&mut self) {
        if !self
            .set_by_function
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let seen = match self.visible.read() {
            Ok(v) => v.clone(),
            Err(_) => return,
        };
        for (k, v) in seen {
            if self.settings.get(&k) != Some(&v) && self.apply_set(&k, Some(v)).is_err() {
                tracing::debug!(setting = %k, "set_config value refused");
            }
        }
        self.publish();
    }

    /// Hands the scans of this session the transaction's snapshot (or none).
    fn install_snapshot(&mut self, snapshot: Option<Arc<crate::snapshot::ReadSnapshot>>) {
        self.snapshot = snapshot;
        self.install_reads();
    }

    /// Tells the scans where the block reads: its snapshot, its own shard transactions.
    fn install_reads(&mut self) {
        let reads = crate::snapshot::SessionSnapshot {
            snapshot: self.snapshot.clone(),
            writes: self.write.as_ref().map(|w| w.conns()),
        };
        let state = self.ctx.state_ref();
        let mut state = state.write();
        state.config_mut().set_extension(Arc::new(reads));
    }

    /// True inside a transaction block.
    pub(crate) fn in_block(&self) -> bool {
        self.txn != TxnState::Idle
    }

    /// The block's transaction over the shards, started on its first write (its shard
    /// transactions import the block's read snapshot and savepoints).
    pub(crate) fn block_write_txn(&mut self, engine: &Engine) -> &mut crate::write::WriteTxn {
        if self.write.is_none() {
            let mut txn = engine.write_txn(crate::write::Isolation::RepeatableRead);
            txn.set_savepoints(self.savepoints.clone());
            self.write = Some(txn);
            self.install_reads();
        }
        let snapshot = self.snapshot.clone();
        let txn = self
            .write
            .get_or_insert_with(|| engine.write_txn(crate::write::Isolation::RepeatableRead));
        txn.set_snapshot(snapshot);
        txn
    }

    /// Publishes the settings to `current_setting()`, and the read consistency to the
    /// scans.
    fn publish(&self) {
        if let Ok(mut v) = self.visible.write() {
            *v = self.settings.clone();
        }
        let consistency = crate::replica::Consistency::from_settings(
            self.setting("docfusion.consistency").unwrap_or("strong"),
            self.setting("docfusion.max_staleness_ms")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000),
        );
        let vector_search = crate::vector_index::VectorSearch::from_setting(
            self.setting("docfusion.vector_search").unwrap_or("exact"),
        );
        let ef_search = self
            .setting("hnsw.ef_search")
            .and_then(|v| v.trim().parse().ok())
            .map_or_else(
                crate::vector_index::EfSearch::default,
                crate::vector_index::EfSearch,
            );
        let state = self.ctx.state_ref();
        let mut state = state.write();
        let config = state.config_mut();
        config.set_extension(Arc::new(crate::replica::ReadConsistency(consistency)));
        config.set_extension(Arc::new(vector_search));
        config.set_extension(Arc::new(ef_search));
    }

    /// The DataFusion context.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// The user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The columns of an open cursor (what a Describe of the portal of that name answers).
    pub fn cursor_schema(&self, name: &str) -> Option<SchemaRef> {
        self.cursors.get(name).map(|c| c.schema.clone())
    }

    /// The transaction state.
    pub fn txn(&self) -> TxnState {
        self.txn
    }

    /// The value of a setting.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Sets a setting as a client would (`SET name = value`); used for start-up parameters.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SqlError> {
        let r = self.apply_set(name, Some(value.to_string()));
        self.publish();
        r
    }

    /// The statement timeout, if any.
    pub fn statement_timeout(&self) -> Option<Duration> {
        let ms = self
            .setting("statement_timeout")
            .and_then(parse_duration_ms)
            .unwrap_or(0);
        (ms > 0).then(|| Duration::from_millis(ms))
    }

    /// Records that the running statement failed (or was cancelled): a transaction block
    /// becomes failed.
    pub fn statement_failed(&mut self) {
        if self.txn == TxnState::Open {
            self.txn = TxnState::Failed;
        }
    }

    fn apply_set(&mut self, name: &str, value: Option<String>) -> Result<(), SqlError> {
        let key = name.to_ascii_lowercase();
        if key.starts_with("datafusion.") {
            let value = value.unwrap_or_default();
            let state = self.ctx.state_ref();
            let mut state = state.write();
            state
                .config_mut()
                .options_mut()
                .set(&key, &value)
                .map_err(|e| SqlError::from_datafusion(&e))?;
            return Ok(());
        }
        if READ_ONLY_SETTINGS.contains(&key.as_str()) {
            return Err(SqlError::new(
                "55P02",
                format!("parameter \"{key}\" cannot be changed"),
            ));
        }
        let value = match value {
            None => match self.defaults.get(&key) {
                Some(d) => d.clone(),
                None => return Err(unknown_setting(&key)),
            },
            Some(v) => v,
        };
        match key.as_str() {
            "statement_timeout" => {
                let ms = parse_duration_ms(&value).ok_or_else(|| {
                    SqlError::new(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        format!("invalid value for parameter \"statement_timeout\": \"{value}\""),
                    )
                    .with_detail("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".")
                })?;
                self.settings.insert(key, format_ms(ms));
                return Ok(());
            }
            "hnsw.ef_search"
                if !value
                    .trim()
                    .parse::<usize>()
                    .is_ok_and(|n| crate::vector_index::EF_SEARCH_RANGE.contains(&n)) =>
            {
                let r = crate::vector_index::EF_SEARCH_RANGE;
                return Err(SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!(
                        "invalid value for parameter \"hnsw.ef_search\": \"{value}\" ({} to {})",
                        r.start(),
                        r.end()
                    ),
                ));
            }
            "docfusion.max_staleness_ms" if value.trim().parse::<u32>().is_err() => {
                return Err(SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!(
                        "invalid value for parameter \"docfusion.max_staleness_ms\": \"{value}\" (milliseconds, 0 to 4294967295)"
                    ),
                ));
            }
            name if enumerated_setting(name)
                .is_some_and(|allowed| !allowed.contains(&value.as_str())) =>
            {
                return Err(SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!(
                        "invalid value for parameter \"{name}\": \"{value}\" ({})",
                        one_of(enumerated_setting(name).unwrap_or_default())
                    ),
                ));
            }
            "client_encoding" => {
                let v = value
                    .trim_matches(|c| c == '\'' || c == '"')
                    .to_ascii_uppercase()
                    .replace(['-', '_'], "");
                if v != "UTF8" && v != "UNICODE" {
                    return Err(SqlError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!(
                            "client encoding \"{value}\" is not supported: DocFusionDB speaks UTF8 only"
                        ),
                    ));
                }
                self.settings.insert(key, "UTF8".into());
                return Ok(());
            }
            "timezone" => {
                let v = value.trim_matches('\'');
                if !(v.eq_ignore_ascii_case("utc")
                    || v.eq_ignore_ascii_case("etc/utc")
                    || v.eq_ignore_ascii_case("gmt")
                    || v == "0"
                    || v == "+00:00"
                    || v == "Z")
                {
                    return Err(SqlError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!(
                            "time zone \"{v}\" is not supported: DocFusionDB sessions run in UTC"
                        ),
                    ));
                }
                self.settings.insert(key, "UTC".into());
                return Ok(());
            }
            _ => {}
        }
        if !self.defaults.contains_key(&key) && !key.contains('.') {
            // Drivers and tools set many harmless settings at start-up; unknown ones are
            // kept (and shown back) like Postgres' custom settings, but typos of ours are not.
            tracing::debug!(setting = %key, "unknown setting kept for SHOW");
        }
        self.settings.insert(key, value);
        Ok(())
    }
}

/// `session_user()` (what `user`, `current_user` and `current_role` become): the user the
/// session authenticated as.
fn session_user_udf(user: &str) -> datafusion::logical_expr::ScalarUDF {
    use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
    let user = ScalarValue::Utf8(Some(user.to_string()));
    create_udf(
        crate::sql_compat::SESSION_USER_FUNCTION,
        vec![],
        DataType::Utf8,
        Volatility::Stable,
        Arc::new(move |_: &[ColumnarValue]| Ok(ColumnarValue::Scalar(user.clone()))),
    )
}

/// `current_setting(name [, missing_ok])` over a session's settings.
fn current_setting_udf(
    settings: Arc<std::sync::RwLock<BTreeMap<String, String>>>,
) -> datafusion::logical_expr::ScalarUDF {
    use datafusion::arrow::array::{Array, AsArray, StringBuilder};
    use datafusion::logical_expr::{ColumnarValue, Signature, TypeSignature, Volatility};
    let signature = Signature::one_of(
        vec![
            TypeSignature::Exact(vec![DataType::Utf8]),
            TypeSignature::Exact(vec![DataType::Utf8, DataType::Boolean]),
        ],
        Volatility::Stable,
    );
    let fun = move |args: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
        let rows = args
            .iter()
            .find_map(|a| match a {
                ColumnarValue::Array(a) => Some(a.len()),
                ColumnarValue::Scalar(_) => None,
            })
            .unwrap_or(1);
        let arrays = args
            .iter()
            .map(|a| a.clone().into_array(rows))
            .collect::<datafusion::error::Result<Vec<_>>>()?;
        let names = arrays[0].as_string::<i32>();
        let missing_ok = arrays.get(1).map(|a| a.as_boolean().clone());
        let map = settings
            .read()
            .map_err(|_| datafusion::error::DataFusionError::Internal("settings lock".into()))?;
        let mut out = StringBuilder::new();
        for i in 0..rows {
            if names.is_null(i) {
                out.append_null();
                continue;
            }
            let name = names.value(i).to_ascii_lowercase();
            match map.get(&name) {
                Some(v) => out.append_value(v),
                None if missing_ok.as_ref().is_some_and(|m| m.value(i)) => out.append_null(),
                None => {
                    return Err(unknown_setting(&name).into_datafusion());
                }
            }
        }
        let array = Arc::new(out.finish()) as datafusion::arrow::array::ArrayRef;
        Ok(
            if args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) {
                ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?)
            } else {
                ColumnarValue::Array(array)
            },
        )
    };
    datafusion::logical_expr::ScalarUDF::from(SimpleUdf {
        name: "current_setting",
        signature,
        fun: Arc::new(fun),
    })
}

/// `set_config(name, value, is_local)`: sets a setting (for the session; `is_local` is not
/// distinguished) and returns the value.
fn set_config_udf(
    settings: Arc<std::sync::RwLock<BTreeMap<String, String>>>,
    changed: Arc<std::sync::atomic::AtomicBool>,
) -> datafusion::logical_expr::ScalarUDF {
    use datafusion::arrow::array::{Array, AsArray, StringBuilder};
    use datafusion::logical_expr::{ColumnarValue, Signature, Volatility};
    let signature = Signature::exact(
        vec![DataType::Utf8, DataType::Utf8, DataType::Boolean],
        Volatility::Volatile,
    );
    let fun = move |args: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
        let arrays = args
            .iter()
            .map(|a| a.clone().into_array(1))
            .collect::<datafusion::error::Result<Vec<_>>>()?;
        let (names, values) = (arrays[0].as_string::<i32>(), arrays[1].as_string::<i32>());
        let mut out = StringBuilder::new();
        let mut map = settings
            .write()
            .map_err(|_| datafusion::error::DataFusionError::Internal("settings lock".into()))?;
        for i in 0..names.len() {
            if names.is_null(i) {
                return Err(SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "SET requires parameter name",
                )
                .into_datafusion());
            }
            let value = if values.is_null(i) {
                ""
            } else {
                values.value(i)
            };
            map.insert(names.value(i).to_ascii_lowercase(), value.to_string());
            changed.store(true, std::sync::atomic::Ordering::SeqCst);
            out.append_value(value);
        }
        let array = Arc::new(out.finish()) as datafusion::arrow::array::ArrayRef;
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &array, 0,
        )?))
    };
    datafusion::logical_expr::ScalarUDF::from(SimpleUdf {
        name: "set_config",
        signature,
        fun: Arc::new(fun),
    })
}

type UdfFn = Arc<
    dyn Fn(
            &[datafusion::logical_expr::ColumnarValue],
        ) -> datafusion::error::Result<datafusion::logical_expr::ColumnarValue>
        + Send
        + Sync,
>;

/// A scalar function over a closure, returning text.
pub(crate) struct SimpleUdf {
    name: &'static str,
    signature: datafusion::logical_expr::Signature,
    fun: UdfFn,
}

impl SimpleUdf {
    /// The text function `name` computed by `fun`.
    pub(crate) fn new(
        name: &'static str,
        signature: datafusion::logical_expr::Signature,
        fun: UdfFn,
    ) -> Self {
        SimpleUdf {
            name,
            signature,
            fun,
        }
    }
}

impl std::fmt::Debug for SimpleUdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for SimpleUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.fun, &other.fun)
    }
}
impl Eq for SimpleUdf {}
impl std::hash::Hash for SimpleUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl datafusion::logical_expr::ScalarUDFImpl for SimpleUdf {
    fn name(&self) -> &str {
        self.name
    }
    fn signature(&self) -> &datafusion::logical_expr::Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> datafusion::error::Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(
        &self,
        args: datafusion::logical_expr::ScalarFunctionArgs,
    ) -> datafusion::error::Result<datafusion::logical_expr::ColumnarValue> {
        (self.fun)(&args.args)
    }
}

fn unknown_setting(name: &str) -> SqlError {
    SqlError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("unrecognized configuration parameter \"{name}\""),
    )
}

fn object_name(name: &ast::ObjectName) -> String {
    name.0
        .iter()
        .map(|p| match p.as_ident() {
            Some(i) => i.value.clone(),
            None => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The text of a `SET` value: `'x'` → x, `x` → x, `1` → 1, lists joined with `, `.
fn setting_value(values: &[ast::Expr]) -> Option<String> {
    let parts: Vec<String> = values
        .iter()
        .map(|v| match v {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s.clone(),
                other => other.to_string(),
            },
            ast::Expr::Identifier(i) => i.value.clone(),
            other => other.to_string(),
        })
        .collect();
    if parts.len() == 1 && parts[0].eq_ignore_ascii_case("default") {
        return None;
    }
    Some(parts.join(", "))
}

fn classify(statement: &Statement) -> Result<Kind, SqlError> {
    use ast::Statement as S;
    let cmd = |c| Ok(Kind::Session(c));
    let s = match statement {
        Statement::Statement(s) => s.as_ref(),
        Statement::Reset(datafusion::sql::parser::ResetStatement::Variable(name)) => {
            let name = object_name(name);
            if name.eq_ignore_ascii_case("all") {
                return cmd(SessionCommand::ResetAll);
            }
            return cmd(SessionCommand::Set { name, value: None });
        }
        _ => return Ok(Kind::Query),
    };
    match s {
        S::Set(ast::Set::SingleAssignment {
            variable, values, ..
        }) => cmd(SessionCommand::Set {
            name: object_name(variable),
            value: setting_value(values),
        }),
        S::Set(ast::Set::SetTimeZone { value, .. }) => cmd(SessionCommand::Set {
            name: "timezone".into(),
            value: setting_value(std::slice::from_ref(value)),
        }),
        S::Set(ast::Set::SetNames { charset_name, .. }) => cmd(SessionCommand::Set {
            name: "client_encoding".into(),
            value: Some(charset_name.value.clone()),
        }),
        S::Set(ast::Set::SetTransaction { .. }) => cmd(SessionCommand::Noop("SET")),
        S::Set(ast::Set::SetSessionAuthorization(_)) | S::Set(ast::Set::SetRole { .. }) => {
            Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "SET ROLE and SET SESSION AUTHORIZATION are not supported",
            ))
        }
        S::ShowVariable { variable } => {
            let name = variable
                .iter()
                .map(|i| i.value.clone())
                .collect::<Vec<_>>()
                .join(" ");
            if name.eq_ignore_ascii_case("all") {
                cmd(SessionCommand::ShowAll)
            } else if name.eq_ignore_ascii_case("time zone") {
                cmd(SessionCommand::Show("timezone".into()))
            } else if name.eq_ignore_ascii_case("transaction isolation level") {
                cmd(SessionCommand::Show("transaction_isolation".into()))
            } else {
                // Other names of several identifiers are dotted ones (`docfusion.consistency`):
                // the parser hands them over split at the dots.
                let dotted = variable
                    .iter()
                    .map(|i| i.value.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                cmd(SessionCommand::Show(dotted))
            }
        }
        S::StartTransaction { .. } => cmd(SessionCommand::Begin),
        S::Commit { .. } => cmd(SessionCommand::Commit),
        S::Rollback {
            savepoint: None, ..
        } => cmd(SessionCommand::Rollback),
        S::Rollback {
            savepoint: Some(name),
            ..
        } => cmd(SessionCommand::RollbackTo(name.value.clone())),
        S::Savepoint { name } => cmd(SessionCommand::Savepoint(name.value.clone())),
        S::ReleaseSavepoint { name } => cmd(SessionCommand::Release(name.value.clone())),
        S::Declare { stmts } => {
            let [d] = stmts.as_slice() else {
                return Err(SqlError::new(
                    sqlstate::SYNTAX_ERROR,
                    "DECLARE takes one cursor",
                ));
            };
            let (Some(query), [name]) = (&d.for_query, d.names.as_slice()) else {
                return Err(SqlError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "only DECLARE name CURSOR FOR query is supported",
                ));
            };
            cmd(SessionCommand::Declare {
                name: name.value.clone(),
                query: query.clone(),
            })
        }
        S::Fetch {
            name, direction, ..
        } => {
            let count = match direction {
                ast::FetchDirection::Next | ast::FetchDirection::Forward { limit: None } => Some(1),
                ast::FetchDirection::All | ast::FetchDirection::ForwardAll => None,
                ast::FetchDirection::Count { limit }
                | ast::FetchDirection::Forward { limit: Some(limit) } => {
                    let n: u64 = limit.value.to_string().parse().map_err(|_| {
                        SqlError::new(sqlstate::SYNTAX_ERROR, "FETCH count must be a number")
                    })?;
                    Some(n)
                }
                _ => {
                    return Err(SqlError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "cursors are forward-only: FETCH NEXT, FORWARD n, n or ALL",
                    ));
                }
            };
            cmd(SessionCommand::Fetch {
                name: name.value.clone(),
                count,
            })
        }
        S::Close { cursor } => cmd(SessionCommand::Close(match cursor {
            ast::CloseCursor::All => None,
            ast::CloseCursor::Specific { name } => Some(name.value.clone()),
        })),
        S::Discard { .. } => cmd(SessionCommand::Discard),
        _ => Ok(Kind::Query),
    }
}

/// Gives untyped placeholders the type they are cast to (`$1::int4`, `$2::jsonb`), as
/// Postgres infers it, so that a client learns parameter types from Describe.
fn type_cast_placeholders(plan: LogicalPlan) -> Result<LogicalPlan, SqlError> {
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|e| {
            e.transform_up(|e| match e {
                Expr::Cast(Cast { expr, field }) => match *expr {
                    Expr::Placeholder(Placeholder { id, field: None }) => {
                        let typed = Placeholder::new_with_field(id, Some(field.clone()));
                        Ok(Transformed::yes(Expr::Cast(Cast::new_from_field(
                            Box::new(Expr::Placeholder(typed)),
                            field,
                        ))))
                    }
                    other => Ok(Transformed::no(Expr::Cast(Cast::new_from_field(
                        Box::new(other),
                        field,
                    )))),
                },
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
    .map_err(|e| SqlError::from_datafusion(&e))
}

fn text_schema(names: &[&str]) -> SchemaRef {
    Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ))
}

fn text_output(schema: SchemaRef, rows: Vec<Vec<String>>) -> Result<QueryOutput, SqlError> {
    let columns = (0..schema.fields().len())
        .map(|c| {
            Arc::new(datafusion::arrow::array::StringArray::from(
                rows.iter().map(|r| Some(r[c].clone())).collect::<Vec<_>>(),
            )) as datafusion::arrow::array::ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
    Ok(QueryOutput {
        schema,
        batches: vec![batch],
        rows_scanned: 0,
        cpu_nanos: 0,
        bytes_scanned: 0,
    })
}

impl Engine {
    /// Parses SQL text into statements (Postgres dialect, catalog queries of client tools
    /// rewritten into what DataFusion answers).
    pub fn parse(&self, sql: &str) -> Result<Vec<Statement>, SqlError> {
        crate::engine::parse_sql(sql)
    }

    /// Prepares one statement in `session`: plans it and works out its parameter and result
    /// types. `param_hints` are the types the client declared (by position; `None` = infer).
    pub async fn prepare(
        &self,
        session: &Session,
        statement: Statement,
        param_hints: &[Option<FieldRef>],
    ) -> Result<Prepared, SqlError> {
        if let Some(write) = self.prepare_write(session, &statement, param_hints).await? {
            return Ok(Prepared {
                statement,
                params: write.params(),
                schema: write.schema(),
                kind: Kind::Write(Arc::new(write)),
                plan: None,
                point_read: None,
            });
        }
        let kind = classify(&statement)?;
        match &kind {
            Kind::Session(c) => {
                let schema = match c {
                    SessionCommand::Show(name) => text_schema(&[show_column(name).as_str()]),
                    SessionCommand::ShowAll => text_schema(&["name", "setting"]),
                    SessionCommand::Fetch { name, .. } => session
                        .cursors
                        .get(name)
                        .map(|c| c.schema.clone())
                        .unwrap_or_else(|| Arc::new(Schema::empty())),
                    _ => Arc::new(Schema::empty()),
                };
                Ok(Prepared {
                    statement,
                    kind,
                    plan: None,
                    point_read: None,
                    params: Vec::new(),
                    schema,
                })
            }
            Kind::Query => {
                // Tools listing tables must see collections other nodes created.
                if crate::engine::reads_catalog(&statement.to_string()) {
                    self.catalog().refresh().await?;
                }
                let plan = self
                    .plan_statement(session.context(), statement.clone())
                    .await?;
                let plan = with_param_hints(plan, param_hints)?;
                let plan = type_cast_placeholders(plan)?;
                let params = param_fields(&plan)?;
                // Column types as they will be after analysis (`jsonb::text` is text).
                let state = session.context().state();
                let schema: SchemaRef = match state.analyzer().execute_and_check(
                    plan.clone(),
                    state.config_options(),
                    |_, _| {},
                ) {
                    Ok(analyzed) => crate::output_names::postgres_schema(Arc::new(
                        analyzed.schema().as_arrow().clone(),
                    )),
                    // Errors surface when the statement runs; describe what planning knows.
                    Err(_) => crate::output_names::postgres_schema(Arc::new(
                        plan.schema().as_arrow().clone(),
                    )),
                };
                let schema = if matches!(plan, LogicalPlan::Ddl(_) | LogicalPlan::Copy(_)) {
                    Arc::new(Schema::empty())
                } else {
                    schema
                };
                // Parameterised reads by id skip planning on every execution.
                let point_read = PointRead::detect(&state, &plan, &params, &schema).map(Arc::new);
                Ok(Prepared {
                    statement,
                    kind,
                    plan: Some(plan),
                    point_read,
                    params,
                    schema,
                })
            }
            Kind::Write(_) => Err(SqlError::new(
                sqlstate::INTERNAL_ERROR,
                "write statements are prepared by the write path",
            )),
        }
    }

    /// Plans a query in `session` with the parameter types a client declared; returns the
    /// plan and its parameters.
    pub(crate) async fn plan_with_params(
        &self,
        session: &Session,
        statement: Statement,
        param_hints: &[Option<FieldRef>],
    ) -> Result<(LogicalPlan, Vec<FieldRef>), SqlError> {
        let plan = self.plan_statement(session.context(), statement).await?;
        let plan = with_param_hints(plan, param_hints)?;
        let plan = type_cast_placeholders(plan)?;
        let params = param_fields(&plan)?;
        Ok((plan, params))
    }

    /// Runs a prepared statement in `session` with parameter values.
    pub async fn run(
        &self,
        session: &mut Session,
        prepared: &Prepared,
        params: &[ScalarValue],
    ) -> Result<Outcome, SqlError> {
        let is_end = matches!(
            prepared.kind,
            Kind::Session(
                SessionCommand::Commit | SessionCommand::Rollback | SessionCommand::RollbackTo(_)
            )
        );
        if session.txn == TxnState::Failed && !is_end {
            return Err(SqlError::new(
                sqlstate::IN_FAILED_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        let result = match (&prepared.kind, &prepared.point_read) {
            (Kind::Session(c), _) => self.run_session_command(session, c.clone()).await,
            (Kind::Write(plan), _) => self.run_write(session, plan, params).await,
            // Outside transaction blocks, whose reads share one snapshot per shard (and see
            // the block's own writes).
            (Kind::Query, Some(read)) if session.txn == TxnState::Idle => self
                .run_point_read(read, params)
                .await
                .map(|output| Outcome::Rows {
                    output,
                    verb: "SELECT".into(),
                }),
            (Kind::Query, _) => {
                let plan = prepared.plan.clone().ok_or_else(|| {
                    SqlError::new(sqlstate::INTERNAL_ERROR, "statement was not planned")
                })?;
                let verb = verb_of(&prepared.statement);
                self.ensure_snapshot(session).await?;
                let result = self.run_plan(session.context(), plan, params).await;
                session.adopt_set_config();
                result.map(|output| {
                    if prepared.returns_rows() {
                        Outcome::Rows { output, verb }
                    } else {
                        Outcome::Command(command_tag(&prepared.statement))
                    }
                })
            }
        };
        if result.is_err() {
            session.statement_failed();
        }
        result
    }

    async fn run_session_command(
        &self,
        session: &mut Session,
        command: SessionCommand,
    ) -> Result<Outcome, SqlError> {
        use SessionCommand as C;
        let done = |tag: &str| Ok(Outcome::Command(tag.to_string()));
        match command {
            C::Set { name, value } => {
                let r = session.apply_set(&name, value);
                session.publish();
                r?;
                done("SET")
            }
            C::ResetAll => {
                session.settings = session.defaults.clone();
                session.publish();
                done("RESET")
            }
            C::Show(name) => {
                let key = name.to_ascii_lowercase();
                let value = session
                    .settings
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| unknown_setting(&key))?;
                Ok(Outcome::Rows {
                    output: text_output(
                        text_schema(&[show_column(&key).as_str()]),
                        vec![vec![value]],
                    )?,
                    verb: "SHOW".into(),
                })
            }
            C::ShowAll => {
                let rows = session
                    .settings
                    .iter()
                    .map(|(k, v)| vec![k.clone(), v.clone()])
                    .collect();
                Ok(Outcome::Rows {
                    output: text_output(text_schema(&["name", "setting"]), rows)?,
                    verb: "SHOW".into(),
                })
            }
            C::Begin => {
                if session.txn != TxnState::Idle {
                    // Postgres warns and stays in the block.
                    tracing::debug!("BEGIN inside a transaction block");
                } else {
                    session.txn = TxnState::Open;
                }
                done("BEGIN")
            }
            C::Commit => {
                let was = session.txn;
                self.end_transaction(session, was == TxnState::Open).await?;
                done(if was == TxnState::Failed {
                    "ROLLBACK"
                } else {
                    "COMMIT"
                })
            }
            C::Rollback => {
                self.end_transaction(session, false).await?;
                done("ROLLBACK")
            }
            C::Declare { name, query } => {
                if session.txn == TxnState::Idle {
                    return Err(SqlError::new(
                        sqlstate::NO_ACTIVE_TRANSACTION,
                        "DECLARE CURSOR can only be used in transaction blocks",
                    ));
                }
                if session.cursors.contains_key(&name) {
                    return Err(SqlError::new(
                        sqlstate::DUPLICATE_CURSOR,
                        format!("cursor \"{name}\" already exists"),
                    ));
                }
                let statement = Statement::Statement(Box::new(ast::Statement::Query(query)));
                let plan = self.plan_statement(session.context(), statement).await?;
                self.ensure_snapshot(session).await?;
                let output = self.run_plan(session.context(), plan, &[]).await?;
                session.cursors.insert(
                    name,
                    Cursor {
                        schema: output.schema,
                        rows: output.batches.into(),
                    },
                );
                done("DECLARE CURSOR")
            }
            C::Fetch { name, count } => {
                let cursor = session.cursors.get_mut(&name).ok_or_else(|| {
                    SqlError::new(
                        sqlstate::INVALID_CURSOR_NAME,
                        format!("cursor \"{name}\" does not exist"),
                    )
                })?;
                let mut wanted = count.map_or(usize::MAX, |n| n as usize);
                let mut batches = Vec::new();
                while wanted > 0 {
                    let Some(batch) = cursor.rows.pop_front() else {
                        break;
                    };
                    if batch.num_rows() <= wanted {
                        wanted -= batch.num_rows();
                        batches.push(batch);
                    } else {
                        batches.push(batch.slice(0, wanted));
                        cursor
                            .rows
                            .push_front(batch.slice(wanted, batch.num_rows() - wanted));
                        wanted = 0;
                    }
                }
                Ok(Outcome::Rows {
                    output: QueryOutput {
                        schema: cursor.schema.clone(),
                        batches,
                        rows_scanned: 0,
                        cpu_nanos: 0,
                        bytes_scanned: 0,
                    },
                    verb: "FETCH".into(),
                })
            }
            C::Close(None) => {
                session.cursors.clear();
                done("CLOSE CURSOR ALL")
            }
            C::Close(Some(name)) => {
                session.cursors.remove(&name).ok_or_else(|| {
                    SqlError::new(
                        sqlstate::INVALID_CURSOR_NAME,
                        format!("cursor \"{name}\" does not exist"),
                    )
                })?;
                done("CLOSE CURSOR")
            }
            C::Discard => {
                if session.txn != TxnState::Idle {
                    return Err(SqlError::new(
                        sqlstate::ACTIVE_TRANSACTION,
                        "DISCARD ALL cannot run inside a transaction block",
                    ));
                }
                session.settings = session.defaults.clone();
                session.publish();
                session.cursors.clear();
                done("DISCARD ALL")
            }
            C::Savepoint(name) => {
                if session.txn == TxnState::Idle {
                    return Err(SqlError::new(
                        sqlstate::NO_ACTIVE_TRANSACTION,
                        "SAVEPOINT can only be used in transaction blocks",
                    ));
                }
                if let Some(w) = session.write.as_mut() {
                    w.savepoint(&name).await?;
                }
                session.savepoints.push(name);
                done("SAVEPOINT")
            }
            C::Release(name) => {
                let at = savepoint_index(session, &name)?;
                if let Some(w) = session.write.as_mut() {
                    w.release(&name).await?;
                }
                session.savepoints.truncate(at);
                done("RELEASE")
            }
            C::RollbackTo(name) => {
                let at = savepoint_index(session, &name)?;
                // The shards undo what the block wrote since the savepoint; reads changed
                // nothing. The savepoint itself stays, as in Postgres.
                if let Some(w) = session.write.as_mut() {
                    w.rollback_to(&name).await?;
                }
                session.savepoints.truncate(at + 1);
                session.txn = TxnState::Open;
                done("ROLLBACK")
            }
            C::Noop(tag) => done(tag),
        }
    }

    /// Ends the block: commits its writes (`commit`) or rolls them back, releases its
    /// snapshot. The block is over even when the commit fails.
    async fn end_transaction(&self, session: &mut Session, commit: bool) -> Result<(), SqlError> {
        session.txn = TxnState::Idle;
        session.cursors.clear();
        session.savepoints.clear();
        let result = match session.write.take() {
            Some(w) if commit => w.commit().await,
            Some(w) => {
                w.rollback().await;
                Ok(())
            }
            None => Ok(()),
        };
        if let Some(snapshot) = session.snapshot.take() {
            snapshot.release().await;
        }
        session.install_snapshot(None);
        result
    }

    /// In a transaction block, the first query takes the block's read snapshot of every shard.
    pub(crate) async fn ensure_snapshot(&self, session: &mut Session) -> Result<(), SqlError> {
        if session.txn == TxnState::Open && session.snapshot.is_none() {
            let snapshot = crate::snapshot::ReadSnapshot::take(self.shards()).await?;
            session.install_snapshot(Some(Arc::new(snapshot)));
        }
        Ok(())
    }
}

/// The parameters of a planned statement, by number (`$1…`), with the types planning
/// inferred (text where it could not).
pub(crate) fn param_fields(plan: &LogicalPlan) -> Result<Vec<FieldRef>, SqlError> {
    let fields = plan
        .get_parameter_fields()
        .map_err(|e| SqlError::from_datafusion(&e))?;
    let mut params = Vec::new();
    for i in 1..=fields.len() {
        let f = fields.get(&format!("${i}")).ok_or_else(|| {
            SqlError::new(
                sqlstate::SYNTAX_ERROR,
                format!(
                    "parameter ${i} is missing: parameters must be numbered $1…${}",
                    fields.len()
                ),
            )
        })?;
        params.push(
            f.clone()
                .unwrap_or_else(|| Arc::new(Field::new(format!("${i}"), DataType::Utf8, true))),
        );
    }
    Ok(params)
}

fn savepoint_index(session: &Session, name: &str) -> Result<usize, SqlError> {
    if session.txn == TxnState::Idle {
        return Err(SqlError::new(
            sqlstate::NO_ACTIVE_TRANSACTION,
            "savepoints can only be used in transaction blocks",
        ));
    }
    session
        .savepoints
        .iter()
        .rposition(|s| s == name)
        .ok_or_else(|| SqlError::new("3B001", format!("savepoint \"{name}\" does not exist")))
}

/// Applies the parameter types a client declared in Parse.
fn with_param_hints(
    plan: LogicalPlan,
    hints: &[Option<FieldRef>],
) -> Result<LogicalPlan, SqlError> {
    if hints.iter().all(Option::is_none) {
        return Ok(plan);
    }
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|e| {
            e.transform_up(|e| match e {
                Expr::Placeholder(Placeholder { id, field: None }) => {
                    let hint = id
                        .strip_prefix('$')
                        .and_then(|n| n.parse::<usize>().ok())
                        .and_then(|n| hints.get(n.wrapping_sub(1)).cloned().flatten());
                    let typed = hint.is_some();
                    let p = Expr::Placeholder(Placeholder::new_with_field(id, hint));
                    Ok(if typed {
                        Transformed::yes(p)
                    } else {
                        Transformed::no(p)
                    })
                }
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
    .map_err(|e| SqlError::from_datafusion(&e))
}

/// The verb of the command tag of a row-returning statement.
fn verb_of(statement: &Statement) -> String {
    match statement {
        Statement::Explain(_) => "EXPLAIN".into(),
        Statement::Statement(s) => match s.as_ref() {
            ast::Statement::Explain { .. } => "EXPLAIN".into(),
            ast::Statement::ShowVariable { .. } => "SHOW".into(),
            _ => "SELECT".into(),
        },
        _ => "SELECT".into(),
    }
}

/// The command tag of a statement that returns no rows.
fn command_tag(statement: &Statement) -> String {
    match statement {
        Statement::CreateExternalTable(_) => "CREATE TABLE".into(),
        Statement::CopyTo(_) => "COPY".into(),
        Statement::Statement(s) => match s.as_ref() {
            ast::Statement::CreateView { .. } => "CREATE VIEW".into(),
            ast::Statement::CreateTable(_) => "CREATE TABLE".into(),
            ast::Statement::Drop { object_type, .. } => format!("DROP {object_type}"),
            ast::Statement::CreateSchema { .. } => "CREATE SCHEMA".into(),
            _ => "OK".into(),
        },
        _ => "OK".into(),
    }
}

/// The values a setting that takes one of a few words accepts.
fn enumerated_setting(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "docfusion.consistency" => Some(&["strong", "bounded", "none"]),
        "docfusion.vector_search" => Some(&["exact", "approximate"]),
        _ => None,
    }
}

/// `a, b or c`.
fn one_of(words: &[&str]) -> String {
    match words.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerated_settings_list_their_values() {
        assert_eq!(
            one_of(enumerated_setting("docfusion.consistency").unwrap()),
            "strong, bounded or none"
        );
        assert_eq!(
            one_of(enumerated_setting("docfusion.vector_search").unwrap()),
            "exact or approximate"
        );
        assert!(enumerated_setting("timezone").is_none());
    }

    #[test]
    fn durations_parse_like_postgres() {
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration_ms("5s"), Some(5000));
        assert_eq!(parse_duration_ms("1min"), Some(60_000));
        assert_eq!(parse_duration_ms("1000"), Some(1000));
        assert_eq!(parse_duration_ms("0"), Some(0));
        assert_eq!(parse_duration_ms("5 parsecs"), None);
        assert_eq!(format_ms(250), "250ms");
        assert_eq!(format_ms(5000), "5s");
        assert_eq!(format_ms(0), "0");
    }
}
