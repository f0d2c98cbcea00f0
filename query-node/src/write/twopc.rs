//! Two-phase commit across shards and the recovery of in-doubt transactions.
//!
//! Commit of a transaction that wrote to several shards:
//! 1. `PREPARE TRANSACTION gid` on every shard (any failure: `ROLLBACK PREPARED` on the
//!    shards that prepared, and the transaction fails naming the shard);
//! 2. the decision: a row `(gid, 'commit')` inserted (autocommit) into
//!    [`DECISIONS_TABLE`] on shard 0 — the transaction is committed from this moment;
//! 3. `COMMIT PREPARED gid` on every shard, then the decision row is deleted.
//!
//! Recovery (at start-up and every [`RECOVERY_INTERVAL`]) lists the prepared transactions
//! of this node's format on every shard and resolves those that [`may_resolve`] allows:
//! with the shard-0 decision when there is one; otherwise it first records `'abort'` for the
//! gid (the table's primary key makes the first recorded outcome the only one, so a slow
//! coordinator that then tries to record `'commit'` learns that it lost and rolls back) and
//! rolls the transaction back (presumed abort).
//!
//! Gids are `dfx:<node>:<incarnation>:<seq>`: the node id (`DOCFUSION_NODE_ID`, else
//! `HOSTNAME`), the process start time in ms and a counter. A node resolves at once the
//! transactions of its own earlier incarnations (that process is gone), and anyone's after
//! they have been prepared for [`IN_DOUBT_AFTER`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use deadpool_postgres::Object;
use futures::future::join_all;

use crate::error::SqlError;
use crate::scan::pushdown::quote_literal;
use crate::shards::{ShardSet, shard_error};
use crate::write::txn::release;

/// The table on shard 0 holding the outcome of every two-phase commit until it is done.
pub const DECISIONS_TABLE: &str = "_docfusion_txn_decisions";

/// How long a prepared transaction of another node (or of this node's current process)
/// must have been in doubt before recovery resolves it.
pub const IN_DOUBT_AFTER: Duration = Duration::from_secs(60);

/// How often recovery looks for in-doubt transactions.
pub const RECOVERY_INTERVAL: Duration = Duration::from_secs(10);

/// How long an `'abort'` decision written by recovery is kept after its transaction is gone
/// (so that a coordinator that stalled for that long still finds it).
pub const ABORT_RECORD_RETENTION: Duration = Duration::from_secs(24 * 3600);

const GID_PREFIX: &str = "dfx:";

/// Environment variable naming a point where the node aborts (crash tests).
pub const FAILPOINT_ENV: &str = "DOCFUSION_FAILPOINT";

/// Aborts the process (like `kill -9`: nothing is cleaned up) when the environment names
/// this failpoint. Used by crash tests: `after-prepare`, `after-decision`.
pub fn failpoint(name: &str) {
    static ACTIVE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let active = ACTIVE.get_or_init(|| std::env::var(FAILPOINT_ENV).ok());
    if active.as_deref() == Some(name) {
        eprintln!("DocFusionDB: failpoint {name} reached, aborting");
        std::process::abort();
    }
}

/// Who a node is, for the gids it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The node id (letters, digits, `-`, `_`, `.`).
    pub node: String,
    /// This process' start time, ms since the epoch.
    pub incarnation: u64,
}

impl Identity {
    /// This process: node id from `DOCFUSION_NODE_ID` or `HOSTNAME`, incarnation from the
    /// clock.
    pub fn of_process() -> Identity {
        let raw = std::env::var("DOCFUSION_NODE_ID")
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_else(|_| "node".to_string());
        let node: String = raw
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(64)
            .collect();
        let incarnation = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Identity {
            node: if node.is_empty() { "node".into() } else { node },
            incarnation,
        }
    }

    /// The gid of this node's transaction number `seq`.
    pub fn gid(&self, seq: u64) -> String {
        format!("{GID_PREFIX}{}:{}:{seq}", self.node, self.incarnation)
    }
}

/// The parts of a gid written by [`Identity::gid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GidParts {
    /// Node id.
    pub node: String,
    /// Incarnation of that node.
    pub incarnation: u64,
}

