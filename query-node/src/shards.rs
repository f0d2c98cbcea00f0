//! Connections to the Postgres shards: two pools per shard (tokio-postgres clients for
//! everything, lean connections for point reads), connection and statement
//! timeouts so that a shard that is down fails a statement with its name, never hangs it.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use docfusion_types::NodeConfig;
use tokio_postgres::NoTls;

use crate::error::{SqlError, sqlstate};
use crate::scan::read_lane::{LaneSql, ReadLane, ReadLanes};
use crate::shard_map::ShardMap;
use crate::shard_wire::{PooledShardConn, ShardConnPool, ShardConnector, WireError};

/// One shard: its name (for errors and EXPLAIN) and its connection pools: one of
/// tokio-postgres clients for everything, one of lean connections for the point-read fast
/// path (see [`crate::shard_wire`]).
#[derive(Clone)]
pub struct Shard {
    /// Index in the shard map.
    pub index: usize,
    /// Display name.
    pub name: String,
    pool: Pool,
    point_pool: ShardConnPool,
    connect_timeout: Duration,
    read_lanes: Arc<ReadLanes>,
    point_read_concurrency: usize,
}

impl std::fmt::Debug for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shard").field("name", &self.name).finish()
    }
}

/// Every shard of the cluster plus the shard map that routes ids to them.
#[derive(Debug, Clone)]
pub struct ShardSet {
    shards: Arc<Vec<Shard>>,
    map: Arc<ShardMap>,
}

impl Shard {
    /// The lane that coalesces point reads of the shape `sql` on this shard.
    pub fn read_lane(&self, sql: &LaneSql) -> Arc<ReadLane> {
        self.read_lanes.lane(self, sql, self.point_read_concurrency)
    }

    /// A point-read connection from this shard's pool of them, or an error naming this
    /// shard within the connect timeout.
    pub async fn point_conn(&self) -> Result<PooledShardConn, SqlError> {
        self.check_out(&self.point_pool, WireError::to_string).await
    }

    /// Point-read connections open to this shard, and how many of them are in use.
    pub fn point_connections(&self) -> (usize, usize) {
        let status = self.point_pool.status();
        (status.size, status.size.saturating_sub(status.available))
    }

    /// A pooled connection, or an error naming this shard within the connect timeout.
    pub async fn connect(&self) -> Result<Object, SqlError> {
        self.check_out(&self.pool, shard_error_text).await
    }

    /// A connection from `pool` within twice the connect timeout, or an error naming this
    /// shard (`backend` words a failure to connect).
    async fn check_out<M>(
        &self,
        pool: &deadpool::managed::Pool<M>,
        backend: impl Fn(&M::Error) -> String,
    ) -> Result<deadpool::managed::Object<M>, SqlError>
    where
        M: deadpool::managed::Manager,
        M::Error: std::fmt::Display,
    {
        use deadpool::managed::PoolError;
        let limit = self.connect_timeout * 2;
        let reason = match tokio::time::timeout(limit, pool.get()).await {
            Ok(Ok(conn)) => return Ok(conn),
            Ok(Err(PoolError::Backend(e))) => backend(&e),
            Ok(Err(PoolError::Timeout(_))) => "timed out waiting for a connection".to_string(),
            Ok(Err(other)) => other.to_string(),
            Err(_) => format!("timed out after {} ms", limit.as_millis()),
        };
        Err(SqlError::new(
            sqlstate::UNABLE_TO_CONNECT,
            format!("cannot connect to shard {}: {reason}", self.name),
        ))
    }
}

/// The message of a Postgres error, including the server's own text when there is one.
pub fn shard_error_text(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Converts an error returned by a shard into one a client can read, keeping Postgres'
/// own SQLSTATE when the shard sent one.
pub fn shard_error(shard: &str, e: &tokio_postgres::Error) -> SqlError {
    if let Some(db) = e.as_db_error() {
        let code: &'static str = sqlstate_static(db.code().code());
        let mut err = SqlError::new(code, db.message().to_string());
        if let Some(d) = db.detail() {
            err = err.with_detail(d.to_string());
        }
        return err;
    }
    SqlError::new(
        sqlstate::CONNECTION_FAILURE,
        format!("shard {shard} failed: {}", shard_error_text(e)),
    )
}

/// Converts an error of a point-read connection as [`shard_error`] does.
pub fn wire_error(shard: &str, e: &WireError) -> SqlError {
    match e {
        WireError::Db {
            code,
            message,
            detail,
        } => {
            let mut err = SqlError::new(sqlstate_static(code), message.clone());
            if let Some(d) = detail {
                err = err.with_detail(d.clone());
            }
            err
        }
        WireError::Broken(reason) => SqlError::new(
            sqlstate::CONNECTION_FAILURE,
            format!("shard {shard} failed: {reason}"),
        ),
    }
}

/// SQLSTATEs are five ASCII characters from a closed set; keep the common ones static and
/// fall back to the generic class code otherwise.
fn sqlstate_static(code: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "22P02", "22003", "22012", "22023", "22000", "22007", "22008", "2202E", "22030", "22032",
        "22033", "22034", "22035", "22036", "22037", "22038", "22039", "2203A", "2203B", "2203C",
        "2203D", "2203E", "2203F", "22P05", "42601", "42P01", "42703", "42883", "42804", "42P07",
        "23505", "23502", "23503", "23514", "23P01", "57014", "53300", "53400", "40001", "40P01",
        "25P02", "0A000", "42704", "42P06", "42710", "42501", "42702", "42P10", "55000", "55P03",
        "22001", "22P03", "2BP01", "3F000", "42P16", "57P01",
    ];
    KNOWN
        .iter()
        .find(|k| **k == code)
        .copied()
        .unwrap_or(sqlstate::INTERNAL_ERROR)
}

