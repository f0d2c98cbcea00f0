//! What every benchmark run starts besides the Postgres servers: a client of the baseline,
//! a DocFusionDB node over the shards, and (for wire-protocol benchmarks) the node's
//! Postgres-protocol server on a loopback port with one user.

use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use docfusion_types::{NodeConfig, ShardConfig, UserConfig};
use docfusiondb::auth::{Authenticator, verifier_for};
use docfusiondb::engine::Engine;
use docfusiondb::node::Node;
use docfusiondb::server::pg::PgServer;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_postgres::{Client, NoTls};
use tokio_util::sync::CancellationToken;

use crate::report::Machine;

/// The settings reported for every server (they are the same on all of them).
const REPORTED_SETTINGS: &[&str] = &[
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "max_parallel_workers_per_gather",
    "jit",
    "fsync",
    "synchronous_commit",
    "lc_collate",
];

/// The user the wire server accepts. The server listens on loopback only and lives as long
/// as the run, so a fixed password is enough.
pub const WIRE_USER: &str = "bench";
const WIRE_PASSWORD: &str = "bench-pointreads";
const WIRE_DATABASE: &str = "docfusion";

/// Connects a client to `dsn`, its connection driven by a task; `what` names the server in
/// errors.
pub async fn connect(dsn: &str, what: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(dsn, NoTls)
        .await
        .with_context(|| format!("connecting to {what}"))?;
    let what = what.to_string();
    tokio::spawn(async move {
        // A server closing a connection at the end of a run is not worth a message; a read
        // on a closed connection fails and is reported by whoever made it.
        if let Err(e) = connection.await
            && !e.is_closed()
        {
            eprintln!("{what} connection: {e}");
        }
    });
    Ok(client)
}

/// The machine facts plus the baseline's version and settings, for the report header.
pub async fn machine(baseline: &Client) -> Result<Machine> {
    let mut machine = Machine::detect().await;
    machine.postgres_version = show(baseline, "server_version").await?;
    for name in REPORTED_SETTINGS {
        machine
            .settings
            .push(((*name).to_string(), show(baseline, name).await?));
    }
    Ok(machine)
}

async fn show(client: &Client, name: &str) -> Result<String> {
    let row = client
        .query_one(&format!("SHOW {name}"), &[])
        .await
        .with_context(|| format!("SHOW {name}"))?;
    Ok(row.get::<_, String>(0))
}

/// A node config over `shard_dsns` with its data directory under `dir`, and (when
/// `with_wire_user`) the user [`WireServer`] logs in as.
pub fn node_config(dir: &Path, shard_dsns: Vec<String>, with_wire_user: bool) -> NodeConfig {
    let mut config = NodeConfig {
        data_dir: dir.join("node"),
        shards: shard_dsns
            .into_iter()
            .map(|dsn| ShardConfig { name: None, dsn })
            .collect(),
        ..NodeConfig::default()
    };
    if with_wire_user {
        config.auth.users.push(UserConfig {
            name: WIRE_USER.into(),
            password: verifier_for(WIRE_PASSWORD).to_string(),
        });
    }
    config
}

/// Starts a DocFusionDB node in this process.
pub async fn start_node(config: NodeConfig) -> Result<Node> {
    Node::start(config)
        .await
        .context("starting the DocFusionDB node")
}

/// The node's Postgres-protocol server, in this process, on a free loopback port.
pub struct WireServer {
    port: u16,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl WireServer {
    /// Serves `engine` with the users of `config` (see [`node_config`]).
    pub async fn start(config: &NodeConfig, engine: Arc<Engine>) -> Result<WireServer> {
        let (auth, _) = Authenticator::from_config(config)
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))
            .context("setting up the wire server's users")?;
        let tls = docfusiondb::server::pg::tls_acceptor(config)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding the wire server to a loopback port")?;
        let port = listener
            .local_addr()
            .context("the wire server's address")?
            .port();
        let shutdown = CancellationToken::new();
        let server = PgServer::new(listener, engine, Arc::new(auth), tls);
        let task = tokio::spawn(server.serve(shutdown.clone(), Duration::from_secs(2)));
        Ok(WireServer {
            port,
            shutdown,
            task,
        })
    }

    /// A libpq connection string for [`WIRE_USER`].
    pub fn dsn(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user={WIRE_USER} password={WIRE_PASSWORD} \
             dbname={WIRE_DATABASE} sslmode=disable",
            self.port
        )
    }

    /// Stops accepting, drains the connections and waits for the server to end.
    pub async fn stop(self) -> Result<()> {
        self.shutdown.cancel();
        self.task.await.context("the wire server task")
    }
}