/// Parses a gid of ours; `None` for anyone else's prepared transactions.
pub fn parse_gid(gid: &str) -> Option<GidParts> {
    let rest = gid.strip_prefix(GID_PREFIX)?;
    let mut parts = rest.rsplitn(3, ':');
    let _seq: u64 = parts.next()?.parse().ok()?;
    let incarnation: u64 = parts.next()?.parse().ok()?;
    let node = parts.next()?.to_string();
    Some(GidParts { node, incarnation })
}

/// Whether recovery running as `me` may resolve the prepared transaction `gid`, prepared
/// `age` ago: its coordinator is gone (an earlier incarnation of this very node) or has had
/// [`IN_DOUBT_AFTER`] to decide. Never a foreign gid.
pub fn may_resolve(gid: &str, age: Duration, me: &Identity, in_doubt_after: Duration) -> bool {
    let Some(parts) = parse_gid(gid) else {
        return false;
    };
    (parts.node == me.node && parts.incarnation < me.incarnation) || age >= in_doubt_after
}

/// The outcome recorded for a gid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Commit everywhere.
    Commit,
    /// Roll back everywhere.
    Abort,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Commit => "commit",
            Outcome::Abort => "abort",
        }
    }

    fn parse(s: &str) -> Outcome {
        if s == "commit" {
            Outcome::Commit
        } else {
            Outcome::Abort
        }
    }
}

/// What one recovery pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Prepared transactions committed.
    pub committed: usize,
    /// Prepared transactions rolled back.
    pub rolled_back: usize,
    /// Prepared transactions left for later (their coordinator may still be deciding).
    pub left: usize,
    /// Shards that could not be read.
    pub unreachable: Vec<String>,
}

/// Runs two-phase commits for this node and recovers in-doubt transactions.
#[derive(Debug)]
pub struct Coordinator {
    shards: ShardSet,
    me: Identity,
    seq: AtomicU64,
}

impl Coordinator {
    /// Creates the decisions table on shard 0 when missing, resolves what earlier
    /// incarnations of this node left in doubt, and starts the periodic recovery (which ends
    /// when the coordinator is dropped).
    pub async fn start(shards: ShardSet) -> Result<Arc<Coordinator>, SqlError> {
        let coordinator = Arc::new(Coordinator {
            shards,
            me: Identity::of_process(),
            seq: AtomicU64::new(0),
        });
        coordinator.ensure_table().await?;
        match coordinator.recover(IN_DOUBT_AFTER).await {
            Ok(r) if r != RecoveryReport::default() => {
                tracing::info!(?r, "in-doubt transactions resolved at start-up")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "in-doubt recovery failed at start-up"),
        }
        spawn_periodic(Arc::downgrade(&coordinator));
        Ok(coordinator)
    }

    /// This node's identity.
    pub fn identity(&self) -> &Identity {
        &self.me
    }