/// A pool of `size` connections made by `manager`: each made within the connect timeout,
/// waited for at most six times as long.
fn build_pool<M: deadpool::managed::Manager>(
    manager: M,
    size: usize,
    connect_timeout: Duration,
    what: &str,
) -> Result<deadpool::managed::Pool<M>, SqlError> {
    deadpool::managed::Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(connect_timeout))
        .wait_timeout(Some(connect_timeout * 6))
        .build()
        .map_err(|e| {
            SqlError::new(
                sqlstate::INTERNAL_ERROR,
                format!("cannot build {what}: {e}"),
            )
        })
}

impl ShardSet {
    /// Pools for the shards of `config` (nothing is connected until first use).
    pub fn from_config(config: &NodeConfig, dsns: &[String]) -> Result<Self, SqlError> {
        let limits = &config.limits;
        let connect_timeout = Duration::from_millis(limits.shard_connect_timeout_ms);
        let mut shards = Vec::with_capacity(dsns.len());
        for (index, dsn) in dsns.iter().enumerate() {
            let name = config.shard_name(index);
            let mut pg = tokio_postgres::Config::from_str(dsn).map_err(|e| {
                SqlError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("shards[{index}].dsn: {e}"),
                )
            })?;
            // As libpq does: a DSN without a password takes PGPASSWORD (the operator passes
            // the generated shard password this way, from a Secret).
            if pg.get_password().is_none()
                && let Ok(password) = std::env::var("PGPASSWORD")
            {
                pg.password(password);
            }
            pg.connect_timeout(connect_timeout);
            pg.application_name("docfusiondb");
            let mut options =
                String::from("-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=1");
            if limits.statement_timeout_ms > 0 {
                options.push_str(&format!(
                    " -c statement_timeout={}",
                    limits.statement_timeout_ms
                ));
            }
            pg.options(&options);
            pg.keepalives(true);
            pg.keepalives_idle(Duration::from_secs(30));
            let point_pool = build_pool(
                ShardConnector::new(pg.clone()),
                limits.max_connections_per_shard,
                connect_timeout,
                &format!("the point-read pool for shard {name}"),
            )?;
            let manager = Manager::from_config(
                pg,
                NoTls,
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            );
            let pool = build_pool(
                manager,
                limits.max_connections_per_shard,
                connect_timeout,
                &format!("pool for shard {name}"),
            )?;
            shards.push(Shard {
                index,
                name,
                pool,
                point_pool,
                connect_timeout,
                read_lanes: Arc::default(),
                point_read_concurrency: limits.point_read_concurrency,
            });
        }
        if shards.is_empty() {
            return Err(SqlError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "shards: at least one shard is required",
            ));
        }
        let map = ShardMap::uniform(shards.len());
        Ok(Self {
            shards: Arc::new(shards),
            map: Arc::new(map),
        })
    }

    /// All shards in index order.
    pub fn shards(&self) -> &[Shard] {
        &self.shards
    }

    /// Shard `index`.
    pub fn shard(&self, index: usize) -> &Shard {
        &self.shards[index]
    }

    /// Number of shards.
    pub fn len(&self) -> usize {
        self.shards.len()
    }

    /// Never true: a shard set has at least one shard.
    pub fn is_empty(&self) -> bool {
        self.shards.is_empty()
    }

    /// Closes every pool: idle connections are dropped and new requests fail. Called before
    /// local shards are stopped, so that no connection sees the server go away.
    pub fn close(&self) {
        for s in self.shards.iter() {
            s.pool.close();
            s.point_pool.close();
        }
    }

    /// The shard map routing ids to shards.
    pub fn map(&self) -> &ShardMap {
        &self.map
    }
}
