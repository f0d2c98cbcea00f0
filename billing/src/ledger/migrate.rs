//! Versioned schema migrations, applied in order, each once, under an advisory lock so that
//! several billing processes starting together do not race.

use super::{Ledger, LedgerError};

/// (version, name, SQL), in order. Never edit a released one: add the next.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[(
    1,
    "ledger",
    include_str!("../../migrations/0001_ledger.sql"),
)];

/// Advisory lock key of the migration step ("docfusion billing").
const MIGRATION_LOCK: i64 = 0x0df0_b111;

impl Ledger {
    /// Applies the migrations not yet applied; returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i32>, LedgerError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(LedgerError::db("begin migration"))?;
        tx.execute("select pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(LedgerError::db("migration lock"))?;
        tx.batch_execute(
            "create table if not exists billing_schema_migrations (
                 version integer primary key,
                 name text not null,
                 applied_at timestamptz not null default now())",
        )
        .await
        .map_err(LedgerError::db("create migrations table"))?;
        let applied: Vec<i32> = tx
            .query("select version from billing_schema_migrations", &[])
            .await
            .map_err(LedgerError::db("read migrations"))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut now_applied = Vec::new();
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            tx.batch_execute(sql)
                .await
                .map_err(LedgerError::db("apply migration"))?;
            tx.execute(
                "insert into billing_schema_migrations (version, name) values ($1, $2)",
                &[version, name],
            )
            .await
            .map_err(LedgerError::db("record migration"))?;
            now_applied.push(*version);
        }
        tx.commit()
            .await
            .map_err(LedgerError::db("commit migration"))?;
        Ok(now_applied)
    }
}