    async fn ensure_table(&self) -> Result<(), SqlError> {
        let shard = self.shards.shard(0);
        let conn = shard.connect().await?;
        let ddl = format!(
            "CREATE TABLE IF NOT EXISTS {DECISIONS_TABLE} (
                gid text PRIMARY KEY,
                outcome text NOT NULL CHECK (outcome IN ('commit', 'abort')),
                decided_at timestamptz NOT NULL DEFAULT now())"
        );
        match conn.batch_execute(&ddl).await {
            Ok(()) => Ok(()),
            // Two nodes creating it at once: the other one won.
            Err(e)
                if e.as_db_error()
                    .is_some_and(|d| matches!(d.code().code(), "23505" | "42P07")) =>
            {
                Ok(())
            }
            Err(e) => Err(shard_error(&shard.name, &e)),
        }
    }

    /// Commits the shard transactions held by `conns` (shard index → connection inside a
    /// transaction): plainly when there is one, with two-phase commit otherwise.
    pub async fn commit(
        &self,
        shards: &ShardSet,
        conns: BTreeMap<usize, Arc<Object>>,
    ) -> Result<(), SqlError> {
        if conns.len() == 1 {
            let Some((index, conn)) = conns.into_iter().next() else {
                return Ok(());
            };
            let r = conn.batch_execute("COMMIT").await;
            let ok = r.is_ok();
            release(conn, ok);
            return r.map_err(|e| shard_error(&shards.shard(index).name, &e));
        }
        let gid = self.me.gid(self.seq.fetch_add(1, Ordering::SeqCst));
        let gid_sql = quote_literal(&gid);
        let prepare = format!("PREPARE TRANSACTION {gid_sql}");
        let prepared = join_all(conns.iter().map(|(i, conn)| {
            let prepare = prepare.as_str();
            async move { (*i, conn.batch_execute(prepare).await) }
        }))
        .await;
        let failure = prepared.iter().find_map(|(i, r)| {
            r.as_ref()
                .err()
                .map(|e| prepare_failed(&shards.shard(*i).name, e))
        });
        if let Some(error) = failure {
            let ok: BTreeSet<usize> = prepared
                .iter()
                .filter(|(_, r)| r.is_ok())
                .map(|(i, _)| *i)
                .collect();
            let rollback = format!("ROLLBACK PREPARED {gid_sql}");
            join_all(conns.into_iter().map(|(i, conn)| {
                let sql = if ok.contains(&i) {
                    rollback.clone()
                } else {
                    "ROLLBACK".to_string()
                };
                async move {
                    let idle = conn.batch_execute(&sql).await.is_ok();
                    release(conn, idle);
                }
            }))
            .await;
            return Err(error);
        }
        failpoint("after-prepare");
        // The decision. Until it is recorded, recovery may abort the prepared transactions.
        let decided = self.record(&gid, Outcome::Commit).await;
        let outcome = match decided {
            Ok(o) => o,
            Err(e) => {
                // The outcome is unknown: the insert may have committed. Leave the prepared
                // transactions to recovery, which follows the record or, without one, aborts.
                for conn in conns.into_values() {
                    release(conn, true);
                }
                return Err(SqlError::new(
                    e.code,
                    format!(
                        "the outcome of this transaction is unknown: the commit decision could not be recorded on shard {} ({}); in-doubt recovery will resolve it",
                        shards.shard(0).name,
                        e.message
                    ),
                ));
            }
        };
        if outcome == Outcome::Abort {
            let rollback = format!("ROLLBACK PREPARED {gid_sql}");
            join_all(conns.into_values().map(|conn| {
                let rollback = rollback.as_str();
                async move {
                    let idle = conn.batch_execute(rollback).await.is_ok();
                    release(conn, idle);
                }
            }))
            .await;
            return Err(SqlError::new(
                "40001",
                "transaction aborted: it stayed in doubt long enough for recovery to roll it back",
            ));
        }
        failpoint("after-decision");
        let commit = format!("COMMIT PREPARED {gid_sql}");
        let committed = join_all(conns.into_iter().map(|(i, conn)| {
            let commit = commit.as_str();
            let gid = gid.as_str();
            async move {
                let r = conn.batch_execute(commit).await;
                if let Err(e) = &r {
                    tracing::warn!(shard = %shards.shard(i).name, gid = %gid, error = %e,
                        "COMMIT PREPARED failed; recovery will finish it");
                }
                let ok = r.is_ok();
                release(conn, ok);
                ok
            }
        }))
        .await;
        if committed.into_iter().all(|ok| ok) {
            self.forget(&gid).await;
        }
        Ok(())
    }

    /// Records `outcome` for `gid` unless an outcome is already recorded; returns the
    /// recorded one.
    async fn record(&self, gid: &str, outcome: Outcome) -> Result<Outcome, SqlError> {
        let shard = self.shards.shard(0);
        let conn = shard.connect().await?;
        let err = |e: tokio_postgres::Error| shard_error(&shard.name, &e);
        let sql = format!(
            "WITH ins AS (INSERT INTO {DECISIONS_TABLE} (gid, outcome) VALUES ($1, $2)
                          ON CONFLICT (gid) DO NOTHING RETURNING outcome)
             SELECT outcome FROM ins
             UNION ALL SELECT outcome FROM {DECISIONS_TABLE} WHERE gid = $1
             LIMIT 1"
        );
        let row = conn
            .query_one(&sql, &[&gid, &outcome.as_str()])
            .await
            .map_err(err)?;
        let recorded: String = row.get(0);
        Ok(Outcome::parse(&recorded))
    }

    /// Deletes the decision of a transaction committed on every shard.
    async fn forget(&self, gid: &str) {
        let shard = self.shards.shard(0);
        let sql = format!("DELETE FROM {DECISIONS_TABLE} WHERE gid = $1");
        let done = match shard.connect().await {
            Ok(conn) => conn.execute(&sql, &[&gid]).await.map(|_| ()).is_ok(),
            Err(_) => false,
        };
        if !done {
            tracing::debug!(gid, "decision kept; recovery deletes it later");
        }
    }

    /// One recovery pass (see the module documentation); `in_doubt_after` is how old other
    /// coordinators' prepared transactions must be.
    pub async fn recover(&self, in_doubt_after: Duration) -> Result<RecoveryReport, SqlError> {
        let mut report = RecoveryReport::default();
        // Decisions first, prepared transactions second: a decision whose gid is prepared
        // nowhere afterwards is finished.
        let decisions = self.decisions().await?;
        let listed = join_all(self.shards.shards().iter().map(|shard| async move {
            let conn = shard.connect().await?;
            let rows = conn
                .query(
                    "SELECT gid, extract(epoch FROM now() - prepared)::float8
                     FROM pg_prepared_xacts
                     WHERE database = current_database() AND starts_with(gid, 'dfx:')",
                    &[],
                )
                .await
                .map_err(|e| shard_error(&shard.name, &e))?;
            Ok::<_, SqlError>(
                rows.into_iter()
                    .map(|r| (r.get::<_, String>(0), r.get::<_, f64>(1)))
                    .collect::<Vec<_>>(),
            )
        }))
        .await;
        let mut in_doubt_anywhere = BTreeSet::new();
        for (index, listing) in listed.into_iter().enumerate() {
            let shard = self.shards.shard(index);
            let prepared = match listing {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(shard = %shard.name, error = %e, "in-doubt recovery cannot read shard");
                    report.unreachable.push(shard.name.clone());
                    continue;
                }
            };
            for (gid, age_secs) in prepared {
                in_doubt_anywhere.insert(gid.clone());
                let age = Duration::from_secs_f64(age_secs.max(0.0));
                if !may_resolve(&gid, age, &self.me, in_doubt_after) {
                    report.left += 1;
                    continue;
                }
                let outcome = match decisions.get(&gid) {
                    Some((o, _)) => *o,
                    None => self.record(&gid, Outcome::Abort).await?,
                };
                let sql = match outcome {
                    Outcome::Commit => format!("COMMIT PREPARED {}", quote_literal(&gid)),
                    Outcome::Abort => format!("ROLLBACK PREPARED {}", quote_literal(&gid)),
                };
                let conn = shard.connect().await?;
                match conn.batch_execute(&sql).await {
                    Ok(()) => match outcome {
                        Outcome::Commit => report.committed += 1,
                        Outcome::Abort => report.rolled_back += 1,
                    },
                    // Resolved meanwhile (by its coordinator or another node).
                    Err(e) if e.as_db_error().is_some_and(|d| d.code().code() == "42704") => {}
                    Err(e) => return Err(shard_error(&shard.name, &e)),
                }
                tracing::info!(shard = %shard.name, gid, ?outcome, "in-doubt transaction resolved");
            }
        }
        if report.unreachable.is_empty() {
            self.delete_finished(&decisions, &in_doubt_anywhere).await;
        }
        Ok(report)
    }

    /// Every recorded decision with its age.
    async fn decisions(&self) -> Result<BTreeMap<String, (Outcome, Duration)>, SqlError> {
        let shard = self.shards.shard(0);
        let conn = shard.connect().await?;
        let rows = conn
            .query(
                &format!(
                    "SELECT gid, outcome, extract(epoch FROM now() - decided_at)::float8 FROM {DECISIONS_TABLE}"
                ),
                &[],
            )
            .await
            .map_err(|e| shard_error(&shard.name, &e))?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let gid: String = r.get(0);
                let outcome: String = r.get(1);
                let age: f64 = r.get(2);
                (
                    gid,
                    (
                        Outcome::parse(&outcome),
                        Duration::from_secs_f64(age.max(0.0)),
                    ),
                )
            })
            .collect())
    }

    /// Deletes decisions whose transactions are prepared nowhere any more: commits at once,
    /// aborts after [`ABORT_RECORD_RETENTION`].
    async fn delete_finished(
        &self,
        decisions: &BTreeMap<String, (Outcome, Duration)>,
        in_doubt: &BTreeSet<String>,
    ) {
        let finished: Vec<&String> = decisions
            .iter()
            .filter(|(gid, (outcome, age))| {
                !in_doubt.contains(*gid)
                    && (*outcome == Outcome::Commit || *age >= ABORT_RECORD_RETENTION)
            })
            .map(|(gid, _)| gid)
            .collect();
        if finished.is_empty() {
            return;
        }
        let shard = self.shards.shard(0);
        let sql = format!("DELETE FROM {DECISIONS_TABLE} WHERE gid = ANY($1)");
        if let Ok(conn) = shard.connect().await {
            let gids: Vec<&str> = finished.iter().map(|g| g.as_str()).collect();
            if let Err(e) = conn.execute(&sql, &[&gids]).await {
                tracing::debug!(error = %e, "finished decisions not deleted");
            }
        }
    }
}

