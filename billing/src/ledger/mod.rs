//! The usage ledger in PostgreSQL: versioned migrations, idempotent ingest with its minute
//! rollups, period totals, period closing and the Stripe outbox.

mod close;
mod ingest;
mod migrate;
mod totals;

use std::sync::Arc;

use chrono::Duration;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::clock::Clock;
use crate::plans::PlansFile;

pub use close::{ClosedWindow, OutboxRow};
pub use ingest::{Outcome, classify};
pub use migrate::MIGRATIONS;
pub use totals::{PeriodUsage, TenantPlan};

/// Ledger failures. `Unavailable` means Postgres could not be reached or the connection
/// broke: nothing was acknowledged, the caller may retry the same events.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Postgres unreachable or the connection broke mid-transaction.
    #[error("ledger database unavailable: {0}")]
    Unavailable(String),
    /// Postgres refused a statement.
    #[error("ledger database error in {context}: {source}")]
    Database {
        /// What we were doing.
        context: &'static str,
        /// The error.
        source: tokio_postgres::Error,
    },
    /// A request that names something unknown.
    #[error("{0}")]
    NotFound(String),
    /// A request that cannot be served (e.g. exporting a period still open).
    #[error("{0}")]
    Conflict(String),
}

impl LedgerError {
    pub(crate) fn db(context: &'static str) -> impl FnOnce(tokio_postgres::Error) -> LedgerError {
        move |source| {
            let io = std::error::Error::source(&source)
                .is_some_and(|inner| inner.downcast_ref::<std::io::Error>().is_some());
            // The server going away may arrive as a FATAL message before the socket closes:
            // connection exceptions (08…) and operator intervention (57P01 admin shutdown,
            // 57P02 crash shutdown, 57P03 cannot connect now) mean "unavailable", not a bug.
            let server_gone = source.code().is_some_and(|code| {
                let c = code.code();
                c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03")
            });
            if source.is_closed() || io || server_gone {
                LedgerError::Unavailable(format!("{context}: {source}"))
            } else {
                LedgerError::Database { context, source }
            }
        }
    }

    /// Whether retrying the same transaction may succeed (deadlock, serialization).
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            LedgerError::Database { source, .. } => source.code().is_some_and(|code| {
                code == &tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED
                    || code == &tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
            }),
            _ => false,
        }
    }

    /// The metric label.
    pub fn metric_label(&self) -> &'static str {
        match self {
            LedgerError::Unavailable(_) => "unavailable",
            LedgerError::Database { .. } => "database",
            LedgerError::NotFound(_) => "not_found",
            LedgerError::Conflict(_) => "conflict",
        }
    }
}

impl From<deadpool_postgres::PoolError> for LedgerError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        LedgerError::Unavailable(e.to_string())
    }
}

/// How late events are handled and what "future" means.
#[derive(Debug, Clone, Copy)]
pub struct LedgerPolicy {
    /// Events further in the future than this are rejected.
    pub max_future: Duration,
    /// How long after its end a period still takes late events.
    pub grace: Duration,
}

impl Default for LedgerPolicy {
    fn default() -> Self {
        LedgerPolicy {
            max_future: Duration::minutes(5),
            grace: Duration::hours(1),
        }
    }
}

/// The ledger: a connection pool, the plans, a clock and the policy.
#[derive(Clone, Debug)]
pub struct Ledger {
    pool: Pool,
    plans: Arc<PlansFile>,
    clock: Arc<dyn Clock>,
    policy: LedgerPolicy,
}

impl Ledger {
    /// A ledger on the database at `dsn` (libpq string or URL). Connects lazily.
    pub fn new(
        dsn: &str,
        plans: Arc<PlansFile>,
        clock: Arc<dyn Clock>,
        policy: LedgerPolicy,
    ) -> Result<Ledger, LedgerError> {
        let config: tokio_postgres::Config = dsn
            .parse()
            .map_err(|e| LedgerError::Unavailable(format!("bad database dsn: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .wait_timeout(Some(std::time::Duration::from_secs(5)))
            .create_timeout(Some(std::time::Duration::from_secs(5)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| LedgerError::Unavailable(e.to_string()))?;
        Ok(Ledger {
            pool,
            plans,
            clock,
            policy,
        })
    }

    /// The plans.
    pub fn plans(&self) -> &PlansFile {
        &self.plans
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The policy.
    pub fn policy(&self) -> LedgerPolicy {
        self.policy
    }

    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, LedgerError> {
        Ok(self.pool.get().await?)
    }

    /// Whether the database answers.
    pub async fn healthy(&self) -> bool {
        match self.client().await {
            Ok(client) => client.simple_query("select 1").await.is_ok(),
            Err(_) => false,
        }
    }
}