fn prepare_failed(shard: &str, e: &tokio_postgres::Error) -> SqlError {
    let inner = shard_error(shard, e);
    SqlError {
        message: format!(
            "transaction rolled back: shard {shard} could not prepare it: {}",
            inner.message
        ),
        ..inner
    }
}

fn spawn_periodic(coordinator: Weak<Coordinator>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RECOVERY_INTERVAL).await;
            let Some(c) = coordinator.upgrade() else {
                return;
            };
            match c.recover(IN_DOUBT_AFTER).await {
                Ok(r) if r.committed + r.rolled_back > 0 => {
                    tracing::info!(?r, "in-doubt transactions resolved")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "in-doubt recovery failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Identity {
        Identity {
            node: "node-a".into(),
            incarnation: 2_000,
        }
    }

    #[test]
    fn gids_round_trip() {
        let gid = me().gid(7);
        assert_eq!(gid, "dfx:node-a:2000:7");
        assert_eq!(
            parse_gid(&gid),
            Some(GidParts {
                node: "node-a".into(),
                incarnation: 2000
            })
        );
        assert_eq!(parse_gid("some-other-tool-42"), None);
        assert_eq!(parse_gid("dfx:x:notanumber:1"), None);
        // Node ids may contain dots; the numbers are taken from the right.
        assert_eq!(parse_gid("dfx:a.b:5:1").map(|p| p.node), Some("a.b".into()));
    }

    #[test]
    fn only_dead_or_old_coordinators_are_resolved() {
        let young = Duration::from_secs(1);
        let old = IN_DOUBT_AFTER;
        // An earlier life of this node: its coordinator is gone, resolve at once.
        assert!(may_resolve(
            "dfx:node-a:1000:3",
            young,
            &me(),
            IN_DOUBT_AFTER
        ));
        // This process' own transaction, or another node's: only once old.
        assert!(!may_resolve(
            "dfx:node-a:2000:3",
            young,
            &me(),
            IN_DOUBT_AFTER
        ));
        assert!(!may_resolve(
            "dfx:node-b:1000:3",
            young,
            &me(),
            IN_DOUBT_AFTER
        ));
        assert!(may_resolve("dfx:node-b:1000:3", old, &me(), IN_DOUBT_AFTER));
        // A later incarnation with our id (a second process with the same id): only once old.
        assert!(!may_resolve(
            "dfx:node-a:3000:3",
            young,
            &me(),
            IN_DOUBT_AFTER
        ));
        // Never someone else's prepared transactions.
        assert!(!may_resolve("pgbench-1", old * 10, &me(), IN_DOUBT_AFTER));
    }
}
